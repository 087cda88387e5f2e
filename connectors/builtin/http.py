"""HTTP: the `Http` action, the `Http` polling trigger and the `HttpWebhook` trigger.

The action sends one request through `connectors.outbound` (so the
private-address guard and timeouts always apply) and follows Logic Apps'
asynchronous pattern: a `202 Accepted` with a `Location` header is polled with
GET, honouring `Retry-After`, until the answer is not 202; the
`DisableAsyncPattern` operation option turns that off.

Error classification (the engine applies the retry policy to `RetryableError`):
timeouts, connection failures, 408, 429 and 5xx are retryable; other 4xx fail the
action with the response kept as outputs.

Waiting never holds a worker when the engine can park runs
(`ActionContext.supports_pending`): a 202 raises `Pending` with the Location
and deadline, and each resume polls once. Otherwise the action polls in place,
sleeping (bounded by `limit.timeout`, default `SLUICE_HTTP_ASYNC_TIMEOUT`, 1 h).
"""

from __future__ import annotations

import time
from typing import Any, ClassVar
from urllib.parse import urljoin

import httpx
from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field

from connectors import http_wire, outbound
from connectors.base import (
    ActionContext,
    Connector,
    ConnectorError,
    Pending,
    PollResult,
    Trigger,
)
from connectors.registry import register, register_trigger

sleep = time.sleep  # the seam tests and benchmarks may replace
clock = time.monotonic

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")


class HttpRequestInputs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: str = Field(description="GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or TRACE.")
    uri: str = Field(description="Absolute http(s) URL.", max_length=65536)
    headers: dict[str, Any] | None = None
    queries: dict[str, Any] | None = None
    body: Any = Field(
        default=None,
        description="JSON, text, {$content-type,$content} or {$content-type,$formdata}.",
    )
    authentication: dict[str, Any] | None = Field(
        default=None,
        description="{type: Basic|Raw|ClientCertificate|ActiveDirectoryOAuth, …}",
    )
    cookie: str | None = None
    retryPolicy: dict[str, Any] | None = Field(default=None, description="Applied by the engine.")


def build_request(spec: HttpRequestInputs, http: httpx.Client) -> httpx.Request:
    method = spec.method.upper()
    if method not in METHODS:
        raise ConnectorError(f"Unsupported HTTP method '{spec.method}'.", code="InvalidMethod")
    if not spec.uri.lower().startswith(("http://", "https://")):
        raise ConnectorError(
            f"The uri '{spec.uri}' must be an absolute http(s) URL.", code="InvalidUri"
        )
    headers = {k: http_wire.text_value(v) for k, v in (spec.headers or {}).items()}
    content, default_type = http_wire.encode_body(spec.body, headers)
    if default_type and not http_wire.header(headers, "Content-Type"):
        headers["Content-Type"] = default_type
    if spec.cookie:
        headers["Cookie"] = spec.cookie
    headers.update(http_wire.auth_headers(spec.authentication, http))
    params = {k: http_wire.text_value(v) for k, v in (spec.queries or {}).items()}
    try:
        url = httpx.URL(spec.uri).copy_merge_params(params)  # keep the uri's own query too
        return http.build_request(method, url, headers=headers, content=content)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ConnectorError(f"Invalid request to '{spec.uri}': {exc}", code="InvalidUri")


def open_client(spec: HttpRequestInputs, timeout: float | None = None) -> httpx.Client:
    return outbound.client(
        timeout=timeout, client_cert=http_wire.client_cert_of(spec.authentication)
    )


def send(http: httpx.Client, spec: HttpRequestInputs) -> httpx.Response:
    """Send once, mapping transport failures to connector errors."""
    try:
        return http_wire.send_capped(http, build_request(spec, http))
    except httpx.HTTPError as exc:
        raise http_wire.transport_error(exc, spec.uri)


