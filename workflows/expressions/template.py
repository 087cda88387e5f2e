"""Phase 0 and 4: the string layer of a definition, and evaluating whole values.

A JSON string value is a *template* iff it starts with `@` or contains `@{`
(LogicAppsUX `isTemplateExpression`); anything else is a literal string.

* `"@@…"`          -> the literal rest with one `@` removed (`"@@x"` -> `"@x"`)
* `"@expr"`        -> the value of `expr`, JSON type kept
* `"a @{expr} b"`  -> a string; each `@{expr}` rendered with `values.to_string`
                      (`@@{` in the text is a literal `@{`)

`@{…}` ends at the first `}` outside a single-quoted literal. Compiled templates
are cached by their text: definitions repeat the same few hundred strings for
every run, so each is parsed once per process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from workflows.expressions.context import EvalContext, as_context
from workflows.expressions.errors import ExpressionError
from workflows.expressions.evaluator import compile_node
from workflows.expressions.lexer import MAX_EXPRESSION_LENGTH
from workflows.expressions.nodes import Node
from workflows.expressions.parser import parse_expression
from workflows.expressions.values import to_string

Evaluator = Callable[[EvalContext], Any]
_CACHE: dict[str, Template] = {}
_CACHE_LIMIT = 20_000


@dataclass(frozen=True, slots=True)
class Template:
    """A compiled string value. `kind` is 'literal', 'expression' or 'interpolation';
    `parts` are the literal strings and ASTs in order (for tools such as
    `find_references`)."""

    source: str
    kind: str
    parts: tuple[str | Node, ...]
    run: Evaluator

    def evaluate(self, context: Mapping[str, Any] | EvalContext | None = None) -> Any:
        return self.run(as_context(context))

    @property
    def nodes(self) -> tuple[Node, ...]:
        return tuple(part for part in self.parts if not isinstance(part, str))


def is_template(text: str) -> bool:
    return text.startswith("@") or "@{" in text


def parse(text: str) -> Template:
    """The compiled template for a string value (cached); raises ExpressionError."""
    if not isinstance(text, str):
        raise ExpressionError(f"Expected a string value but got {type(text).__name__}")
    template = _CACHE.get(text)
    if template is None:
        template = _compile(text)
        if template.kind == "literal" and len(text) > 1024:
            return template  # big plain strings are cheap to rebuild, costly to keep
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[text] = template
    return template


def _compile(text: str) -> Template:
    if not is_template(text):
        return _literal(text, text)
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(
            f"The expression is {len(text)} characters long; the limit is {MAX_EXPRESSION_LENGTH}",
            MAX_EXPRESSION_LENGTH,
            text[:200],
        )
    if text.startswith("@@"):
        return _literal(text, text[1:])
    if text.startswith("@") and not text.startswith("@{"):
        node = parse_expression(text[1:], 1, text)
        return Template(text, "expression", (node,), compile_node(node, text))
    return _interpolation(text)


def _literal(source: str, value: str) -> Template:
    def literal(ctx: EvalContext) -> Any:
        return value

    return Template(source, "literal", (value,), literal)


def _interpolation(text: str) -> Template:
    parts = _split(text)
    runners: list[Evaluator] = []
    for part in parts:
        if isinstance(part, str):
            runners.append(_literal(text, part).run)
        else:
            runners.append(_stringified(compile_node(part, text)))

    def interpolate(ctx: EvalContext) -> Any:
        return "".join([run(ctx) for run in runners])

    return Template(text, "interpolation", tuple(parts), interpolate)


def _stringified(run: Evaluator) -> Evaluator:
    def stringified(ctx: EvalContext) -> str:
        return to_string(run(ctx))

    return stringified


def _split(text: str) -> list[str | Node]:
    """Literal text and parsed `@{…}` segments, following LogicAppsUX `parser.ts`."""
    parts: list[str | Node] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        start = text.find("@{", i)
        if start < 0:
            literal.append(text[i:])
            break
        if start > 0 and text[start - 1] == "@":  # `@@{` is a literal `@{`
            literal.append(text[i : start - 1] + "@{")
            i = start + 2
            continue
        literal.append(text[i:start])
        end = _closing_brace(text, start + 2)
        if literal and "".join(literal):
            parts.append("".join(literal))
        literal = []
        parts.append(parse_expression(text[start + 2 : end], start + 2, text))
        i = end + 1
    if "".join(literal):
        parts.append("".join(literal))
    return parts


def _closing_brace(text: str, start: int) -> int:
    in_string = False
    for i in range(start, len(text)):
        ch = text[i]
        if ch == "'":
            in_string = not in_string
        elif ch == "}" and not in_string:
            return i
    raise ExpressionError("The '@{' has no closing '}'", start - 2, text)


def evaluate_value(value: Any, ctx: EvalContext) -> Any:
    """Evaluate a JSON value: strings as templates, dicts and lists recursively."""
    if isinstance(value, str):
        template = _CACHE.get(value)
        if template is None:
            if not is_template(value):
                return value
            template = parse(value)
        return template.run(ctx)
    if isinstance(value, dict):
        return {key: evaluate_value(item, ctx) for key, item in value.items()}
    if isinstance(value, list):
        return [evaluate_value(item, ctx) for item in value]
    return value
