"""The intel lists: what each one says, how its file is read, and the defaults the package ships.

Every list compiles to the same shape: a table of disjoint key ranges sorted by start
(:func:`trailhound.intel.addresses.ranges_table`) plus the list's value columns, which the lookup
joins with an ASOF join. The files a user gives to ``trailhound intel update``:

* ``tor``: one address a line; ``#`` starts a comment; blank lines are ignored. The Tor Project's
  ``exit-addresses`` format (``ExitAddress 1.2.3.4 2024-02-27 10:00:00``) is read too.
* ``aws-ranges``: AWS's ``ip-ranges.json`` (``prefixes[].ip_prefix``,
  ``ipv6_prefixes[].ipv6_prefix``; its ``createDate`` is the list's date), or one CIDR, address or
  ``first-last`` range a line.
* ``country`` and ``asn``: CSV as ip-location-db publishes them, ``first,last,country`` and
  ``first,last,asn,organization``, addresses written out (IPv4 and IPv6 in one file or several
  concatenated).

A line that cannot be read fails the whole file with its line number: a half-read list would
silently change answers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from trailhound.errors import IntelError
from trailhound.intel.addresses import address_key, key_range, merge_ranges, ranges_table

MAX_LIST_BYTES = 512 * 1024 * 1024
_DATE = re.compile(r"(20[0-9]{2}-[01][0-9]-[0-3][0-9])")


@dataclass(frozen=True, slots=True)
class ParsedList:
    """A list file compiled to ranges."""

    table: pa.Table  # start_hi, start_lo, end_hi, end_lo, then the list's value columns
    entries: int  # addresses, prefixes or rows as the file counts them
    list_date: str | None  # the date the file states, if it states one


@dataclass(frozen=True, slots=True)
class ListSpec:
    """One kind of intel list."""

    name: str
    description: str
    shipped: str  # file name under trailhound/intel/data
    parse: Callable[[bytes], ParsedList]
    retro_hunt: bool  # replacing it can turn old events into findings


def _lines(data: bytes) -> Iterator[tuple[int, str]]:
    """Numbered lines without comments and blanks."""
    text = data.decode("utf-8", errors="replace")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line:
            yield number, line


def _comment_date(data: bytes) -> str | None:
    """The first ISO date in the file's leading comment lines."""
    for raw in data[:4096].decode("utf-8", errors="replace").splitlines():
        if not raw.startswith("#"):
            break
        found = _DATE.search(raw)
        if found:
            return found.group(1)
    return None


def _bad(number: int, line: str, what: str) -> IntelError:
    shown = line if len(line) <= 80 else line[:77] + "..."
    return IntelError(f"line {number}: not {what}: {shown!r}")


def parse_tor(data: bytes) -> ParsedList:
    """A Tor exit list: one address a line, or the Tor Project's ``ExitAddress`` lines."""
    keys: set[int] = set()
    for number, line in _lines(data):
        fields = line.split()
        if fields[0] in {"ExitNode", "Published", "LastStatus"}:
            continue  # exit-addresses records around the ExitAddress line
        text = fields[1] if fields[0] == "ExitAddress" and len(fields) > 1 else line
        key = address_key(text)
        if key is None:
            raise _bad(number, line, "an IP address")
        keys.add(key)
    return ParsedList(
        ranges_table((k, k) for k in sorted(keys)), entries=len(keys), list_date=_comment_date(data)
    )


def parse_aws_ranges(data: bytes) -> ParsedList:
    """AWS's ``ip-ranges.json``, or one prefix or range a line."""
    ranges: list[tuple[int, int]] = []
    list_date = None
    if data.lstrip()[:1] == b"{":
        try:
            document = orjson.loads(data)
            prefixes = [p["ip_prefix"] for p in document.get("prefixes", [])]
            prefixes += [p["ipv6_prefix"] for p in document.get("ipv6_prefixes", [])]
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
            raise IntelError(f"not an ip-ranges.json document: {error}") from error
        for prefix in prefixes:
            found = key_range(str(prefix)) if "/" in str(prefix) else None
            if found is None:
                raise IntelError(f"not an address prefix in ip-ranges.json: {prefix!r:.80}")
            ranges.append(found)
        created = str(document.get("createDate", ""))  # 2026-08-22-15-17-05
        list_date = created[:10] if _DATE.fullmatch(created[:10]) else None
        entries = len(prefixes)
    else:
        for number, line in _lines(data):
            found = key_range(line)
            if found is None:
                raise _bad(number, line, "a CIDR, address or first-last range")
            ranges.append(found)
        entries = len(ranges)
        list_date = _comment_date(data)
    return ParsedList(ranges_table(merge_ranges(ranges)), entries=entries, list_date=list_date)


