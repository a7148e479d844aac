"""The function registry: built-ins and third-party functions register the same way, and the
query package's modules import one another without a cycle."""

from __future__ import annotations

import ast as python_ast
from pathlib import Path

import duckdb
import pytest
from sqlglot import exp

from tests.query.conftest import run
from trailhound.errors import QueryError
from trailhound.query import ast, compile_query
from trailhound.query.base import ExpressionContext
from trailhound.query.registry import (
    AGGREGATES,
    FUNCTIONS,
    QueryAggregate,
    aggregate,
    function,
    register_function,
)
from trailhound.query.values import TEXT, Typed, as_text

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "trailhound" / "query"


def test_a_third_party_function_registers_like_a_built_in(con: duckdb.DuckDBPyConnection) -> None:
    @function("reverse_text")
    def reverse_text(context: ExpressionContext, call: ast.Call) -> Typed:
        return Typed(exp.Reverse(this=as_text(context.value(call.args[0]))), TEXT)

    try:
        _, rows = run(con, 'filter eventId = "e01" | alter r = reverse_text(eventName) | fields r')
        assert rows == [("nigoLelosnoC",)]
        with pytest.raises(QueryError, match="takes 1 argument"):
            compile_query("alter r = reverse_text(eventName, awsRegion)")
    finally:
        del FUNCTIONS["reverse_text"]
    with pytest.raises(QueryError, match="unknown function"):
        compile_query("alter r = reverse_text(eventName)")


def test_a_third_party_aggregate(con: duckdb.DuckDBPyConnection) -> None:
    @aggregate("longest")
    def longest(context: ExpressionContext, node: ast.Aggregate) -> Typed:
        assert node.argument is not None
        return Typed(exp.Max(this=exp.Length(this=as_text(context.value(node.argument)))), "BIGINT")

    try:
        assert run(con, "comp longest(eventName) as n") == (["n"], [(17,)])
    finally:
        del AGGREGATES["longest"]


def test_the_built_ins_are_registered_through_the_registry() -> None:
    for name in ("lowercase", "if", "arraymap", "json_extract_array", "incidr6", "extract_time"):
        assert name in FUNCTIONS
    assert set(AGGREGATES) >= {"count", "values", "earliest", "latest", "sum", "avg"}
    spec = register_function(FUNCTIONS["lowercase"])  # registering again changes nothing
    assert FUNCTIONS["lowercase"] is spec
    assert isinstance(AGGREGATES["count"], QueryAggregate)
    assert not AGGREGATES["count"].needs_argument


def _imports(path: Path) -> set[str]:
    """The trailhound.query modules ``path`` imports, also under TYPE_CHECKING."""
    found: set[str] = set()
    tree = python_ast.parse(path.read_text())
    for node in python_ast.walk(tree):
        if isinstance(node, python_ast.ImportFrom) and node.module:
            if node.module.startswith("trailhound.query"):
                # ``from package import module`` imports both; names that are no module drop out.
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, python_ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("trailhound.query"))
    return found


def _module(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module → the package's modules it imports (a package's own submodules aside)."""
    root = package.parents[1]  # the folder holding the trailhound package
    modules = {_module(p, root): _imports(p) for p in package.rglob("*.py")}
    return {m: {i for i in imports if i in modules and i != m} for m, imports in modules.items()}


def import_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph``, if it has one."""
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> list[str] | None:
        if module in visiting:
            return [*visiting[visiting.index(module) :], module]
        if module in done:
            return None
        visiting.append(module)
        for imported in sorted(graph[module] - {"trailhound.query"}):  # the package facade
            cycle = visit(imported)
            if cycle:
                return cycle
        visiting.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        cycle = visit(module)
        if cycle:
            return cycle
    return None


def test_the_query_package_has_no_import_cycle() -> None:
    graph = import_graph(PACKAGE)
    assert import_cycle(graph) is None
    # The expression compiler finds functions in the registry; functions see it as a protocol.
    assert "trailhound.query.registry" in graph["trailhound.query.expressions"]
    assert not {m for m in graph["trailhound.query.expressions"] if "functions" in m}
    for module, imports in graph.items():
        if module.startswith("trailhound.query.functions"):
            assert not imports & {"trailhound.query.expressions", "trailhound.query.compiler"}


def test_the_cycle_check_finds_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "trailhound" / "query"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "one.py").write_text("from trailhound.query.two import b\n")
    (package / "two.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from trailhound.query.one import a\n"
    )
    assert import_cycle(import_graph(package)) == [
        "trailhound.query.one", "trailhound.query.two", "trailhound.query.one",
    ]  # fmt: skip