def poll_async(
    http: httpx.Client, first: httpx.Response, spec: HttpRequestInputs, deadline: float
) -> httpx.Response:
    """Follow 202 + Location with GETs until the operation is done."""
    response = first
    while response.status_code == 202 and response.headers.get("location"):
        location = urljoin(str(response.request.url), response.headers["location"])
        wait = http_wire.retry_after(response.headers)
        wait = 1.0 if wait is None else wait
        if clock() + wait > deadline:
            raise ConnectorError(
                f"The asynchronous operation at {location} did not finish in time.",
                code="ActionTimedOut",
                outputs=http_wire.outputs(response),
            )
        sleep(wait)
        headers = http_wire.auth_headers(spec.authentication, http)
        try:
            response = http_wire.send_capped(
                http, http.build_request("GET", location, headers=headers)
            )
        except httpx.HTTPError as exc:
            raise http_wire.transport_error(exc, location)
    return response


def with_workflow_headers(spec: HttpRequestInputs, context: ActionContext) -> HttpRequestInputs:
    """Logic Apps tells the callee who is calling (`x-ms-workflow-*`); the
    `SuppressWorkflowHeaders` operation option turns this off."""
    ours = {
        "x-ms-workflow-name": context.workflow_name,
        "x-ms-workflow-run-id": context.run_id,
        "x-ms-workflow-operation-name": context.action_name,
    }
    given = {k.lower() for k in (spec.headers or {})}
    extra = {k: v for k, v in ours.items() if v and k not in given}
    return spec.model_copy(update={"headers": {**(spec.headers or {}), **extra}}) if extra else spec


@register
class HttpAction(Connector):
    kind = "Http"
    title = "HTTP"
    description = (
        "Call any HTTP endpoint: method, URI, headers, queries, body and authentication; "
        "follows the 202 + Location asynchronous pattern unless DisableAsyncPattern is set."
    )
    Inputs = HttpRequestInputs
    examples: ClassVar[list[dict[str, Any]]] = [
        {"method": "GET", "uri": "https://api.example.com/orders", "queries": {"top": 10}},
        {
            "method": "POST",
            "uri": "https://api.example.com/orders",
            "headers": {"Content-Type": "application/json"},
            "body": {"id": "@triggerBody()?['id']"},
            "authentication": {"type": "Basic", "username": "api", "password": "@parameters('pw')"},
        },
    ]

    def run(self, inputs: HttpRequestInputs, context: ActionContext) -> dict[str, Any]:
        if not context.has_option("SuppressWorkflowHeaders"):
            inputs = with_workflow_headers(inputs, context)
        limit = context.timeout or getattr(settings, "SLUICE_HTTP_ASYNC_TIMEOUT", 3600)
        with open_client(inputs, context.timeout) as http:
            if context.resume_state:
                return self._resume(http, inputs, context.resume_state)
            response = send(http, inputs)
            if response.status_code == 202 and not context.has_option("DisableAsyncPattern"):
                if context.supports_pending and response.headers.get("location"):
                    park(response, time.time() + limit)
                response = poll_async(http, response, inputs, clock() + limit)
            return http_wire.raise_for_status(response)

    @staticmethod
    def _resume(
        http: httpx.Client, spec: HttpRequestInputs, state: dict[str, Any]
    ) -> dict[str, Any]:
        """One poll of a parked asynchronous operation."""
        location = str(state["location"])
        try:
            headers = http_wire.auth_headers(spec.authentication, http)
            response = http_wire.send_capped(
                http, http.build_request("GET", location, headers=headers)
            )
        except httpx.HTTPError as exc:
            raise http_wire.transport_error(exc, location)
        if response.status_code == 202:
            park(response, float(state["deadline"]))
        return http_wire.raise_for_status(response)


def park(response: httpx.Response, deadline: float) -> None:
    """Raise `Pending` for a 202 + Location answer (the engine parks the run)."""
    location = urljoin(str(response.request.url), response.headers.get("location") or "")
    wait = http_wire.retry_after(response.headers)
    wait = 1.0 if wait is None else wait
    if time.time() + wait > deadline:
        raise ConnectorError(
            f"The asynchronous operation at {location} did not finish in time.",
            code="ActionTimedOut",
            outputs=http_wire.outputs(response),
        )
    raise Pending(
        wait, {"location": location, "deadline": deadline}, outputs=http_wire.outputs(response)
    )


