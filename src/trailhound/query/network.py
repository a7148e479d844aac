"""``incidr(ip, "10.0.0.0/8")`` in portable SQL, no extension or IP type needed.

IPv4: the address text must be a dotted quad (checked by a regular expression); its four octets
are read with ``SPLIT_PART`` and ``TRY_CAST`` into one integer, which is compared with the
network's first and last address, computed here with :mod:`ipaddress`. Anything else (a service
name such as ``ec2.amazonaws.com``, an IPv6 address, NULL) is not in the network.

IPv6: the prefix length must be a multiple of 16 (whole hextets). The address text is compared
by prefix with every way the network's leading hextets can begin an address written in the
canonical RFC 5952 form, which is what CloudTrail records: lower-case hex, no leading zeros, the
longest run of zero hextets as ``::``. An address written otherwise (``2001:0db8::1``) is not
recognised. ``/128`` compares the whole canonical text.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from sqlglot import exp

_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4_PATTERN = rf"^({_OCTET}\.){{3}}{_OCTET}$"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> list[Network]:
    """Parse one CIDR or several separated by commas; ValueError says what is wrong."""
    networks: list[Network] = []
    for part in text.split(","):
        cleaned = part.strip()
        if not cleaned:
            raise ValueError("empty network")
        network = ipaddress.ip_network(cleaned, strict=False)
        if isinstance(network, ipaddress.IPv6Network) and network.prefixlen % 16:
            raise ValueError(
                f"IPv6 network {cleaned} must have a prefix length that is a multiple of 16"
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
