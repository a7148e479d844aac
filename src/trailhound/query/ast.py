"""The parsed form of a pipe query: expressions and stages, as frozen dataclasses.

Every node keeps ``position``, the 0-based offset in the query text it was parsed from, so that
the compiler can point an error at it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

# --- expressions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Field:
    """A field reference as written: ``eventName``, ``requestParameters.bucketName``."""

    name: str
    position: int


@dataclass(frozen=True, slots=True)
class String:
    """A quoted string; ``wildcards`` are the offsets of unescaped ``*`` in ``value``."""

    value: str
    position: int
    wildcards: tuple[int, ...] = ()
    regex: str = ""  # the value with ``\\*`` kept escaped, for ``~=``


@dataclass(frozen=True, slots=True)
class Number:
    """A number; ``text`` is kept as written (leading zeros matter in account IDs)."""

    text: str
    position: int


@dataclass(frozen=True, slots=True)
class Duration:
    """A duration used as a value: ``now() - 1h``."""

    value: datetime.timedelta
    position: int


@dataclass(frozen=True, slots=True)
class Constant:
    """``true``, ``false`` or ``null``."""

    value: bool | None
    position: int


@dataclass(frozen=True, slots=True)
class Call:
    """A function call: ``lowercase(x)``, ``incidr(ip, "10.0.0.0/8")``."""

    name: str
    args: tuple[Expr, ...]
    position: int


@dataclass(frozen=True, slots=True)
class Unary:
    """``not x`` or ``-x``."""

    operator: str
    operand: Expr
    position: int


@dataclass(frozen=True, slots=True)
class Binary:
    """``left <op> right``: comparison (= != < <= > >= contains ~=), and/or, arithmetic."""

    operator: str
    left: Expr
    right: Expr
    position: int  # of the operator


@dataclass(frozen=True, slots=True)
class InList:
    """``x in (a, b)`` or ``x not in (a, b)``."""

    operand: Expr
    items: tuple[Expr, ...]
    negated: bool
    position: int


Expr = Field | String | Number | Duration | Constant | Call | Unary | Binary | InList

# --- stages ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DatasetStage:
    """``dataset = cloudtrail``."""

    name: str
    position: int


@dataclass(frozen=True, slots=True)
class ConfigStage:
    """``config timeframe = 7d``."""

    timeframe: datetime.timedelta
    position: int


@dataclass(frozen=True, slots=True)
class FilterStage:
    """``filter <condition>``."""

    condition: Expr
    position: int


@dataclass(frozen=True, slots=True)
class FieldItem:
    """One entry of ``fields``: a field, an optional ``as`` name, or ``-field`` to drop it."""

    field: Field
    alias: str | None
    exclude: bool
    position: int


@dataclass(frozen=True, slots=True)
class FieldsStage:
    """``fields a, b as c, -d``."""

    items: tuple[FieldItem, ...]
    position: int


@dataclass(frozen=True, slots=True)
class Assignment:
    """``name = <expr>`` inside ``alter``."""

    name: str
    value: Expr
    position: int


@dataclass(frozen=True, slots=True)
class AlterStage:
    """``alter a = <expr>, b = <expr>``."""

    assignments: tuple[Assignment, ...]
    position: int


@dataclass(frozen=True, slots=True)
class Aggregate:
    """``count()``, ``sum(x) as total`` inside ``comp``."""

    function: str
    argument: Expr | None
    alias: str | None
    position: int


@dataclass(frozen=True, slots=True)
class CompStage:
    """``comp <aggregates> by <fields>``."""

    aggregates: tuple[Aggregate, ...]
    by: tuple[Field, ...]
    position: int


@dataclass(frozen=True, slots=True)
class SortKey:
    """A field and its direction."""

    field: Field
    descending: bool


@dataclass(frozen=True, slots=True)
class SortStage:
    """``sort a desc, b``."""

    keys: tuple[SortKey, ...]
    position: int


@dataclass(frozen=True, slots=True)
class LimitStage:
    """``limit N``."""

    count: int
    position: int


@dataclass(frozen=True, slots=True)
class DedupStage:
    """``dedup a, b by time desc``: keep the first row of each key."""

    keys: tuple[Field, ...]
    order: SortKey | None
    position: int


@dataclass(frozen=True, slots=True)
class TopStage:
    """``top 5 field by other``: the most frequent values (per ``other``)."""

    count: int
    field: Field
    by: Field | None
    position: int


@dataclass(frozen=True, slots=True)
class BinStage:
    """``bin event_time span = 1h``: floor a time column in place."""

    field: Field
    span: datetime.timedelta
    position: int


@dataclass(frozen=True, slots=True)
class JoinStage:
    """``join type = left conflict_strategy = both (<query>) as name <condition>``."""

    kind: str  # inner, left or right
    conflict: str  # right (the subquery's value wins), left, or both (the subquery's renamed)
    query: Pipeline
    alias: str
    condition: Expr
    position: int


@dataclass(frozen=True, slots=True)
class UnionStage:
    """``union cloudtrail`` or ``union (<query>)``: the rows of both, columns matched by name."""

    query: Pipeline
    position: int


@dataclass(frozen=True, slots=True)
class ArrayExpandStage:
    """``arrayexpand resources [limit 5]``: one row per array element, in the field's place."""

    field: Field
    limit: int | None
    position: int


@dataclass(frozen=True, slots=True)
class FrameBound:
    """One end of a ``windowcomp`` frame: None is unbounded, 0 the current row, -n preceding."""

    offset: int | datetime.timedelta | None
    position: int


@dataclass(frozen=True, slots=True)
class WindowCompStage:
    """``windowcomp lag(eventTime) by actor sort eventTime between -5 and 0 as previous``."""

    function: str
    args: tuple[Expr, ...]
    by: tuple[Field, ...]
    sort: tuple[SortKey, ...]
    frame: tuple[FrameBound, FrameBound] | None
    range_frame: bool  # frame_type = range: offsets in the sort value, not in rows
    alias: str
    position: int  # of the function


@dataclass(frozen=True, slots=True)
class TransactionStage:
    """``transaction accessKeyId span = 1h [timeshift = …] [maxevents = 100]``: sessions."""

    fields: tuple[Field, ...]
    span: datetime.timedelta
    timeshift: datetime.datetime | None
    maxevents: int | None
    position: int


@dataclass(frozen=True, slots=True)
class ReplaceNull:
    """``field = value`` inside ``replacenull``."""

    field: Field
    value: Expr


@dataclass(frozen=True, slots=True)
class ReplaceNullStage:
    """``replacenull errorCode = "none", …``: a value where the field is NULL."""

    replacements: tuple[ReplaceNull, ...]
    position: int


@dataclass(frozen=True, slots=True)
class TargetStage:
    """``target type = dataset [append = true] name`` (rows) or ``target type = view name``."""

    kind: str  # dataset or view
    name: str
    append: bool
    position: int
    query_end: int  # where the query before ``| target`` ends in the text


Stage = (
    DatasetStage
    | ConfigStage
    | FilterStage
    | FieldsStage
    | AlterStage
    | CompStage
    | SortStage
    | LimitStage
    | DedupStage
    | TopStage
    | BinStage
    | JoinStage
    | UnionStage
    | ArrayExpandStage
    | WindowCompStage
    | TransactionStage
    | ReplaceNullStage
    | TargetStage
)


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A whole query: the stages in order, as written."""

    stages: tuple[Stage, ...]
