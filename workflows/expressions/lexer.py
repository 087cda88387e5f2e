"""Phase 1: turn the text of one expression into tokens.

The grammar is tiny (see LogicAppsUX `scanner.ts`): single-quoted strings with `''`
as the escaped quote, integers and floats with an optional sign, identifiers,
and the punctuation `( ) [ ] . , ?`. Positions are 0-based offsets into the
*original* JSON string value (the caller passes the offset of the expression
inside it), so an error can point at the exact character a user typed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from workflows.expressions.errors import ExpressionError

MAX_EXPRESSION_LENGTH = 8192

_PUNCTUATION = {
    "(": "LPAREN",
    ")": "RPAREN",
    "[": "LBRACKET",
    "]": "RBRACKET",
    ".": "DOT",
    ",": "COMMA",
    "?": "QUESTION",
}
_WHITESPACE = " \t\r\n\f\v\u00a0\ufeff"
_DIGITS = "0123456789"
# After these token kinds a '.' is member access; elsewhere '.5' is a number.
_VALUE_END = {"RPAREN", "RBRACKET", "IDENT", "STRING", "INT", "FLOAT"}


class Kind(StrEnum):
    STRING = "STRING"
    INT = "INT"
    FLOAT = "FLOAT"
    IDENT = "IDENT"
    LPAREN = "LPAREN"
    RPAREN = "RPAREN"
    LBRACKET = "LBRACKET"
    RBRACKET = "RBRACKET"
    DOT = "DOT"
    COMMA = "COMMA"
    QUESTION = "QUESTION"
    EOF = "EOF"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    value: object
    position: int


def tokenize(text: str, offset: int = 0, source: str | None = None) -> list[Token]:
    """Tokens of `text`; `offset` is where `text` starts inside `source`."""
    return _Lexer(text, offset, source if source is not None else text).run()


def _is_ident_start(ch: str) -> bool:
    return ch.isalpha() or ch == "_"


def _is_ident_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class _Lexer:
    def __init__(self, text: str, offset: int, source: str) -> None:
        self.text = text
        self.offset = offset
        self.source = source
        self.i = 0
        self.tokens: list[Token] = []

    def error(self, message: str, at: int) -> ExpressionError:
        return ExpressionError(message, self.offset + at, self.source)

    def run(self) -> list[Token]:
        text = self.text
        while True:
            while self.i < len(text) and text[self.i] in _WHITESPACE:
                self.i += 1
            if self.i >= len(text):
                self.tokens.append(Token(Kind.EOF, None, self.offset + self.i))
                return self.tokens
            self.tokens.append(self.next_token())

    def previous_kind(self) -> str | None:
        return self.tokens[-1].kind.value if self.tokens else None

    def next_token(self) -> Token:
        ch = self.text[self.i]
        start = self.i
        if ch == "'":
            return self.string()
        if ch in "+-" or ch in _DIGITS:
            return self.number()
        if ch == "." and self.previous_kind() not in _VALUE_END and self.peek_digit(1):
            return self.number()
        if ch in _PUNCTUATION:
            self.i += 1
            return Token(Kind(_PUNCTUATION[ch]), ch, self.offset + start)
        if _is_ident_start(ch):
            return self.identifier()
        if ch == '"':
            raise self.error(
                "Double quotes are not allowed in expressions; use single quotes for strings",
                start,
            )
        raise self.error(f"Unexpected character '{ch}'", start)

    def peek_digit(self, ahead: int) -> bool:
        j = self.i + ahead
        return j < len(self.text) and self.text[j] in _DIGITS

    def string(self) -> Token:
        text, start = self.text, self.i
        parts: list[str] = []
        j = start + 1
        while True:
            end = text.find("'", j)
            if end < 0:
                raise self.error("The string literal is not terminated", start)
            parts.append(text[j:end])
            if end + 1 < len(text) and text[end + 1] == "'":
                parts.append("'")
                j = end + 2
                continue
            self.i = end + 1
            return Token(Kind.STRING, "".join(parts), self.offset + start)

    def scan_digits(self) -> int:
        begin = self.i
        while self.i < len(self.text) and self.text[self.i] in _DIGITS:
            self.i += 1
        return self.i - begin

    def number(self) -> Token:
        text, start = self.text, self.i
        if text[self.i] in "+-":
            self.i += 1
        digits = self.scan_digits()
        is_float = False
        if self.i < len(text) and text[self.i] == "." and self.peek_digit(1):
            is_float = True
            self.i += 1
            digits += self.scan_digits()
        if digits == 0:
            raise self.error(f"Unexpected character '{text[start]}'", start)
        if self.i < len(text) and text[self.i] in "eE":
            is_float = True
            self.exponent(start)
        if self.i < len(text) and (_is_ident_char(text[self.i]) or text[self.i] == "'"):
            raise self.error("Unexpected character after a number", self.i)
        literal = text[start : self.i]
        value: int | float = float(literal) if is_float else int(literal)
        if isinstance(value, float) and math.isinf(value):
            raise self.error("The number is too large", start)
        return Token(Kind.FLOAT if is_float else Kind.INT, value, self.offset + start)

    def exponent(self, start: int) -> None:
        self.i += 1
        if self.i < len(self.text) and self.text[self.i] in "+-":
            self.i += 1
        if self.scan_digits() == 0:
            raise self.error("The number has an incomplete exponent", start)

    def identifier(self) -> Token:
        start = self.i
        while self.i < len(self.text) and _is_ident_char(self.text[self.i]):
            self.i += 1
        return Token(Kind.IDENT, self.text[start : self.i], self.offset + start)
