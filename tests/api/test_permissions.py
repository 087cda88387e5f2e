"""Every endpoint refuses anonymous callers (401) and roles below the one it
needs (403). The table below must cover every operation in the OpenAPI schema
(the broker's management API has its own table in `test_broker_permissions.py`),
so a new endpoint cannot ship without a rule."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db

V, E, A = "viewer", "editor", "admin"
RANK = {V: 1, E: 2, A: 3}

RULES: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/me/"): V,
    ("GET", "/api/v1/connectors/"): V,
    ("POST", "/api/v1/validate/"): V,
    ("POST", "/api/v1/import/"): E,
    ("GET", "/api/v1/workflows/"): V,
    ("POST", "/api/v1/workflows/"): E,
    ("GET", "/api/v1/workflows/{name}/"): V,
    ("PUT", "/api/v1/workflows/{name}/"): E,
    ("PATCH", "/api/v1/workflows/{name}/"): E,
    ("DELETE", "/api/v1/workflows/{name}/"): E,
    ("GET", "/api/v1/workflows/{name}/diff/"): V,
    ("POST", "/api/v1/workflows/{name}/disable/"): E,
    ("POST", "/api/v1/workflows/{name}/enable/"): E,
    ("GET", "/api/v1/workflows/{name}/export/"): V,
    ("POST", "/api/v1/workflows/{name}/regenerate-key/"): A,
    ("POST", "/api/v1/workflows/{name}/rename/"): E,
    ("GET", "/api/v1/workflows/{name}/triggers/{trigger}/callback-url/"): E,
    ("POST", "/api/v1/workflows/{name}/triggers/{trigger}/callback-url/"): E,
    ("GET", "/api/v1/workflows/{name}/triggers/{trigger}/history/"): V,
    ("POST", "/api/v1/workflows/{name}/triggers/{trigger}/run/"): E,
    ("GET", "/api/v1/workflows/{name}/versions/"): V,
    ("GET", "/api/v1/workflows/{name}/versions/{number}/"): V,
    ("POST", "/api/v1/workflows/{name}/versions/{number}/restore/"): E,
    ("GET", "/api/v1/runs/"): V,
    ("GET", "/api/v1/runs/{id}/"): V,
    ("GET", "/api/v1/runs/{id}/actions/{action_path}/{part}/"): V,
    ("GET", "/api/v1/runs/{id}/trigger/{part}/"): V,
    ("POST", "/api/v1/runs/{id}/cancel/"): E,
    ("POST", "/api/v1/runs/{id}/resubmit/"): E,
    ("GET", "/api/v1/tokens/"): V,
    ("POST", "/api/v1/tokens/"): V,
    ("GET", "/api/v1/tokens/{id}/"): V,
    ("DELETE", "/api/v1/tokens/{id}/"): V,
    ("GET", "/api/v1/users/"): A,
    ("POST", "/api/v1/users/"): A,
    ("GET", "/api/v1/users/{username}/"): A,
    ("PUT", "/api/v1/users/{username}/"): A,
    ("PATCH", "/api/v1/users/{username}/"): A,
    ("DELETE", "/api/v1/users/{username}/"): A,
    ("GET", "/api/v1/connections/"): A,
    ("POST", "/api/v1/connections/"): A,
    ("GET", "/api/v1/connections/{name}/"): A,
    ("PUT", "/api/v1/connections/{name}/"): A,
    ("PATCH", "/api/v1/connections/{name}/"): A,
    ("DELETE", "/api/v1/connections/{name}/"): A,
    ("GET", "/api/v1/appsettings/"): A,
    ("POST", "/api/v1/appsettings/"): A,
    ("GET", "/api/v1/appsettings/{name}/"): A,
    ("DELETE", "/api/v1/appsettings/{name}/"): A,
    ("GET", "/api/v1/audit/"): A,
    ("GET", "/api/v1/audit/{id}/"): A,
}

VALUES = {
    "name": "wf",
    "trigger": "manual",
    "number": "1",
    "id": "1",
    "action_path": "Compose",
    "part": "inputs",
    "username": "someone",
}


def concrete(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: VALUES[m.group(1)], template)


CASES = sorted(RULES.items())


def test_it_has_a_rule_for_every_operation_in_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        (method.upper(), path)
        for path, ops in schema["paths"].items()
        for method in ops
        if method in {"get", "post", "put", "patch", "delete"}
        and not path.startswith("/api/v1/broker")
    }
    assert operations == set(RULES)


@pytest.mark.parametrize(("operation", "role"), CASES, ids=[f"{m} {p}" for (m, p), _ in CASES])
def test_it_refuses_anonymous_callers(operation, role):
    method, template = operation
    response = getattr(client_for(None), method.lower())(concrete(template), {}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "Unauthorized"


LOW = [(op, need, have) for op, need in CASES for have in (V, E) if RANK[have] < RANK[need]]


@pytest.mark.parametrize(
    ("operation", "needed", "role"), LOW, ids=[f"{h} {m} {p}" for (m, p), _, h in LOW]
)
def test_it_refuses_roles_below_the_one_needed(operation, needed, role):
    method, template = operation
    response = getattr(client_for(role), method.lower())(concrete(template), {}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "Forbidden"


def test_it_refuses_a_session_less_browser_with_401_not_a_redirect():
    response = client_for(None).get("/api/v1/workflows/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
