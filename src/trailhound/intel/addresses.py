"""IP addresses as 128-bit keys, so that one sorted table of ranges serves IPv4 and IPv6.

An IPv4 address is keyed as its IPv4-mapped IPv6 address (``::ffff:a.b.c.d``), so ``1.2.3.4`` and
``::ffff:1.2.3.4`` are one key and every list holds both families in one ordering. In DuckDB a key
is a ``UHUGEINT``; in Parquet files it is two ``UBIGINT`` halves (``*_hi``, ``*_lo``), which every
reader understands. IPv4 text is parsed by DuckDB itself (millions of addresses a second); IPv6
text, rarer in CloudTrail and harder to parse in SQL, by :mod:`ipaddress`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

import pyarrow as pa

V4_MAPPED = 0xFFFF_0000_0000
_LOW64 = (1 << 64) - 1

# Space that is not on the public internet (IANA's special-purpose registries): no country, ASN or
# AWS range applies. CloudTrail shows such addresses for calls through VPC endpoints.
NON_PUBLIC_NETWORKS: tuple[str, ...] = (
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/3",  # multicast, reserved and broadcast
    "::/127",  # unspecified and loopback
    "100::/64",
    "2001:db8::/32",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
)


def address_key(text: str) -> int | None:
    """The key of an IPv4 or IPv6 address, or None if ``text`` is not one.

    >>> address_key("0.0.0.1") == V4_MAPPED + 1
    True
    >>> address_key("::ffff:0.0.0.1") == address_key("0.0.0.1")
    True
    >>> address_key("ec2.amazonaws.com") is None
    True
    """
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return V4_MAPPED + int(address) if address.version == 4 else int(address)


def key_text(key: int) -> str:
    """The usual spelling of a key's address (IPv4 for mapped keys).

    >>> key_text(V4_MAPPED + 16909060)
    '1.2.3.4'
    """
    address = ipaddress.IPv6Address(key)
    mapped = address.ipv4_mapped
    return str(mapped if mapped is not None else address)


def key_range(text: str) -> tuple[int, int] | None:
    """First and last key of an address, a CIDR network or an inclusive ``first-last`` range.

    >>> key_range("10.0.0.0/31") == (V4_MAPPED + 0x0A000000, V4_MAPPED + 0x0A000001)
    True
    >>> key_range("not an address") is None
    True
    """
    text = text.strip()
    try:
        if "-" in text:
            first_text, _, last_text = text.partition("-")
            first, last = address_key(first_text), address_key(last_text)
            if first is None or last is None or last < first:
                return None
            return first, last
        if "/" in text:
            network = ipaddress.ip_network(text, strict=False)
            first = int(network.network_address)
            last = int(network.broadcast_address)
            if network.version == 4:
                return V4_MAPPED + first, V4_MAPPED + last
            return first, last
    except ValueError:
        return None
    key = address_key(text)
    return None if key is None else (key, key)


def split_keys(keys: Iterable[int]) -> tuple[pa.Array, pa.Array]:
    """The high and low 64-bit halves of keys, as two ``uint64`` arrays."""
    listed = list(keys)
    return (
        pa.array([k >> 64 for k in listed], pa.uint64()),
        pa.array([k & _LOW64 for k in listed], pa.uint64()),
    )


def ranges_table(
    ranges: Iterable[tuple[int, int]], values: dict[str, pa.Array] | None = None
) -> pa.Table:
    """A table of ranges (``start_hi``, ``start_lo``, ``end_hi``, ``end_lo``) plus value columns."""
    listed = list(ranges)
    start_hi, start_lo = split_keys(r[0] for r in listed)
    end_hi, end_lo = split_keys(r[1] for r in listed)
    columns: dict[str, pa.Array] = {
        "start_hi": start_hi,
        "start_lo": start_lo,
        "end_hi": end_hi,
        "end_lo": end_lo,
    }
    columns.update(values or {})
    return pa.table(columns)


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint ranges covering the same addresses (overlapping and adjacent merged).

    >>> merge_ranges([(5, 9), (1, 3), (4, 4), (20, 30), (25, 26)])
    [(1, 9), (20, 30)]
    """
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return merged


def non_public_ranges() -> list[tuple[int, int]]:
    """The keys of :data:`NON_PUBLIC_NETWORKS`, merged."""
    found = [key_range(n) for n in NON_PUBLIC_NETWORKS]
    return merge_ranges(r for r in found if r is not None)


# DuckDB: the key of an IPv4 address held in column ``{column}``, NULL for anything else. The
# pattern admits exactly four decimal octets of 0–255 without leading zeros, as ipaddress does.
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4_PATTERN = rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}"


def ipv4_key_sql(column: str) -> str:
    """A DuckDB expression for the key of the IPv4 address in ``column`` (NULL if not one).

    ``column`` is a name this package chose, never user input.
    """
    parts = " + ".join(
        f"CAST(split_part({column}, '.', {n + 1}) AS UBIGINT) * {256 ** (3 - n)}" for n in range(4)
    )
    return (
        f"CASE WHEN regexp_full_match({column}, '{IPV4_PATTERN}') "
        f"THEN CAST({V4_MAPPED} AS UHUGEINT) + CAST({parts} AS UHUGEINT) END"
    )


def ipv6_keys(texts: Iterable[str]) -> pa.Table:
    """``ip``, ``key_hi``, ``key_lo`` for the texts that are IPv6 addresses (others left out)."""
    found: list[str] = []
    keys: list[int] = []
    for text in texts:
        try:
            address = ipaddress.IPv6Address(text)
        except ValueError:
            continue
        found.append(text)
        keys.append(int(address))  # an IPv4-mapped address is already its IPv4 key
    high, low = split_keys(keys)
    return pa.table({"ip": pa.array(found, pa.string()), "key_hi": high, "key_lo": low})
