"""Results saved with ``| target``: stored rows and views, read back with ``dataset = NAME``."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import orjson
import pytest

from tests.conftest import make_record
from trailhound.data_dir import DataDir
from trailhound.errors import QueryError
from trailhound.ingest import Ingestor
from trailhound.query import compile_query
from trailhound.query.saved_datasets import SavedDatasets, result_rows, sql_type_of
from trailhound.store.engine import QueryEngine
from trailhound.store.state import StateDB


class Store:
    """A data directory with a few events, and the query → save → read loop of the CLI."""

    def __init__(self, root: Path) -> None:
        self.data_dir = DataDir(root).ensure()
        self.saved = SavedDatasets(StateDB(self.data_dir.state_db))

    def ingest(self, *records: dict[str, object]) -> None:
        with Ingestor(self.data_dir) as ingestor:
            ingestor.ingest_bytes(orjson.dumps({"Records": list(records)}), "test")

    def query(
        self, text: str, params: dict[str, str] | None = None, **kwargs: object
    ) -> list[tuple[object, ...]]:
        compiled = compile_query(text, params=params, catalog=self.saved.catalog(), **kwargs)  # type: ignore[arg-type]
        with QueryEngine(self.data_dir) as engine:
            if compiled.target is None:
                return engine.execute(compiled.sql())[1]
            rows = result_rows(engine, compiled) if compiled.target.kind == "dataset" else None
        self.saved.save(compiled, rows, params or {})
        return []


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three events, ingested once for the module."""
    found = Store(tmp_path_factory.mktemp("saved") / "store")
    bucket = {"bucketName": "exports"}
    found.ingest(
        make_record(0),
        make_record(1, eventName="CreateAccessKey", requestParameters={"userName": "ci"}),
        make_record(2, eventName="GetObject", requestParameters=bucket, sourceIPAddress="10.0.0.9"),
    )
    return found.data_dir.root


@pytest.fixture
def store(ingested: Path, tmp_path: Path) -> Store:
    """A copy of the three events' data directory, for one test to save into."""
    shutil.copytree(ingested, tmp_path / "store")
    return Store(tmp_path / "store")


def test_a_saved_dataset_reads_back_with_field_names(store: Store) -> None:
    store.query(
        "fields eventTime, eventName, requestParameters, sourceIPAddress as ip "
        "| target type = dataset calls"
    )
    assert store.query("dataset = calls | comp count() as n") == [(3,)]
    # Names of the dataset it came from still work on the columns that carry them.
    assert store.query('dataset = calls | filter eventName = "getobject" | fields ip') == [
        ("10.0.0.9",)
    ]
    assert store.query("dataset = calls | filter requestParameters.userName = 'CI' "
                       "| fields eventName") == [("CreateAccessKey",)]  # fmt: skip
    (saved,) = store.saved.catalog().values()
    assert (saved.name, saved.kind, saved.source, saved.time_column) == (
        "calls", "dataset", "cloudtrail", "eventTime",
    )  # fmt: skip
    assert [c.name for c in saved.columns] == ["eventTime", "eventName", "requestParameters", "ip"]
    assert saved.columns[0].sql_type == "TIMESTAMPTZ" and saved.columns[1].origin == "event_name"
    with QueryEngine(store.data_dir) as engine:
        assert engine.execute('SELECT count(*) FROM "dataset_calls"')[1] == [(3,)]


def test_replace_append_and_the_time_window(store: Store) -> None:
    store.query('filter eventName = "ListUsers" | fields eventTime, eventName '
                "| target type = dataset listing")  # fmt: skip
    store.query('filter eventName = "GetObject" | fields eventTime, eventName '
                "| target type = dataset append = true listing")  # fmt: skip
    assert store.query("dataset = listing | comp count() by eventName | sort eventName") == [
        ("GetObject", 1), ("ListUsers", 1),
    ]  # fmt: skip
    assert store.saved.listing()[0][:3] == ("listing", "dataset", 2)
    # The events are from 2026-11-0x: a window counted back from now keeps none of them.
    assert store.query("dataset = listing", since=datetime.timedelta(days=1)) == []
    with pytest.raises(QueryError, match="cannot append"):
        store.query("fields eventName | target type = dataset append = true listing")
    store.query("fields eventName | target type = dataset listing")  # replacing is fine
    assert store.query("dataset = listing | comp count()") == [(3,)]


