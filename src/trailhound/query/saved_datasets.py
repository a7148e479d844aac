"""Results saved with ``| target type = dataset|view NAME``, kept in the state database.

``target type = dataset NAME`` stores the rows in a table ``dataset_NAME`` (``append = true``
adds to it); ``target type = view NAME`` stores the query, which runs again whenever a later
query reads ``dataset = NAME``. The table ``saved_datasets`` describes both for the compiler
(:class:`~trailhound.query.catalog.SavedDataset`). Stored rows are capped at ``MAX_ROWS``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import duckdb
import orjson
from sqlglot import exp

from trailhound.errors import QueryError
from trailhound.query.catalog import TABLE_PREFIX, SavedColumn, SavedDataset
from trailhound.query.compiler import CompiledQuery
from trailhound.query.datasets import DATASETS
from trailhound.store.engine import QueryEngine
from trailhound.store.state import StateDB

if TYPE_CHECKING:
    import pyarrow as pa

MAX_ROWS = 1_000_000
_NAME = re.compile(r"[a-z_][a-z0-9_]*")

_ARROW_TYPES: tuple[tuple[str, str], ...] = (  # pyarrow.types predicates, loaded when used
    ("is_string", "VARCHAR"),
    ("is_large_string", "VARCHAR"),
    ("is_boolean", "BOOLEAN"),
    ("is_integer", "BIGINT"),
    ("is_floating", "DOUBLE"),
    ("is_date", "DATE"),
)


def sql_type_of(arrow_type: pa.DataType) -> str | None:
    """The query language's type for a column of stored rows; None where it has none."""
    import pyarrow as pa  # only saving rows needs it: a query's start-up does not

    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMPTZ" if arrow_type.tz else "TIMESTAMP"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        inner = sql_type_of(arrow_type.value_type)
        return None if inner is None else f"{inner}[]"
    for check, name in _ARROW_TYPES:
        if getattr(pa.types, check)(arrow_type):
            return name
    return None


def _table(name: str) -> str:
    """The quoted name of the table holding a saved dataset's rows."""
    if not _NAME.fullmatch(name):
        raise QueryError(f"{name!r} cannot be a dataset name: use letters, digits, _")
    return f'"{TABLE_PREFIX}{name}"'


def result_rows(engine: QueryEngine, compiled: CompiledQuery) -> pa.Table:
    """The rows of ``compiled`` to store, read through ``engine``: one past the cap at most."""
    result = exp.select("*").from_(compiled.expression.subquery("result"))
    return engine.arrow(result.limit(MAX_ROWS + 1))


class LazyCatalog(Mapping[str, SavedDataset]):
    """The catalog, read from the state database the first time a query asks for it: a query
    that reads only built-in datasets never opens the database for it."""

    def __init__(self, saved: SavedDatasets) -> None:
        self._saved = saved
        self._found: dict[str, SavedDataset] | None = None

    @property
    def opened(self) -> bool:
        """Whether a query asked for a saved dataset (the catalog was read)."""
        return self._found is not None

    def _load(self) -> dict[str, SavedDataset]:
        if self._found is None:
            self._found = self._saved.catalog()
        return self._found

    def __getitem__(self, name: str) -> SavedDataset:
        return self._load()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


