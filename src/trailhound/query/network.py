"""``incidr(ip, "10.0.0.0/8")`` in portable SQL, no extension or IP type needed.

IPv4: the address text must be a dotted quad (checked by a regular expression); its four octets
are read with ``SPLIT_PART`` and ``TRY_CAST`` into one integer, which is compared with the
network's first and last address, computed here with :mod:`ipaddress`. Anything else (a service
name such as ``ec2.amazonaws.com``, an IPv6 address, NULL) is not in the network.

IPv6, prefix length a multiple of 16 (whole hextets): the address text is compared by prefix
with every way the network's leading hextets can begin an address written in the canonical
RFC 5952 form, which is what CloudTrail records: lower-case hex, no leading zeros, the longest run
of zero hextets as ``::``. An address written otherwise (``2001:0db8::1``) is not recognised.
``/128`` compares the whole canonical text.

IPv6, any other prefix length (``incidr6`` only): the address text is expanded into its 32 hex
digits (each group padded to four, ``::`` filled with zero groups) and compared, as text, with
the first and last address of the network: fixed-width hex sorts like the number it spells. This
reads any form without an embedded IPv4 part.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from sqlglot import exp

_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4_PATTERN = rf"^({_OCTET}\.){{3}}{_OCTET}$"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str, *, any_ipv6_prefix: bool = False) -> list[Network]:
    """Parse one CIDR or several separated by commas; ValueError says what is wrong.

    IPv6 prefix lengths must be multiples of 16 unless ``any_ipv6_prefix`` (``incidr6``).
    """
    networks: list[Network] = []
    for part in text.split(","):
        cleaned = part.strip()
        if not cleaned:
            raise ValueError("empty network")
        network = ipaddress.ip_network(cleaned, strict=False)
        partial = isinstance(network, ipaddress.IPv6Network) and network.prefixlen % 16 != 0
        if partial and not any_ipv6_prefix:
            raise ValueError(
                f"IPv6 network {cleaned} must have a prefix length that is a multiple of 16 "
                "(incidr6 takes any)"
            )
        networks.append(network)
    return networks


def in_networks(address: exp.Expr, networks: Sequence[Network]) -> exp.Expr:
    """A condition: the text ``address`` is an IP address inside one of ``networks``."""
    v4 = [n for n in networks if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in networks if isinstance(n, ipaddress.IPv6Network)]
    parts: list[exp.Expr] = []
    if v4:
        parts.append(_in_ipv4(address, v4))
    if v6:
        parts.append(_in_ipv6(address, v6))
    return exp.or_(*parts) if len(parts) > 1 else parts[0]


def _in_ipv4(address: exp.Expr, networks: Sequence[ipaddress.IPv4Network]) -> exp.Expr:
    octets = [
        exp.TryCast(
            this=exp.SplitPart(
                this=address.copy(),
                delimiter=exp.Literal.string("."),
                part_index=exp.Literal.number(index + 1),
            ),
            to=exp.DataType.build("BIGINT"),
        )
        for index in range(4)
    ]
    number: exp.Expr = exp.Mul(this=octets[0], expression=exp.Literal.number(256**3))
    for index, octet in enumerate(octets[1:], start=1):
        weight = 256 ** (3 - index)
        term = octet if weight == 1 else exp.Mul(this=octet, expression=exp.Literal.number(weight))
        number = exp.Add(this=number, expression=term)
    ranges: list[exp.Expr] = []
    for network in networks:
        if network.prefixlen == 0:
            ranges.append(exp.true())
            continue
        low, high = int(network.network_address), int(network.broadcast_address)
        ranges.append(
            exp.Between(
                this=exp.Paren(this=number.copy()),
                low=exp.Literal.number(low),
                high=exp.Literal.number(high),
            )
        )
    is_ipv4 = exp.RegexpLike(this=address.copy(), expression=exp.Literal.string(IPV4_PATTERN))
    # CASE keeps the arithmetic away from text that is not an address, on every engine.
    inside = exp.or_(*ranges) if len(ranges) > 1 else ranges[0]
    return exp.Case(ifs=[exp.If(this=is_ipv4, true=inside)], default=exp.false())


def ipv6_prefixes(network: ipaddress.IPv6Network) -> list[str]:
    """The canonical-text beginnings of the addresses in ``network`` (prefix multiple of 16)."""
    count = network.prefixlen // 16
    hextets = [format(int(h, 16), "x") for h in network.network_address.exploded.split(":")]
    if count == 0:
        return [""]
    leading = hextets[:count]
    prefixes = [":".join(leading) + ":"]
    # The '::' of the canonical form may start at any hextet from which the prefix is all zeros.
    for start in range(count - 1, -1, -1):
        if leading[start] != "0":
            break
        prefixes.append(":".join(leading[:start]) + "::")
    return prefixes


def _in_ipv6(address: exp.Expr, networks: Sequence[ipaddress.IPv6Network]) -> exp.Expr:
    whole = [n for n in networks if n.prefixlen % 16 == 0]
    partial = [n for n in networks if n.prefixlen % 16]
    parts: list[exp.Expr] = []
    if whole:
        parts.append(_in_ipv6_by_prefix(address, whole))
    if partial:
        parts.append(_in_ipv6_by_range(address, partial))
    return exp.or_(*parts) if len(parts) > 1 else parts[0]


def _in_ipv6_by_prefix(address: exp.Expr, networks: Sequence[ipaddress.IPv6Network]) -> exp.Expr:
    lowered = exp.Lower(this=address.copy())
    parts: list[exp.Expr] = []
    for network in networks:
        if network.prefixlen == 128:
            text = network.network_address.compressed
            parts.append(exp.EQ(this=lowered.copy(), expression=exp.Literal.string(text)))
            continue
        for prefix in ipv6_prefixes(network):
            pattern = exp.Literal.string(prefix + "%" if prefix else "%:%")
            parts.append(exp.Like(this=lowered.copy(), expression=pattern))
    condition = exp.or_(*parts) if len(parts) > 1 else parts[0]
    return exp.Coalesce(this=exp.Paren(this=condition), expressions=[exp.false()])


_IPV6_TEXT = r"^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}$"
_ZEROS = "0" * 32


def _string(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def _group_count(part: exp.Expr) -> exp.Expr:
    """How many ``:``-separated groups the text ``part`` holds (0 for empty text)."""
    colons = exp.Sub(
        this=exp.Length(this=part.copy()),
        expression=exp.Length(
            this=exp.Replace(this=part.copy(), expression=_string(":"), replacement=_string(""))
        ),
    )
    counted = exp.Add(this=colons, expression=exp.Literal.number(1))
    empty = exp.EQ(this=part.copy(), expression=_string(""))
    return exp.Case(ifs=[exp.If(this=empty, true=exp.Literal.number(0))], default=counted)


def _padded_groups(part: exp.Expr) -> exp.Expr:
    """The groups of ``part`` each padded to four hex digits, joined without separators."""
    group = exp.to_identifier("_th_group")
    padded = exp.Pad(
        this=exp.Column(this=group.copy()),
        expression=exp.Literal.number(4),
        fill_pattern=_string("0"),
        is_left=True,
    )
    groups = exp.Split(this=part.copy(), expression=_string(":"))
    joined = exp.ArrayToString(
        this=exp.Transform(this=groups, expression=exp.Lambda(this=padded, expressions=[group])),
        expression=_string(""),
    )
    empty = exp.EQ(this=part.copy(), expression=_string(""))
    return exp.Case(ifs=[exp.If(this=empty, true=_string(""))], default=joined)


def ipv6_hex(lowered: exp.Expr) -> exp.Expr:
    """The 32 hex digits of the lower-case IPv6 text ``lowered`` (wrong length if invalid)."""
    head = exp.SplitPart(
        this=lowered.copy(), delimiter=_string("::"), part_index=exp.Literal.number(1)
    )
    tail = exp.SplitPart(
        this=lowered.copy(), delimiter=_string("::"), part_index=exp.Literal.number(2)
    )
    missing = exp.Sub(
        this=exp.Sub(this=exp.Literal.number(8), expression=_group_count(head)),
        expression=_group_count(tail),
    )
    zero_digits = exp.Greatest(
        this=exp.Literal.number(0),
        expressions=[exp.Mul(this=exp.Paren(this=missing), expression=exp.Literal.number(4))],
    )
    zeros = exp.Substring(this=_string(_ZEROS), start=exp.Literal.number(1), length=zero_digits)
    return exp.Concat(expressions=[_padded_groups(head), zeros, _padded_groups(tail)])


def _in_ipv6_by_range(address: exp.Expr, networks: Sequence[ipaddress.IPv6Network]) -> exp.Expr:
    lowered = exp.Lower(this=address.copy())
    digits = ipv6_hex(lowered)
    ranges: list[exp.Expr] = [
        exp.Between(
            this=digits.copy(),
            low=_string(format(int(n.network_address), "032x")),
            high=_string(format(int(n.broadcast_address), "032x")),
        )
        for n in networks
    ]
    double_colons = exp.Sub(
        this=exp.Length(this=lowered.copy()),
        expression=exp.Length(
            this=exp.Replace(this=lowered.copy(), expression=_string("::"), replacement=_string(""))
        ),
    )
    well_formed = exp.and_(
        exp.RegexpLike(this=lowered.copy(), expression=_string(_IPV6_TEXT)),
        exp.LTE(this=double_colons, expression=exp.Literal.number(2)),
    )
    inside = exp.and_(
        exp.EQ(this=exp.Length(this=digits.copy()), expression=exp.Literal.number(32)),
        exp.Paren(this=exp.or_(*ranges)) if len(ranges) > 1 else ranges[0],
    )
    # CASE keeps the string surgery away from text that is not an IPv6 address.
    return exp.Case(ifs=[exp.If(this=well_formed, true=inside)], default=exp.false())
