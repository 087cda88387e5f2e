"""Signed callback URLs and the Request-trigger HTTP endpoint.

URL shape (Logic Apps Standard):
    /api/{workflow}/triggers/{trigger}/invoke[/{relativePath}]
        ?api-version=2022-05-01&sp=%2Ftriggers%2F{trigger}%2Frun&sv=1.0&sig=…

`sig` = base64url (no padding) of HMAC-SHA256, keyed with the workflow's
`signing_key`, over "{path}\n{sp}\n{sv}" where path excludes the relative path.
Comparison is constant-time. A wrong or missing signature is a 401 before
anything is recorded: no run, no trigger history. Regenerating the key
invalidates every URL issued before.

The 202 `Location` of asynchronous calls is a *signed poll URL*
`/api/{workflow}/runs/{runId}?sp=%2Fruns%2F{runId}%2Fread&sv=1.0&sig=…` (same key),
so a caller holding the trigger URL needs no API token to collect the result: it
answers 202 (+ `Retry-After`) while the run has no response, then the Response
action's answer, or the run's status when the workflow has no Response action.
Token-authenticated clients can use `/api/v1/runs/{id}` instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from functools import lru_cache
from urllib.parse import quote, urlencode

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from workflows import rows
from workflows.api import engine
from workflows.api.errors import error_body
from workflows.api.trigger_request import (
    Answer,
    TriggerRequestError,
    check_method,
    header,
    http_response,
    match_relative_path,
    options_of,
    request_body,
    request_headers,
    request_query,
    response_mode,
    validate_body,
)
from workflows.models import Kind, Run, Workflow
from workflows.statuses import TERMINAL

API_VERSION = "2022-05-01"
SAS_VERSION = "1.0"


@lru_cache(maxsize=4096)  # pure; a trigger URL is signed and checked again and again
def _sign(key: str, path: str, sp: str, sv: str) -> str:
    mac = hmac.new(key.encode(), f"{path}\n{sp}\n{sv}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def invoke_path(workflow: str, trigger: str) -> str:
    return f"/api/{workflow}/triggers/{trigger}/invoke"


def trigger_permission(trigger: str) -> str:
    return f"/triggers/{trigger}/run"


def trigger_signature(key: str, workflow: str, trigger: str) -> str:
    return _sign(key, invoke_path(workflow, trigger), trigger_permission(trigger), SAS_VERSION)


def verify_trigger(key: str, workflow: str, trigger: str, query) -> bool:
    """Constant-time check of `sig` (and of `sp`/`sv`) in a request's query."""
    sp, sv, sig = query.get("sp", ""), query.get("sv", ""), query.get("sig", "")
    if sp != trigger_permission(trigger) or sv != SAS_VERSION or not sig:
        return False
    expected = trigger_signature(key, workflow, trigger)
    return hmac.compare_digest(expected.encode(), str(sig).encode())


def _base() -> str:
    return str(getattr(settings, "SLUICE_PUBLIC_URL", "http://127.0.0.1:8000")).rstrip("/")


def callback_url(workflow, trigger: str, relative_path: str = "") -> str:
    """The full signed URL for `trigger` of `workflow` (a Workflow)."""
    path = f"/api/{quote(workflow.name)}/triggers/{quote(trigger, safe='')}/invoke"
    if relative_path:
        path += "/" + relative_path.lstrip("/")
    query = {
        "api-version": API_VERSION,
        "sp": trigger_permission(trigger),
        "sv": SAS_VERSION,
        "sig": trigger_signature(workflow.signing_key, workflow.name, trigger),
    }
    return f"{_base()}{path}?{urlencode(query)}"


def callback_info(workflow, trigger: str) -> dict:
    """`listCallbackUrl`-like details for the API."""
    definition = workflow.definition or {}
    inputs = ((definition.get("triggers") or {}).get(trigger) or {}).get("inputs") or {}
    relative = str(inputs.get("relativePath") or "")
    return {
        "value": callback_url(workflow, trigger, relative),
        "method": str(inputs.get("method") or "").upper(),
        "base_path": f"{_base()}/api/{quote(workflow.name)}/triggers/{quote(trigger, safe='')}/invoke",
        "relative_path": relative,
        "queries": {
            "api-version": API_VERSION,
            "sp": trigger_permission(trigger),
            "sv": SAS_VERSION,
            "sig": trigger_signature(workflow.signing_key, workflow.name, trigger),
        },
    }


# --- run poll URLs ------------------------------------------------------------------


def run_permission(run_id: str) -> str:
    return f"/runs/{run_id}/read"


def run_poll_signature(key: str, workflow: str, run_id: str) -> str:
    return _sign(key, f"/api/{workflow}/runs/{run_id}", run_permission(run_id), SAS_VERSION)


