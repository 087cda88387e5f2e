"""Opening big things in the browser: a 200-action definition in the designer and a
run with about 5 MB of outputs in the monitor. The times are printed, never
asserted (see bench/ for figures); the tests assert that the pages show what they
should, and that large outputs stay behind their content links until asked for."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.server import Server

pytestmark = pytest.mark.e2e

LOOP_ACTIONS = 9  # each Compose outputs range(0, 100000): ~590 KB of JSON


def api(page: Page, server: Server, method: str, path: str, body: dict | None = None) -> dict:
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    headers = {"X-CSRFToken": cookies.get("csrftoken", "")}
    res = httpx.request(
        method, f"{server.url}{path}", json=body, cookies=cookies, headers=headers, timeout=120
    )
    assert res.status_code < 400, res.text
    return res.json()


def big_definition(count: int) -> dict:
    """A chain of `count` actions; every tenth is a Condition with one action per branch."""
    actions: dict = {}
    previous = None
    made = 0
    while made < count:
        name = f"Step_{made}"
        run_after = {previous: ["Succeeded"]} if previous else {}
        if made % 10 == 9 and made + 3 <= count:
            actions[name] = {
                "type": "If",
                "expression": {"and": [{"equals": [f"@outputs('{previous}')", 1]}]},
                "actions": {f"{name}_yes": {"type": "Compose", "inputs": 1, "runAfter": {}}},
                "else": {
                    "actions": {f"{name}_no": {"type": "Compose", "inputs": 2, "runAfter": {}}}
                },
                "runAfter": run_after,
            }
            made += 3
        else:
            actions[name] = {"type": "Compose", "inputs": f"value {made}", "runAfter": run_after}
            made += 1
        previous = name
    return {
        "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
        "contentVersion": "1.0.0.0",
        "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {}}},
        "actions": actions,
        "outputs": {},
    }


def heavy_definition() -> dict:
    actions: dict = {}
    previous = None
    for i in range(1, LOOP_ACTIONS + 1):
        actions[f"Big_{i}"] = {
            "type": "Compose",
            "inputs": "@range(0, 100000)",
            "runAfter": {previous: ["Succeeded"]} if previous else {},
        }
        previous = f"Big_{i}"
    return {
        "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {}}},
        "actions": actions,
    }


def open_and_time(page: Page, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    page.goto(url)
    marker = page.get_by_test_id("open-ms")
    expect(marker).to_be_visible(timeout=30_000)
    wall = (time.perf_counter() - started) * 1000
    return wall, int(marker.get_attribute("data-ms") or "0")


def test_it_opens_a_200_action_definition(page: Page, server: Server, capsys) -> None:
    definition = big_definition(200)
    api(page, server, "POST", "/api/v1/import/", {"name": "big-200", "definition": definition})
    wall, app_ms = open_and_time(page, f"{server.url}/#/workflows/big-200")
    expect(page.get_by_test_id("node-Step_0")).to_be_attached()
    layout_ms = page.get_by_test_id("open-ms").get_attribute("data-layout-ms")
    with capsys.disabled():
        print(
            f"\n[e2e figures] open a 200-action definition: {app_ms} ms in the app "
            f"(fetch + map + elk layout + paint; layout alone {layout_ms} ms), "
            f"{wall:.0f} ms including page load"
        )


def test_it_opens_a_run_with_5_mb_of_outputs(page: Page, server: Server, capsys) -> None:
    api(
        page, server, "POST", "/api/v1/import/", {"name": "heavy", "definition": heavy_definition()}
    )
    url = api(page, server, "POST", "/api/v1/workflows/heavy/triggers/manual/callback-url/")[
        "value"
    ]
    assert httpx.post(url, json={}, timeout=120).status_code in (200, 202)
    runs = api(page, server, "GET", "/api/v1/runs/?workflow=heavy")["results"]
    run_id = runs[0]["id"]
    deadline = time.monotonic() + 60
    while runs[0]["status"] not in ("Succeeded", "Failed") and time.monotonic() < deadline:
        time.sleep(0.5)
        runs = api(page, server, "GET", "/api/v1/runs/?workflow=heavy")["results"]
    assert runs[0]["status"] == "Succeeded"

    started = time.perf_counter()
    detail = api(page, server, "GET", f"/api/v1/runs/{run_id}/")
    api_ms = (time.perf_counter() - started) * 1000
    total = sum(a["outputs_link"]["content_size"] for a in detail["actions"])
    assert total > 5_000_000

    wall, app_ms = open_and_time(page, f"{server.url}/#/runs/{run_id}")
    expect(page.get_by_test_id("status-Big_9")).to_contain_text("Succeeded")
    page.get_by_test_id("node-Big_3").click()
    panel = page.get_by_test_id("content-outputs")
    panel.get_by_role("button", name="Show outputs").click()
    expect(panel.locator("pre")).to_contain_text("12345")
    with capsys.disabled():
        print(
            f"\n[e2e figures] open a run with {total / 1e6:.1f} MB of outputs: {app_ms} ms in the app, "
            f"{wall:.0f} ms including page load; of which GET /api/v1/runs/{{id}}/ alone {api_ms:.0f} ms "
            "(outputs load lazily per action)"
        )
