"""The query library: named, parameterized queries kept with the data.

A saved query is pipe-query text with ``$name`` parameters, a description and a default for each
parameter (None: the caller must give one). Saved queries live in the state database table
``saved_queries``; the starter set of hunting queries in :mod:`trailhound.query.hunts` ships with
the package, is listed beside them and cannot be overwritten or deleted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import orjson

from trailhound.errors import QueryError
from trailhound.query.catalog import Catalog
from trailhound.query.compiler import compile_query
from trailhound.query.parser import parse_query, query_parameters
from trailhound.query.values import closest
from trailhound.store.state import StateDB

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
MAX_QUERY_CHARS = 20_000


@dataclass(frozen=True)
class SavedQuery:
    """A named query: its text, what it finds, and its parameters' defaults (None: required)."""

    name: str
    query: str
    description: str = ""
    params: Mapping[str, str | None] = field(default_factory=dict)
    builtin: bool = False

    def bind(self, given: Mapping[str, str]) -> dict[str, str]:
        """The parameter values to run with: ``given`` over the defaults, every one known."""
        values: dict[str, str] = {}
        for name, value in given.items():
            if name.lower() not in self.params:
                declared = ", ".join(self.params) or "none"
                raise QueryError(
                    f"query {self.name!r} has no parameter {name!r} (its parameters: {declared})"
                )
            values[name.lower()] = value
        for name, default in self.params.items():
            if name not in values:
                if default is None:
                    raise QueryError(f"query {self.name!r} needs --param {name}=…")
                values[name] = default
        return values


def check_query(query: SavedQuery, catalog: Catalog | None = None) -> None:
    """Refuse a query whose name, text or parameters cannot work.

    A query whose parameters all have defaults is compiled with them, so that an unknown field
    is found now; one with required parameters is parsed with stand-in values.
    """
    if not _NAME.fullmatch(query.name):
        raise QueryError(
            f"{query.name!r} cannot be a query name: use lower-case letters, digits, - and _"
        )
    if len(query.query) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is longer than {MAX_QUERY_CHARS:,} characters")
    used = query_parameters(query.query)
    undeclared = [p for p in used if p not in query.params]
    if undeclared:
        raise QueryError(
            f"the query uses {', '.join('$' + p for p in undeclared)}: declare "
            + " ".join(f"--param {p}=DEFAULT" for p in undeclared)
        )
    unused = [p for p in query.params if p not in used]
    if unused:
        raise QueryError(f"the query does not use the parameter(s) {', '.join(unused)}")
    defaults = {name: default for name, default in query.params.items() if default is not None}
    if len(defaults) == len(query.params):
        compile_query(query.query, params=defaults, catalog=catalog)
        return
    first: QueryError | None = None
    for stand_in in ("1", "1h", "x"):  # a required value may be a number, duration or text
        try:
            parse_query(query.query, {name: stand_in for name in query.params} | defaults)
            return
        except QueryError as error:
            first = first or error
    assert first is not None
    raise first


class QueryLibrary:
    """The saved queries of one data directory, and the built-in hunting queries."""

    def __init__(self, state: StateDB, builtins: tuple[SavedQuery, ...] = ()) -> None:
        self.state = state
        self.builtins = {q.name: q for q in builtins}

    def list(self) -> list[SavedQuery]:
        """Every query: the built-in ones and the saved ones, by name."""
        with self.state.connect() as con:
            rows = con.execute(
                "SELECT name, query, description, params FROM saved_queries"
            ).fetchall()
        saved = [SavedQuery(n, q, d or "", orjson.loads(p or "{}")) for n, q, d, p in rows]
        return sorted([*self.builtins.values(), *saved], key=lambda q: q.name)

    def get(self, name: str) -> SavedQuery:
        """The query called ``name``; QueryError suggesting the nearest name if none."""
        key = name.lower()
        if key in self.builtins:
            return self.builtins[key]
        with self.state.connect() as con:
            row = con.execute(
                "SELECT name, query, description, params FROM saved_queries WHERE name = ?", [key]
            ).fetchone()
        if row is None:
            names = [q.name for q in self.list()]
            close = closest(key, names)
            hint = f"; did you mean {close!r}?" if close else ""
            raise QueryError(f"no saved query {name!r}{hint}")
        return SavedQuery(row[0], row[1], row[2] or "", orjson.loads(row[3] or "{}"))

    def save(self, query: SavedQuery, catalog: Catalog | None = None) -> None:
        """Save (or replace) a query after checking it (against ``catalog``'s datasets)."""
        if query.name in self.builtins:
            raise QueryError(f"{query.name!r} is a built-in query: save yours under another name")
        check_query(query, catalog)
        with self.state.connect() as con:
            con.execute(
                "INSERT OR REPLACE INTO saved_queries (name, query, description, params) "
                "VALUES (?, ?, ?, ?)",
                [
                    query.name,
                    query.query,
                    query.description,
                    orjson.dumps(dict(query.params)).decode(),
                ],
            )

    def delete(self, name: str) -> None:
        """Delete a saved query; built-in ones cannot be deleted."""
        key = name.lower()
        if key in self.builtins:
            raise QueryError(f"{name!r} is a built-in query and cannot be deleted")
        with self.state.connect() as con:
            found = con.execute("SELECT 1 FROM saved_queries WHERE name = ?", [key]).fetchone()
            if found is None:
                raise QueryError(f"no saved query {name!r}")
            con.execute("DELETE FROM saved_queries WHERE name = ?", [key])