def test_a_view_runs_again_on_new_data(store: Store) -> None:
    store.query("filter eventName = $name | target type = view named", {"name": "GetObject"})
    assert store.query("dataset = named | comp count()") == [(1,)]
    store.ingest(make_record(3, eventName="GetObject"))
    assert store.query("dataset = named | comp count()") == [(2,)]
    (view,) = store.saved.catalog().values()
    assert (view.kind, view.query, dict(view.params)) == (
        "view", "filter eventName = $name", {"name": "GetObject"},
    )  # fmt: skip
    # A view read by another query, joined and unioned.
    assert store.query("dataset = named | union named | comp count()") == [(4,)]
    store.query("filter eventName = 'ListUsers' | target type = dataset listing")
    assert store.query(
        "dataset = listing | fields eventId | join (dataset = named | fields userIdentity.arn "
        "as who) as n true | comp count()"
    ) == [(2,)]


def test_views_that_would_read_themselves_are_refused(store: Store) -> None:
    store.query("limit 1 | target type = view one")
    with pytest.raises(QueryError, match="would read itself"):
        store.query("dataset = one | target type = view one")
    store.query("limit 1 | target type = dataset rows_one")
    with pytest.raises(QueryError, match="would read itself"):
        store.query("dataset = rows_one | target type = view rows_one")
    store.query("dataset = rows_one | target type = dataset rows_one")  # rows read, then stored


def test_a_view_that_no_longer_compiles_says_which(store: Store) -> None:
    store.query("fields eventName | target type = dataset base")
    store.query("dataset = base | filter eventName = 'x' | target type = view on_base")
    store.query("fields awsRegion | target type = dataset base")  # eventName is gone
    with pytest.raises(QueryError, match=r"in view 'on_base': .*eventName") as caught:
        store.query("dataset = on_base")
    assert caught.value.query == "dataset = base | filter eventName = 'x'"


def test_delete_and_unknown_names(store: Store) -> None:
    store.query("limit 1 | target type = dataset gone")
    store.saved.delete("gone")
    assert store.saved.catalog() == {}
    with pytest.raises(QueryError, match="no saved dataset"):
        store.saved.delete("gone")
    with pytest.raises(QueryError, match="no saved dataset"):
        store.saved.delete('x"; DROP TABLE quarantine; --')
    with QueryEngine(store.data_dir) as engine:
        assert engine.execute("SELECT count(*) FROM quarantine")[1] == [(0,)]
    with pytest.raises(QueryError, match="unknown dataset 'gone'"):
        store.query("dataset = gone")


def test_arrow_types_map_onto_the_language_types() -> None:
    import pyarrow as pa

    assert [
        sql_type_of(t)
        for t in (
            pa.string(), pa.int32(), pa.float64(), pa.bool_(), pa.date32(),
            pa.timestamp("us", tz="UTC"), pa.timestamp("us"), pa.list_(pa.string()),
            pa.struct([]),
        )
    ] == [
        "VARCHAR", "BIGINT", "DOUBLE", "BOOLEAN", "DATE", "TIMESTAMPTZ", "TIMESTAMP",
        "VARCHAR[]", None,
    ]  # fmt: skip


def test_a_query_over_built_in_datasets_never_reads_the_catalog(tmp_path: Path) -> None:
    """The lazy catalog is read only for a name that is not built in (start-up cost)."""
    state = StateDB(tmp_path / "state.duckdb")
    catalog = SavedDatasets(state).lazy_catalog()
    compile_query("dataset = cloudtrail | limit 1", catalog=catalog)
    assert not state.path.exists()
    with pytest.raises(QueryError):
        compile_query("dataset = nothing_saved_here | limit 1", catalog=catalog)
    assert state.path.exists()
