"""Versioned intel lists: which version of each list is in force, and when each one changed.

A list's version is the first 12 hex digits of the SHA-256 of its file. Until a user replaces a
list, the default the package ships is in force. ``trailhound intel update`` compiles the file it
is given into ``<data-dir>/intel/<list>-<version>.parquet`` and records a row in the state table
``intel_versions`` (version, hash, entries, the list's own date, where it came from, when); the
latest row of a list says which version is in force. Those rows are also the "intel changed"
markers of the retro-hunt: :func:`intel_changes_since` tells the detection side which lists
changed since a time and over which look-back (setting ``intel-retro-hunt``, default 7 days) to
re-run the detectors that read them.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from trailhound.data_dir import DataDir
from trailhound.errors import IntelError, TrailhoundError
from trailhound.intel.lists import (
    LISTS,
    RETRO_HUNT_LISTS,
    ParsedList,
    compile_list,
    read_list_file,
    shipped_path,
    spec,
)
from trailhound.store.state import StateDB

SHIPPED = "shipped"
RETRO_HUNT_SETTING = "intel-retro-hunt"
DEFAULT_RETRO_HUNT = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class IntelVersion:
    """One version of one list."""

    list_name: str
    version: str
    sha256: str
    entries: int  # addresses, prefixes or rows as the file counts them
    ranges: int  # disjoint ranges after compiling
    list_date: str | None
    source: str  # "shipped", or the file it was installed from
    installed_at: datetime | None = None  # None for a shipped default never recorded

    @property
    def shipped(self) -> bool:
        """Whether this is the package's own default."""
        return self.source == SHIPPED


@dataclass(frozen=True, slots=True)
class IntelChange:
    """A list replaced: the marker the retro-hunt reads."""

    list_name: str
    version: str
    previous: str | None
    changed_at: datetime
    look_back: timedelta  # how far back to re-run the detectors that read this list

    @property
    def hunt_since(self) -> datetime:
        """Start of the window to hunt over again."""
        return self.changed_at - self.look_back


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def shipped_version(name: str) -> IntelVersion:
    """The version of the default the installed package ships for a list."""
    path = shipped_path(name)
    data = path.read_bytes()
    sha = _digest(data)
    if data[:4] == b"PAR1":  # compiled when the package was built: read only its footer
        metadata = pq.read_metadata(path)
        date = (metadata.metadata or {}).get(b"list_date")
        rows = metadata.num_rows
        return IntelVersion(
            name, sha[:12], sha, rows, rows, date.decode() if date else None, SHIPPED
        )
    parsed = _shipped_compiled(name)
    return IntelVersion(
        name, sha[:12], sha, parsed.entries, parsed.table.num_rows, parsed.list_date, SHIPPED
    )


@functools.cache
def _shipped_compiled(name: str) -> ParsedList:
    """A shipped list file compiled (once per process: the package's files do not change)."""
    return compile_list(name, shipped_path(name).read_bytes())


def compiled_path(data_dir: DataDir, name: str, version: str) -> Path:
    """Where an installed version's compiled table lives."""
    return data_dir.intel / f"{name}-{version}.parquet"


def recorded_versions(state: StateDB) -> dict[str, IntelVersion]:
    """The latest recorded version of each list that has one."""
    with state.connect() as con:  # read-write: creates the table in an older state DB
        rows = con.execute(
            "SELECT list_name, version, sha256, entries, ranges, list_date, source, installed_at "
            "FROM intel_versions QUALIFY row_number() OVER "
            "(PARTITION BY list_name ORDER BY installed_at DESC) = 1"
        ).fetchall()
    return {row[0]: IntelVersion(*row) for row in rows}


def active_versions(state: StateDB) -> dict[str, IntelVersion]:
    """The version in force of every list: the latest installed, else the shipped default."""
    recorded = recorded_versions(state)
    active: dict[str, IntelVersion] = {}
    for name in LISTS:
        version = recorded.get(name)
        active[name] = (
            version if version is not None and not version.shipped else shipped_version(name)
        )
    return active


def combined_version(versions: dict[str, IntelVersion]) -> str:
    """One version for a set of lists: what an enrichment row was computed with."""
    text = ",".join(f"{name}:{versions[name].version}" for name in sorted(versions))
    return _digest(text.encode())[:12]


def table_source(data_dir: DataDir, version: IntelVersion) -> Path | pa.Table:
    """Where a version's compiled ranges are: a Parquet file, or a table compiled in memory."""
    if version.shipped:
        path = shipped_path(version.list_name)
        return path if path.suffix == ".parquet" else _shipped_compiled(version.list_name).table
    path = compiled_path(data_dir, version.list_name, version.version)
    if not path.is_file():
        raise IntelError(
            f"the {version.list_name} list {version.version} is missing from {data_dir.intel}: "
            "install it again with trailhound intel update"
        )
    return path


