"""Queries run in worker processes, apart from the server's ingest loop.

The API answers queries from a small pool of processes (``ServerSettings.query_workers``), each
opening its own query engine over the data directory per query, exactly as a ``trailhound
query`` process beside a running ingest does: queries neither share the ingest loop's DuckDB
instances nor its interpreter lock, and a crash or a runaway query costs a worker, not the
server. Each query is interrupted past the time limit. With no workers (tests), queries run in
the server's own threads.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb

from trailhound.data_dir import DataDir
from trailhound.errors import QueryError

Rows = tuple[list[str], list[tuple[Any, ...]]]


class QueryTimeout(QueryError):
    """The query ran past the time limit and was interrupted."""


def run_query(root: str, sql: str, user_sql: bool, limit: int, offset: int, seconds: float) -> Rows:
    """Run one query over the data directory at ``root`` (in a worker), within ``seconds``.

    ``user_sql``: ``sql`` is a user's statement, checked read-only and paged here; otherwise it
    is compiled SQL already paged by the caller.
    """
    from trailhound.store.engine import QueryEngine

    with QueryEngine(DataDir(Path(root))) as engine:
        done = threading.Event()

        def interrupt_when_late() -> None:
            # Past the limit, interrupt until the query ends: an interrupt that lands before
            # DuckDB starts the statement (while the SQL is still parsed) would be lost.
            if done.wait(seconds):
                return
            while not done.is_set():
                engine.con.interrupt()
                done.wait(0.05)

        timer = threading.Thread(target=interrupt_when_late, daemon=True)
        timer.start()
        try:
            if user_sql:
                return engine.execute_read_only(sql, limit=limit, offset=offset)
            return engine.execute(sql)
        except QueryError as error:
            if isinstance(error.__cause__, duckdb.InterruptException) or "INTERRUPT" in str(error):
                raise QueryTimeout(f"the query ran past the time limit of {seconds:g} s") from None
            raise QueryError(error.message) from None  # plain, to cross the process boundary
        finally:
            done.set()
            timer.join()


def query_executor(workers: int) -> Executor:
    """A pool of ``workers`` query processes (spawned: no thread of the server is copied), or a
    thread pool when ``workers`` is 0."""
    if workers <= 0:
        return ThreadPoolExecutor(max_workers=8, thread_name_prefix="query")
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
