"""HttpWebhook triggers: the scheduler subscribes on save/enable, resubscribes on a
new version, unsubscribes on disable or removal — against a real local server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors import ticks
from connectors.models import TriggerState
from tests.connectors.conftest import make_workflow
from workflows.models import Workflow

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def webhook(url: str, note: str = "v1") -> dict:
    return {
        "Hook": {
            "type": "HttpWebhook",
            "inputs": {
                "subscribe": {
                    "method": "POST",
                    "uri": url + "/subscriptions",
                    "body": {"callback": "@{listCallbackUrl()}", "note": note},
                },
                "unsubscribe": {"method": "DELETE", "uri": url + "/subscriptions/" + note},
            },
        }
    }


@pytest.fixture
def hooks(http_server):
    http_server.routes["/subscriptions"] = lambda r: (201, {}, {"id": r.json()["note"]})
    http_server.routes["/subscriptions/v1"] = lambda r: (200, {}, b"")
    http_server.routes["/subscriptions/v2"] = lambda r: (200, {}, b"")
    return http_server


def calls(server) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in server.log]


def test_it_subscribes_once_with_the_signed_callback_url(hooks):
    wf = make_workflow("hooked", webhook(hooks.url))
    ticks.tick(T0)
    ticks.tick(T0 + timedelta(seconds=1))
    assert calls(hooks) == [("POST", "/subscriptions")]
    callback = hooks.log[0].json()["callback"]
    assert (
        callback.startswith("http")
        and "/api/hooked/triggers/Hook/invoke" in callback
        and "sig=" in callback
    )
    state = TriggerState.objects.get(workflow=wf).state["subscription"]
    assert state["outputs"]["body"] == {"id": "v1"}


def test_it_resubscribes_on_a_new_version_and_unsubscribes_on_disable(hooks):
    wf = make_workflow("hooked", webhook(hooks.url))
    ticks.tick(T0)
    make_workflow("hooked", webhook(hooks.url, note="v2"))
    ticks.tick(T0 + timedelta(seconds=1))
    assert calls(hooks) == [
        ("POST", "/subscriptions"),
        ("DELETE", "/subscriptions/v1"),
        ("POST", "/subscriptions"),
    ]
    Workflow.objects.filter(pk=wf.pk).update(state="Disabled")
    ticks.tick(T0 + timedelta(seconds=2))
    ticks.tick(T0 + timedelta(seconds=3))
    assert calls(hooks)[-1] == ("DELETE", "/subscriptions/v2") and len(hooks.log) == 4, calls(hooks)
    Workflow.objects.filter(pk=wf.pk).update(state="Enabled")
    ticks.tick(T0 + timedelta(seconds=4))
    assert calls(hooks)[-1] == ("POST", "/subscriptions") and len(hooks.log) == 5


def test_it_unsubscribes_when_the_trigger_is_removed(hooks):
    make_workflow("hooked", webhook(hooks.url))
    ticks.tick(T0)
    make_workflow(
        "hooked",
        {
            "R": {
                "type": "Recurrence",
                "recurrence": {
                    "frequency": "Day",
                    "interval": 1,
                    "startTime": "2027-01-01T00:00:00Z",
                },
            }
        },
    )
    ticks.tick(T0 + timedelta(seconds=1))
    assert calls(hooks) == [("POST", "/subscriptions"), ("DELETE", "/subscriptions/v1")]


def test_it_records_a_failed_subscription_and_retries(hooks):
    hooks.routes["/subscriptions"] = lambda r: (503, {}, "busy")
    wf = make_workflow("hooked", webhook(hooks.url))
    ticks.tick(T0)
    history = wf.trigger_history.get()
    assert history.status == "Failed" and "Subscribe failed" in history.error["message"]
    assert TriggerState.objects.get(workflow=wf).next_fire_at == T0 + timedelta(minutes=1)
    hooks.routes["/subscriptions"] = lambda r: (201, {}, {"id": "v1"})
    ticks.tick(T0 + timedelta(minutes=1))
    assert (
        TriggerState.objects.get(workflow=wf).state["subscription"]["outputs"]["statusCode"] == 201
    )


def test_it_unsubscribes_before_a_workflow_is_deleted(hooks):
    from connectors.triggers import end_subscriptions

    wf = make_workflow("hooked", webhook(hooks.url))
    ticks.tick(T0)
    end_subscriptions(wf)
    wf.delete()
    ticks.tick(T0 + timedelta(seconds=1))
    assert calls(hooks) == [("POST", "/subscriptions"), ("DELETE", "/subscriptions/v1")]
