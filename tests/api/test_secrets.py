"""A secret stored in a connection or app setting never appears in any API
response, run record or log line, even when a run really uses it (an HTTP call
to a local server that echoes it back)."""

from __future__ import annotations

import io
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts import logfilter
from accounts.models import AppSetting, Connection
from tests.api.helpers import client_for
from workflows import callback
from workflows.models import ActionRun, Run, Workflow

pytestmark = pytest.mark.django_db(transaction=True)

CONNECTION_SECRET = "conn-pa55-Zq9xK2vLm"
SETTING_SECRET = "api-key-Hf83Jd02Ksla"


class Echo(BaseHTTPRequestHandler):
    received: list[str] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Echo.received.append(self.headers.get("X-Api-Key", ""))
        payload = json.dumps({"headers": dict(self.headers), "body": body.decode()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def echo_url():
    server = HTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/echo"
    server.shutdown()
    server.server_close()


@pytest.fixture
def log_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        logging.Formatter("%(name)s %(message)s %(workflow)s", defaults={"workflow": ""})
    )
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logfilter.install()
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def _definition(url: str) -> dict:
    return {
        "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "POST"}}},
        "actions": {
            "Call": {
                "type": "Http",
                "inputs": {
                    "method": "POST",
                    "uri": url,
                    "headers": {"X-Api-Key": "@appsetting('API_KEY')"},
                    "body": {"key": "@appsetting('API_KEY')"},
                },
                "runAfter": {},
            },
            "Response": {
                "type": "Response",
                "kind": "Http",
                "inputs": {"statusCode": 200, "body": "@body('Call')"},
                "runAfter": {"Call": ["Succeeded"]},
            },
        },
        "outputs": {},
    }


def _raw_rows() -> str:
    with connection.cursor() as cursor:
        dumped = []
        for table in (
            "workflows_run",
            "workflows_actionrun",
            "workflows_triggerhistory",
            "accounts_connection",
            "accounts_appsetting",
            "accounts_auditentry",
        ):
            cursor.execute(f"SELECT * FROM {table}")
            dumped.append(repr(cursor.fetchall()))
    return "\n".join(dumped)


def _every_get(client: APIClient, run_ids: list[str]) -> list[str]:
    urls = [
        "/api/v1/runs",
        "/api/v1/connections",
        "/api/v1/connections/creds",
        "/api/v1/appsettings",
        "/api/v1/audit",
        "/api/v1/workflows/leaky",
        "/api/v1/workflows/leaky/triggers/manual/history",
    ]
    for run_id in run_ids:
        urls += [
            f"/api/v1/runs/{run_id}",
            f"/api/v1/runs/{run_id}/trigger/inputs",
            f"/api/v1/runs/{run_id}/trigger/outputs",
        ]
        for path in ActionRun.objects.filter(run_id=run_id).values_list("path", flat=True):
            urls += [
                f"/api/v1/runs/{run_id}/actions/{path}/inputs",
                f"/api/v1/runs/{run_id}/actions/{path}/outputs",
            ]
    bodies = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.content.decode())
    return bodies


def test_it_never_shows_a_stored_secret(echo_url, log_lines):
    admin = client_for("admin")
    created = admin.post(
        "/api/v1/connections",
        {
            "name": "creds",
            "type": "http",
            "parameters": {"host": "127.0.0.1", "username": "u", "password": CONNECTION_SECRET},
        },
        format="json",
    )
    assert created.status_code == 201
    assert (
        admin.post(
            "/api/v1/appsettings", {"name": "API_KEY", "value": SETTING_SECRET}, format="json"
        ).status_code
        == 201
    )
    assert (
        admin.post(
            "/api/v1/workflows",
            {"name": "leaky", "definition": _definition(echo_url)},
            format="json",
        ).status_code
        == 201
    )

    wf = Workflow.objects.get(name="leaky")
    parts = callback.callback_url(wf, "manual").split("/api/", 1)[1]
    answer = APIClient().post(f"/api/{parts}", {"hello": SETTING_SECRET}, format="json")
    assert answer.status_code == 200
    assert Echo.received == [SETTING_SECRET]  # the call really carried it…
    assert answer.json()["headers"]["X-Api-Key"] == "********"
    run = Run.objects.get()
    assert run.status == "Succeeded"

    # …a run record written the engine's way (bulk_create) is scrubbed as well
    ActionRun.objects.bulk_create(
        [
            ActionRun(
                run=run,
                path="Extra",
                name="Extra",
                type="Compose",
                status="Succeeded",
                inputs={"password": CONNECTION_SECRET},
                outputs=f"x{CONNECTION_SECRET}x",
            )
        ]
    )
    logging.getLogger("sluice.test").warning(
        "connecting with %s and %s", CONNECTION_SECRET, SETTING_SECRET
    )

    texts = [
        *_every_get(admin, [run.id]),
        _raw_rows(),
        log_lines.getvalue(),
        answer.content.decode(),
    ]
    for text in texts:
        assert CONNECTION_SECRET not in text
        assert SETTING_SECRET not in text
    assert "********" in log_lines.getvalue()


def test_it_keeps_secrets_encrypted_at_rest_and_masked_on_read():
    admin = client_for("admin")
    admin.post(
        "/api/v1/connections",
        {
            "name": "sftp",
            "type": "sftp",
            "parameters": {"host": "127.0.0.1", "privateKey": CONNECTION_SECRET},
        },
        format="json",
    )
    stored = Connection.objects.get(name="sftp").encrypted_parameters
    assert CONNECTION_SECRET not in stored
    shown = admin.get("/api/v1/connections/sftp").json()["parameters"]
    assert shown == {"host": "127.0.0.1", "privateKey": "********"}


def test_it_keeps_a_secret_when_the_mask_is_written_back():
    from accounts.connections import parameters_of, resolve_for_run

    admin = client_for("admin")
    admin.post(
        "/api/v1/connections",
        {"name": "ftp", "type": "ftp", "parameters": {"host": "a", "password": CONNECTION_SECRET}},
        format="json",
    )
    admin.patch(
        "/api/v1/connections/ftp",
        {"parameters": {"host": "b", "password": "********"}},
        format="json",
    )
    assert parameters_of(Connection.objects.get(name="ftp")) == {
        "host": "b",
        "password": CONNECTION_SECRET,
    }
    AppSetting.objects.all().delete()
    admin.post("/api/v1/appsettings", {"name": "TOKEN", "value": SETTING_SECRET}, format="json")
    definition = {
        "actions": {
            "A": {
                "type": "Compose",
                "inputs": "@{parameters('$connections')['ftp']['host']} @{appsetting('TOKEN')}",
            }
        }
    }
    connections, settings = resolve_for_run(definition)
    assert connections["ftp"]["password"] == CONNECTION_SECRET
    assert connections["ftp"]["connectionName"] == "ftp"
    assert settings == {"TOKEN": SETTING_SECRET}
    assert resolve_for_run({"actions": {}}) == ({}, {})
