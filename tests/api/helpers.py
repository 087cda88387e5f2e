"""Shared test helpers: users with roles and tokens, API clients, definitions."""

from __future__ import annotations

import copy

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from accounts import tokens
from accounts.roles import set_role

HELLO = {
    "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
    "contentVersion": "1.0.0.0",
    "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "POST"}}},
    "actions": {
        "Response": {
            "type": "Response",
            "kind": "Http",
            "inputs": {"statusCode": 200, "body": "@triggerBody()"},
            "runAfter": {},
        }
    },
    "outputs": {},
}

NO_RESPONSE = {
    "$schema": HELLO["$schema"],
    "contentVersion": "1.0.0.0",
    "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {}}},
    "actions": {"Compose": {"type": "Compose", "inputs": "@triggerBody()", "runAfter": {}}},
    "outputs": {},
}


def hello(status_code: int = 200) -> dict:
    doc = copy.deepcopy(HELLO)
    doc["actions"]["Response"]["inputs"]["statusCode"] = status_code
    return doc


def make_user(username: str, role: str):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.test", "pw-" + username
    )
    set_role(user, role)
    return user


def client_for(role: str | None, username: str | None = None) -> APIClient:
    """An API client authenticated with a fresh token of a user with `role`
    (None: anonymous)."""
    client = APIClient()
    if role is None:
        return client
    user = make_user(username or f"user-{role}", role)
    _, token = tokens.issue(user, "test")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.user = user
    client.token = token
    return client


# the client trigger calls go through: `both_doors` switches it
TriggerClient: type[Client] = Client


@pytest.fixture(params=["test-handler", "front-door"])
def both_doors(request, monkeypatch):
    """Run a test twice: trigger calls through Django's test handler (the whole
    middleware chain), then as a server delivers them (`DeployedClient`:
    `config.wsgi`'s `FrontDoor`). Switches `TriggerClient` and the test module's
    own `Client`."""
    from tests.deployed_client import DeployedClient

    chosen = Client if request.param == "test-handler" else DeployedClient
    monkeypatch.setattr(f"{__name__}.TriggerClient", chosen)
    if hasattr(request.module, "Client"):
        monkeypatch.setattr(request.module, "Client", chosen)
    return chosen


def post_trigger(workflow, body: dict, trigger: str = "manual"):
    """POST `body` as JSON to the workflow's signed trigger URL (`TriggerClient`)."""
    from workflows import callback

    url = callback.callback_url(workflow, trigger)
    path = url.split("://", 1)[1].split("/", 1)[1]
    return TriggerClient().post(f"/{path}", body, content_type="application/json")


def until(condition, seconds: float = 20.0):
    """`condition()`'s first truthy value, polled for up to `seconds` (no timing asserted:
    for work another thread of this process does)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.02)
    raise AssertionError("never happened")
