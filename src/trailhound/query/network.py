"""``incidr(ip, "10.0.0.0/8")`` in portable SQL, no extension or IP type needed.

IPv4: the address text must be a dotted quad (checked by a regular expression); its four octets
are read with ``SPLIT_PART`` and ``TRY_CAST`` into one integer, which is compared with the
network's first and last address, computed here with :mod:`ipaddress`. Anything else (a service
name such as ``ec2.amazonaws.com``, an IPv6 address, NULL) is not in the network.

IPv6: the address text is compared by prefix with every way the network's leading whole hextets
can begin an address written in the canonical RFC 5952 form, which is what CloudTrail records:
lower-case hex, no leading zeros, the longest run of zero hextets as ``::``. Where the ``::``
stands for zeros of the network, the number of groups written after it must make the run long
enough. An address written otherwise (``2001:0db8::1``) is not recognised. ``/128`` compares the
whole canonical text. A prefix that ends inside a hextet (``/36``, ``incidr6`` only) also reads
that hextet, the group right after the beginning (or zero inside the run), pads it to four hex
digits and compares it, as text, with the network's range for it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

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
    """The canonical-text beginnings of ``network``'s addresses whose ``::`` is not before the
    end of its leading zeros (prefix a multiple of 16): see :func:`ipv6_beginnings`."""
    beginnings = ipv6_beginnings(network, network.prefixlen // 16)
    return [b.text for b in beginnings if b.groups_after is None or not b.exact]


@dataclass(frozen=True, slots=True)
class Beginning:
    """How the canonical text of an address of a network can begin.

    When ``text`` holds the ``::``, the number of groups written after the ``::`` must be
    ``groups_after`` (``exact``) or at most that, so that the zero run it stands for is as long
    as the network's zeros need; None when nothing needs checking.
    """

    text: str
    groups_after: int | None = None
    exact: bool = False

    @property
    def run_start(self) -> int:
        """Where the text's ``::`` begins, in characters (-1 if it has none)."""
        return self.text.find("::")


def ipv6_beginnings(network: ipaddress.IPv6Network, count: int) -> list[Beginning]:
    """Every way the canonical text of an address in ``network`` can write its first ``count``
    hextets: all of them, or with the longest zero run compressed to ``::`` inside them."""
    hextets = [format(int(h, 16), "x") for h in network.network_address.exploded.split(":")]
    if count == 0:
        return [Beginning("")]
    leading = hextets[:count]
    found = [Beginning(":".join(leading) + ":")]
    # The run reaches the end of the leading hextets: it may start at any hextet from which they
    # are all zeros. A canonical run is two hextets or more, so it only needs checking when it
    # must be longer than that.
    for start in range(count - 1, -1, -1):
        if leading[start] != "0":
            break
        needed = count - start > 2
        found.append(Beginning(":".join(leading[:start]) + "::", 8 - count if needed else None))
    # The run lies inside the leading hextets, between two non-zero ones: the groups written
    # after it say how long it is, so their number must be exact.
    index = 0
    while index < count:
        if leading[index] != "0":
            index += 1
            continue
        end = index
        while end < count and leading[end] == "0":
            end += 1
        if end < count and end - index >= 2:
            head, tail = ":".join(leading[:index]), ":".join(leading[end:])
            found.append(Beginning(f"{head}::{tail}:", 8 - end, exact=True))
        index = end
    return found


def _in_ipv6(address: exp.Expr, networks: Sequence[ipaddress.IPv6Network]) -> exp.Expr:
    lowered = exp.Lower(this=address.copy())
    parts: list[exp.Expr] = []
    for network in networks:
        if network.prefixlen == 128:
            text = network.network_address.compressed
            parts.append(exp.EQ(this=lowered.copy(), expression=exp.Literal.string(text)))
            continue
        count, bits = divmod(network.prefixlen, 16)
        for beginning in ipv6_beginnings(network, count):
            condition = _begins(lowered, beginning)
            if bits:
                condition = exp.and_(condition, _hextet_in(lowered, network, beginning, count))
            parts.append(condition)
    condition = exp.or_(*parts) if len(parts) > 1 else parts[0]
    return exp.Coalesce(this=exp.Paren(this=condition), expressions=[exp.false()])


def _text(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def _after(lowered: exp.Expr, characters: int) -> exp.Expr:
    """The text after its first ``characters`` characters."""
    return exp.Substring(this=lowered.copy(), start=exp.Literal.number(characters + 1))


def _group_count(text: exp.Expr) -> exp.Expr:
    """How many ``:``-separated groups ``text`` holds (0 for empty text)."""
    colons = exp.Sub(
        this=exp.Length(this=text.copy()),
        expression=exp.Length(
            this=exp.Replace(this=text.copy(), expression=_text(":"), replacement=_text(""))
        ),
    )
    counted = exp.Add(this=colons, expression=exp.Literal.number(1))
    empty = exp.EQ(this=text.copy(), expression=_text(""))
    return exp.Case(ifs=[exp.If(this=empty, true=exp.Literal.number(0))], default=counted)


def _groups_after_run(lowered: exp.Expr, beginning: Beginning) -> exp.Expr:
    return _group_count(_after(lowered, beginning.run_start + 2))


def _begins(lowered: exp.Expr, beginning: Beginning) -> exp.Expr:
    """The address text begins as ``beginning`` says, its zero run as long as needed."""
    pattern = _text(beginning.text + "%" if beginning.text else "%:%")
    condition: exp.Expr = exp.Like(this=lowered.copy(), expression=pattern)
    if beginning.groups_after is not None:
        kind = exp.EQ if beginning.exact else exp.LTE
        groups = kind(
            this=_groups_after_run(lowered, beginning),
            expression=exp.Literal.number(beginning.groups_after),
        )
        condition = exp.and_(condition, groups)
    return condition


def _hextet_in(
    lowered: exp.Expr, network: ipaddress.IPv6Network, beginning: Beginning, count: int
) -> exp.Expr:
    """Hextet ``count``, where the network's prefix ends, is inside the network's range for it.

    It is the group written right after the beginning, or zero when the beginning ends in a
    ``::`` run that covers it (fewer than 8 - count groups follow); padded to four digits, it
    compares as text like the number it spells.
    """
    bits = network.prefixlen - 16 * count
    value = int(network.network_address.exploded.split(":")[count], 16)
    free = (1 << (16 - bits)) - 1
    low, high = value & ~free & 0xFFFF, (value & ~free & 0xFFFF) | free
    field: exp.Expr = exp.SplitPart(
        this=_after(lowered, len(beginning.text)),
        delimiter=_text(":"),
        part_index=exp.Literal.number(1),
    )
    if beginning.text.endswith("::"):
        written = exp.EQ(
            this=_groups_after_run(lowered, beginning), expression=exp.Literal.number(8 - count)
        )
        field = exp.Case(ifs=[exp.If(this=written, true=field)], default=_text(""))
    padded = exp.Pad(
        this=field, expression=exp.Literal.number(4), fill_pattern=_text("0"), is_left=True
    )
    return exp.Between(this=padded, low=_text(format(low, "04x")), high=_text(format(high, "04x")))