def _range_rows(data: bytes, width: int) -> Iterator[tuple[int, int, list[str]]]:
    """``first,last,value…`` CSV rows with their keys; the values as text."""
    text = data.decode("utf-8", errors="replace")
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or row[0].startswith("#"):
            continue
        first = address_key(row[0]) if len(row) >= width else None
        last = address_key(row[1]) if first is not None else None
        if first is None or last is None or last < first:
            raise _bad(number, ",".join(row), f"first,last{',value' * (width - 2)}")
        yield first, last, row[2:width]


def _sorted_disjoint(
    rows: list[tuple[int, int, list[str]]],
) -> list[tuple[int, int, list[str]]]:
    """Rows by start, disjoint: a range nested in another wins over it (it is the more specific
    statement, such as a geofeed's /28 inside a registry's /23); other overlaps keep the first.

    >>> _sorted_disjoint([(0, 9, ["a"]), (3, 4, ["b"]), (8, 12, ["c"])])
    [(0, 2, ['a']), (3, 4, ['b']), (5, 9, ['a']), (10, 12, ['c'])]
    """
    rows.sort(key=lambda r: (r[0], -r[1]))
    painted: list[tuple[int, int, list[str]]] = []
    for first, last, values in rows:
        if painted and first <= painted[-1][1] and last <= painted[-1][1]:
            outer = painted.pop()
            if outer[0] < first:
                painted.append((outer[0], first - 1, outer[2]))
            painted.append((first, last, values))
            if last < outer[1]:
                painted.append((last + 1, outer[1], outer[2]))
        else:
            painted.append((first, last, values))
    painted.sort(key=lambda r: r[0])
    kept: list[tuple[int, int, list[str]]] = []
    for first, last, values in painted:
        if kept and first <= kept[-1][1]:
            first = kept[-1][1] + 1
            if first > last:
                continue
        kept.append((first, last, values))
    return kept


def parse_country(data: bytes) -> ParsedList:
    """``first,last,country`` rows (ip-location-db's country CSV)."""
    rows = _sorted_disjoint(list(_range_rows(data, 3)))
    countries = pa.array([r[2][0].strip().upper() or None for r in rows], pa.string())
    table = ranges_table(((r[0], r[1]) for r in rows), {"country": countries})
    return ParsedList(table, entries=len(rows), list_date=_comment_date(data))


def parse_asn(data: bytes) -> ParsedList:
    """``first,last,asn,organization`` rows (ip-location-db's ASN CSV)."""
    rows = _sorted_disjoint(list(_range_rows(data, 4)))
    try:
        numbers = pa.array([int(r[2][0]) if r[2][0].strip() else None for r in rows], pa.int64())
    except ValueError as error:
        raise IntelError(f"an AS number is not a number: {error}") from error
    orgs = pa.array([r[2][1].strip() or None for r in rows], pa.string())
    table = ranges_table(((r[0], r[1]) for r in rows), {"asn": numbers, "as_org": orgs})
    return ParsedList(table, entries=len(rows), list_date=_comment_date(data))


LISTS: dict[str, ListSpec] = {
    spec.name: spec
    for spec in (
        ListSpec("tor", "Tor exit addresses", "tor-exit-addresses.txt", parse_tor, True),
        ListSpec(
            "aws-ranges", "AWS-owned address ranges", "aws-ip-ranges.txt", parse_aws_ranges, True
        ),
        ListSpec("country", "country of address ranges", "country.parquet", parse_country, False),
        ListSpec("asn", "autonomous system of address ranges", "asn.parquet", parse_asn, False),
    )
}
RETRO_HUNT_LISTS: tuple[str, ...] = tuple(n for n, s in LISTS.items() if s.retro_hunt)


def spec(name: str) -> ListSpec:
    """The list called ``name``; IntelError naming the known ones otherwise."""
    try:
        return LISTS[name]
    except KeyError:
        raise IntelError(f"no intel list {name!r}: use one of {', '.join(LISTS)}") from None


def shipped_path(name: str) -> Path:
    """The default file of a list, as the package ships it."""
    return Path(str(resources.files("trailhound.intel") / "data" / spec(name).shipped))


def read_list_file(path: Path) -> bytes:
    """A list file's bytes, refusing one past :data:`MAX_LIST_BYTES`."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_LIST_BYTES + 1)
    except OSError as error:
        raise IntelError(f"cannot read {path}: {error.strerror or error}") from error
    if len(data) > MAX_LIST_BYTES:
        raise IntelError(f"{path} is larger than {MAX_LIST_BYTES // (1024 * 1024)} MiB")
    return data


def compile_list(name: str, data: bytes) -> ParsedList:
    """Parse a list file's bytes; a compiled Parquet table (as shipped) is taken as it is."""
    if data[:4] == b"PAR1":
        table = pq.read_table(pa.BufferReader(data))
        date = (table.schema.metadata or {}).get(b"list_date")
        return ParsedList(table, table.num_rows, date.decode() if date else None)
    return spec(name).parse(data)