class SavedDatasets:
    """The datasets saved in one state database."""

    def __init__(self, state: StateDB) -> None:
        self.state = state

    def lazy_catalog(self) -> LazyCatalog:
        """The catalog, read only if a query names a dataset that is not built in."""
        return LazyCatalog(self)

    def catalog(self) -> dict[str, SavedDataset]:
        """Every saved dataset by name, for the compiler."""
        with self.state.connect() as con:
            rows = con.execute(
                "SELECT name, kind, query, source, params, columns, time_column "
                "FROM saved_datasets ORDER BY name"
            ).fetchall()
        found: dict[str, SavedDataset] = {}
        for name, kind, query, source, params, columns, time_column in rows:
            saved_columns = tuple(SavedColumn(*c) for c in orjson.loads(columns or "[]"))
            found[name] = SavedDataset(
                name, kind, query, source, orjson.loads(params or "{}"), saved_columns, time_column
            )
        return found

    def listing(self) -> list[tuple[str, str, int | None, str]]:
        """``(name, kind, rows, saved_at)`` of every saved dataset."""
        with self.state.connect() as con:
            rows = con.execute(
                "SELECT name, kind, rows, CAST(saved_at AS VARCHAR) FROM saved_datasets "
                "ORDER BY name"
            ).fetchall()
        return [(str(n), str(k), r, str(t)) for n, k, r, t in rows]

    def save(
        self, compiled: CompiledQuery, rows: pa.Table | None, params: Mapping[str, str]
    ) -> int:
        """Save what ``compiled``'s target stage asks for; returns the number of rows stored.

        ``rows`` are the query's result (read with :func:`result_rows`); a view needs none.
        """
        target = compiled.target
        if target is None:
            raise QueryError("the query has no '| target' stage")
        if target.name in DATASETS:
            raise QueryError(f"{target.name!r} is a built-in dataset and cannot be replaced")
        if target.kind == "view":
            self._record(compiled, "view", params, (), 0)
            with self.state.connect() as con:
                con.execute(f"DROP TABLE IF EXISTS {_table(target.name)}")
            return 0
        assert rows is not None
        if rows.num_rows > MAX_ROWS:
            raise QueryError(f"the result has more than {MAX_ROWS:,} rows: narrow it to save it")
        origins = {c.name: c.origin for c in compiled.columns}
        columns = tuple(
            SavedColumn(f.name, sql_type_of(f.type), origins.get(f.name)) for f in rows.schema
        )
        table = _table(target.name)
        with self.state.connect() as con:
            con.execute("BEGIN")
            con.register("saved_rows", rows)
            existing = con.execute(
                "SELECT columns FROM saved_datasets WHERE name = ? AND kind = 'dataset'",
                [target.name],
            ).fetchone()
            if target.append and existing is not None:
                before = [c[0] for c in orjson.loads(existing[0])]
                if before != [c.name for c in columns]:
                    con.execute("ROLLBACK")
                    raise QueryError(
                        f"cannot append to {target.name!r}: its columns are {', '.join(before)}"
                    )
                con.execute(f"INSERT INTO {table} SELECT * FROM saved_rows")
            else:
                con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM saved_rows")
            con.unregister("saved_rows")
            (count,) = con.execute(f"SELECT count(*) FROM {table}").fetchone() or (0,)
            self._write(con, compiled, "dataset", params, columns, int(count))
            con.execute("COMMIT")
        return int(rows.num_rows)

    def _record(
        self,
        compiled: CompiledQuery,
        kind: str,
        params: Mapping[str, str],
        columns: tuple[SavedColumn, ...],
        count: int,
    ) -> None:
        with self.state.connect() as con:
            self._write(con, compiled, kind, params, columns, count)

    @staticmethod
    def _write(
        con: duckdb.DuckDBPyConnection,
        compiled: CompiledQuery,
        kind: str,
        params: Mapping[str, str],
        columns: tuple[SavedColumn, ...],
        count: int,
    ) -> None:
        assert compiled.target is not None
        con.execute(
            "INSERT OR REPLACE INTO saved_datasets (name, kind, query, source, params, columns, "
            "time_column, rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                compiled.target.name,
                kind,
                compiled.saved_text,
                compiled.source,
                orjson.dumps(dict(params)).decode(),
                orjson.dumps([[c.name, c.sql_type, c.origin] for c in columns]).decode(),
                compiled.time_column if kind == "dataset" else None,
                count,
            ],
        )

    def delete(self, name: str) -> None:
        """Forget a saved dataset and drop its rows."""
        with self.state.connect() as con:
            found = con.execute("SELECT 1 FROM saved_datasets WHERE name = ?", [name]).fetchone()
            if found is None:
                raise QueryError(f"no saved dataset {name!r}")
            con.execute("DELETE FROM saved_datasets WHERE name = ?", [name])
            con.execute(f"DROP TABLE IF EXISTS {_table(name)}")
