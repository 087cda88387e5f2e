"""The broker's management API (`/api/v1/broker/…`) under the one permission layer:
anonymous callers get 401, roles below the one needed get 403, and the role named
here may do the operation. Viewers read, editors create and delete entities, only
admins see or rotate the namespace keys. The table must cover every broker
operation in the OpenAPI schema, so a new one cannot ship without a rule.

(The data planes — `/topics/…:publish`, `/{entity}/messages…` — authenticate by
namespace keys and SAS tokens instead: `tests/broker/`.)
"""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from broker.services import entities
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db

V, E, A = "viewer", "editor", "admin"
RANK = {V: 1, E: 2, A: 3}
B = "/api/v1/broker"

RULES: dict[tuple[str, str], str] = {
    ("GET", f"{B}/"): V,
    ("GET", f"{B}/keys"): A,
    ("POST", f"{B}/keys"): A,
    ("GET", f"{B}/eventgrid/topics"): V,
    ("POST", f"{B}/eventgrid/topics"): E,
    ("GET", f"{B}/eventgrid/topics/{{topic}}"): V,
    ("DELETE", f"{B}/eventgrid/topics/{{topic}}"): E,
    ("GET", f"{B}/eventgrid/topics/{{topic}}/subscriptions"): V,
    ("POST", f"{B}/eventgrid/topics/{{topic}}/subscriptions"): E,
    ("GET", f"{B}/eventgrid/topics/{{topic}}/subscriptions/{{sub}}"): V,
    ("DELETE", f"{B}/eventgrid/topics/{{topic}}/subscriptions/{{sub}}"): E,
    ("GET", f"{B}/eventgrid/topics/{{topic}}/subscriptions/{{sub}}/deadletters"): V,
    ("GET", f"{B}/queues"): V,
    ("POST", f"{B}/queues"): E,
    ("GET", f"{B}/queues/{{queue}}"): V,
    ("DELETE", f"{B}/queues/{{queue}}"): E,
    ("GET", f"{B}/queues/{{queue}}/deadletters"): V,
    ("GET", f"{B}/topics"): V,
    ("POST", f"{B}/topics"): E,
    ("GET", f"{B}/topics/{{topic}}"): V,
    ("DELETE", f"{B}/topics/{{topic}}"): E,
    ("GET", f"{B}/topics/{{topic}}/subscriptions"): V,
    ("POST", f"{B}/topics/{{topic}}/subscriptions"): E,
    ("GET", f"{B}/topics/{{topic}}/subscriptions/{{sub}}"): V,
    ("DELETE", f"{B}/topics/{{topic}}/subscriptions/{{sub}}"): E,
    ("GET", f"{B}/topics/{{topic}}/subscriptions/{{sub}}/deadletters"): V,
    ("GET", f"{B}/topics/{{topic}}/subscriptions/{{sub}}/rules"): V,
    ("POST", f"{B}/topics/{{topic}}/subscriptions/{{sub}}/rules"): E,
    ("DELETE", f"{B}/topics/{{topic}}/subscriptions/{{sub}}/rules/{{rule}}"): E,
    ("GET", f"{B}/hubs"): V,
    ("POST", f"{B}/hubs"): E,
    ("GET", f"{B}/hubs/{{hub}}"): V,
    ("DELETE", f"{B}/hubs/{{hub}}"): E,
    ("GET", f"{B}/hubs/{{hub}}/consumergroups"): V,
    ("POST", f"{B}/hubs/{{hub}}/consumergroups"): E,
    ("GET", f"{B}/hubs/{{hub}}/consumergroups/{{group}}"): V,
    ("DELETE", f"{B}/hubs/{{hub}}/consumergroups/{{group}}"): E,
}

# entities that `existing` creates, so that every path names something real
VALUES = {"topic": "t", "sub": "s", "queue": "q", "rule": "r", "hub": "h", "group": "g"}
# a valid body for each POST: the allowed role's request must succeed
BODIES = {
    f"{B}/keys": {"key": "secondary"},
    f"{B}/eventgrid/topics/{{topic}}/subscriptions": {"name": "new"},
    f"{B}/topics/{{topic}}/subscriptions": {"name": "new"},
    f"{B}/topics/{{topic}}/subscriptions/{{sub}}/rules": {"name": "new", "sqlFilter": "1=1"},
    f"{B}/hubs": {"name": "new", "partitionCount": 2},
}


def concrete(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: VALUES[m.group(1)], template)


def body_for(template: str) -> dict:
    return BODIES.get(template, {"name": "new"})


@pytest.fixture
def existing():
    ns = entities.get_namespace()
    eg_topic = entities.create_eg_topic(ns, "t")
    entities.create_event_subscription(eg_topic, "s")
    entities.create_queue(ns, "q")
    sb_topic = entities.create_sb_topic(ns, "t")
    entities.create_rule(entities.create_sb_subscription(sb_topic, "s"), "r", "1=1")
    entities.create_consumer_group(entities.create_hub(ns, "h", 2), "g")


CASES = sorted(RULES.items())
IDS = [f"{m} {p}" for (m, p), _ in CASES]


def call(client, operation: tuple[str, str]):
    method, template = operation
    return getattr(client, method.lower())(concrete(template), body_for(template), format="json")


def test_it_has_a_rule_for_every_broker_operation_in_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        (method.upper(), path)
        for path, ops in schema["paths"].items()
        for method in ops
        if method in {"get", "post", "put", "patch", "delete"} and path.startswith(B)
    }
    assert operations == set(RULES)


@pytest.mark.parametrize(("operation", "role"), CASES, ids=IDS)
def test_it_refuses_anonymous_callers(existing, operation, role):
    response = call(client_for(None), operation)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "Unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")


LOW = [(op, need, have) for op, need in CASES for have in (V, E) if RANK[have] < RANK[need]]


@pytest.mark.parametrize(
    ("operation", "needed", "role"), LOW, ids=[f"{h} {m} {p}" for (m, p), _, h in LOW]
)
def test_it_refuses_roles_below_the_one_needed(existing, operation, needed, role):
    response = call(client_for(role), operation)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "Forbidden"


@pytest.mark.parametrize(("operation", "role"), CASES, ids=IDS)
def test_it_lets_the_role_needed_do_it(existing, operation, role):
    response = call(client_for(role), operation)
    assert 200 <= response.status_code < 300, response.content[:300]


def test_it_leaves_everything_in_place_when_a_viewer_tries_to_delete():
    viewer = client_for(V)
    ns = entities.get_namespace()
    entities.create_queue(ns, "q")
    assert viewer.delete(f"{B}/queues/q").status_code == 403
    assert client_for(A, "admin-reader").get(f"{B}/queues/q").status_code == 200


def test_it_keeps_the_keys_when_an_editor_tries_to_rotate_them():
    before = entities.get_namespace().secondary_key
    editor = client_for(E)
    assert editor.post(f"{B}/keys", {"key": "secondary"}, format="json").status_code == 403
    assert entities.get_namespace().secondary_key == before
