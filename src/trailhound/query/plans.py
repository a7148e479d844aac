"""Compiled query plans kept between processes, so that a query run again skips the compiler.

Over a small store, compiling a pipe query costs more than running it: the compiler and
sqlglot's DuckDB generator alone take about a quarter of a second to import. A plan holds what
a run needs (the SQL texts, and the tables they read so that state tables can be copied in) as
plain text: running it imports neither. Plans live in the data directory's ``cache/plans``
folder, one small JSON file each, keyed by everything the SQL depends on: the query text,
``since``, the parameters, the row cap, the package's version and the modification times of
the query stage's own source files (so that a changed compiler never serves an old plan).

Only a query that reads nothing but built-in datasets is kept: a saved dataset or view can
change under its name. Time windows compile to ``CURRENT_TIMESTAMP - INTERVAL …``, so a plan
stays right as time passes. The folder is capped (the oldest plans go first) and a cache that
cannot be read or written (a read-only data directory) only costs the compile.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from trailhound import __version__

if TYPE_CHECKING:
    from trailhound.query.compiler import CompiledQuery

MAX_PLANS = 256
_FORMAT = 1  # the layout of a plan file; bump when it changes


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """The SQL a run executes, and the tables it reads.

    ``first_sql`` (with ``count_sql``) is set for a query without a limit of its own run with a
    row cap: it reads one row more than the cap, and the count runs only when that row exists.
    """

    sql: str
    tables: tuple[str, ...]
    first_sql: str | None = None
    count_sql: str | None = None


def plan_of(compiled: CompiledQuery, max_rows: int | None) -> QueryPlan:
    """The plan of a compiled query run with at most ``max_rows`` rows (None: all)."""
    import sqlglot

    from trailhound.store.engine import table_names

    tree = compiled.expression
    tables = tuple(sorted(table_names(tree) or ()))
    if max_rows is None or tree.args.get("limit") is not None:
        return QueryPlan(compiled.sql("duckdb"), tables)
    first = tree.limit(max_rows + 1)  # limit() works on a copy
    counting = sqlglot.select(sqlglot.exp.Count(this=sqlglot.exp.Star()))
    count = counting.from_(tree.subquery("q"))
    return QueryPlan(
        compiled.sql("duckdb"),
        tables,
        first_sql=first.sql(dialect="duckdb"),
        count_sql=count.sql(dialect="duckdb"),
    )


class PlanCache:
    """The plans of one data directory (``folder``: its ``cache/plans``)."""

    def __init__(self, folder: Path, *, max_plans: int = MAX_PLANS) -> None:
        self.folder = folder
        self.max_plans = max_plans

    def key(
        self,
        text: str,
        *,
        since: str | None,
        params: Mapping[str, str] | None,
        max_rows: int | None,
    ) -> str:
        """The key of a query run: a hash of everything its SQL depends on."""
        parts = [_FORMAT, __version__, _code_stamp(), text, since, sorted((params or {}).items())]
        parts.append(max_rows)
        return hashlib.sha256(orjson.dumps(parts)).hexdigest()

    def get(self, key: str) -> QueryPlan | None:
        """The plan kept under ``key``, or None."""
        try:
            found = orjson.loads((self.folder / f"{key}.json").read_bytes())
            return QueryPlan(
                sql=found["sql"],
                tables=tuple(found["tables"]),
                first_sql=found["first_sql"],
                count_sql=found["count_sql"],
            )
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError):
            return None

    def put(self, key: str, plan: QueryPlan) -> None:
        """Keep ``plan`` under ``key`` (written whole, then renamed into place)."""
        body = {
            "sql": plan.sql,
            "tables": list(plan.tables),
            "first_sql": plan.first_sql,
            "count_sql": plan.count_sql,
        }
        target = self.folder / f"{key}.json"
        partial = target.with_name(f".{key}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            partial.write_bytes(orjson.dumps(body))
            partial.replace(target)
            self._trim()
        except OSError:
            partial.unlink(missing_ok=True)  # a cache that cannot be written only costs time

    def _trim(self) -> None:
        """Remove the oldest plans beyond ``max_plans``."""
        plans = list(self.folder.glob("*.json"))
        if len(plans) <= self.max_plans:
            return
        plans.sort(key=lambda p: p.stat().st_mtime_ns)
        for stale in plans[: len(plans) - self.max_plans]:
            stale.unlink(missing_ok=True)


def _code_stamp() -> list[int]:
    """The modification times of the sources a compiled plan depends on."""
    here = Path(__file__).parent
    sources = [*here.glob("*.py"), *here.glob("functions/*.py")]
    sources += [here.parent / "schema.py", here.parent / "tables.py"]
    return sorted(p.stat().st_mtime_ns for p in sources)
