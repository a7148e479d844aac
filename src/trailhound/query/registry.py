"""The functions and aggregates of the query language, registered by name.

The expression compiler looks calls up here and knows nothing else about them; the built-ins in
:mod:`trailhound.query.functions` register themselves with :func:`function` and
:func:`aggregate`, exactly as a third party would::

    @function("reverse", arguments=(1, 1))
    def reverse(context: ExpressionContext, call: ast.Call) -> Typed:
        return Typed(exp.Reverse(this=as_text(context.value(call.args[0]))), TEXT)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from trailhound.query import ast
from trailhound.query.base import ExpressionContext
from trailhound.query.values import Typed, closest

FunctionHandler = Callable[[ExpressionContext, ast.Call], Typed]
AggregateHandler = Callable[[ExpressionContext, ast.Aggregate], Typed]
ANY = 255  # "any number of arguments"


@dataclass(frozen=True, slots=True)
class QueryFunction:
    """A scalar function: its name, how many arguments it takes, and how it compiles."""

    name: str
    compile: FunctionHandler
    min_args: int = 1
    max_args: int = 1


@dataclass(frozen=True, slots=True)
class QueryAggregate:
    """An aggregate of ``comp``: its name, whether it needs an argument, how it compiles."""

    name: str
    compile: AggregateHandler
    needs_argument: bool = True


FUNCTIONS: dict[str, QueryFunction] = {}
AGGREGATES: dict[str, QueryAggregate] = {}


def register_function(spec: QueryFunction) -> QueryFunction:
    """Make ``spec`` callable in queries under its name; returns it."""
    FUNCTIONS[spec.name.lower()] = spec
    return spec


def register_aggregate(spec: QueryAggregate) -> QueryAggregate:
    """Make ``spec`` usable in ``comp`` under its name; returns it."""
    AGGREGATES[spec.name.lower()] = spec
    return spec


def function(
    *names: str, arguments: tuple[int, int] = (1, 1)
) -> Callable[[FunctionHandler], FunctionHandler]:
    """Register the decorated handler as a function under each of ``names``."""

    def register(handler: FunctionHandler) -> FunctionHandler:
        for name in names:
            register_function(QueryFunction(name, handler, *arguments))
        return handler

    return register


def aggregate(
    *names: str, needs_argument: bool = True
) -> Callable[[AggregateHandler], AggregateHandler]:
    """Register the decorated handler as a ``comp`` aggregate under each of ``names``."""

    def register(handler: AggregateHandler) -> AggregateHandler:
        for name in names:
            register_aggregate(QueryAggregate(name, handler, needs_argument))
        return handler

    return register


def compile_call(context: ExpressionContext, node: ast.Call) -> Typed:
    """Compile a scalar function call, checking its name and number of arguments."""
    spec = FUNCTIONS.get(node.name)
    if spec is None:
        if node.name in AGGREGATES:
            raise context.error(f"{node.name}() is an aggregate: use it in comp", node.position)
        close = closest(node.name, [*FUNCTIONS, *AGGREGATES])
        raise context.error(f"unknown function {node.name!r}", node.position, close)
    if not spec.min_args <= len(node.args) <= spec.max_args:
        if spec.min_args == spec.max_args:
            wanted = str(spec.min_args)
        elif spec.max_args == ANY:
            wanted = f"at least {spec.min_args}"
        else:
            wanted = f"{spec.min_args} to {spec.max_args}"
        raise context.error(
            f"{node.name}() takes {wanted} argument(s), got {len(node.args)}", node.position
        )
    return spec.compile(context, node)


def compile_aggregate(context: ExpressionContext, node: ast.Aggregate) -> Typed:
    """Compile one ``comp`` aggregate, checking its name and argument."""
    spec = AGGREGATES.get(node.function)
    if spec is None:
        close = closest(node.function, list(AGGREGATES))
        raise context.error(f"unknown aggregate {node.function!r}", node.position, close)
    if node.argument is None and spec.needs_argument:
        raise context.error(f"{node.function}() needs a field", node.position)
    return spec.compile(context, node)