def verify_run_poll(key: str, workflow: str, run_id: str, query) -> bool:
    sp, sv, sig = query.get("sp", ""), query.get("sv", ""), query.get("sig", "")
    if sp != run_permission(run_id) or sv != SAS_VERSION or not sig:
        return False
    expected = run_poll_signature(key, workflow, run_id)
    return hmac.compare_digest(expected.encode(), str(sig).encode())


def run_poll_url(workflow, run_id: str) -> str:
    query = {
        "api-version": API_VERSION,
        "sp": run_permission(run_id),
        "sv": SAS_VERSION,
        "sig": run_poll_signature(workflow.signing_key, workflow.name, run_id),
    }
    return f"{_base()}/api/{quote(workflow.name)}/runs/{run_id}?{urlencode(query)}"


# --- the endpoint -------------------------------------------------------------------

log = logging.getLogger("sluice.callback")


def _unauthorized() -> JsonResponse:
    body = error_body("DirectApiAuthorizationRequired", "The signature is missing or invalid.")
    return JsonResponse(body, status=401)


_workflows: dict[str, tuple[float, Workflow | None]] = {}


def _load(workflow_name: str) -> Workflow | None:
    """The workflow a trigger URL names, remembered for `SLUICE_WORKFLOW_CACHE_SECONDS`
    (default 1) per process: reading it on every request cost more than the rest of
    a stateless run (and on SQLite each read after another thread's write refills
    the reading connection's page cache). A workflow saved, enabled, disabled or
    deleted in this process is forgotten at once (`forget_workflows`, on the models'
    signals); a change made by another process applies within that time. The
    instance is shared by concurrent requests: read it, never change it."""
    now = time.monotonic()
    cached = _workflows.get(workflow_name)
    if cached is not None and now - cached[0] < settings.SLUICE_WORKFLOW_CACHE_SECONDS:
        return cached[1]
    workflow = rows.workflow_by_name(workflow_name)
    if len(_workflows) > 10_000:
        _workflows.clear()
    _workflows[workflow_name] = (now, workflow)
    return workflow


def forget_workflows(**_) -> None:
    _workflows.clear()


@csrf_exempt
def invoke(request, workflow: str, trigger: str, relative_path: str = ""):
    """The Request-trigger endpoint as a Django view."""
    return _django(respond(request, workflow, trigger, relative_path))


def _django(response: HttpResponse | Answer) -> HttpResponse:
    return response.django() if isinstance(response, Answer) else response


def respond(request, workflow: str, trigger: str, relative_path: str = "") -> HttpResponse | Answer:
    """The endpoint's answer: an `Answer` for a Response action's, else an
    HttpResponse (the trigger front door sends either)."""
    wf = _load(workflow)
    if wf is None or not verify_trigger(wf.signing_key, wf.name, trigger, request_query(request)):
        return _unauthorized()
    try:
        return _invoke(request, wf, trigger, relative_path)
    except TriggerRequestError as exc:
        return exc.response()


_SIGNATURE_QUERY = frozenset({"api-version", "sp", "sv", "sig"})
CALLABLE_TRIGGERS = {"Request", "HttpWebhook", "ApiConnectionWebhook"}


def _trigger_definition(wf: Workflow, trigger: str) -> dict:
    """The trigger, if it can be called: Request, or a webhook trigger whose
    `listCallbackUrl()` a remote service posts to."""
    node = ((wf.definition or {}).get("triggers") or {}).get(trigger)
    if not isinstance(node, dict) or node.get("type") not in CALLABLE_TRIGGERS:
        raise TriggerRequestError(404, "TriggerNotFound", f"No callable trigger named '{trigger}'.")
    return node


def _trigger_outputs(request, node: dict, relative_path: str) -> dict:
    inputs = (node.get("inputs") or {}) if node.get("type") == "Request" else {}
    check_method(inputs, request.method)
    template = str(inputs.get("relativePath") or "")
    params = match_relative_path(template, relative_path) if (template or relative_path) else {}
    options = options_of(node)
    body = request_body(request)
    if "enableschemavalidation" in options:
        validate_body(inputs.get("schema"), body)
    queries = {k: v for k, v in request_query(request).items() if k not in _SIGNATURE_QUERY}
    return {
        "headers": request_headers(request, "includeauthorizationheadersinoutputs" in options),
        "body": body,
        "queries": queries,
        "relativePathParameters": params,
    }


