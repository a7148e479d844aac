"""A query worker's time limit: the query is interrupted however early the limit falls."""

from __future__ import annotations

from pathlib import Path

import pytest

from trailhound.api.query_workers import QueryTimeout, run_query

HEAVY = "SELECT count(*) FROM range(100000000000) AS a(x) WHERE x % 7 = 3"


@pytest.mark.parametrize("seconds", [0.0, 0.001, 0.2])
def test_a_limit_passed_before_the_statement_starts_still_interrupts_it(
    tmp_path: Path, seconds: float
) -> None:
    # With no time at all, the limit passes while the SQL is still being checked: the
    # interrupt must still reach the statement once DuckDB runs it.
    with pytest.raises(QueryTimeout, match="time limit"):
        run_query(str(tmp_path), HEAVY, True, 10, 0, seconds)


def test_a_query_within_the_limit_answers(tmp_path: Path) -> None:
    assert run_query(str(tmp_path), "SELECT 42 AS answer", True, 10, 0, 5.0) == (
        ["answer"],
        [(42,)],
    )
