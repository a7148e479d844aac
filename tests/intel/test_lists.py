"""Reading list files: Tor exit lists, AWS's ip-ranges.json, country and ASN CSV."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from trailhound.errors import IntelError
from trailhound.intel.addresses import address_key
from trailhound.intel.lists import (
    compile_list,
    parse_asn,
    parse_aws_ranges,
    parse_country,
    parse_tor,
    shipped_path,
)


def _keys(table: object) -> list[tuple[int, int]]:
    columns = [table.column(c).to_pylist() for c in ("start_hi", "start_lo", "end_hi", "end_lo")]  # type: ignore[attr-defined]
    return [(a << 64 | b, c << 64 | d) for a, b, c, d in zip(*columns, strict=True)]


def test_tor_list_reads_comments_blanks_and_exit_addresses_records() -> None:
    data = b"""# exits of 2024-02-27
185.220.101.1
  171.25.193.77   # trailing comment

2a0b:f4c2::1
ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E
Published 2024-02-27 09:00:00
ExitAddress 204.8.96.1 2024-02-27 10:00:00
LastStatus 2024-02-27 10:00:00
185.220.101.1
"""
    parsed = parse_tor(data)
    assert parsed.entries == 4  # the repeated address counts once
    assert parsed.list_date == "2024-02-27"
    keys = {first for first, last in _keys(parsed.table)}
    assert keys == {
        address_key(a) for a in ("185.220.101.1", "171.25.193.77", "2a0b:f4c2::1", "204.8.96.1")
    }


def test_a_bad_line_fails_the_whole_list_with_its_number() -> None:
    with pytest.raises(IntelError, match=r"line 3: not an IP address: 'not-an-address'"):
        parse_tor(b"1.1.1.1\n# fine\nnot-an-address\n")


def test_aws_ranges_from_the_published_json(shared_data: Path) -> None:
    path = shared_data / "intel" / "aws-ip-ranges_2026-08-22.json"
    parsed = parse_aws_ranges(path.read_bytes())
    assert parsed.list_date == "2026-08-22"
    assert parsed.entries == 10668 + 6160  # every IPv4 and IPv6 prefix of the file
    ranges = _keys(parsed.table)
    assert ranges == sorted(ranges)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))  # disjoint after merging


def test_aws_ranges_as_lines() -> None:
    parsed = parse_aws_ranges(
        b"# ranges\n3.4.12.4/32\n3.5.140.0/22\n2600:1f14::/35\n1.0.0.0-1.0.0.9\n"
    )
    assert parsed.entries == 4 and parsed.table.num_rows == 4
    with pytest.raises(IntelError, match="line 2"):
        parse_aws_ranges(b"3.4.12.4/32\n3.5.140.0/40\n")
    with pytest.raises(IntelError, match=r"ip-ranges\.json"):
        parse_aws_ranges(b'{"prefixes": [{"ip_prefix": "nonsense"}]}')


def test_country_and_asn_csv_in_ip_location_db_format() -> None:
    country = parse_country(
        b"1.0.0.0,1.0.0.255,au\n2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,JP\n"
    )
    assert country.table.column("country").to_pylist() == ["AU", "JP"]
    asn = parse_asn(
        b'1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."\n8.8.8.0,8.8.8.255,15169,Google LLC\n'
    )
    assert asn.table.column("asn").to_pylist() == [13335, 15169]
    assert asn.table.column("as_org").to_pylist() == ["Cloudflare, Inc.", "Google LLC"]
    with pytest.raises(IntelError, match="line 1"):
        parse_asn(b"1.0.0.0,1.0.0.255\n")


def test_a_nested_range_is_the_more_specific_answer() -> None:
    parsed = parse_country(b"2.58.196.0,2.58.197.255,DE\n2.58.197.15,2.58.197.15,BE\n")
    assert parsed.table.column("country").to_pylist() == ["DE", "BE", "DE"]
    starts = [first for first, _ in _keys(parsed.table)]
    assert starts == [address_key(a) for a in ("2.58.196.0", "2.58.197.15", "2.58.197.16")]


@pytest.mark.parametrize("name", ["tor", "aws-ranges", "country", "asn"])
def test_every_shipped_default_compiles(name: str) -> None:
    parsed = compile_list(name, shipped_path(name).read_bytes())
    assert parsed.table.num_rows > 1000
    assert parsed.list_date is not None
    ranges = _keys(parsed.table)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))
