"""config/asgi.py: async views through Django's ASGI handler, the rest through
Django's WSGI handler on a thread pool."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from config import asgi


@pytest.mark.parametrize(
    ("path", "is_async"),
    [
        ("/topics/orders/eventsubscriptions/sub1:receive", True),  # Event Grid pull receive
        ("/orders/messages/head", True),  # Service Bus receive
        ("/hub/consumergroups/$Default/partitions/0/messages", True),  # Event Hubs read
        ("/healthz", False),
        ("/api/v1/runs", False),
        ("/api/greet/triggers/manual/invoke", False),
        ("/no/such/path/at/all/" + "x" * 40, False),
    ],
)
def test_it_routes_by_the_kind_of_view(path: str, is_async: bool) -> None:
    assert asgi.is_async_view(path) is is_async


@pytest.mark.django_db(transaction=True)
def test_both_handlers_answer_through_the_one_application() -> None:
    async def scenario() -> tuple[int, int]:
        transport = httpx.ASGITransport(app=asgi.application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            # a long poll with a bad key fails fast; a valid one would wait — either
            # way it goes through the ASGI handler, and /healthz through WSGI
            poll = asyncio.create_task(client.post("/topics/t1/eventsubscriptions/s1:receive"))
            health = await client.get("/healthz")
            return health.status_code, (await poll).status_code

    health, poll = asyncio.run(scenario())
    assert health == 200
    assert poll in {400, 401, 404}  # refused by the broker's own checks, not a crash


def test_what_the_server_loaded_at_startup_is_kept_out_of_the_collectors_scans() -> None:
    import subprocess
    import sys

    # a fresh interpreter: importing the ASGI module is what a uvicorn process does
    code = (
        "import gc, config.asgi; print(gc.get_freeze_count(), gc.isenabled(), *gc.get_threshold())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    frozen, enabled, *threshold = done.stdout.strip().splitlines()[-1].split()
    assert int(frozen) > 10_000  # Django, the apps and their modules
    assert enabled == "True"  # what requests allocate is still collected
    assert threshold == ["10000", "10", "10"]  # young collections less often (SLUICE_WEB_GC_GEN0)


def test_the_young_generation_threshold_is_a_setting() -> None:
    import os
    import subprocess
    import sys

    code = "import gc, config.asgi; print(gc.get_threshold()[0])"
    env = {**os.environ, "SLUICE_WEB_GC_GEN0": "700"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.strip().splitlines()[-1] == "700"
    env["SLUICE_WEB_GC_GEN0"] = "lots"
    bad = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert bad.returncode != 0
    assert "SLUICE_WEB_GC_GEN0 must be a whole number" in bad.stderr
