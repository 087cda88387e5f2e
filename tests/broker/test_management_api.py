"""Management REST API: create, list, inspect (counts, dead letters) and delete."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import set_role
from broker.models import Channel
from broker.services import entities, servicebus, store

pytestmark = [pytest.mark.django_db]
BASE = "/api/v1/broker"


def client_with(role: str) -> APIClient:
    client = APIClient()
    user = get_user_model().objects.create_user(f"user-{role}", password="pw")
    set_role(user, role)
    client.force_authenticate(user)
    return client


@pytest.fixture
def api():
    return client_with("admin")


def test_it_lets_viewers_read_but_not_write_or_see_keys():
    viewer = client_with("viewer")
    assert viewer.get(f"{BASE}/queues").status_code == 200
    assert viewer.post(f"{BASE}/queues", {"name": "q"}, format="json").status_code == 403
    assert viewer.get(f"{BASE}/keys").status_code == 403
    editor = client_with("editor")
    assert editor.post(f"{BASE}/queues", {"name": "q"}, format="json").status_code == 201
    assert editor.get(f"{BASE}/keys").status_code == 403


def test_it_requires_authentication():
    assert APIClient().get(f"{BASE}/queues").status_code in (401, 403)


def test_it_manages_queues_with_counts_and_dead_letters(api):
    created = api.post(
        f"{BASE}/queues",
        {"name": "orders", "maxDeliveryCount": 1, "lockDurationInSeconds": 30},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["maxDeliveryCount"] == 1
    assert api.post(f"{BASE}/queues", {"name": "orders"}, format="json").status_code == 409
    queue = Channel.objects.get(name="orders")
    now = timezone.now()
    servicebus.send(queue, [servicebus.Outgoing(body=b"a"), servicebus.Outgoing(body=b"b")], now)
    got = store.receive(queue, now, 1)
    store.abandon(queue, got[0].lock_token, now)
    counts = api.get(f"{BASE}/queues/orders").json()["counts"]
    assert (counts["active"], counts["deadLettered"]) == (1, 1)
    dead = api.get(f"{BASE}/queues/orders/deadletters").json()["value"]
    assert dead[0]["brokerProperties"]["DeadLetterReason"] == "MaxDeliveryCountExceeded"
    assert api.delete(f"{BASE}/queues/orders").status_code == 204
    assert api.get(f"{BASE}/queues/orders").status_code == 404


def test_it_manages_event_grid_topics_and_subscriptions(api):
    assert (
        api.post(f"{BASE}/eventgrid/topics", {"name": "orders"}, format="json").status_code == 201
    )
    sub = api.post(
        f"{BASE}/eventgrid/topics/orders/subscriptions",
        {
            "name": "s1",
            "filtersConfiguration": {"includedEventTypes": ["A"]},
            "maxDeliveryCount": 5,
        },
        format="json",
    )
    assert sub.status_code == 201
    assert sub.json()["filters"] == {"includedEventTypes": ["A"]}
    bad = api.post(
        f"{BASE}/eventgrid/topics/orders/subscriptions",
        {"name": "s2", "filters": {"filters": [{"operatorType": "Nope", "key": "a"}]}},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "InvalidFilter"
    assert api.get(f"{BASE}/eventgrid/topics").json()["value"][0]["subscriptions"] == ["s1"]
    assert api.get(f"{BASE}/eventgrid/topics/orders/subscriptions/s1/deadletters").json() == {
        "value": []
    }
    assert api.delete(f"{BASE}/eventgrid/topics/orders/subscriptions/s1").status_code == 204
    assert api.delete(f"{BASE}/eventgrid/topics/orders").status_code == 204


def test_it_manages_service_bus_topics_subscriptions_and_rules(api):
    assert api.post(f"{BASE}/topics", {"name": "events"}, format="json").status_code == 201
    assert (
        api.post(f"{BASE}/topics/events/subscriptions", {"name": "red"}, format="json").status_code
        == 201
    )
    assert [
        r["name"] for r in api.get(f"{BASE}/topics/events/subscriptions/red/rules").json()["value"]
    ] == ["$Default"]
    assert (
        api.post(
            f"{BASE}/topics/events/subscriptions/red/rules",
            {"name": "r", "sqlFilter": "color = 'red'"},
            format="json",
        ).status_code
        == 201
    )
    broken = api.post(
        f"{BASE}/topics/events/subscriptions/red/rules",
        {"name": "x", "sqlFilter": "color ="},
        format="json",
    )
    assert broken.json()["error"]["code"] == "InvalidSqlFilter"
    assert api.delete(f"{BASE}/topics/events/subscriptions/red/rules/$Default").status_code == 204
    assert [
        r["name"] for r in api.get(f"{BASE}/topics/events/subscriptions/red").json()["rules"]
    ] == ["r"]
    assert api.post(f"{BASE}/queues", {"name": "events"}, format="json").status_code == 409


def test_it_manages_hubs_and_consumer_groups(api):
    hub = api.post(f"{BASE}/hubs", {"name": "telemetry", "partitionCount": 3}, format="json")
    assert hub.status_code == 201
    assert hub.json()["partitionIds"] == ["0", "1", "2"]
    assert (
        api.post(f"{BASE}/hubs", {"name": "big", "partitionCount": 5000}, format="json").status_code
        == 400
    )
    assert (
        api.post(
            f"{BASE}/hubs/telemetry/consumergroups", {"name": "audit"}, format="json"
        ).status_code
        == 201
    )
    assert [
        g["name"] for g in api.get(f"{BASE}/hubs/telemetry/consumergroups").json()["value"]
    ] == ["$Default", "audit"]
    assert api.delete(f"{BASE}/hubs/telemetry/consumergroups/$Default").status_code == 400
    assert api.delete(f"{BASE}/hubs/telemetry").status_code == 204


def test_it_shows_and_regenerates_keys(api):
    before = api.get(f"{BASE}/keys").json()
    after = api.post(f"{BASE}/keys", {"key": "secondary"}, format="json").json()
    assert after["primaryKey"] == before["primaryKey"]
    assert after["secondaryKey"] != before["secondaryKey"]
    assert api.post(f"{BASE}/keys", {"key": "tertiary"}, format="json").status_code == 400
    assert entities.get_namespace().secondary_key == after["secondaryKey"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("queues", ["not", "an", "object"]),
        ("queues", {"name": "q1", "lockDurationInSeconds": -5}),
        ("queues", {"name": "q1", "maxDeliveryCount": 0}),
        ("queues", {"name": "q1", "requiresSession": "yes"}),
        ("queues", {"name": "q1", "forwardTo": "nowhere"}),
        ("queues", {"name": "bad name!"}),
        ("eventgrid/topics", {"name": "t1", "eventRetentionInDays": -1}),
        ("eventgrid/topics", {"name": 42}),
        ("hubs", {"name": "h1", "retentionHours": "soon"}),
        ("topics", "just a string"),
    ],
)
def test_it_refuses_bad_bodies_with_400(api, path, body):
    response = api.post(f"{BASE}/{path}", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"]


def test_it_does_not_create_namespaces_from_query_strings(api):
    assert api.get(f"{BASE}/queues", {"namespace": "invented"}).status_code == 404
