"""Turn tokens into a :class:`~trailhound.query.ast.Pipeline`: one recursive-descent parser.

Expression precedence, loosest first: ``or``, ``and``, ``not``, comparison (``= != < <= > >=
in contains ~=``), ``+ -``, ``* /``, unary ``-``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

from trailhound.errors import QueryError
from trailhound.query import ast
from trailhound.query.durations import parse_duration
from trailhound.query.lexer import Token, TokenKind, tokenize

# Nesting of parentheses, ``not``, unary minus and arithmetic (each ``+ - * /`` in a row nests
# once more); deeper input is refused rather than overflowing. ``and``/``or`` chains are flat.
MAX_DEPTH = 64
# Operator as written → operator in the AST.
_COMPARISONS = {
    "=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
    "~=": "~=",
}  # fmt: skip
_ALIAS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_query(text: str) -> ast.Pipeline:
    """Parse a whole pipe query."""
    return _Parser(text).pipeline()


def parse_expression(text: str) -> ast.Expr:
    """Parse a lone condition, as a ``filter`` stage would take it."""
    parser = _Parser(text)
    expression = parser.expression()
    parser.expect(TokenKind.END, "the end of the condition")
    return expression


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

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
        if token.kind is not TokenKind.NUMBER or not token.value.isdigit():
            raise self.error(f"expected {what} (a whole number), found {self.found(token)}")
        self.advance()
        if len(token.value) > 12:
            raise self.error(f"{what} {token.value} is too large", token)
        return int(token.value)

    def duration(self) -> ast.ConfigStage:
        token = self.current
        if token.kind is not TokenKind.DURATION:
            raise self.error(f"expected a duration such as 7d or 1h, found {self.found(token)}")
        self.advance()
        try:
            return ast.ConfigStage(parse_duration(token.value), token.position)
        except QueryError as error:
            raise self.error(error.message, token) from None

    def comma_separated(self, item: Callable[[], ast.Field]) -> tuple[ast.Field, ...]:
        items = [item()]
        while self.kind() is TokenKind.COMMA:
            self.advance()
            items.append(item())
        return tuple(items)

    # --- stages --------------------------------------------------------------------------------

    def pipeline(self) -> ast.Pipeline:
        stages: list[ast.Stage] = []
        if self.kind() is TokenKind.END:
            return ast.Pipeline(())
        while True:
            stages.append(self.stage())
            if self.kind() is TokenKind.END:
                return ast.Pipeline(tuple(stages))
            if self.kind() is not TokenKind.PIPE:
                raise self.error(
                    f"expected '|' or the end of the query, found {self.found(self.current)}"
                )
            self.advance()

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
            items = [self.additive()]
            while self.kind() is TokenKind.COMMA:
                self.advance()
                items.append(self.additive())
            self.expect(TokenKind.RPAREN, "')' to close the list")
            return ast.InList(left, tuple(items), negated, token.position)
        return left

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
}
STAGE_NAMES: tuple[str, ...] = tuple(_STAGES)
