"""The monitor in a real browser: a run started with the designer's "Run trigger",
a Foreach's iterations paged through on the canvas, an action's outputs per
iteration, resubmitting the run, and a Switch built through the panel."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.server import Server
from tests.e2e.test_designer import create_workflow, drag, node, saved_definition, type_expression
from tests.e2e.test_performance import api

pytestmark = pytest.mark.e2e

LOOPER = {
    "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {}}},
    "actions": {
        "Loop": {
            "type": "Foreach",
            "foreach": "@triggerBody()?['items']",
            "actions": {"Inner": {"type": "Compose", "inputs": "@items('Loop')", "runAfter": {}}},
            "runAfter": {},
            "runtimeConfiguration": {"concurrency": {"repetitions": 1}},
        }
    },
}


def test_it_runs_from_the_designer_and_pages_through_loop_iterations(
    page: Page, server: Server
) -> None:
    api(page, server, "POST", "/api/v1/import/", {"name": "looper", "definition": LOOPER})
    page.goto(f"{server.url}/#/workflows/looper")
    node(page, "manual").click()
    page.get_by_label("Sample body").fill('{"items": [10, 20, 30]}')
    page.get_by_role("button", name="Run trigger").click()
    page.get_by_role("link", name="Open run").click()

    expect(page.get_by_test_id("run-status")).to_have_text("Succeeded", timeout=20_000)
    expect(page.get_by_test_id("iteration-Loop")).to_have_text("1/3")
    node(page, "Inner").click()
    outputs = page.get_by_test_id("content-outputs")
    expect(outputs).to_contain_text("10")
    page.get_by_role("button", name="Next iteration of Loop").click()
    expect(page.get_by_test_id("iteration-Loop")).to_have_text("2/3")
    expect(outputs).to_contain_text("20")

    first_url = page.url
    page.get_by_role("button", name="Resubmit", exact=True).click()
    expect(page).not_to_have_url(first_url)
    expect(page.get_by_test_id("run-status")).to_have_text("Succeeded", timeout=20_000)

    page.goto(f"{server.url}/#/workflows/looper/runs")
    expect(page.locator("tr[data-testid^=run-]")).to_have_count(2)
    page.get_by_role("tab", name="Trigger history").click()
    history = page.get_by_role("table", name="Trigger history")
    expect(history.locator("tbody tr").first).to_contain_text("manual")


def test_it_builds_a_switch_with_cases_in_the_panel(page: Page, server: Server) -> None:
    create_workflow(page, server, "e2e-switch")
    drag(page, "Request", "[data-testid=canvas]")
    drag(page, "Switch", "[data-testid=node-manual]")
    expect(node(page, "Switch")).to_be_visible()
    page.get_by_role("button", name="Add case").click()
    page.get_by_label("Name of case Case_2").fill("Big")
    page.get_by_label("Name of case Case_2").blur()
    expect(page.get_by_test_id("lane-Switch-Big")).to_be_visible()
    type_expression(page, "field-expression", "@conc")
    expect(page.locator(".cm-tooltip-autocomplete")).to_contain_text("concat(text_1: string")
    page.keyboard.press("Escape")
    type_expression(page, "field-expression", "@triggerBody()?['size']")
    page.get_by_label("Equals (Case)").click()
    page.keyboard.type("small")
    page.get_by_label("Equals (Big)").click()
    page.keyboard.type("big")
    drag(page, "Compose", "[data-testid=lane-Switch-Big]")
    expect(node(page, "Compose")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text=re.compile("Saved version"))).to_be_visible()
    assert switch_cases(server, page) == {"Case": "small", "Big": "big"}
    switch = saved_definition(server, page, "e2e-switch")["actions"]["Switch"]
    assert switch["expression"] == "@triggerBody()?['size']"
    assert list(switch["cases"]["Big"]["actions"]) == ["Compose"]


def switch_cases(server: Server, page: Page) -> dict:
    cases = saved_definition(server, page, "e2e-switch")["actions"]["Switch"]["cases"]
    return {name: c["case"] for name, c in cases.items()}


def test_it_cancels_a_waiting_run_and_hides_secured_outputs(page: Page, server: Server) -> None:
    waiting = {
        "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {}}},
        "actions": {
            "Secret": {
                "type": "Compose",
                "inputs": "hunter2",
                "runAfter": {},
                "runtimeConfiguration": {"secureData": {"properties": ["inputs", "outputs"]}},
            },
            "Nap": {
                "type": "Wait",
                "inputs": {"interval": {"count": 1, "unit": "Hour"}},
                "runAfter": {"Secret": ["Succeeded"]},
            },
        },
    }
    api(page, server, "POST", "/api/v1/import/", {"name": "sleepy", "definition": waiting})
    run = api(page, server, "POST", "/api/v1/workflows/sleepy/triggers/manual/run/", {"body": {}})
    page.goto(f"{server.url}/#/runs/{run['id']}")
    expect(page.get_by_test_id("status-Secret")).to_contain_text("Succeeded", timeout=20_000)
    node(page, "Secret").click()
    outputs = page.get_by_test_id("content-outputs")
    expect(outputs).to_contain_text("Content not shown due to security configuration.")
    expect(page.get_by_test_id("run-panel")).not_to_contain_text("hunter2")

    expect(page.get_by_test_id("run-status")).to_have_text(re.compile("Running|Waiting"))
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_test_id("run-status")).to_have_text("Cancelled", timeout=20_000)

    page.goto(f"{server.url}/#/workflows/sleepy/runs")
    expect(page.locator("tr[data-testid^=run-]")).to_have_count(1)
    page.get_by_label("Filter by status").select_option("Succeeded")
    expect(page.locator("tr[data-testid^=run-]")).to_have_count(0)
    page.get_by_label("Filter by status").select_option("Cancelled")
    expect(page.locator("tr[data-testid^=run-]")).to_have_count(1)
