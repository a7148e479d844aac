"""Look addresses up in the lists in force: country, ASN, Tor exit, inside AWS.

Every list is sorted, disjoint ranges; an address's answer is the last range starting at or
before its key, if the key is not past that range's end. :class:`IntelTables` finds it two ways,
with the same answers (a test holds them to it):

* a few addresses (an ingest batch's new ones, up to :data:`BISECT_LIMIT`) by bisecting Python
  lists of the range bounds: microseconds an address, once the lists are loaded;
* many (a rebuild over the whole lake) by ASOF joins in a private DuckDB connection: a sort-merge
  of both sides, about half a second to sort the large lists, then a million addresses a second.
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import TypeAlias

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from trailhound.data_dir import DataDir
from trailhound.intel.addresses import (
    address_key,
    ipv4_key_sql,
    ipv6_keys,
    non_public_ranges,
    ranges_table,
)
from trailhound.intel.lists import LISTS
from trailhound.intel.versions import (
    IntelVersion,
    active_versions,
    combined_version,
    table_source,
)
from trailhound.store.enrichment import table_schema
from trailhound.store.state import StateDB

# The value columns each list contributes, as the compiled tables name them.
_VALUES: dict[str, tuple[str, ...]] = {
    "tor": (),
    "aws-ranges": (),
    "country": ("country",),
    "asn": ("asn", "as_org"),
}
Source: TypeAlias = Path | pa.Table
_TABLES = {name: "intel_" + name.replace("-", "_") for name in (*LISTS, "non-public")}


def _key(hi: str, lo: str) -> str:
    return f"((CAST({hi} AS UHUGEINT) << 64) | CAST({lo} AS UHUGEINT))"


def _hit(alias: str) -> str:
    """Whether the ASOF candidate ``alias`` holds the key (its start is at or before it)."""
    return f"({alias}.e IS NOT NULL AND k.k <= {alias}.e)"


# Per address: is it one, is it public, is it an AWS service name; then each list's answer.
_ENRICH_SQL = f"""
SELECT
    k.ip AS source_ip_address,
    CASE WHEN k.k IS NOT NULL AND NOT {_hit("np")} AND {_hit("c")} THEN c.country END
        AS src_country,
    CASE WHEN k.k IS NOT NULL AND NOT {_hit("np")} AND {_hit("a")} THEN a.asn END AS src_asn,
    CASE WHEN k.k IS NOT NULL AND NOT {_hit("np")} AND {_hit("a")} THEN a.as_org END
        AS src_as_org,
    CASE WHEN k.k IS NOT NULL THEN {_hit("t")} END AS src_is_tor,
    CASE
        WHEN k.k IS NULL AND (lower(k.ip) LIKE '%.amazonaws.com' OR lower(k.ip) = 'aws internal')
            THEN true
        WHEN k.k IS NOT NULL AND NOT {_hit("np")} THEN {_hit("w")}
    END AS src_in_aws,
    CAST(? AS VARCHAR) AS intel_version
FROM lookup_keys AS k
ASOF LEFT JOIN {_TABLES["non-public"]} AS np ON k.k >= np.s
ASOF LEFT JOIN {_TABLES["country"]} AS c ON k.k >= c.s
ASOF LEFT JOIN {_TABLES["asn"]} AS a ON k.k >= a.s
ASOF LEFT JOIN {_TABLES["tor"]} AS t ON k.k >= t.s
ASOF LEFT JOIN {_TABLES["aws-ranges"]} AS w ON k.k >= w.s
"""


BISECT_LIMIT = 2_000  # distinct addresses up to which a lookup bisects instead of joining
_AWS_SERVICE_SUFFIX = ".amazonaws.com"


class SortedRanges:
    """One list's ranges for bisecting: the starts as Python ints, the rest left in Arrow."""

    def __init__(self, table: pa.Table, values: tuple[str, ...] = ()) -> None:
        highs = table.column("start_hi").to_pylist()
        lows = table.column("start_lo").to_pylist()
        self.starts = [h << 64 | low if h else low for h, low in zip(highs, lows, strict=True)]
        self._end_hi = table.column("end_hi").combine_chunks()
        self._end_lo = table.column("end_lo").combine_chunks()
        self._values = {v: table.column(v).combine_chunks() for v in values}

    def find(self, key: int) -> int | None:
        """The index of the range holding ``key``, or None."""
        at = bisect.bisect_right(self.starts, key) - 1
        if at < 0:
            return None
        end = self._end_hi[at].as_py() << 64 | self._end_lo[at].as_py()
        return at if key <= end else None

    def value(self, at: int, name: str) -> object:
        """A value column's entry of range ``at``."""
        return self._values[name][at].as_py()