def _invoke(request, wf: Workflow, trigger: str, relative_path: str):
    if wf.state != Workflow.State.ENABLED:
        raise TriggerRequestError(409, "WorkflowNotEnabled", f"Workflow '{wf.name}' is disabled.")
    node = _trigger_definition(wf, trigger)
    outputs = _trigger_outputs(request, node, relative_path)
    tracking = header(request, "x-ms-client-tracking-id")[:200]
    suppress = "suppressworkflowheadersonresponse" in options_of(node)
    if wf.current_version.kind == Kind.STATELESS:
        return _invoke_inline(wf, trigger, outputs, tracking, suppress)
    from workflows.tasks import new_owner, run_turn_here, watch

    mode = response_mode(wf.definition, node)
    # A caller waiting for a Response: drive the run here rather than through the broker
    owner = new_owner() if mode == "sync" and _drive_here() else ""
    try:  # atomic itself
        runs = engine.call(
            "create_runs", wf, trigger, outputs, client_tracking_id=tracking, lease_owner=owner
        )
    except engine.queue_full_error():
        raise TriggerRequestError(
            429, "WorkflowRunQueueFull", "Too many waiting runs; retry later."
        )
    if not runs:  # the trigger's conditions were not met: no run
        return JsonResponse({"id": None, "status": "Skipped"}, status=202)
    log.info("request trigger fired", extra={"workflow": wf.name, "run": runs[0].id})
    if owner and runs[0].lease_owner == owner:
        watch(runs[0].id)
        run_turn_here(runs[0], owner)
    return _answer(wf, runs[0], mode, suppress)


def _drive_here() -> bool:
    """Eager mode (tests, `sluice run`) already runs the run on dispatch."""
    from workflows.tasks import inline_turn_seconds

    return not settings.CELERY_TASK_ALWAYS_EAGER and inline_turn_seconds() > 0


def _answer(wf: Workflow, run: Run, mode: str, suppress: bool):
    if mode in {"none", "async"}:
        return _accepted(wf, run, suppress)
    timeout = float(getattr(settings, "SLUICE_RESPONSE_TIMEOUT", 120))
    response = engine.call("wait_for_response", run.id, timeout)
    if response is not None:
        return _with_headers(http_response(response), run, suppress)
    run.refresh_from_db(fields=["status", "error", "response"])
    if run.response:
        return _with_headers(http_response(run.response), run, suppress)
    if run.status in TERMINAL:
        body = error_body(
            "NoResponse",
            f"The workflow run ended with status {run.status} without sending a response.",
        )
        return _with_headers(JsonResponse(body, status=502), run, suppress)
    body = error_body("ResponseTimeout", f"No response within {timeout:g} s; the run goes on.")
    return _with_headers(JsonResponse(body, status=504), run, suppress)


def _accepted(wf: Workflow, run: Run, suppress: bool) -> HttpResponse:
    response = JsonResponse({"id": run.id, "status": run.status}, status=202)
    response["Location"] = run_poll_url(wf, run.id)
    response["Retry-After"] = "1"
    return _with_headers(response, run, suppress)


def _with_headers(response: HttpResponse | Answer, run, suppress: bool):
    if suppress:
        return response
    run_id = getattr(run, "id", "") or ""
    values = {
        "x-ms-workflow-run-id": run_id,
        "x-ms-correlation-id": getattr(run, "correlation_id", "") or run_id,
        "x-ms-client-tracking-id": getattr(run, "client_tracking_id", "") or run_id,
        "x-ms-trigger-history-name": run_id,
    }
    if isinstance(response, Answer):
        response.set_all(values)
    else:
        for name, value in values.items():
            response[name] = value
    return response


def _invoke_inline(wf: Workflow, trigger: str, outputs: dict, tracking: str, suppress: bool):
    try:
        result = engine.call(
            "run_inline",
            wf,
            trigger,
            outputs,
            client_tracking_id=tracking,
            defer_write=not settings.CELERY_TASK_ALWAYS_EAGER,  # see workflows/writebehind.py
        )
    except engine.queue_full_error():
        raise TriggerRequestError(
            429, "WorkflowRunQueueFull", "Too many waiting runs; retry later."
        )
    response = _field(result, "response")
    if response:
        return _with_headers(http_response(response), result, suppress)
    body = {"id": _field(result, "id"), "status": _field(result, "status")}
    return _with_headers(JsonResponse(body, status=202), result, suppress)


def _field(result, name: str):
    if isinstance(result, dict):
        return result.get(name)
    return getattr(result, name, None)


@csrf_exempt
def poll_run(request, workflow: str, run_id: str):
    """The signed `Location` of an asynchronous call (see module docstring)."""
    wf = _load(workflow)
    if wf is None or not verify_run_poll(wf.signing_key, wf.name, run_id, request.GET):
        return _unauthorized()
    run = Run.objects.filter(pk=run_id, workflow=wf).first()
    if run is None:
        return JsonResponse(error_body("RunNotFound", "No such run."), status=404)
    if run.response:
        return _with_headers(http_response(run.response), run, False).django()
    if run.status not in TERMINAL:
        return _accepted(wf, run, False)
    body = {"id": run.id, "status": run.status, "error": run.error, "outputs": run.outputs}
    return _with_headers(JsonResponse(body, status=200), run, False)
