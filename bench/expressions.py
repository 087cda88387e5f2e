"""Benchmark: WDL expression evaluations per second vs Jinja2 compiled expressions.

Run:  .venv/bin/python bench/expressions.py [--seconds 2]

Twenty typical expressions (trigger body access, concat, interpolation,
formatDateTime, equals/and, item() access …) are evaluated with their parse
cached, next to `jinja2.Environment().compile_expression` evaluating the
equivalent Jinja expressions over the same data. Prints both rates and the
ratio (WDL / Jinja2; ≥ 1.0 means the WDL evaluator is at least as fast).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jinja2

from workflows.expressions import evaluate, parse

CONTEXT: dict[str, Any] = {
    "parameters": {"baseUrl": "https://api.example.com"},
    "variables": {"counter": 5},
    "trigger": {
        "name": "manual",
        "outputs": {
            "headers": {"Content-Type": "application/json"},
            "body": {
                "status": "paid",
                "createdAt": "2024-03-15T13:27:36Z",
                "customer": {"name": "Ada", "email": "Ada@Example.com"},
                "order": {"id": 7, "lines": [{"sku": "A1"}, {"sku": "B2"}]},
            },
        },
    },
    "actions": {"Get_order": {"outputs": {"statusCode": 200, "body": {"total": 12.5}}}},
    "items": {"For_each": {"type": "apple", "count": 7, "name": "Gala", "sku": "G1"}},
    "now": "2024-03-15T13:27:36Z",
}

# (WDL string value as in a definition, equivalent Jinja2 expression)
PAIRS: list[tuple[str, str]] = [
    ("@triggerBody()?['order']?['id']", "trigger.outputs.body.order.id"),
    ("@triggerBody().order.lines[1].sku", "trigger.outputs.body.order.lines[1].sku"),
    ("@body('Get_order')?['total']", "actions.Get_order.outputs.body.total"),
    (
        "@concat('Order ', string(triggerBody()?['order']?['id']), ' received')",
        "'Order ' ~ trigger.outputs.body.order.id ~ ' received'",
    ),
    (
        "Hello @{triggerBody()?['customer']?['name']}!",
        "'Hello ' ~ trigger.outputs.body.customer.name ~ '!'",
    ),
    ("@equals(triggerBody()?['status'], 'paid')", "trigger.outputs.body.status == 'paid'"),
    (
        "@and(equals(item()?['type'], 'apple'), greater(item()?['count'], 5))",
        "item.type == 'apple' and item.count > 5",
    ),
    ("@item()?['name']", "item.name"),
    (
        "@formatDateTime(triggerBody()?['createdAt'], 'yyyy-MM-dd')",
        "format_date(trigger.outputs.body.createdAt, '%Y-%m-%d')",
    ),
    ("@parameters('baseUrl')", "parameters.baseUrl"),
    (
        "@{parameters('baseUrl')}/orders/@{triggerBody()?['order']?['id']}",
        "parameters.baseUrl ~ '/orders/' ~ trigger.outputs.body.order.id",
    ),
    ("@variables('counter')", "variables.counter"),
    ("@add(variables('counter'), 1)", "variables.counter + 1"),
    ("@length(triggerBody()?['order']?['lines'])", "trigger.outputs.body.order.lines | length"),
    (
        "@toLower(triggerBody()?['customer']?['email'])",
        "trigger.outputs.body.customer.email | lower",
    ),
    (
        "@if(greater(variables('counter'), 3), 'many', 'few')",
        "'many' if variables.counter > 3 else 'few'",
    ),
    ("@outputs('Get_order')['statusCode']", "actions.Get_order.outputs.statusCode"),
    (
        "@not(empty(triggerBody()?['order']?['lines']))",
        "not (trigger.outputs.body.order.lines | length == 0)",
    ),
    ("@items('For_each')?['sku']", "items.For_each.sku"),
    (
        "@or(equals(item()?['type'], 'pear'), less(item()?['count'], 3))",
        "item.type == 'pear' or item.count < 3",
    ),
]


def _format_date(value: str, pattern: str) -> str:
    return dt.datetime.fromisoformat(value).strftime(pattern)


def _jinja_callables() -> tuple[list[Callable[..., Any]], dict[str, Any]]:
    env = jinja2.Environment()
    env.globals["format_date"] = _format_date
    compiled = [env.compile_expression(jinja) for _, jinja in PAIRS]
    data = {
        "trigger": CONTEXT["trigger"],
        "actions": CONTEXT["actions"],
        "parameters": CONTEXT["parameters"],
        "variables": CONTEXT["variables"],
        "items": CONTEXT["items"],
        "item": CONTEXT["items"]["For_each"],
    }
    return compiled, data


def _rate(run_once: Callable[[], None], seconds: float) -> float:
    """Evaluations per second of one pass over all 20 expressions."""
    run_once()  # warm up caches
    rounds, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            run_once()
        rounds += 50
    return rounds * len(PAIRS) / elapsed


def _check(wdl: list[str], compiled: list[Callable[..., Any]], data: dict[str, Any]) -> None:
    """Both sides must compute the same values, or the comparison means nothing."""
    for text, expression in zip(wdl, compiled, strict=True):
        ours, theirs = evaluate(text, CONTEXT), expression(**data)
        if ours != theirs:
            raise SystemExit(f"mismatch for {text!r}: {ours!r} != {theirs!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per side")
    seconds = parser.parse_args().seconds

    wdl = [wdl for wdl, _ in PAIRS]
    for text in wdl:
        parse(text)
    compiled, data = _jinja_callables()
    _check(wdl, compiled, data)

    def run_wdl() -> None:
        for text in wdl:
            evaluate(text, CONTEXT)

    def run_jinja() -> None:
        for expression in compiled:
            expression(**data)

    wdl_rate = _rate(run_wdl, seconds)
    jinja_rate = _rate(run_jinja, seconds)
    print(f"WDL evaluate():        {wdl_rate:12,.0f} evaluations/s")
    print(f"Jinja2 compile_expr(): {jinja_rate:12,.0f} evaluations/s")
    print(f"ratio WDL/Jinja2:      {wdl_rate / jinja_rate:12.2f}")


if __name__ == "__main__":
    main()