class HttpTriggerInputs(HttpRequestInputs):
    pass


@register_trigger
class HttpPollingTrigger(Trigger):
    kind = "Http"
    title = "HTTP (polling)"
    description = (
        "Calls an endpoint on a recurrence: 200 starts a run with the response; "
        "202 or other codes start nothing; Retry-After and Location steer the next poll."
    )
    Inputs = HttpTriggerInputs
    examples: ClassVar[list[dict[str, Any]]] = [
        {"method": "GET", "uri": "https://api.example.com/work"},
    ]

    def poll(
        self, inputs: HttpTriggerInputs, state: dict[str, Any], context: ActionContext
    ) -> PollResult:
        spec = inputs.model_copy(update={"uri": state.get("location") or inputs.uri})
        with open_client(spec, context.timeout) as http:
            response = send(http, spec)
            result = http_wire.raise_for_status(response)
        wait = http_wire.retry_after(response.headers)
        if response.status_code == 200:
            return PollResult(fires=[result], state={}, next_poll_in=wait)
        location = response.headers.get("location") if response.status_code == 202 else None
        new_state = {"location": urljoin(spec.uri, location)} if location else {}
        return PollResult(fires=[], state=new_state, next_poll_in=wait)


class WebhookInputs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subscribe: HttpRequestInputs
    unsubscribe: HttpRequestInputs | None = None


@register_trigger
class HttpWebhookTrigger(Trigger):
    kind = "HttpWebhook"
    title = "HTTP Webhook"
    description = (
        "Subscribes a callback URL (listCallbackUrl()) with the remote service when the "
        "workflow is saved or enabled, and unsubscribes when it is disabled or deleted."
    )
    Inputs = WebhookInputs
    examples: ClassVar[list[dict[str, Any]]] = [
        {
            "subscribe": {
                "method": "POST",
                "uri": "https://hooks.example.com/subscriptions",
                "body": {"callbackUrl": "@{listCallbackUrl()}"},
            },
            "unsubscribe": {"method": "DELETE", "uri": "https://hooks.example.com/subscriptions/1"},
        }
    ]


CALLBACK_FORMS = ("@{listCallbackUrl()}", "@listCallbackUrl()")


def with_callback_url(value: Any, callback_url: str) -> Any:
    """Replace `listCallbackUrl()` references (the only expression a webhook
    definition needs before a run exists) in already-evaluated inputs."""
    if isinstance(value, str):
        if value.strip() == "@listCallbackUrl()":
            return callback_url
        return value.replace("@{listCallbackUrl()}", callback_url)
    if isinstance(value, dict):
        return {k: with_callback_url(v, callback_url) for k, v in value.items()}
    if isinstance(value, list):
        return [with_callback_url(v, callback_url) for v in value]
    return value


def _call(spec: dict[str, Any], callback_url: str, timeout: float | None) -> dict[str, Any]:
    try:
        request = HttpRequestInputs.model_validate(with_callback_url(spec, callback_url))
    except ValueError as exc:
        raise ConnectorError(f"Invalid webhook request: {exc}", code="InvalidWebhook")
    with open_client(request, timeout) as http:
        return http_wire.raise_for_status(send(http, request))


def subscribe_webhook(
    inputs: dict[str, Any], callback_url: str, timeout: float | None = None
) -> dict[str, Any]:
    """Call the `subscribe` request of an HttpWebhook trigger's inputs; returns its
    outputs (keep them: unsubscribe URLs often come from them). Raises
    `ConnectorError`/`RetryableError` on failure."""
    if "subscribe" not in (inputs or {}):
        raise ConnectorError(
            "An HttpWebhook trigger needs inputs.subscribe.", code="InvalidWebhook"
        )
    return _call(inputs["subscribe"], callback_url, timeout)


def unsubscribe_webhook(
    inputs: dict[str, Any], callback_url: str = "", timeout: float | None = None
) -> dict[str, Any] | None:
    """Call the `unsubscribe` request, if the trigger has one."""
    if not (inputs or {}).get("unsubscribe"):
        return None
    return _call(inputs["unsubscribe"], callback_url, timeout)
