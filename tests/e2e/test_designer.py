"""The designer and monitor in a real browser against a real server: build a
workflow from nothing by dragging from the palette, fill expressions through the
panel with autocomplete, save, call the trigger URL, watch the run in the monitor,
edit in the code view, undo/redo, copy and paste a scope."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.server import ROOT, Server

pytestmark = pytest.mark.e2e

# Screenshots for the README are refreshed with SLUICE_UPDATE_SCREENSHOTS=1; other
# runs write them to a temporary folder so the work tree stays clean.
SHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("SLUICE_UPDATE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "sluice-e2e-screenshots"
)


def drag(page: Page, palette_type: str, target: str) -> None:
    page.get_by_test_id(f"palette-{palette_type}").drag_to(page.locator(target).first)


def node(page: Page, name: str):
    return page.get_by_test_id(f"node-{name}")


def pick_completion(page: Page, label: str) -> None:
    exact = re.compile(f"^{re.escape(label)}$")
    option = page.locator(".cm-tooltip-autocomplete .cm-completionLabel", has_text=exact).first
    expect(option).to_be_visible()
    option.click()


def type_expression(page: Page, field: str, text: str) -> None:
    editor = page.get_by_test_id(field)
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def create_workflow(page: Page, server: Server, name: str) -> None:
    page.goto(f"{server.url}/")
    page.get_by_label("New workflow name").fill(name)
    page.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(rf"#/workflows/{name}$"))
    expect(page.get_by_test_id("canvas")).to_be_visible()


def build_flow(page: Page) -> None:
    """Request → Compose → Condition(True: Compose_2, False: Compose_3) → Response."""
    drag(page, "Request", "[data-testid=canvas]")
    expect(node(page, "manual")).to_be_visible()
    drag(page, "Compose", "[data-testid=node-manual]")
    expect(node(page, "Compose")).to_be_visible()
    type_expression(page, "field-inputs", "@triggerB")
    pick_completion(page, "triggerBody()")
    drag(page, "If", "[data-testid=node-Compose]")
    expect(node(page, "Condition")).to_be_visible()
    type_expression(page, "field-condition-left", "@outp")
    pick_completion(page, "outputs('Compose')")
    page.keyboard.type("?['size']")
    type_expression(page, "field-condition-right", "big")
    drag(page, "Compose", "[data-testid=lane-Condition-True]")
    expect(node(page, "Compose_2")).to_be_visible()
    type_expression(page, "field-inputs", "yes")
    drag(page, "Compose", "[data-testid=lane-Condition-False]")
    expect(node(page, "Compose_3")).to_be_visible()
    type_expression(page, "field-inputs", "no")
    drag(page, "Response", "[data-testid=node-Condition] .wf-container-header")
    expect(node(page, "Response")).to_be_visible()
    type_expression(page, "field-inputs.body", "@{outputs('Compose_2')} for @{outp")
    pick_completion(page, "outputs('Compose')")
    page.keyboard.type("?['size']}")


def saved_definition(server: Server, page: Page, name: str) -> dict:
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    res = httpx.get(f"{server.url}/api/v1/workflows/{name}/", cookies=cookies, timeout=10)
    res.raise_for_status()
    return res.json()["definition"]


def test_it_builds_saves_runs_and_monitors_a_workflow(page: Page, server: Server) -> None:
    create_workflow(page, server, "e2e-flow")
    build_flow(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved version")).to_be_visible()

    definition = saved_definition(server, page, "e2e-flow")
    actions = definition["actions"]
    assert actions["Compose"]["inputs"] == "@triggerBody()"
    assert actions["Condition"]["expression"] == {
        "and": [{"equals": ["@outputs('Compose')?['size']", "big"]}]
    }
    assert actions["Condition"]["actions"]["Compose_2"]["inputs"] == "yes"
    assert actions["Condition"]["else"]["actions"]["Compose_3"]["inputs"] == "no"
    assert actions["Response"]["runAfter"] == {"Condition": ["Succeeded"]}
    shot(page, "designer.png")

    node(page, "manual").click()
    url_box = page.get_by_test_id("trigger-url")
    expect(url_box).to_have_value(re.compile(r"/triggers/manual/invoke"))
    answer = httpx.post(url_box.input_value(), json={"size": "big"}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.text == "yes for big"

    page.goto(f"{server.url}/#/workflows/e2e-flow/runs")
    row = page.locator("tr[data-testid^=run-]").first
    expect(row.locator(".pill")).to_have_text("Succeeded", timeout=20_000)
    row.locator("a").first.click()
    expect(page.get_by_test_id("run-status")).to_have_text("Succeeded")
    expect(page.get_by_test_id("status-Compose_2")).to_contain_text("Succeeded")
    expect(page.get_by_test_id("status-Compose_3")).to_contain_text("Skipped")
    expect(page.get_by_test_id("status-Condition")).to_contain_text("Succeeded")
    expect(page.get_by_test_id("run-summary")).to_contain_text("yes for big")
    node(page, "Compose").click()
    outputs = page.get_by_test_id("content-outputs")
    expect(outputs).to_contain_text('"size": "big"')
    shot(page, "monitor.png")

    page.goto(f"{server.url}/#/workflows/e2e-flow/runs")
    expect(page.locator("tr[data-testid^=run-]").first).to_be_visible()
    shot(page, "runs.png")
    page.goto(f"{server.url}/#/workflows/e2e-flow")
    page.get_by_role("button", name="Switch to dark theme").click()
    expect(node(page, "Condition")).to_be_visible()
    node(page, "Condition").locator(".wf-container-header").click()
    shot(page, "designer-dark.png")


def replace_code(page: Page, definition: dict) -> None:
    page.get_by_test_id("code-view").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(json.dumps(definition, indent=2))


def test_it_syncs_code_view_and_canvas_with_undo_redo_and_scope_copy_paste(
    page: Page, server: Server
) -> None:
    create_workflow(page, server, "e2e-code")
    drag(page, "Request", "[data-testid=canvas]")
    drag(page, "Scope", "[data-testid=node-manual]")
    expect(node(page, "Scope")).to_be_visible()
    drag(page, "Compose", "[data-testid=node-Scope] .wf-container-header")
    expect(node(page, "Compose")).to_be_visible()

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved version")).to_be_visible()
    definition = saved_definition(server, page, "e2e-code")
    assert definition["actions"]["Scope"]["actions"]["Compose"]["runAfter"] == {}
    page.get_by_role("tab", name="Code view").click()
    definition["actions"]["From_code"] = {
        "type": "Compose",
        "inputs": "@body('Scope')",
        "runAfter": {"Scope": ["Failed"]},
    }
    replace_code(page, definition)
    expect(page.get_by_role("status").filter(has_text="JSON is valid")).to_be_visible()
    page.get_by_role("tab", name="Designer").click()
    expect(node(page, "From_code")).to_be_visible()
    expect(page.locator(".edge-status", has_text="Failed")).to_be_visible()

    page.locator(".react-flow__pane").click()
    page.keyboard.press("Control+Z")
    expect(node(page, "From_code")).to_have_count(0)
    page.keyboard.press("Control+Shift+Z")
    expect(node(page, "From_code")).to_be_visible()

    page.locator("[data-testid=node-Scope] .wf-container-header").click()
    page.keyboard.press("Control+C")
    page.keyboard.press("Control+V")
    expect(node(page, "Scope_2")).to_be_visible()
    expect(node(page, "Compose_2")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved version 3")).to_be_visible()
    pasted = saved_definition(server, page, "e2e-code")["actions"]["Scope_2"]
    assert list(pasted["actions"]) == ["Compose_2"]
    assert pasted["runAfter"] == {"Scope": ["Succeeded"]}


def test_it_reports_a_missing_build_clearly() -> None:
    from tests.e2e.server import DIST

    assert DIST.exists(), "frontend/dist is missing: run `make frontend` before the e2e tests"
    assert Path(DIST).read_text().count("/static/") >= 1


def test_it_pins_validation_problems_to_nodes_and_deletes_with_the_keyboard(
    page: Page, server: Server
) -> None:
    create_workflow(page, server, "e2e-problems")
    drag(page, "Request", "[data-testid=canvas]")
    drag(page, "Compose", "[data-testid=node-manual]")
    expect(node(page, "Compose")).to_be_visible()
    page.get_by_role("tab", name="Code view").click()
    replace_code(
        page,
        {
            "triggers": {"manual": {"type": "Request", "kind": "Http"}},
            "actions": {
                "Compose": {"type": "Compose", "inputs": "@concat('a'", "runAfter": {}},
                "Odd": {"type": "NoSuchType", "runAfter": {"Compose": ["Succeeded"]}},
            },
        },
    )
    expect(page.locator(".code-status")).to_contain_text("/actions/Odd/type")
    page.get_by_role("tab", name="Designer").click()
    expect(node(page, "Odd").locator(".problem-badge")).to_be_visible()
    expect(node(page, "Compose").locator(".problem-badge")).to_have_attribute(
        "aria-label", re.compile("Expected")
    )
    node(page, "Odd").click()
    page.keyboard.press("Delete")
    expect(node(page, "Odd")).to_have_count(0)
    expect(node(page, "Compose")).to_be_visible()
    page.get_by_role("button", name="Insert an action between trigger::manual and Compose").click()
    page.get_by_test_id("palette-Join").click()
    expect(node(page, "Join")).to_be_visible()
    expect(page.locator('[data-testid="rf__edge-Join->Compose"]')).to_be_attached()


def test_it_connects_two_actions_by_dragging_between_handles(page: Page, server: Server) -> None:
    from tests.e2e.test_performance import api

    parallel = {
        "triggers": {"manual": {"type": "Request", "kind": "Http"}},
        "actions": {
            "A": {"type": "Compose", "inputs": 1, "runAfter": {}},
            "B": {"type": "Compose", "inputs": 2, "runAfter": {}},
        },
    }
    api(page, server, "POST", "/api/v1/import/", {"name": "e2e-connect", "definition": parallel})
    page.goto(f"{server.url}/#/workflows/e2e-connect")
    expect(node(page, "B")).to_be_visible()
    page.locator("[data-testid=node-A] .react-flow__handle-bottom").drag_to(
        page.locator("[data-testid=node-B] .react-flow__handle-top")
    )
    expect(page.locator('[data-testid="rf__edge-A->B"]')).to_be_attached()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved version")).to_be_visible()
    assert saved_definition(server, page, "e2e-connect")["actions"]["B"]["runAfter"] == {
        "A": ["Succeeded"]
    }
