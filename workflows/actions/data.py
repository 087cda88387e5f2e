"""Data operations: Compose, ParseJson, Query (filter array), Select, Join, Table.

Query's `where` and Select's `select` are evaluated once per item with `item()`
bound to that item, so they are passed to the handler unevaluated.
"""

from __future__ import annotations

import csv
import html
import io
import json
from typing import Any

import jsonschema

from workflows.actions.base import ActionEnv, ActionFailed, builtin
from workflows.engine import Outcome
from workflows.engine.conditions import truthy


@builtin("Compose")
def compose(inputs: Any, env: ActionEnv) -> Outcome:
    return Outcome(inputs=inputs, outputs=inputs)


@builtin("ParseJson")
def parse_json(inputs: Any, env: ActionEnv) -> Outcome:
    if not isinstance(inputs, dict) or "content" not in inputs:
        raise ActionFailed("InvalidParseJsonInputs", "ParseJson needs 'content' and 'schema'.")
    content = inputs["content"]
    if isinstance(content, str | bytes):
        try:
            content = json.loads(content)
        except ValueError as exc:
            raise ActionFailed("InvalidJSON", f"The 'content' is not valid JSON: {exc}") from None
    errors = _schema_errors(content, inputs.get("schema") or {})
    if errors:
        return Outcome.failed(
            "ValidationFailed",
            "The schema validation failed: " + "; ".join(errors),
            inputs=inputs,
            outputs={"body": content, "errors": errors},
        )
    return Outcome(inputs=inputs, outputs={"body": content})


def _schema_errors(content: Any, schema: Any) -> list[str]:
    try:
        validator_class = jsonschema.validators.validator_for(
            schema, default=jsonschema.Draft4Validator
        )
        validator_class.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise ActionFailed(
            "InvalidSchema", f"The 'schema' is not a valid JSON schema: {exc.message}"
        ) from None
    validator = validator_class(schema)
    found = sorted(validator.iter_errors(content), key=lambda e: list(e.absolute_path))
    return [
        f"{'/' + '/'.join(map(str, e.absolute_path)) if e.absolute_path else '(root)'}: {e.message}"
        for e in found[:20]
    ]


def _array(value: Any, action: str) -> list[Any]:
    if not isinstance(value, list):
        raise ActionFailed(
            "InvalidInputs", f"{action} 'from' must be an array, not {type(value).__name__}."
        )
    return value


@builtin("Query", raw=("where",))
def query(inputs: Any, env: ActionEnv) -> Outcome:
    items = _array(inputs.get("from"), "Query")
    where = env.spec.get("inputs", {}).get("where")
    kept = [
        item
        for index, item in enumerate(items)
        if truthy(env.evaluate(where, env.item_step(item, index)))
    ]
    return Outcome(inputs={"from": items, "where": where}, outputs={"body": kept})


@builtin("Select", raw=("select",))
def select(inputs: Any, env: ActionEnv) -> Outcome:
    items = _array(inputs.get("from"), "Select")
    shape = env.spec.get("inputs", {}).get("select")
    body = [env.evaluate(shape, env.item_step(item, index)) for index, item in enumerate(items)]
    return Outcome(inputs={"from": items, "select": shape}, outputs={"body": body})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


@builtin("Join")
def join(inputs: Any, env: ActionEnv) -> Outcome:
    items = _array(inputs.get("from"), "Join")
    separator = inputs.get("joinWith", "")
    return Outcome(inputs=inputs, outputs={"body": _text(separator).join(_text(i) for i in items)})


@builtin("Table", raw=("columns",))
def table(inputs: Any, env: ActionEnv) -> Outcome:
    items = _array(inputs.get("from"), "Table")
    fmt = str(inputs.get("format", "")).upper()
    if fmt not in {"CSV", "HTML"}:
        raise ActionFailed("InvalidInputs", "Table 'format' must be CSV or HTML.")
    headers, rows = _table_rows(items, env.spec.get("inputs", {}).get("columns"), env)
    body = _csv(headers, rows) if fmt == "CSV" else _html(headers, rows)
    return Outcome(
        inputs={**inputs, "columns": env.spec.get("inputs", {}).get("columns")},
        outputs={"body": body},
    )


def _table_rows(
    items: list[Any], columns: Any, env: ActionEnv
) -> tuple[list[str], list[list[str]]]:
    if columns:
        headers = [_text(column.get("header")) for column in columns]
        rows = [
            [
                _text(env.evaluate(column.get("value"), env.item_step(item, index)))
                for column in columns
            ]
            for index, item in enumerate(items)
        ]
        return headers, rows
    headers = []
    for item in items:
        for key in item if isinstance(item, dict) else []:
            if key not in headers:
                headers.append(key)
    rows = [
        [_text(item.get(h)) if isinstance(item, dict) else "" for h in headers] for item in items
    ]
    return headers, rows


def _csv(headers: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().rstrip("\n")


def _html(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
