"""The query library: saved queries with parameters, beside the built-in hunts."""

from __future__ import annotations

from pathlib import Path

import pytest

from trailhound.errors import QueryError
from trailhound.query.hunts import HUNTING_QUERIES
from trailhound.query.library import QueryLibrary, SavedQuery, check_query
from trailhound.store.state import StateDB


@pytest.fixture
def library(tmp_path: Path) -> QueryLibrary:
    return QueryLibrary(StateDB(tmp_path / "state.duckdb"), HUNTING_QUERIES)


def test_save_get_list_delete(library: QueryLibrary) -> None:
    query = SavedQuery(
        "failed-by-region", "filter errorCode != null and awsRegion = $region | limit $n",
        "Failed calls in one region.", {"region": None, "n": "10"},
    )  # fmt: skip
    library.save(query)
    found = library.get("Failed-By-Region")
    assert found == query and not found.builtin
    names = [q.name for q in library.list()]
    assert names == sorted(names) and "failed-by-region" in names and "first-api-use" in names
    library.save(SavedQuery("failed-by-region", "limit $n", "", {"n": "1"}))  # replaces
    assert library.get("failed-by-region").query == "limit $n"
    library.delete("failed-by-region")
    with pytest.raises(QueryError, match="no saved query 'failed-by-region'"):
        library.get("failed-by-region")
    with pytest.raises(QueryError, match="no saved query"):
        library.delete("failed-by-region")


def test_bind_fills_defaults_and_refuses_unknown_or_missing_values() -> None:
    query = SavedQuery("q", "limit $n | filter awsRegion = $region", "", {"n": "5", "region": None})
    assert query.bind({"region": "eu-west-1"}) == {"region": "eu-west-1", "n": "5"}
    assert query.bind({"REGION": "x", "n": "7"}) == {"region": "x", "n": "7"}
    with pytest.raises(QueryError, match="needs --param region"):
        query.bind({})
    with pytest.raises(QueryError, match="has no parameter 'regoin'"):
        query.bind({"regoin": "x", "region": "y"})


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (SavedQuery("Bad Name", "limit 1"), "cannot be a query name"),
        (SavedQuery("q", "limit $n"), "declare --param n=DEFAULT"),
        (SavedQuery("q", "limit 1", "", {"n": "1"}), "does not use the parameter"),
        (SavedQuery("q", "filter eventNme = 1"), "unknown field"),
        (SavedQuery("q", "limit $n | fitler x", "", {"n": None}), "unknown stage"),
        (SavedQuery("q", "limit 1 " + "x" * 20_000), "longer than"),
    ],
)
def test_check_query_refuses(query: SavedQuery, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        check_query(query)


def test_a_required_parameter_of_any_kind_passes_the_check() -> None:
    for text in ("limit $v", "config timeframe = $v", "filter eventName = $v"):
        check_query(SavedQuery("q", text, "", {"v": None}))


def test_built_in_queries_cannot_be_replaced_or_deleted(library: QueryLibrary) -> None:
    with pytest.raises(QueryError, match="built-in query"):
        library.save(SavedQuery("first-api-use", "limit 1"))
    with pytest.raises(QueryError, match="cannot be deleted"):
        library.delete("first-api-use")
    assert library.get("first-api-use").builtin


def test_an_unknown_name_gets_the_nearest_suggested(library: QueryLibrary) -> None:
    with pytest.raises(QueryError, match="did you mean 'first-api-use'"):
        library.get("first-api-uses")
