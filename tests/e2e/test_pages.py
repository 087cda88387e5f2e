"""Smaller pages in the browser: version history (diff, restore), the broker
views, the workflow list's enable/disable, and the theme switch."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.server import Server
from tests.e2e.test_performance import api

pytestmark = pytest.mark.e2e


def test_it_diffs_and_restores_versions(page: Page, server: Server) -> None:
    first = {"triggers": {"manual": {"type": "Request", "kind": "Http"}}, "actions": {}}
    second = {
        "triggers": {"manual": {"type": "Request", "kind": "Http"}},
        "actions": {"Hello": {"type": "Compose", "inputs": "hi", "runAfter": {}}},
    }
    api(page, server, "POST", "/api/v1/import/", {"name": "versioned", "definition": first})
    api(page, server, "POST", "/api/v1/import/", {"name": "versioned", "definition": second})
    page.goto(f"{server.url}/#/workflows/versioned")
    expect(page.get_by_test_id("node-Hello")).to_be_visible()
    page.get_by_role("button", name="Version history").click()
    page.get_by_role("button", name="Diff version 1 with current").click()
    expect(page.get_by_test_id("diff")).to_contain_text("/definition/actions/Hello")
    page.get_by_role("button", name="Restore version 1").click()
    expect(page.get_by_role("status").filter(has_text="Restored as version 3")).to_be_visible()
    expect(page.get_by_test_id("node-Hello")).to_have_count(0)


def test_it_lists_broker_queues_and_peeks_at_dead_letters(page: Page, server: Server) -> None:
    api(page, server, "POST", "/api/v1/broker/queues", {"name": "orders"})
    page.goto(f"{server.url}/#/broker")
    page.get_by_role("tab", name="Service Bus queues").click()
    table = page.get_by_role("table", name="Service Bus queues")
    expect(table).to_contain_text("orders")
    table.get_by_role("button", name="Peek dead-letters").click()
    expect(page.get_by_text("orders dead-letters (0)")).to_be_visible()


def test_it_disables_a_workflow_and_switches_theme(page: Page, server: Server) -> None:
    api(page, server, "POST", "/api/v1/import/", {"name": "toggled", "definition": {"actions": {}}})
    page.goto(f"{server.url}/")
    row = page.get_by_test_id("workflow-toggled")
    row.get_by_role("button", name="Disable toggled").click()
    expect(row).to_contain_text("Disabled")
    row.get_by_role("button", name="Enable toggled").click()
    expect(row).to_contain_text("Enabled")
    before = page.evaluate("document.documentElement.dataset.theme")
    page.get_by_role("button", name=re.compile("Switch to")).click()
    after = page.evaluate("document.documentElement.dataset.theme")
    assert {before, after} == {"light", "dark"}
