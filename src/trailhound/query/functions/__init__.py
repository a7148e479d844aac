"""The built-in functions and aggregates of the query language.

Importing this package registers them in :mod:`trailhound.query.registry`, through the same
:func:`~trailhound.query.registry.function` and :func:`~trailhound.query.registry.aggregate`
decorators a third party would use. One module per family: text, conversion, conditional, JSON,
time, arrays, networks and the ``comp`` aggregates.
"""

from __future__ import annotations

from trailhound.query.functions import (
    aggregates,
    arrays,
    conditional,
    conversion,
    json_values,
    networks,
    text,
    timestamps,
)

__all__ = [
    "aggregates",
    "arrays",
    "conditional",
    "conversion",
    "json_values",
    "networks",
    "text",
    "timestamps",
]
