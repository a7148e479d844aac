"""The picture stays clean: stages import only earlier stages, no import cycles, small modules.

Every module under ``src/trailhound`` is parsed (``ast``, nothing is imported) and its imports of
``trailhound`` modules collected, each marked *eager* (run when the module is imported) or *lazy*
(inside a function, or under ``if TYPE_CHECKING:``).

* The stage order holds for **every** import, eager or lazy: a stage never reaches a later stage
  or a front door, not even from inside a function.
* There is no cycle among the **eager** imports. A lazy import cannot make an import cycle (it
  runs after both modules are loaded), which is why the command line's lazy imports of the
  stages it drives are allowed.
* No module is over 800 lines.
"""

from __future__ import annotations

import ast
import graphlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "trailhound"
MAX_LINES = 800

# The stages, in the order data travels; a module may import its own stage or an earlier one.
STAGES: tuple[tuple[str, ...], ...] = (
    (
        "trailhound",  # the package itself
        "trailhound.model",
        "trailhound.errors",
        "trailhound.schema",
        "trailhound.tables",
        "trailhound.durations",
        "trailhound.registry",
        "trailhound.data_dir",
        "trailhound.logs",
        "trailhound.stage_clock",  # seconds per ingest stage, read by the store and the loop
    ),
    ("trailhound.sources",),
    ("trailhound.normalize",),
    ("trailhound.store", "trailhound.intel"),  # intel: offline lists, enrichment written at commit
    ("trailhound.query",),
    ("trailhound.detect", "trailhound.analytics"),  # analytics is one more detector
    ("trailhound.incidents",),
    ("trailhound.ingest", "trailhound.collect"),
    (
        "trailhound.app",
        "trailhound.outcomes",
        "trailhound.api",
    ),  # front doors' common ground; the API is served
    ("trailhound.cli", "trailhound.__main__"),
)


def stage_of(module: str) -> int:
    """The index of the stage ``module`` belongs to (its longest matching prefix)."""
    best, found = -1, None
    for index, prefixes in enumerate(STAGES):
        for prefix in prefixes:
            matches = module == prefix or (
                prefix != "trailhound" and module.startswith(prefix + ".")
            )
            if matches and len(prefix) > best:
                best, found = len(prefix), index
    if found is None:
        raise AssertionError(f"{module} is in no stage: add it to STAGES")
    return found


def module_name(path: Path) -> str:
    """``src/trailhound/query/ast.py`` → ``trailhound.query.ast``."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@dataclass(frozen=True)
class Import:
    """One import of a trailhound module by another."""

    source: str
    target: str
    line: int
    eager: bool


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(name: str) -> str | None:
    """The trailhound module ``name`` refers to (a submodule, or the module holding a name)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _targets(node: ast.Import | ast.ImportFrom, source: str) -> Iterator[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative: from the source's package
            package = source if MODULES[source].name == "__init__.py" else source.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        names = [f"{base}.{alias.name}" for alias in node.names]
    for name in names:
        if name == "trailhound" or name.startswith("trailhound."):
            target = _resolve(name)
            if target is not None and target != source:
                yield target


def imports_of(source: str) -> list[Import]:
    """Every import of a trailhound module in ``source``, eager or lazy."""
    tree = ast.parse(MODULES[source].read_text(), str(MODULES[source]))
    found: list[Import] = []

    def visit(node: ast.AST, eager: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                targets = _targets(child, source)
                found.extend(Import(source, t, child.lineno, eager) for t in targets)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, False)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for statement in child.body:
                    visit(ast.Module(body=[statement], type_ignores=[]), False)
                for statement in child.orelse:
                    visit(ast.Module(body=[statement], type_ignores=[]), eager)
            else:
                visit(child, eager)

    visit(tree, True)
    return found


ALL_IMPORTS = [found for module in MODULES for found in imports_of(module)]


def test_the_parser_sees_the_imports() -> None:
    """The checks below can fail: they see eager, lazy and TYPE_CHECKING imports."""
    app = {(i.target, i.eager) for i in ALL_IMPORTS if i.source == "trailhound.app"}
    assert ("trailhound.data_dir", True) in app
    assert ("trailhound.ingest", False) in app
    assert ("trailhound.store.state", False) in app  # under TYPE_CHECKING and in methods
    assert {s for s in MODULES if s.startswith("trailhound.cli")} >= {
        "trailhound.cli",
        "trailhound.cli.query",
    }
    assert stage_of("trailhound.query.ast") == 4 and stage_of("trailhound.cli.query") == 9


def test_no_stage_imports_a_later_stage_or_a_front_door() -> None:
    backwards = [
        f"{i.source}:{i.line} imports {i.target} ({'eager' if i.eager else 'lazy'})"
        for i in ALL_IMPORTS
        if stage_of(i.target) > stage_of(i.source)
    ]
    assert backwards == []


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for found in ALL_IMPORTS:
        if found.eager:
            graph[found.source].add(found.target)
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        pytest.fail(f"import cycle: {' → '.join(error.args[1])}")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_over_800_lines(module: str) -> None:
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module}: {lines} lines; split it along a seam"
