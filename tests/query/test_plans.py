"""Kept query plans: a repeated query skips the compiler and answers exactly as a compiled one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_record, write_log
from trailhound.app import Trailhound
from trailhound.query.plans import PlanCache, QueryPlan

COUNT = "dataset = cloudtrail | comp count() as n by eventName | sort eventName"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of 5 events (4 ListUsers, 1 GetUser), ingested once."""
    root = tmp_path_factory.mktemp("plans")
    records = [make_record(n) for n in range(4)] + [make_record(9, eventName="GetUser")]
    write_log(root / "logs", records)
    summary = Trailhound(root / "store").ingest_paths([root / "logs"], detect=False)
    assert summary.events_written == 5
    return root / "store"


@pytest.fixture
def app(ingested: Path, tmp_path: Path) -> Trailhound:
    """The application over a copy of that store."""
    shutil.copytree(ingested, tmp_path / "store")
    return Trailhound(tmp_path / "store")


def plans(app: Trailhound) -> list[Path]:
    return sorted((app.data_dir.cache / "plans").glob("*.json"))


def test_a_repeated_query_reads_its_plan_and_answers_the_same(app: Trailhound) -> None:
    compiled = app.execute(app.compile(COUNT))
    first = app.query(COUNT)
    assert len(plans(app)) == 1
    again = app.query(COUNT)
    assert (first.columns, first.rows) == (again.columns, again.rows)
    assert (again.columns, again.rows) == (compiled.columns, compiled.rows)
    assert again.rows == [("GetUser", 1), ("ListUsers", 4)]


def test_the_row_cap_and_the_count_come_from_the_plan_too(app: Trailhound) -> None:
    for _ in range(2):  # compiled, then from the plan
        outcome = app.query("dataset = cloudtrail | fields eventName", max_rows=3)
        assert len(outcome.rows) == 3 and outcome.total == 5
        whole = app.query("dataset = cloudtrail | fields eventName", max_rows=5)
        assert len(whole.rows) == 5 and whole.total is None
    assert len(plans(app)) == 2  # one plan per row cap


def test_each_option_the_sql_depends_on_is_part_of_the_key(tmp_path: Path) -> None:
    cache = PlanCache(tmp_path)
    base = cache.key(COUNT, since=None, params=None, max_rows=None)
    assert base == cache.key(COUNT, since=None, params={}, max_rows=None)
    others = {
        cache.key(COUNT + " ", since=None, params=None, max_rows=None),
        cache.key(COUNT, since="1h", params=None, max_rows=None),
        cache.key(COUNT, since=None, params={"a": "b"}, max_rows=None),
        cache.key(COUNT, since=None, params=None, max_rows=100),
    }
    assert base not in others and len(others) == 4


def test_a_plan_keeps_the_parameters_values(app: Trailhound) -> None:
    query = "dataset = cloudtrail | filter eventName = $name | comp count() as n"
    for _ in range(2):
        assert app.query(query, params={"name": "GetUser"}).rows == [(1,)]
        assert app.query(query, params={"name": "ListUsers"}).rows == [(4,)]


def test_a_query_of_a_saved_dataset_is_never_kept(app: Trailhound) -> None:
    app.query('dataset = cloudtrail | filter eventName = "GetUser" | target type = dataset few')
    assert app.query("dataset = few | comp count() as n").rows == [(1,)]
    app.query("dataset = cloudtrail | target type = dataset few")  # replaced under its name
    assert app.query("dataset = few | comp count() as n").rows == [(5,)]
    assert plans(app) == []  # neither the saves nor the reads of a saved dataset


def test_a_damaged_or_unwritable_cache_only_costs_the_compile(app: Trailhound) -> None:
    app.query(COUNT)
    (kept,) = plans(app)
    kept.write_text("{not json")
    assert app.query(COUNT).rows == [("GetUser", 1), ("ListUsers", 4)]
    folder = app.data_dir.cache / "plans"
    for plan in plans(app):
        plan.unlink()
    folder.chmod(0o500)
    try:
        assert app.query(COUNT).rows == [("GetUser", 1), ("ListUsers", 4)]
    finally:
        folder.chmod(0o700)


def test_the_cache_keeps_the_newest_plans_only(tmp_path: Path) -> None:
    cache = PlanCache(tmp_path, max_plans=3)
    for n in range(5):
        cache.put(f"k{n}", QueryPlan(sql=f"SELECT {n}", tables=("cloudtrail",)))
    kept = sorted(p.stem for p in tmp_path.glob("*.json"))
    assert len(kept) == 3 and "k4" in kept
    assert cache.get("k4") == QueryPlan(sql="SELECT 4", tables=("cloudtrail",))
    assert cache.get("k-missing") is None


PROBE = """
import sys
sys.argv = ["trailhound", "--data-dir", sys.argv[1], "query", sys.argv[2]]
from trailhound.cli import app
try:
    app()
except SystemExit as done:
    assert not done.code, done.code
print("sqlglot" in sys.modules, file=sys.stderr)
"""


def test_a_repeated_command_line_query_imports_no_compiler(app: Trailhound) -> None:
    def loads_sqlglot() -> bool:
        done = subprocess.run(
            [sys.executable, "-c", PROBE, str(app.data_dir.root), COUNT],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert "ListUsers" in done.stdout
        return done.stderr.strip().splitlines()[-1] == "True"

    assert loads_sqlglot()  # the first run compiles
    assert not loads_sqlglot()  # the second reads the plan
