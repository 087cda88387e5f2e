"""Property-based conformance: schemathesis generates requests from the OpenAPI
schema for every operation of the REST API (the broker's own are left to its
tests) and checks there is no 5xx and every documented response matches its
schema. Bounded: a few examples per operation, no deadline, no example database."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts import tokens
from tests.api.helpers import client_for, hello, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_connection(monkeypatch):
    """schemathesis calls the WSGI application itself, whose request signals would
    close the test's database connection (open in the test's transaction) at the
    first request; Django's test client keeps it open the same way, by unhooking
    `close_old_connections` around each request."""
    from django.db import connection

    monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)


EXAMPLES = 8
OWNED = ("/api/v1/",)


def _operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(OWNED) and not operation.path.startswith("/api/v1/broker"):
            yield operation


def _check(operation, admin) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        _, token = tokens.issue(admin, "schemathesis")  # a DELETE may have revoked the last one
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    run()


def _example_run() -> None:
    """A run with the id used in the schema's examples, so the explicit phase
    validates real run pages, not only 404s."""
    from workflows.api.schema_docs import EXAMPLE_RUN_ID
    from workflows.models import ActionRun, Run, Workflow

    wf = Workflow.objects.get(name="hello")
    run = Run.objects.create(
        id=EXAMPLE_RUN_ID,
        workflow=wf,
        version=wf.current_version,
        status="Succeeded",
        trigger_name="manual",
        trigger={"name": "manual", "outputs": {"headers": {}, "body": {"name": "Ada"}}},
        response={"statusCode": 200, "headers": {}, "body": "Hello Ada"},
    )
    ActionRun.objects.create(run=run, path="Scope", name="Scope", type="Scope", status="Succeeded")
    ActionRun.objects.create(
        run=run,
        path="Scope/Compose",
        name="Compose",
        parent_path="Scope",
        type="Compose",
        status="Succeeded",
        inputs="x",
        outputs="x",
    )


def test_it_conforms_to_its_openapi_schema():
    admin_client = client_for("admin", "schema-admin")
    for name in ("wf", "hello"):
        admin_client.post("/api/v1/workflows", {"name": name, "definition": hello()}, format="json")
    make_user("someone", "viewer")
    _example_run()
    _, token = tokens.issue(admin_client.user, "loader")
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json",
        get_wsgi_application(),
        headers={"Authorization": f"Bearer {token}"},
    )
    operations = list(_operations(schema))
    assert len(operations) >= 50
    failures = []
    for operation in operations:
        try:
            _check(operation, admin_client.user)
        except Exception as exc:  # collect every failing operation, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_it_documents_every_operation_with_a_description_and_an_example():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    undocumented = [
        f"{method.upper()} {path}"
        for path, ops in schema["paths"].items()
        if path.startswith(OWNED) and not path.startswith("/api/v1/broker")
        for method, op in ops.items()
        if method in {"get", "post", "put", "patch", "delete"}
        and (not op.get("description") or "example" not in str(op))
    ]
    assert undocumented == []
