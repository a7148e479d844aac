"""Turn query text into tokens that remember where they start.

Every token carries its 0-based character offset so that the parser and the compiler can point a
:class:`~trailhound.errors.QueryError` caret at the exact place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from trailhound.errors import QueryError


class TokenKind(StrEnum):
    """What a token is."""

    NAME = "name"  # a word: stage name, keyword, field name (dots and [n] allowed)
    STRING = "string"  # "…" or '…'
    NUMBER = "number"  # 42, 3.5, 012345678901 (the text is kept, leading zeros and all)
    DURATION = "duration"  # 7d, 1h30m
    OPERATOR = "operator"  # = == != <> < <= > >= ~= + - * /
    PIPE = "pipe"
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    END = "end of query"


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its text as written, its decoded value and where it starts."""

    kind: TokenKind
    text: str
    position: int
    value: str = ""  # decoded text of a string; the text itself for other kinds
    wildcards: tuple[int, ...] = ()  # offsets in ``value`` of unescaped ``*`` in a string
    regex: str = ""  # a string's value as a regular expression: ``\\*`` stays escaped

    def is_word(self, *words: str) -> bool:
        """True if this is a name equal (case-insensitively) to one of ``words``."""
        return self.kind is TokenKind.NAME and self.value.lower() in words


_NAME_START = re.compile(r"[A-Za-z_$@]")
_NAME = re.compile(r"[A-Za-z_$@][A-Za-z0-9_$@]*(?:(?:\.[A-Za-z0-9_$@]+)|(?:\[[0-9]+\]))*")
_NUMERIC_WORD = re.compile(r"[0-9][A-Za-z0-9_.]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][0-9]+)?")
_DURATION = re.compile(r"(?:[0-9]+[smhdw])+")
_OPERATORS = ("==", "!=", "<>", "<=", ">=", "~=", "=", "<", ">", "+", "-", "*", "/")
_PUNCTUATION = {"|": TokenKind.PIPE, "(": TokenKind.LPAREN, ")": TokenKind.RPAREN}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with one ``END`` token; raise QueryError on bad input."""
    tokens: list[Token] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char.isspace():
            index += 1
        elif char in "\"'":
            token = _read_string(text, index)
            tokens.append(token)
            index += len(token.text)
        elif char == "`":
            end = text.find("`", index + 1)
            if end == -1:
                raise QueryError("unterminated `quoted name`", query=text, position=index)
            if end == index + 1:
                raise QueryError("empty `quoted name`", query=text, position=index)
            name = text[index + 1 : end]
            tokens.append(Token(TokenKind.NAME, text[index : end + 1], index, name))
            index = end + 1
        elif "0" <= char <= "9":
            word = _NUMERIC_WORD.match(text, index)
            assert word is not None  # a digit always matches
            tokens.append(_numeric_token(text, word.group(), index))
            index = word.end()
        elif _NAME_START.match(char):
            name_match = _NAME.match(text, index)
            assert name_match is not None  # the first character already matched
            word_text = name_match.group()
            tokens.append(Token(TokenKind.NAME, word_text, index, word_text))
            index = name_match.end()
        elif char in _PUNCTUATION:
            tokens.append(Token(_PUNCTUATION[char], char, index, char))
            index += 1
        elif char == ",":
            tokens.append(Token(TokenKind.COMMA, char, index, char))
            index += 1
        else:
            operator = next((op for op in _OPERATORS if text.startswith(op, index)), None)
            if operator is None:
                raise QueryError(f"unexpected character {char!r}", query=text, position=index)
            tokens.append(Token(TokenKind.OPERATOR, operator, index, operator))
            index += len(operator)
    tokens.append(Token(TokenKind.END, "", length, ""))
    return tokens


def _numeric_token(text: str, word: str, position: int) -> Token:
    """A word that starts with a digit: a number or a duration, else an error."""
    if _NUMBER.fullmatch(word):
        return Token(TokenKind.NUMBER, word, position, word)
    if _DURATION.fullmatch(word):
        return Token(TokenKind.DURATION, word, position, word)
    raise QueryError(
        f"bad number {word!r} (quote it if it is text, e.g. an IP address)",
        query=text,
        position=position,
    )


def _read_string(text: str, start: int) -> Token:
    """Read a quoted string starting at ``start``; ``\\*`` is a literal star, ``*`` a wildcard."""
    quote = text[start]
    chars: list[str] = []
    regex: list[str] = []
    wildcards: list[int] = []
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == quote:
            return Token(
                TokenKind.STRING,
                text[start : index + 1],
                start,
                "".join(chars),
                tuple(wildcards),
                "".join(regex),
            )
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            # Unknown escapes keep their backslash so that a regex like "\d+" means what it
            # says; \* is a literal star in a wildcard string and stays escaped in a regex.
            if following == "*":
                chars.append("*")
                regex.extend("\\*")
            elif following in _ESCAPES:
                chars.append(_ESCAPES[following])
                regex.append(_ESCAPES[following])
            else:
                chars.extend("\\" + following)
                regex.extend("\\" + following)
            index += 2
            continue
        if char == "*":
            wildcards.append(len(chars))
        chars.append(char)
        regex.append(char)
        index += 1
    raise QueryError("unterminated string", query=text, position=start)


def string_literal(text: str) -> tuple[str, tuple[int, ...], str]:
    """Read raw text (a parameter value) as a quoted string's content would be read.

    Returns the value, the offsets of its unescaped ``*`` wildcards and its regular-expression
    form; ``\\*`` is a literal star, every other character is itself.
    """
    chars: list[str] = []
    regex: list[str] = []
    wildcards: list[int] = []
    index = 0
    while index < len(text):
        if text.startswith("\\*", index):
            chars.append("*")
            regex.extend("\\*")
            index += 2
            continue
        if text[index] == "*":
            wildcards.append(len(chars))
        chars.append(text[index])
        regex.append(text[index])
        index += 1
    return "".join(chars), tuple(wildcards), "".join(regex)
