"""Lookups against the lists in force: shipped defaults, and the shared real lists installed."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from trailhound.data_dir import DataDir
from trailhound.intel.enrichment import update_lists
from trailhound.intel.lookup import IntelTables


@pytest.fixture
def shared_intel(shared_data: Path, data_dir: DataDir) -> tuple[DataDir, Path, Path]:
    """A data directory with the shared Tor list (2024-02-27) and ip-ranges.json installed."""
    tor = shared_data / "intel" / "tor-exit-nodes_2024-02-27.lst"
    aws = shared_data / "intel" / "aws-ip-ranges_2026-08-22.json"
    update_lists(data_dir, {"tor": tor, "aws-ranges": aws})
    return data_dir, tor, aws


def _answers(data_dir: DataDir, addresses: list[str]) -> dict[str, dict[str, object]]:
    tables = IntelTables.load(data_dir)
    try:
        return {str(r["source_ip_address"]): r for r in tables.lookup(addresses)}
    finally:
        tables.close()


def test_every_address_of_the_shared_tor_list_is_a_tor_exit(
    shared_intel: tuple[DataDir, Path, Path],
) -> None:
    data_dir, tor, _ = shared_intel
    listed = [line.strip() for line in tor.read_text().splitlines() if line.strip()]
    answers = _answers(data_dir, [*listed, "8.8.8.8", "1.1.1.1"])
    assert all(answers[a]["src_is_tor"] is True for a in listed)
    assert answers["8.8.8.8"]["src_is_tor"] is False
    assert answers["1.1.1.1"]["src_is_tor"] is False


def test_aws_prefixes_of_the_shared_file_are_inside_aws(
    shared_intel: tuple[DataDir, Path, Path],
) -> None:
    data_dir, _, aws = shared_intel
    document = orjson.loads(aws.read_bytes())
    inside: list[str] = []
    for entry in document["prefixes"][::97] + document["ipv6_prefixes"][::97]:
        network = ipaddress.ip_network(entry.get("ip_prefix") or entry["ipv6_prefix"])
        inside += [str(network.network_address), str(network.broadcast_address)]
    outside = ["8.8.8.8", "185.220.101.1", "2a01:4f8::1", "2001:4860:4860::8888"]
    answers = _answers(data_dir, inside + outside)
    assert [a for a in inside if answers[a]["src_in_aws"] is not True] == []
    assert [a for a in outside if answers[a]["src_in_aws"] is not False] == []


def test_shipped_country_and_asn_of_well_known_addresses(data_dir: DataDir) -> None:
    answers = _answers(
        data_dir,
        ["3.248.0.1", "8.8.8.8", "46.4.0.1", "2a01:4f8::1", "2600:1f18::1", "::ffff:8.8.8.8"],
    )
    got = {a: (r["src_country"], r["src_asn"]) for a, r in answers.items()}
    assert got == {
        "3.248.0.1": (
            "IE",
            16509,
        ),  # AWS eu-west-1: the geofeed says Ireland, not the registry's US
        "8.8.8.8": ("US", 15169),
        "46.4.0.1": ("DE", 24940),
        "2a01:4f8::1": ("DE", 24940),
        "2600:1f18::1": ("US", 14618),
        "::ffff:8.8.8.8": ("US", 15169),  # IPv4-mapped IPv6 reads as the IPv4 address
    }
    assert answers["8.8.8.8"]["src_as_org"] == "Google LLC"
    assert answers["3.248.0.1"]["src_in_aws"] is True
    assert answers["2600:1f18::1"]["src_in_aws"] is True


def test_private_addresses_and_service_names(data_dir: DataDir) -> None:
    names = ["10.0.0.1", "192.168.1.5", "fd12::1", "198.51.100.7", "ec2.amazonaws.com"]
    names += ["AWS Internal", "cloudtrail.amazonaws.com", "example.com", "not an address"]
    answers = _answers(data_dir, names)
    for private in ("10.0.0.1", "192.168.1.5", "fd12::1", "198.51.100.7"):
        row = answers[private]
        assert (row["src_country"], row["src_asn"], row["src_in_aws"]) == (None, None, None)
        assert row["src_is_tor"] is False
    for service in ("ec2.amazonaws.com", "AWS Internal", "cloudtrail.amazonaws.com"):
        assert answers[service]["src_in_aws"] is True
        assert answers[service]["src_is_tor"] is None
    for other in ("example.com", "not an address"):
        assert answers[other]["src_in_aws"] is None and answers[other]["src_country"] is None


def test_many_distinct_addresses_in_one_pass(data_dir: DataDir) -> None:
    tables = IntelTables.load(data_dir)
    try:
        addresses = pa.array(
            [str(ipaddress.IPv4Address(0x0B000000 + i * 13)) for i in range(200_000)]
        )
        rows = tables.enrich(addresses)
    finally:
        tables.close()
    assert rows.num_rows == 200_000
    assert rows.column("src_country").null_count < 200_000


def test_bisecting_and_joining_give_the_same_answers(data_dir: DataDir) -> None:
    """Few addresses are bisected, many joined: both ways must say the same."""
    addresses = [str(ipaddress.IPv4Address(0x01000000 + i * 104_729)) for i in range(3000)]
    addresses += [str(ipaddress.IPv6Address((0x2600 << 112) + i * (1 << 90))) for i in range(300)]
    addresses += ["185.220.101.1", "171.25.193.77", "10.0.0.1", "fd00::1", "::ffff:3.248.0.1",
                  "ec2.amazonaws.com", "AWS Internal", "example.com", " 8.8.8.8", "01.2.3.4",
                  "2a01:4f8::1", "3.248.0.1"]  # fmt: skip
    tables = IntelTables.load(data_dir)
    try:
        by_bisect = tables.enrich_by_bisect(addresses).sort_by("source_ip_address")
        by_join = tables.enrich_by_join(pa.array(addresses)).sort_by("source_ip_address")
    finally:
        tables.close()
    assert by_bisect.to_pylist() == by_join.to_pylist()
    assert by_bisect.column("src_is_tor").to_pylist().count(True) >= 2
    assert by_bisect.column("src_in_aws").to_pylist().count(True) >= 3
