"""Turn tokens into a :class:`~trailhound.query.ast.Pipeline`: one recursive-descent parser.

Expression precedence, loosest first: ``or``, ``and``, ``not``, comparison (``= != < <= > >=
in contains ~=``), ``+ -``, ``* /``, unary ``-``.

A ``$name`` is a parameter: the parser puts its value in the tree as the literal it reads as (a
number, a duration, else a string whose ``*`` is a wildcard), so a value can never change the
shape of the query. Inside ``in (…)`` a value with commas gives one item per part.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Mapping

from trailhound.durations import DurationError, parse_duration
from trailhound.errors import QueryError
from trailhound.query import ast
from trailhound.query.lexer import Token, TokenKind, string_literal, tokenize

# Nesting of parentheses, ``not``, unary minus and arithmetic (each ``+ - * /`` in a row nests
# once more); deeper input is refused rather than overflowing. ``and``/``or`` chains are flat.
MAX_DEPTH = 64
# Operator as written → operator in the AST.
_COMPARISONS = {
    "=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
    "~=": "~=",
}  # fmt: skip
_ALIAS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARAMETER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][0-9]+)?")
_DURATION = re.compile(r"(?:[0-9]+[smhdw])+")


def parse_query(text: str, params: Mapping[str, str] | None = None) -> ast.Pipeline:
    """Parse a whole pipe query; ``params`` are the values of its ``$name`` parameters."""
    return _Parser(text, params).pipeline()


def query_parameters(text: str) -> list[str]:
    """The names of the ``$name`` parameters ``text`` uses, in order of first use."""
    names: list[str] = []
    for token in tokenize(text):
        if _is_parameter(token) and token.value[1:].lower() not in names:
            names.append(token.value[1:].lower())
    return names


def _is_parameter(token: Token) -> bool:
    return token.kind is TokenKind.NAME and token.text == token.value and token.value[:1] == "$"


def parse_expression(text: str) -> ast.Expr:
    """Parse a lone condition, as a ``filter`` stage would take it."""
    parser = _Parser(text)
    expression = parser.expression()
    parser.expect(TokenKind.END, "the end of the condition")
    return expression


class _Parser:
    def __init__(self, text: str, params: Mapping[str, str] | None = None) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0
        self.params = {k.lower(): v for k, v in (params or {}).items()}

    def parameter(self, token: Token) -> str:
        """The value of the parameter ``token`` names, or an error saying how to give one."""
        name = token.value[1:]
        if not _PARAMETER_NAME.fullmatch(name):
            raise self.error(f"bad parameter name {token.value!r}", token)
        value = self.params.get(name.lower())
        if value is None:
            raise self.error(
                f"no value for parameter {token.value}: give one with --param {name}=…", token
            )
        return value

    def parameter_literal(self, token: Token, value: str) -> ast.Expr:
        """The literal a parameter value reads as, placed where the parameter was written."""
        text = value.strip()
        if _NUMBER.fullmatch(text):
            return ast.Number(text, token.position)
        if _DURATION.fullmatch(text.lower()):
            try:
                return ast.Duration(parse_duration(text), token.position)
            except DurationError as error:
                raise self.error(f"parameter {token.value}: {error.message}", token) from None
        decoded, wildcards, regex = string_literal(value)
        return ast.String(decoded, token.position, wildcards, regex)

    # --- token helpers -------------------------------------------------------------------------

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def kind(self) -> TokenKind:
        return self.tokens[self.index].kind

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not TokenKind.END:
            self.index += 1
        return token

    def error(
        self, message: str, token: Token | None = None, suggestion: str | None = None
    ) -> QueryError:
        token = token or self.current
        return QueryError(message, query=self.text, position=token.position, suggestion=suggestion)

    def found(self, token: Token) -> str:
        return "the end of the query" if token.kind is TokenKind.END else repr(token.text)

    def expect(self, kind: TokenKind, what: str) -> Token:
        if self.kind() is not kind:
            raise self.error(f"expected {what}, found {self.found(self.current)}")
        return self.advance()

    def expect_operator(self, operator: str) -> Token:
        if self.kind() is not TokenKind.OPERATOR or self.current.value != operator:
            raise self.error(f"expected '{operator}', found {self.found(self.current)}")
        return self.advance()

    def accept_word(self, *words: str) -> Token | None:
        return self.advance() if self.current.is_word(*words) else None

    def name(self, what: str) -> Token:
        return self.expect(TokenKind.NAME, what)

    def field(self) -> ast.Field:
        token = self.name("a field name")
        return ast.Field(token.value, token.position)

    def alias(self) -> str:
        token = self.name("a name after 'as'")
        if not _ALIAS.fullmatch(token.value):
            raise self.error(
                f"{token.value!r} cannot be a column name: use letters, digits, _", token
            )
        return token.value

    def integer(self, what: str) -> int:
        token = self.current
        if _is_parameter(token):
            value = self.parameter(token).strip()
            if not value.isdigit() or len(value) > 12:
                raise self.error(f"parameter {token.value} must be {what} (a whole number)", token)
            self.advance()
            return int(value)
        if token.kind is not TokenKind.NUMBER or not token.value.isdigit():
            raise self.error(f"expected {what} (a whole number), found {self.found(token)}")
        self.advance()
        if len(token.value) > 12:
            raise self.error(f"{what} {token.value} is too large", token)
        return int(token.value)

    def duration(self) -> ast.ConfigStage:
        token = self.current
        if _is_parameter(token):
            value = self.parameter(token)
            self.advance()
            try:
                return ast.ConfigStage(parse_duration(value), token.position)
            except DurationError as error:
                raise self.error(f"parameter {token.value}: {error.message}", token) from None
        if token.kind is not TokenKind.DURATION:
            raise self.error(f"expected a duration such as 7d or 1h, found {self.found(token)}")
        self.advance()
        try:
            return ast.ConfigStage(parse_duration(token.value), token.position)
        except DurationError as error:
            raise self.error(error.message, token) from None

    def comma_separated(self, item: Callable[[], ast.Field]) -> tuple[ast.Field, ...]:
        items = [item()]
        while self.kind() is TokenKind.COMMA:
            self.advance()
            items.append(item())
        return tuple(items)

    # --- stages --------------------------------------------------------------------------------

    def pipeline(self, end: TokenKind = TokenKind.END) -> ast.Pipeline:
        stages: list[ast.Stage] = []
        if self.kind() is end:
            return ast.Pipeline(())
        while True:
            stages.append(self.stage())
            if self.kind() is end:
                return ast.Pipeline(tuple(stages))
            if self.kind() is not TokenKind.PIPE:
                what = "the end of the query" if end is TokenKind.END else "')' to close the query"
                raise self.error(f"expected '|' or {what}, found {self.found(self.current)}")
            self.advance()

    def subquery(self) -> ast.Pipeline:
        """``( <query> )`` inside a stage (join, union)."""
        opening = self.expect(TokenKind.LPAREN, "'(' and a query")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("query nested too deeply", opening)
        try:
            pipeline = self.pipeline(TokenKind.RPAREN)
        finally:
            self.depth -= 1
        if not pipeline.stages:
            raise self.error("the query in parentheses is empty", opening)
        if any(isinstance(stage, ast.TargetStage) for stage in pipeline.stages):
            raise self.error("target can only end the whole query", opening)
        self.expect(TokenKind.RPAREN, "')' to close the query")
        return pipeline

    def option(self, names: tuple[str, ...], what: str) -> tuple[str, Token] | None:
        """``name = value`` where name is one of ``names``; None if the next word is not one."""
        token = self.current
        if not token.is_word(*names) or self.tokens[self.index + 1].value != "=":
            return None
        self.advance()
        self.advance()
        value = self.current
        if value.kind not in (TokenKind.NAME, TokenKind.NUMBER, TokenKind.STRING):
            raise self.error(f"expected {what}, found {self.found(value)}")
        return token.value.lower(), value

    def choice(self, token: Token, choices: tuple[str, ...], what: str) -> str:
        """The word ``token`` as one of ``choices``, lower-cased; an error names them."""
        if not token.is_word(*choices):
            close = difflib.get_close_matches(token.value.lower(), choices, n=1)
            raise self.error(
                f"{what} is one of {', '.join(choices)}, not {token.value!r}",
                token,
                close[0] if close else None,
            )
        self.advance()
        return token.value.lower()

    def stage(self) -> ast.Stage:
        token = self.current
        if token.kind is not TokenKind.NAME:
            raise self.error(
                f"expected a stage name ({', '.join(STAGE_NAMES)}), found {self.found(token)}"
            )
        parse = _STAGES.get(token.value.lower())
        if parse is None:
            close = difflib.get_close_matches(token.value.lower(), STAGE_NAMES, n=1)
            raise self.error(
                f"unknown stage {token.value!r}; stages are {', '.join(STAGE_NAMES)}",
                token,
                close[0] if close else None,
            )
        self.advance()
        return parse(self, token.position)

    def dataset_stage(self, position: int) -> ast.DatasetStage:
        self.expect_operator("=")
        name = self.name("a dataset name")
        return ast.DatasetStage(name.value.lower(), name.position)

    def config_stage(self, position: int) -> ast.ConfigStage:
        key = self.name("a setting name (timeframe)")
        if key.value.lower() != "timeframe":
            raise self.error(
                f"unknown setting {key.value!r}; the only one is 'timeframe'", key, "timeframe"
            )
        self.expect_operator("=")
        return self.duration()

    def filter_stage(self, position: int) -> ast.FilterStage:
        return ast.FilterStage(self.expression(), position)

    def fields_stage(self, position: int) -> ast.FieldsStage:
        items: list[ast.FieldItem] = []
        while True:
            start = self.current.position
            exclude = self.kind() is TokenKind.OPERATOR and self.current.value == "-"
            if exclude:
                self.advance()
            field = self.field()
            alias = self.alias() if self.accept_word("as") else None
            if exclude and alias is not None:
                raise self.error(
                    "a dropped field (-name) cannot be renamed", self.tokens[self.index - 1]
                )
            items.append(ast.FieldItem(field, alias, exclude, start))
            if self.kind() is not TokenKind.COMMA:
                return ast.FieldsStage(tuple(items), position)
            self.advance()

    def alter_stage(self, position: int) -> ast.AlterStage:
        assignments: list[ast.Assignment] = []
        while True:
            token = self.name("a name to assign")
            if not _ALIAS.fullmatch(token.value):
                raise self.error(
                    f"{token.value!r} cannot be a column name: use letters, digits, _", token
                )
            self.expect_operator("=")
            assignments.append(ast.Assignment(token.value, self.expression(), token.position))
            if self.kind() is not TokenKind.COMMA:
                return ast.AlterStage(tuple(assignments), position)
            self.advance()

    def comp_stage(self, position: int) -> ast.CompStage:
        aggregates: list[ast.Aggregate] = []
        while True:
            token = self.name("an aggregate such as count()")
            self.expect(TokenKind.LPAREN, f"'(' after {token.value}")
            argument = None if self.kind() is TokenKind.RPAREN else self.expression()
            self.expect(TokenKind.RPAREN, "')'")
            alias = self.alias() if self.accept_word("as") else None
            aggregates.append(ast.Aggregate(token.value.lower(), argument, alias, token.position))
            if self.kind() is not TokenKind.COMMA:
                break
            self.advance()
        by = self.comma_separated(self.field) if self.accept_word("by") else ()
        return ast.CompStage(tuple(aggregates), by, position)

    def direction(self) -> bool | None:
        token = self.accept_word("asc", "desc")
        return None if token is None else token.value.lower() == "desc"

    def sort_key(self) -> ast.SortKey:
        before = self.direction()
        field = self.field()
        after = self.direction()
        if before is not None and after is not None:
            raise self.error("give the direction once", self.tokens[self.index - 1])
        return ast.SortKey(field, bool(before or after))

    def sort_stage(self, position: int) -> ast.SortStage:
        keys = [self.sort_key()]
        while self.kind() is TokenKind.COMMA:
            self.advance()
            keys.append(self.sort_key())
        return ast.SortStage(tuple(keys), position)

    def limit_stage(self, position: int) -> ast.LimitStage:
        return ast.LimitStage(self.integer("a row count"), position)

    def dedup_stage(self, position: int) -> ast.DedupStage:
        keys = self.comma_separated(self.field)
        order = self.sort_key() if self.accept_word("by") else None
        return ast.DedupStage(keys, order, position)

    def top_stage(self, position: int) -> ast.TopStage:
        count = self.integer("a row count") if self.kind() is TokenKind.NUMBER else 10
        if count == 0:
            raise self.error("top needs at least 1 row", self.tokens[self.index - 1])
        field = self.field()
        by = self.field() if self.accept_word("by") else None
        return ast.TopStage(count, field, by, position)

    def bin_stage(self, position: int) -> ast.BinStage:
        field = self.field()
        if self.accept_word("span") is None:
            raise self.error(f"expected 'span = <duration>', found {self.found(self.current)}")
        self.expect_operator("=")
        span = self.duration()
        return ast.BinStage(field, span.timeframe, position)

    def join_stage(self, position: int) -> ast.JoinStage:
        settings = {"type": "inner", "conflict_strategy": "right"}
        choices = {
            "type": ("inner", "left", "right"),
            "conflict_strategy": ("right", "left", "both"),
        }
        seen: set[str] = set()
        while (found := self.option(tuple(choices), "a join setting")) is not None:
            name, value = found
            if name in seen:
                raise self.error(f"{name} is given twice", self.tokens[self.index - 2])
            seen.add(name)
            settings[name] = self.choice(value, choices[name], f"the join {name.replace('_', ' ')}")
        query = self.subquery()
        if self.accept_word("as") is None:
            raise self.error(
                f"expected 'as NAME' after the joined query, found {self.found(self.current)}"
            )
        alias = self.alias()
        condition = self.expression()
        return ast.JoinStage(
            settings["type"], settings["conflict_strategy"], query, alias, condition, position
        )

    def union_stage(self, position: int) -> ast.UnionStage:
        if self.kind() is TokenKind.LPAREN:
            return ast.UnionStage(self.subquery(), position)
        name = self.name("a dataset name or a (query)")
        dataset = ast.DatasetStage(name.value.lower(), name.position)
        return ast.UnionStage(ast.Pipeline((dataset,)), position)

    def arrayexpand_stage(self, position: int) -> ast.ArrayExpandStage:
        field = self.field()
        limit = self.integer("a number of elements") if self.accept_word("limit") else None
        if limit == 0:
            raise self.error("arrayexpand limit must be at least 1", self.tokens[self.index - 1])
        return ast.ArrayExpandStage(field, limit, position)

    def windowcomp_stage(self, position: int) -> ast.WindowCompStage:
        function = self.name("a window function such as row_number() or lag(x)")
        self.expect(TokenKind.LPAREN, f"'(' after {function.value}")
        args: list[ast.Expr] = []
        if self.kind() is not TokenKind.RPAREN:
            args.append(self.expression())
            while self.kind() is TokenKind.COMMA:
                self.advance()
                args.append(self.expression())
        self.expect(TokenKind.RPAREN, f"')' to close {function.value}(")
        by = self.comma_separated(self.field) if self.accept_word("by") else ()
        sort: list[ast.SortKey] = []
        if self.accept_word("sort"):
            sort.append(self.sort_key())
            while self.kind() is TokenKind.COMMA:
                self.advance()
                sort.append(self.sort_key())
        frame = None
        if self.accept_word("between"):
            start = self.frame_bound()
            end = (
                self.frame_bound() if self.accept_word("and") else ast.FrameBound(0, start.position)
            )
            frame = (start, end)
        range_frame = False
        if (found := self.option(("frame_type",), "rows or range")) is not None:
            range_frame = self.choice(found[1], ("rows", "range"), "frame_type") == "range"
        if self.accept_word("as") is None:
            raise self.error(
                f"expected 'as NAME' for the window result, found {self.found(self.current)}"
            )
        alias = self.alias()
        return ast.WindowCompStage(
            function.value.lower(), tuple(args), by, tuple(sort), frame, range_frame, alias,
            function.position,
        )  # fmt: skip

    def frame_bound(self) -> ast.FrameBound:
        """``null`` (unbounded), ``0`` (the current row), ``-n`` (before), ``n`` (after)."""
        start = self.current
        if start.is_word("null"):
            self.advance()
            return ast.FrameBound(None, start.position)
        sign = 1
        if start.kind is TokenKind.OPERATOR and start.value in ("-", "+"):
            sign = -1 if start.value == "-" else 1
            self.advance()
        token = self.current
        if token.kind is TokenKind.DURATION or _is_parameter(token):
            if _is_parameter(token) and self.parameter(token).strip().isdigit():
                return ast.FrameBound(sign * self.integer("a frame bound"), start.position)
            span = self.duration().timeframe
            return ast.FrameBound(span if sign > 0 else -span, start.position)
        if token.kind is TokenKind.NUMBER and token.value.isdigit():
            return ast.FrameBound(sign * self.integer("a frame bound"), start.position)
        raise self.error(
            "expected a frame bound: null (unbounded), 0 (this row), -n (n before), n (after)",
            token,
        )

    def transaction_stage(self, position: int) -> ast.TransactionStage:
        fields = self.comma_separated(self.field)
        span: datetime.timedelta | None = None
        timeshift: datetime.datetime | None = None
        maxevents: int | None = None
        seen: set[str] = set()
        while (token := self.accept_word("span", "timeshift", "maxevents")) is not None:
            setting = token.value.lower()
            if setting in seen:
                raise self.error(f"{setting} is given twice", token)
            seen.add(setting)
            self.expect_operator("=")
            if setting == "span":
                span = self.duration().timeframe
            elif setting == "timeshift":
                timeshift = self.instant()
            else:
                maxevents = self.integer("maxevents")
                if maxevents == 0:
                    raise self.error("maxevents must be at least 1", self.tokens[self.index - 1])
        if span is None:
            raise self.error(
                f"transaction needs 'span = <duration>', found {self.found(self.current)}"
            )
        return ast.TransactionStage(fields, span, timeshift, maxevents, position)

    def instant(self) -> datetime.datetime:
        """A point in time: epoch seconds (``1762300800``) or an ISO time (``"2026-11-05"``)."""
        token = self.current
        text = self.parameter(token) if _is_parameter(token) else token.value
        if token.kind not in (TokenKind.NUMBER, TokenKind.STRING) and not _is_parameter(token):
            raise self.error(f"expected epoch seconds or a quoted time, found {self.found(token)}")
        self.advance()
        try:
            if _NUMBER.fullmatch(text.strip()):
                return datetime.datetime.fromtimestamp(float(text), datetime.UTC)
            moment = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except (ValueError, OverflowError, OSError):
            raise self.error(f"{text!r} is not a time", token) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)

    def replacenull_stage(self, position: int) -> ast.ReplaceNullStage:
        replacements: list[ast.ReplaceNull] = []
        while True:
            field = self.field()
            self.expect_operator("=")
            value = self.unary()
            number = isinstance(value, ast.Unary) and isinstance(value.operand, ast.Number)
            if not (isinstance(value, (ast.String, ast.Number)) or number) and not (
                isinstance(value, ast.Constant) and value.value is not None
            ):
                raise self.error(
                    "replacenull takes a value: a string, a number, true or false",
                    self.tokens[self.index - 1],
                )
            replacements.append(ast.ReplaceNull(field, value))
            if self.kind() is not TokenKind.COMMA:
                return ast.ReplaceNullStage(tuple(replacements), position)
            self.advance()

    def target_stage(self, position: int) -> ast.TargetStage:
        kind: str | None = None
        append = False
        while (found := self.option(("type", "append"), "a target setting")) is not None:
            setting, value = found
            if setting == "type":
                kind = self.choice(value, ("dataset", "view"), "the target type")
            else:
                append = self.choice(value, ("true", "false"), "append") == "true"
        if kind is None:
            raise self.error(
                f"expected 'type = dataset' or 'type = view', found {self.found(self.current)}"
            )
        name = self.name("a name for the saved dataset")
        if not _ALIAS.fullmatch(name.value):
            raise self.error(
                f"{name.value!r} cannot be a dataset name: use letters, digits, _", name
            )
        if kind == "view" and append:
            raise self.error("a view is a saved query: it cannot be appended to", name)
        stage_index = next(i for i, t in enumerate(self.tokens) if t.position == position)
        before = self.tokens[stage_index - 1] if stage_index else None
        query_end = before.position if before is not None and before.kind is TokenKind.PIPE else 0
        return ast.TargetStage(kind, name.value.lower(), append, position, query_end)

    # --- expressions ---------------------------------------------------------------------------

    def expression(self) -> ast.Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("expression nested too deeply")
        try:
            return self.disjunction()
        finally:
            self.depth -= 1

    def disjunction(self) -> ast.Expr:
        left = self.conjunction()
        while token := self.accept_word("or"):
            left = ast.Binary("or", left, self.conjunction(), token.position)
        return left

    def conjunction(self) -> ast.Expr:
        left = self.negation()
        while token := self.accept_word("and"):
            left = ast.Binary("and", left, self.negation(), token.position)
        return left

    def negation(self) -> ast.Expr:
        token = self.accept_word("not")
        if token is None:
            return self.comparison()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("expression nested too deeply", token)
        try:
            return ast.Unary("not", self.negation(), token.position)
        finally:
            self.depth -= 1

    def comparison(self) -> ast.Expr:
        left = self.additive()
        token = self.current
        if token.kind is TokenKind.OPERATOR and token.value in _COMPARISONS:
            self.advance()
            return ast.Binary(_COMPARISONS[token.value], left, self.additive(), token.position)
        if token.is_word("contains"):
            self.advance()
            return ast.Binary("contains", left, self.additive(), token.position)
        negated = token.is_word("not")
        if negated:
            following = self.tokens[self.index + 1]
            if following.is_word("contains"):
                self.index += 2
                inner = ast.Binary("contains", left, self.additive(), following.position)
                return ast.Unary("not", inner, token.position)
            if not following.is_word("in"):
                raise self.error(
                    f"expected 'in' or 'contains' after 'not', found {self.found(following)}",
                    following,
                )
            self.advance()
        if self.accept_word("in"):
            self.expect(TokenKind.LPAREN, "'(' after 'in'")
            items = self.list_item()
            while self.kind() is TokenKind.COMMA:
                self.advance()
                items.extend(self.list_item())
            self.expect(TokenKind.RPAREN, "')' to close the list")
            return ast.InList(left, tuple(items), negated, token.position)
        return left

    def list_item(self) -> list[ast.Expr]:
        """One item of ``in (…)``; a parameter whose value has commas gives one item per part."""
        token = self.current
        following = self.tokens[self.index + 1]
        if _is_parameter(token) and following.kind in (TokenKind.COMMA, TokenKind.RPAREN):
            value = self.parameter(token)
            self.advance()
            parts = [part for part in value.split(",") if part.strip()]
            if not parts:
                raise self.error(f"parameter {token.value} is empty", token)
            return [self.parameter_literal(token, part.strip()) for part in parts]
        return [self.additive()]

    def additive(self) -> ast.Expr:
        return self.arithmetic(("+", "-"), self.multiplicative)

    def multiplicative(self) -> ast.Expr:
        return self.arithmetic(("*", "/"), self.unary)

    def arithmetic(self, operators: tuple[str, ...], operand: Callable[[], ast.Expr]) -> ast.Expr:
        """A left-associative chain; each operator nests the tree one level deeper."""
        left = operand()
        nested = 0
        try:
            while self.kind() is TokenKind.OPERATOR and self.current.value in operators:
                token = self.advance()
                nested += 1
                self.depth += 1
                if self.depth > MAX_DEPTH:
                    raise self.error(
                        f"expression too long: at most {MAX_DEPTH} operators and nested "
                        "parentheses in one expression",
                        token,
                    )
                left = ast.Binary(token.value, left, operand(), token.position)
        finally:
            self.depth -= nested
        return left

    def unary(self) -> ast.Expr:
        if self.kind() is TokenKind.OPERATOR and self.current.value == "-":
            token = self.advance()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.error("expression nested too deeply", token)
            try:
                return ast.Unary("-", self.unary(), token.position)
            finally:
                self.depth -= 1
        return self.primary()

    def primary(self) -> ast.Expr:
        token = self.current
        if token.kind is TokenKind.STRING:
            self.advance()
            return ast.String(token.value, token.position, token.wildcards, token.regex)
        if token.kind is TokenKind.NUMBER:
            self.advance()
            return ast.Number(token.value, token.position)
        if token.kind is TokenKind.LPAREN:
            self.advance()
            inner = self.expression()
            self.expect(TokenKind.RPAREN, "')'")
            return inner
        if _is_parameter(token):
            self.advance()
            return self.parameter_literal(token, self.parameter(token))
        if token.kind is TokenKind.NAME:
            self.advance()
            lowered = token.value.lower()
            if self.kind() is TokenKind.LPAREN and token.text == token.value:
                self.advance()
                args: list[ast.Expr] = []
                if self.kind() is not TokenKind.RPAREN:
                    args.append(self.expression())
                    while self.kind() is TokenKind.COMMA:
                        self.advance()
                        args.append(self.expression())
                self.expect(TokenKind.RPAREN, f"')' to close {token.value}(")
                return ast.Call(lowered, tuple(args), token.position)
            if lowered in ("true", "false", "null") and token.text == token.value:
                return ast.Constant(
                    None if lowered == "null" else lowered == "true", token.position
                )
            if lowered in _RESERVED and token.text == token.value:
                raise self.error(f"expected a value, found {token.value!r}", token)
            return ast.Field(token.value, token.position)
        if token.kind is TokenKind.DURATION:
            return ast.Duration(self.duration().timeframe, token.position)
        raise self.error(f"expected a value, found {self.found(token)}", token)


_RESERVED = frozenset({"and", "or", "not", "in", "contains"})

_STAGES: dict[str, Callable[[_Parser, int], ast.Stage]] = {
    "dataset": _Parser.dataset_stage,
    "config": _Parser.config_stage,
    "filter": _Parser.filter_stage,
    "fields": _Parser.fields_stage,
    "alter": _Parser.alter_stage,
    "comp": _Parser.comp_stage,
    "sort": _Parser.sort_stage,
    "limit": _Parser.limit_stage,
    "dedup": _Parser.dedup_stage,
    "top": _Parser.top_stage,
    "bin": _Parser.bin_stage,
    "join": _Parser.join_stage,
    "union": _Parser.union_stage,
    "arrayexpand": _Parser.arrayexpand_stage,
    "windowcomp": _Parser.windowcomp_stage,
    "transaction": _Parser.transaction_stage,
    "replacenull": _Parser.replacenull_stage,
    "target": _Parser.target_stage,
}
STAGE_NAMES: tuple[str, ...] = tuple(_STAGES)
