"""``incidr`` and ``incidr6`` against Python's ipaddress, on many random canonical addresses."""

from __future__ import annotations

import ipaddress
import random

import duckdb
import pytest
from sqlglot import exp

from trailhound.query.network import in_networks, parse_networks

_GROUPS = (0, 0, 0, 0x2001, 0xDB8, 7, 0xFFFF)


@pytest.fixture(scope="module")
def addresses() -> tuple[duckdb.DuckDBPyConnection, list[str]]:
    """A table of IPv6 addresses in canonical form, rich in zero runs, plus non-addresses."""
    rng = random.Random(16)
    found = {"::", "::1", "1::", "2001:db8::", "10.0.0.1", "ec2.amazonaws.com", ""}
    while len(found) < 800:
        groups = [rng.choice([*_GROUPS, rng.randrange(65536)]) for _ in range(8)]
        found.add(str(ipaddress.IPv6Address(":".join(format(g, "x") for g in groups))))
    con = duckdb.connect()
    con.execute("CREATE TABLE t (ip VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[a] for a in sorted(found)])
    return con, sorted(found)


def _random_network(rng: random.Random, prefix: int) -> ipaddress.IPv6Network:
    groups = [rng.choice(_GROUPS) for _ in range(8)]
    base = ":".join(format(g, "x") for g in groups)
    return ipaddress.IPv6Network(f"{base}/{prefix}", strict=False)


@pytest.mark.parametrize("whole_hextets", [True, False], ids=["incidr", "incidr6"])
def test_ipv6_networks_match_what_ipaddress_says(
    addresses: tuple[duckdb.DuckDBPyConnection, list[str]], whole_hextets: bool
) -> None:
    con, texts = addresses
    numbers = {a: int(ipaddress.IPv6Address(a)) for a in texts if ":" in a}
    rng = random.Random(6 if whole_hextets else 36)
    lengths = range(16, 129, 16) if whole_hextets else [p for p in range(1, 128) if p % 16]
    for _ in range(40):
        network = _random_network(rng, rng.choice(list(lengths)))
        parsed = parse_networks(str(network), any_ipv6_prefix=not whole_hextets)
        condition = in_networks(exp.column("ip"), parsed).sql("duckdb")
        found = {r[0] for r in con.execute(f"SELECT ip FROM t WHERE {condition}").fetchall()}
        low, high = int(network.network_address), int(network.broadcast_address)
        expected = {a for a, number in numbers.items() if low <= number <= high}
        assert found == expected, network


def test_only_incidr6_takes_any_ipv6_prefix() -> None:
    with pytest.raises(ValueError, match="multiple of 16"):
        parse_networks("2001:db8::/36")
    assert parse_networks("2001:db8::/36", any_ipv6_prefix=True) == [
        ipaddress.IPv6Network("2001:db8::/36")
    ]
