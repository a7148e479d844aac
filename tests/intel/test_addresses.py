"""Addresses as 128-bit keys: IPv4 mapped into IPv6, ranges, the non-public space."""

from __future__ import annotations

import duckdb
import pytest

from trailhound.intel.addresses import (
    V4_MAPPED,
    address_key,
    ipv4_key_sql,
    ipv6_keys,
    key_range,
    key_text,
    merge_ranges,
    non_public_ranges,
)


def test_ipv4_is_keyed_as_its_mapped_ipv6_address() -> None:
    assert address_key("1.2.3.4") == V4_MAPPED + 0x01020304
    assert address_key("::ffff:1.2.3.4") == address_key("1.2.3.4")
    assert key_text(V4_MAPPED + 0x01020304) == "1.2.3.4"
    assert address_key("2600:1f18::1") == 0x26001F18 << 96 | 1
    assert key_text(0x26001F18 << 96 | 1) == "2600:1f18::1"


@pytest.mark.parametrize("text", ["ec2.amazonaws.com", "AWS Internal", "1.2.3", "256.1.1.1", ""])
def test_names_and_malformed_addresses_have_no_key(text: str) -> None:
    assert address_key(text) is None


def test_ranges_from_cidrs_addresses_and_first_last() -> None:
    assert key_range("10.0.0.0/8") == (V4_MAPPED + 0x0A000000, V4_MAPPED + 0x0AFFFFFF)
    assert key_range("2001:db8::/127") == (0x20010DB8 << 96, (0x20010DB8 << 96) + 1)
    assert key_range("1.1.1.1") == (V4_MAPPED + 0x01010101,) * 2
    assert key_range("1.0.0.0-1.0.0.255") == (V4_MAPPED + 0x01000000, V4_MAPPED + 0x010000FF)
    assert key_range("1.0.0.9-1.0.0.1") is None
    assert key_range("10.0.0.0/33") is None


def test_merge_ranges_joins_overlapping_and_adjacent() -> None:
    assert merge_ranges([(10, 20), (0, 5), (6, 8), (15, 30), (40, 41)]) == [
        (0, 8),
        (10, 30),
        (40, 41),
    ]


def test_sql_parses_ipv4_exactly_as_python_does() -> None:
    texts = [
        "1.2.3.4",
        "255.255.255.255",
        "0.0.0.0",
        "01.2.3.4",
        "256.0.0.1",
        "1.2.3",
        "1.2.3.4.5",
        "ec2.amazonaws.com",
        "2600:1f18::1",
        " 1.2.3.4",
    ]
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT t, {ipv4_key_sql('t')} FROM unnest(CAST(? AS VARCHAR[])) AS u(t)", [texts]
    ).fetchall()
    for text, key in rows:
        expected = address_key(text) if text == text.strip() and "." in text else None
        if expected is not None and ":" not in text:
            assert key == expected, text
        else:
            assert key is None, text


def test_ipv6_keys_skip_what_is_not_ipv6() -> None:
    table = ipv6_keys(["2600:1f18::1", "1.2.3.4", "::ffff:8.8.8.8", "nonsense"])
    assert table.column("ip").to_pylist() == ["2600:1f18::1", "::ffff:8.8.8.8"]
    keys = [
        hi << 64 | lo
        for hi, lo in zip(
            table.column("key_hi").to_pylist(), table.column("key_lo").to_pylist(), strict=True
        )
    ]
    assert keys == [address_key("2600:1f18::1"), address_key("8.8.8.8")]


def test_non_public_space_covers_private_and_documentation_ranges() -> None:
    ranges = non_public_ranges()

    def inside(text: str) -> bool:
        key = address_key(text)
        assert key is not None
        return any(first <= key <= last for first, last in ranges)

    for private in ("10.1.2.3", "172.31.255.255", "192.168.0.1", "100.64.0.1", "127.0.0.1",
                    "169.254.169.254", "198.51.100.7", "fd00::1", "fe80::1", "::1"):  # fmt: skip
        assert inside(private), private
    for public in ("8.8.8.8", "172.32.0.1", "3.248.0.1", "2600:1f18::1", "185.220.101.1"):
        assert not inside(public), public
