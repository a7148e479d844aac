"""Matches as one Arrow table: how the rule engine hands hundreds of thousands of them over.

A hunt over a million events may match hundreds of thousands of times. ``MatchTable`` keeps them
as columns, from the engine's scan to the alert store's grouping statement, so that no Python
object is built per match on the way; it still reads as a sequence of
:class:`~trailhound.model.Match` for detectors and tests that want one match at a time, and any
detector's plain list of matches converts to one (``MatchTable.of``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

import pyarrow as pa

from trailhound.model import Match

_TEXT = pa.string()
MATCH_SCHEMA = pa.schema(
    [
        ("rule_id", _TEXT),
        ("event_id", _TEXT),
        ("event_time", pa.timestamp("us", tz="UTC")),
        ("actor", _TEXT),
        ("account", _TEXT),
        ("region", _TEXT),
        ("source_ip", _TEXT),
        ("resource", _TEXT),
        ("principal", _TEXT),
        ("session", _TEXT),
        ("group", _TEXT),
    ]
)
MATCH_COLUMNS = tuple(MATCH_SCHEMA.names)


class MatchTable(Sequence[Match]):
    """Matches held as an Arrow table with the columns of ``Match`` (``MATCH_SCHEMA``)."""

    __hash__ = None  # type: ignore[assignment]  # mutable-looking sequence: compared by value

    def __init__(self, table: pa.Table | None = None) -> None:
        self.table = (table if table is not None else MATCH_SCHEMA.empty_table()).select(
            list(MATCH_COLUMNS)
        )
        if self.table.schema != MATCH_SCHEMA:
            self.table = self.table.cast(MATCH_SCHEMA)
        self._rows: list[Match] | None = None

    @classmethod
    def of(cls, matches: Sequence[Match]) -> MatchTable:
        """The matches as a table (the same object when they are one already)."""
        if isinstance(matches, MatchTable):
            return matches
        columns = {
            name: pa.array([getattr(m, name) for m in matches], MATCH_SCHEMA.field(name).type)
            for name in MATCH_COLUMNS
        }
        return cls(pa.table(columns, schema=MATCH_SCHEMA))

    @classmethod
    def concat(cls, parts: Sequence[Sequence[Match]]) -> MatchTable:
        """Several match sequences as one table."""
        tables = [cls.of(p).table for p in parts if len(p)]
        return cls(pa.concat_tables(tables) if tables else None)

    def _materialized(self) -> list[Match]:
        if self._rows is None:
            self._rows = [Match(**row) for row in self.table.to_pylist()]
        return self._rows

    def __len__(self) -> int:
        return int(self.table.num_rows)

    @overload
    def __getitem__(self, index: int) -> Match: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Match]: ...

    def __getitem__(self, index: int | slice) -> Match | Sequence[Match]:
        return self._materialized()[index]

    def __iter__(self) -> Iterator[Match]:
        return iter(self._materialized())

    def __add__(self, other: Sequence[Match]) -> MatchTable:
        return MatchTable.concat([self, other])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"MatchTable({len(self)} matches)"
