"""Phase 2: tokens to an AST (`nodes.py`).

    expression := literal | call accessor*
    call       := IDENT '(' [expression (',' expression)*] ')'
    accessor   := ['?'] ('.' IDENT | '[' expression ']')
    literal    := STRING | INT | FLOAT | 'true' | 'false' | 'null'

As in Logic Apps (LogicAppsUX `parser.ts`), accessors only follow calls, and
`true`/`false`/`null` are the only bare identifiers. Function names are checked
against the registry here, with their arity, so a definition with a typo fails
when it is parsed (saved), not halfway through a run.
"""

from __future__ import annotations

from workflows.expressions.errors import ExpressionError
from workflows.expressions.lexer import Kind, Token, tokenize
from workflows.expressions.nodes import Access, Call, Literal, Node
from workflows.expressions.registry import lookup

MAX_NESTING = 128
_KEYWORDS = {"true": True, "false": False, "null": None}
_DESCRIBE = {
    Kind.EOF: "the end of the expression",
    Kind.STRING: "a string",
    Kind.INT: "a number",
    Kind.FLOAT: "a number",
}


def parse_expression(text: str, offset: int = 0, source: str | None = None) -> Node:
    """Parse the body of one expression (no leading `@`)."""
    return _Parser(tokenize(text, offset, source), source if source is not None else text).run()


class _Parser:
    def __init__(self, tokens: list[Token], source: str) -> None:
        self.tokens = tokens
        self.source = source
        self.i = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        if token.kind is not Kind.EOF:
            self.i += 1
        return token

    def error(self, message: str, token: Token, signature: str | None = None) -> ExpressionError:
        return ExpressionError(message, token.position, self.source, signature)

    def unexpected(self, token: Token, wanted: str) -> ExpressionError:
        found = _DESCRIBE.get(token.kind, f"'{token.value}'")
        return self.error(f"Expected {wanted} but found {found}", token)

    def expect(self, kind: Kind, wanted: str) -> Token:
        token = self.peek()
        if token.kind is not kind:
            raise self.unexpected(token, wanted)
        return self.advance()

    def run(self) -> Node:
        if self.peek().kind is Kind.EOF:
            raise self.error("The expression is empty", self.peek())
        node = self.expression()
        self.expect(Kind.EOF, "the end of the expression")
        return node

    def expression(self) -> Node:
        self.depth += 1
        try:
            return self.term()
        finally:
            self.depth -= 1

    def term(self) -> Node:
        token = self.advance()
        if self.depth > MAX_NESTING:
            raise self.error(f"The expression is nested more than {MAX_NESTING} levels deep", token)
        if token.kind in (Kind.STRING, Kind.INT, Kind.FLOAT):
            return Literal(token.value, token.position)
        if token.kind is not Kind.IDENT:
            raise self.unexpected(token, "a value or a function call")
        name = str(token.value)
        if name.lower() in _KEYWORDS and self.peek().kind is not Kind.LPAREN:
            return Literal(_KEYWORDS[name.lower()], token.position)
        return self.accessors(self.call(token))

    def call(self, name_token: Token) -> Call:
        name = str(name_token.value)
        if self.peek().kind is not Kind.LPAREN:
            raise self.error(
                f"'{name}' is not a function call or a literal; did you mean '{name}()'?",
                name_token,
            )
        self.advance()
        args = self.arguments()
        function = lookup(name)
        if function is None:
            raise self.error(f"The template function '{name}' is not defined", name_token)
        try:
            function.check_arity(len(args))
        except ExpressionError as exc:
            raise self.error(exc.message, name_token, function.signature) from None
        return Call(name, tuple(args), name_token.position)

    def arguments(self) -> list[Node]:
        args: list[Node] = []
        if self.peek().kind is Kind.RPAREN:
            self.advance()
            return args
        while True:
            args.append(self.expression())
            token = self.advance()
            if token.kind is Kind.RPAREN:
                return args
            if token.kind is not Kind.COMMA:
                raise self.unexpected(token, "',' or ')'")

    def accessors(self, node: Node) -> Node:
        while True:
            token = self.peek()
            null_safe = token.kind is Kind.QUESTION
            if null_safe:
                self.advance()
                token = self.peek()
            if token.kind is Kind.DOT:
                self.advance()
                name = self.expect(Kind.IDENT, "a property name after '.'")
                node = Access(node, Literal(name.value, name.position), null_safe, token.position)
            elif token.kind is Kind.LBRACKET:
                self.advance()
                key = self.expression()
                self.expect(Kind.RBRACKET, "']'")
                node = Access(node, key, null_safe, token.position)
            elif null_safe:
                raise self.unexpected(token, "'.' or '[' after '?'")
            else:
                return node
