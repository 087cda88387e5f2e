"""Fixtures for browser tests: one real server per session and a logged-in page
in Debian's Chromium (Playwright never downloads a browser here)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.e2e.server import Server, start_server

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    path = os.environ.get("SLUICE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        pytest.fail(
            "Chromium is missing: `apt-get install -y chromium` (CI's .ci/run installs it)."
        )
    return path


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    try:
        srv = start_server()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield srv
    srv.stop()
    shutil.rmtree(srv.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # CI machines can be busy: give every assertion the same patience as actions.
    expect.set_options(timeout=15_000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server: Server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    # Signed in as the admin through a session made by the server's own Django.
    context.add_cookies([{"name": "sessionid", "value": server.session_key, "url": server.url}])
    pg = context.new_page()
    pg.goto(f"{server.url}/")
    yield pg
    context.close()