class IntelTables:
    """Every list in force, ready to answer for many addresses at once.

    The large lists (country, ASN, AWS ranges) are loaded on the first lookup of a public
    address: a batch of private addresses and service names needs none of them.
    """

    def __init__(self, versions: dict[str, IntelVersion], sources: dict[str, Source]) -> None:
        self.versions = dict(versions)
        self.version = combined_version(self.versions)
        self._sources = dict(sources)
        self._loaded = False
        self._sorted: dict[str, SortedRanges] = {
            "non-public": SortedRanges(ranges_table(non_public_ranges()))
        }
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET threads = 2")
        self._create("non-public", ranges_table(non_public_ranges()))
        for name in LISTS:  # empty until a public address needs them
            self._create(name, None)

    def _create(self, name: str, source: Source | None) -> None:
        values = "".join(f", {v}" for v in _VALUES.get(name, ()))
        keys = f"{_key('start_hi', 'start_lo')} AS s, {_key('end_hi', 'end_lo')} AS e{values}"
        if isinstance(source, Path):
            self.con.execute(
                f"CREATE OR REPLACE TABLE {_TABLES[name]} AS SELECT {keys} FROM read_parquet(?) "
                "ORDER BY s",
                [str(source)],
            )
            return
        table = source if source is not None else _empty(name)
        self.con.register("intel_source", table)
        try:
            self.con.execute(
                f"CREATE OR REPLACE TABLE {_TABLES[name]} AS SELECT {keys} FROM intel_source"
            )
        finally:
            self.con.unregister("intel_source")

    def _load(self) -> None:
        if not self._loaded:
            for name, source in self._sources.items():
                self._create(name, source)
            self._loaded = True

    @classmethod
    def load(cls, data_dir: DataDir) -> IntelTables:
        """The lists in force in a data directory."""
        versions = active_versions(StateDB(data_dir.state_db))
        return cls(versions, {name: table_source(data_dir, v) for name, v in versions.items()})

    def close(self) -> None:
        """Release the connection."""
        self.con.close()

    def enrich(self, addresses: pa.Array) -> pa.Table:
        """One enrichment row per distinct non-null text of ``addresses`` (``table_schema()``)."""
        distinct = pc.unique(addresses.cast(pa.string())).drop_null()
        if len(distinct) <= BISECT_LIMIT:
            return self.enrich_by_bisect(distinct.to_pylist())
        return self.enrich_by_join(distinct)

    def _ranges(self, name: str) -> SortedRanges:
        """A list's ranges for bisecting, loaded on first use."""
        found = self._sorted.get(name)
        if found is None:
            source = self._sources[name]
            table = pq.read_table(source) if isinstance(source, Path) else source
            found = self._sorted[name] = SortedRanges(table, _VALUES.get(name, ()))
        return found

    def enrich_by_bisect(self, addresses: list[str]) -> pa.Table:
        """:meth:`enrich` for a few distinct addresses: bisect the lists, address by address."""
        rows: dict[str, list[object]] = {name: [] for name in table_schema().names}
        non_public = self._sorted["non-public"]
        for ip in addresses:
            key = address_key(ip) if ("." in ip or ":" in ip) and ip == ip.strip() else None
            public = key is not None and non_public.find(key) is None
            country = asn = org = tor = in_aws = None
            if key is not None:
                tor = self._ranges("tor").find(key) is not None
            if public:
                assert key is not None
                at = self._ranges("country").find(key)
                if at is not None:
                    country = self._ranges("country").value(at, "country")
                at = self._ranges("asn").find(key)
                if at is not None:
                    asn = self._ranges("asn").value(at, "asn")
                    org = self._ranges("asn").value(at, "as_org")
                in_aws = self._ranges("aws-ranges").find(key) is not None
            elif key is None:
                lowered = ip.lower()
                if lowered.endswith(_AWS_SERVICE_SUFFIX) or lowered == "aws internal":
                    in_aws = True
            for name, value in zip(
                table_schema().names,
                (ip, country, asn, org, tor, in_aws, self.version),
                strict=True,
            ):
                rows[name].append(value)
        return pa.table(rows, schema=table_schema())

    def enrich_by_join(self, addresses: pa.Array) -> pa.Table:
        """:meth:`enrich` for many addresses: ASOF joins in DuckDB."""
        ips = pa.table({"ip": addresses.cast(pa.string())})
        self.con.register("input_ips", ips)
        self.con.register("input_v6", _NO_V6)
        try:
            candidates = self.con.sql(
                "SELECT DISTINCT ip FROM input_ips WHERE ip IS NOT NULL AND contains(ip, ':')"
            ).to_arrow_table()
            self.con.register("input_v6", ipv6_keys(candidates.column("ip").to_pylist()))
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE lookup_keys AS "
                f"SELECT i.ip, coalesce({ipv4_key_sql('i.ip')}, {_key('v.key_hi', 'v.key_lo')}) "
                "AS k FROM (SELECT DISTINCT ip FROM input_ips WHERE ip IS NOT NULL) AS i "
                "LEFT JOIN input_v6 AS v ON i.ip = v.ip"
            )
            public = self.con.execute(
                f"SELECT count(*) FROM lookup_keys AS k ASOF LEFT JOIN {_TABLES['non-public']} "
                f"AS np ON k.k >= np.s WHERE k.k IS NOT NULL AND NOT {_hit('np')}"
            ).fetchall()
            if public[0][0]:
                self._load()
            rows = self.con.sql(_ENRICH_SQL, params=[self.version]).to_arrow_table()
        finally:
            self.con.unregister("input_ips")
            self.con.unregister("input_v6")
            self.con.execute("DROP TABLE IF EXISTS lookup_keys")
        return rows.cast(table_schema())

    def lookup(self, addresses: list[str]) -> list[dict[str, object]]:
        """What the lists say about each of ``addresses``, in their order."""
        rows = {r["source_ip_address"]: r for r in self.enrich(pa.array(addresses)).to_pylist()}
        return [rows.get(a, {"source_ip_address": a}) for a in addresses]


_NO_V6 = pa.table(
    {
        "ip": pa.array([], pa.string()),
        "key_hi": pa.array([], pa.uint64()),
        "key_lo": pa.array([], pa.uint64()),
    }
)


def _empty(name: str) -> pa.Table:
    """A list with no ranges, in the compiled shape."""
    types = {"country": pa.string(), "asn": pa.int64(), "as_org": pa.string()}
    values = {v: pa.array([], types[v]) for v in _VALUES.get(name, ())}
    return ranges_table([], values)
