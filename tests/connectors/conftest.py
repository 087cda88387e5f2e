"""Fixtures for connector tests: real servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.connectors.servers import HttpServer


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    server = HttpServer().start()
    yield server
    server.stop()