def install(data_dir: DataDir, files: dict[str, Path | None]) -> list[IntelVersion]:
    """Compile list files (None: the shipped default) and record them as the versions in force.

    Every file is read and compiled before any is recorded: one bad file changes nothing. The
    caller holds the write lock and rebuilds the enrichment table afterwards.
    """
    state = StateDB(data_dir.state_db)
    previous = active_versions(state)
    prepared = [prepare(data_dir, name, path) for name, path in files.items()]
    return [_record(state, chosen, previous[chosen.list_name].version) for chosen in prepared]


def prepare(data_dir: DataDir, name: str, path: Path | None) -> IntelVersion:
    """Compile a list file into the data directory (None: the shipped default); not yet in force."""
    spec(name)
    if path is None:
        chosen = shipped_version(name)
    else:
        data = read_list_file(path)
        parsed = compile_list(name, data)
        if parsed.table.num_rows == 0:
            raise IntelError(f"{path} holds no {spec(name).description}")
        sha = _digest(data)
        chosen = IntelVersion(
            name, sha[:12], sha, parsed.entries, parsed.table.num_rows, parsed.list_date, str(path)
        )
        target = compiled_path(data_dir, name, chosen.version)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        pq.write_table(parsed.table, partial, compression="zstd")
        partial.replace(target)
    return chosen


def _record(state: StateDB, chosen: IntelVersion, previous: str | None) -> IntelVersion:
    """Insert a version row: the list in force from now on, and a retro-hunt marker."""
    installed_at = datetime.now(UTC)
    with state.connect() as con:
        con.execute(
            "INSERT INTO intel_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                chosen.list_name,
                chosen.version,
                chosen.sha256,
                chosen.entries,
                chosen.ranges,
                chosen.list_date,
                chosen.source,
                previous,
                installed_at,
            ],
        )
    return IntelVersion(
        chosen.list_name,
        chosen.version,
        chosen.sha256,
        chosen.entries,
        chosen.ranges,
        chosen.list_date,
        chosen.source,
        installed_at,
    )


def note_shipped_changes(
    data_dir: DataDir, built_with: dict[str, str], versions: dict[str, IntelVersion]
) -> None:
    """Record a marker for each shipped default that changed under an existing table.

    A new release can ship a newer Tor list: nobody ran ``intel update``, yet old events now
    read differently, and the retro-hunt should know.
    """
    state = StateDB(data_dir.state_db)
    recorded = recorded_versions(state)
    for name in RETRO_HUNT_LISTS:
        version = versions.get(name)
        before = built_with.get(name)
        last = recorded.get(name)
        if (
            version is not None
            and version.shipped
            and before not in (None, version.version)
            and (last is None or last.version != version.version)  # not a reset just recorded
        ):
            _record(state, version, before)


def retro_hunt_look_back(state: StateDB) -> timedelta:
    """The ``intel-retro-hunt`` setting: how far back new intelligence is applied to old events."""
    from trailhound.durations import parse_duration

    text = state.get_setting(RETRO_HUNT_SETTING)
    if text is None or not text.strip():
        return DEFAULT_RETRO_HUNT
    if text.strip().lower() in {"off", "none", "0"}:
        return timedelta(0)
    try:
        return parse_duration(text)
    except TrailhoundError as error:
        raise IntelError(f"setting {RETRO_HUNT_SETTING} = {text!r}: {error}") from error


def intel_changes_since(
    data_dir: DataDir, since: datetime | None = None, lists: tuple[str, ...] = RETRO_HUNT_LISTS
) -> list[IntelChange]:
    """The replacements of ``lists`` after ``since`` (default: within the retro-hunt look-back).

    The detection side keeps the time it last asked and re-runs its Tor and remote-credential
    detectors over ``[change.hunt_since, now]`` for each change returned, oldest first.
    """
    state = StateDB(data_dir.state_db)
    look_back = retro_hunt_look_back(state)
    since = since if since is not None else datetime.now(UTC) - look_back
    with state.connect() as con:  # read-write: creates the table in an older state DB
        rows = con.execute(
            "SELECT list_name, version, previous, installed_at FROM intel_versions "
            "WHERE installed_at > ? AND list_name IN (SELECT unnest(CAST(? AS VARCHAR[]))) "
            "AND version IS DISTINCT FROM previous ORDER BY installed_at",
            [since, list(lists)],
        ).fetchall()
    return [
        IntelChange(name, version, previous, at, look_back) for name, version, previous, at in rows
    ]
