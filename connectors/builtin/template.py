"""Template: render text, JSON or HTML from workflow data with Jinja2 — Sluice's
analogue of Logic Apps' Liquid transforms.

Why Jinja2's `ImmutableSandboxedEnvironment`: a workflow author writes the template, so it
must not reach Python internals (`__class__.__mro__`, `__globals__`, function
attributes) nor exhaust the worker. On top of the sandbox:
- `range()` is budgeted (at most `MAX_RANGE` items, and a shared step budget
  for the whole render so nested loops cannot spin for minutes);
- `*` and `**` are intercepted so `'x' * 10**9` cannot allocate gigabytes;
- the rendered output is capped at `MAX_OUTPUT` characters.

The data is available as `content` (the Liquid name) and `data`. With
`contentType: "json"` the rendered text is parsed and returned as JSON; `html`
turns autoescaping on.
"""

from __future__ import annotations

import json
import operator
from functools import lru_cache
from typing import Any, ClassVar, Literal

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, Undefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field

from connectors.base import ActionContext, Connector, ConnectorError
from connectors.registry import register

MAX_RANGE = 100_000
MAX_STEPS = 1_000_000
MAX_OUTPUT = 10_000_000
MAX_OPERAND = 1_000_000


class BudgetExceeded(SecurityError):
    pass


class SluiceSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, int | float) and abs(right) > 64:
                raise BudgetExceeded("exponent too large in template")
            return operator.pow(left, right)
        sizes = [len(v) for v in (left, right) if isinstance(v, str | list | tuple)]
        counts = [v for v in (left, right) if isinstance(v, int) and not isinstance(v, bool)]
        if sizes and counts and sizes[0] * max(counts) > MAX_OPERAND:
            raise BudgetExceeded("repetition result too large in template")
        return operator.mul(left, right)


@lru_cache(maxsize=4)
def environment(autoescape: bool, strict: bool) -> SluiceSandbox:
    env = SluiceSandbox(autoescape=autoescape, undefined=StrictUndefined if strict else Undefined)
    env.filters["fromjson"] = json.loads
    return env


@lru_cache(maxsize=512)
def compile_template(source: str, autoescape: bool, strict: bool) -> Any:
    return environment(autoescape, strict).from_string(source)


def budgeted_range(budget: list[int]) -> Any:
    def _range(*args: int) -> Any:
        items = range(*args)
        if len(items) > MAX_RANGE:
            raise BudgetExceeded(f"range() is limited to {MAX_RANGE} items in templates")
        for item in items:
            budget[0] -= 1
            if budget[0] < 0:
                raise BudgetExceeded(f"template loops are limited to {MAX_STEPS} steps in total")
            yield item

    return _range


def render(source: str, data: Any, content_type: str = "text", strict: bool = False) -> str:
    template = compile_template(source, content_type == "html", strict)
    variables = {"content": data, "data": data, "range": budgeted_range([MAX_STEPS])}
    chunks, size = [], 0
    for chunk in template.generate(variables):
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise BudgetExceeded(f"template output is limited to {MAX_OUTPUT} characters")
        chunks.append(chunk)
    return "".join(chunks)


class TemplateInputs(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    template: str = Field(description="Jinja2 template text.", max_length=1_000_000)
    content: Any = Field(default=None, description="The data, visible as `content` and `data`.")
    contentType: Literal["text", "json", "html"] = "text"
    strict: bool = Field(default=False, description="Fail on undefined variables.")


@register
class TemplateAction(Connector):
    kind = "Template"
    title = "Template (Jinja2)"
    description = (
        "Render text, JSON or HTML from workflow data with a sandboxed Jinja2 template "
        "(Sluice's analogue of Liquid transforms)."
    )
    Inputs = TemplateInputs
    examples: ClassVar[list[dict[str, Any]]] = [
        {
            "template": "Hello {{ content.name }}, you have {{ content.orders | length }} orders.",
            "content": "@triggerBody()",
        },
        {
            "template": '{"ids": {{ content | map(attribute="id") | list | tojson }}}',
            "content": [{"id": 1}, {"id": 2}],
            "contentType": "json",
        },
    ]

    def run(self, inputs: TemplateInputs, context: ActionContext) -> Any:
        text = self._render(inputs)
        if inputs.contentType != "json":
            return text
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ConnectorError(
                f"The template's output is not valid JSON ({exc}): {text[:200]}",
                code="InvalidTemplateOutput",
            )

    def _render(self, inputs: TemplateInputs) -> str:
        try:
            return render(inputs.template, inputs.content, inputs.contentType, inputs.strict)
        except TemplateSyntaxError as exc:
            raise ConnectorError(
                f"Template syntax error on line {exc.lineno}: {exc.message}", code="InvalidTemplate"
            )
        except SecurityError as exc:
            raise ConnectorError(f"Template refused: {exc}", code="TemplateSecurityViolation")
        except TemplateError as exc:
            raise ConnectorError(f"Template failed: {exc}", code="TemplateFailed")
        except (TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as exc:
            raise ConnectorError(
                f"Template failed: {type(exc).__name__}: {exc}", code="TemplateFailed"
            )
