"""The Http action against a real local HTTP(S) server."""

from __future__ import annotations

import base64
import time
from urllib.parse import parse_qs

import pytest

from connectors import http_wire, registry
from connectors.base import ActionContext, ConnectorError, RetryableError
from connectors.builtin import http as http_module
from tests.connectors.servers import HttpServer, server_tls_context, tls_material


def run(inputs: dict, **context) -> dict:
    cls = registry.get("Http")
    return cls().run(cls.Inputs.model_validate(inputs), ActionContext(**context))


def echo(request):
    return (
        200,
        {},
        {
            "method": request.method,
            "query": request.query,
            "headers": request.headers,
            "body": base64.b64encode(request.body).decode(),
        },
    )


def test_it_sends_method_headers_queries_and_json_body(http_server):
    http_server.routes["/echo"] = echo
    out = run(
        {
            "method": "post",
            "uri": http_server.url + "/echo",
            "headers": {"X-Trace": "abc"},
            "queries": {"top": 10, "q": "a b"},
            "body": {"id": 7, "tags": ["x"]},
        }
    )
    assert out["statusCode"] == 200
    body = out["body"]
    assert body["method"] == "POST"
    assert body["query"] == {"top": ["10"], "q": ["a b"]}
    assert body["headers"]["x-trace"] == "abc"
    assert body["headers"]["content-type"] == "application/json"
    assert base64.b64decode(body["body"]) == b'{"id":7,"tags":["x"]}'
    assert out["headers"]["Content-Type"] == "application/json"


def test_it_sends_text_as_text(http_server):
    http_server.routes["/echo"] = echo
    body = run({"method": "PUT", "uri": http_server.url + "/echo", "body": "héllo"})["body"]
    assert base64.b64decode(body["body"]).decode() == "héllo"
    assert body["headers"]["content-type"].startswith("text/plain")


def test_it_sends_a_form_body(http_server):
    http_server.routes["/echo"] = echo
    body = run(
        {
            "method": "POST",
            "uri": http_server.url + "/echo",
            "body": {
                "$content-type": "application/x-www-form-urlencoded",
                "$formdata": [{"key": "name", "value": "Ada L"}, {"key": "n", "value": 3}],
            },
        }
    )["body"]
    assert body["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(base64.b64decode(body["body"]).decode()) == {"name": ["Ada L"], "n": ["3"]}


def test_it_sends_a_dict_as_form_when_the_content_type_says_so(http_server):
    http_server.routes["/echo"] = echo
    body = run(
        {
            "method": "POST",
            "uri": http_server.url + "/echo",
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "body": {"a": "1", "b": True},
        }
    )["body"]
    assert parse_qs(base64.b64decode(body["body"]).decode()) == {"a": ["1"], "b": ["true"]}


def test_it_sends_and_receives_binary_bodies(http_server):
    payload = bytes(range(256))
    http_server.routes["/bin"] = lambda r: (200, {"Content-Type": "image/png"}, r.body)
    out = run(
        {
            "method": "POST",
            "uri": http_server.url + "/bin",
            "body": {"$content-type": "image/png", "$content": base64.b64encode(payload).decode()},
        }
    )
    assert http_server.log[0].headers["content-type"] == "image/png"
    assert http_server.log[0].body == payload
    assert out["body"] == {
        "$content-type": "image/png",
        "$content": base64.b64encode(payload).decode(),
    }


def test_it_keeps_text_responses_as_text(http_server):
    http_server.routes["/t"] = lambda r: (200, {"Content-Type": "text/csv"}, "a,b\n1,2")
    assert run({"method": "GET", "uri": http_server.url + "/t"})["body"] == "a,b\n1,2"


def test_it_polls_the_async_pattern_honouring_retry_after(http_server, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(http_module, "sleep", waits.append)
    polls = {"n": 0}

    def status(request):
        polls["n"] += 1
        if polls["n"] < 3:
            return 202, {"Location": "/status", "Retry-After": "4"}, b""
        return 200, {}, {"done": True}

    http_server.routes["/start"] = lambda r: (202, {"Location": "/status", "Retry-After": "2"}, b"")
    http_server.routes["/status"] = status
    out = run({"method": "POST", "uri": http_server.url + "/start", "body": {}})
    assert out["statusCode"] == 200 and out["body"] == {"done": True}
    assert waits == [2.0, 4.0, 4.0]
    assert [r.method for r in http_server.log] == ["POST", "GET", "GET", "GET"]


def test_it_stops_at_202_when_the_async_pattern_is_disabled(http_server):
    http_server.routes["/start"] = lambda r: (202, {"Location": "/status"}, b"")
    out = run(
        {"method": "POST", "uri": http_server.url + "/start"},
        operation_options="DisableAsyncPattern",
    )
    assert out["statusCode"] == 202
    assert out["headers"]["Location"] == "/status"
    assert len(http_server.log) == 1


def test_it_gives_up_polling_at_the_action_timeout(http_server, monkeypatch):
    monkeypatch.setattr(http_module, "sleep", lambda s: None)
    http_server.routes["/start"] = lambda r: (202, {"Location": "/start", "Retry-After": "50"}, b"")
    with pytest.raises(ConnectorError) as info:
        run({"method": "GET", "uri": http_server.url + "/start"}, timeout=10)
    assert info.value.code == "ActionTimedOut"


def test_it_makes_429_retryable_with_retry_after(http_server):
    http_server.routes["/busy"] = lambda r: (429, {"Retry-After": "7"}, {"error": "slow down"})
    with pytest.raises(RetryableError) as info:
        run({"method": "GET", "uri": http_server.url + "/busy"})
    assert info.value.status_code == 429
    assert info.value.retry_after == 7.0
    assert info.value.code == "TooManyRequests"
    assert info.value.outputs["body"] == {"error": "slow down"}


@pytest.mark.parametrize("status", [408, 500, 502, 503])
def test_it_makes_408_and_5xx_retryable(http_server, status):
    http_server.routes["/boom"] = lambda r: (status, {}, "nope")
    with pytest.raises(RetryableError) as info:
        run({"method": "GET", "uri": http_server.url + "/boom"})
    assert info.value.status_code == status
    assert info.value.outputs["statusCode"] == status


def test_it_fails_4xx_without_retry_keeping_the_response(http_server):
    http_server.routes["/missing"] = lambda r: (404, {}, {"error": "no such order"})
    with pytest.raises(ConnectorError) as info:
        run({"method": "GET", "uri": http_server.url + "/missing"})
    assert not isinstance(info.value, RetryableError)
    assert info.value.code == "NotFound"
    assert info.value.outputs["body"] == {"error": "no such order"}


def test_it_times_out_slow_responses_as_retryable(http_server):
    def slow(request):
        time.sleep(1.5)
        return 200, {}, "late"

    http_server.routes["/slow"] = slow
    with pytest.raises(RetryableError) as info:
        run({"method": "GET", "uri": http_server.url + "/slow"}, timeout=0.2)
    assert info.value.code == "RequestTimeout"


def test_it_makes_connection_failures_retryable():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RetryableError) as info:
        run({"method": "GET", "uri": f"http://127.0.0.1:{port}/"})
    assert info.value.code == "ConnectionFailed"


def test_it_sends_basic_and_raw_authentication(http_server):
    expected = "Basic " + base64.b64encode(b"ada:s3cret").decode()
    http_server.routes["/basic"] = lambda r: (
        (200, {}, "ok") if r.headers.get("authorization") == expected else (401, {}, "no")
    )
    auth = {"type": "Basic", "username": "ada", "password": "s3cret"}
    assert (
        run({"method": "GET", "uri": http_server.url + "/basic", "authentication": auth})["body"]
        == "ok"
    )
    with pytest.raises(ConnectorError) as info:
        run(
            {
                "method": "GET",
                "uri": http_server.url + "/basic",
                "authentication": {**auth, "password": "wrong"},
            }
        )
    assert info.value.status_code == 401
    http_server.routes["/raw"] = lambda r: (200, {}, r.headers.get("authorization", ""))
    raw = {"type": "Raw", "value": "SharedKey abc"}
    assert (
        run({"method": "GET", "uri": http_server.url + "/raw", "authentication": raw})["body"]
        == "SharedKey abc"
    )


def test_it_gets_an_oauth_client_credentials_token(http_server):
    http_wire._token_cache.clear()

    def token(request):
        form = parse_qs(request.body.decode())
        if form.get("client_secret") != ["pssst"]:
            return 401, {}, {"error": "invalid_client"}
        assert form["grant_type"] == ["client_credentials"] and form["resource"] == ["api://orders"]
        return 200, {}, {"access_token": "tok-123", "token_type": "Bearer", "expires_in": "3600"}

    http_server.routes["/tenant-1/oauth2/token"] = token
    http_server.routes["/api"] = lambda r: (200, {}, r.headers.get("authorization", ""))
    auth = {
        "type": "ActiveDirectoryOAuth",
        "authority": http_server.url,
        "tenant": "tenant-1",
        "audience": "api://orders",
        "clientId": "app",
        "secret": "pssst",
    }
    assert (
        run({"method": "GET", "uri": http_server.url + "/api", "authentication": auth})["body"]
        == "Bearer tok-123"
    )
    run({"method": "GET", "uri": http_server.url + "/api", "authentication": auth})
    assert [r.path for r in http_server.log].count("/tenant-1/oauth2/token") == 1  # cached
    with pytest.raises(ConnectorError) as info:
        run(
            {
                "method": "GET",
                "uri": http_server.url + "/api",
                "authentication": {**auth, "clientId": "other", "secret": "bad"},
            }
        )
    assert info.value.code == "OAuthTokenFailed"


@pytest.fixture
def mtls(tmp_path, settings):
    material = tls_material(tmp_path)
    settings.SLUICE_HTTP_CA_FILE = str(material.ca_file)
    server = HttpServer(ssl_context=server_tls_context(material, require_client_cert=True))
    server.routes["/who"] = lambda r: (200, {}, dict(x[0] for x in r.client_cert["subject"]))
    server.start()
    yield server, material
    server.stop()


def test_it_presents_a_pem_client_certificate(mtls):
    server, material = mtls
    auth = {"type": "ClientCertificate", "pem": material.client_pem}
    out = run({"method": "GET", "uri": server.url + "/who", "authentication": auth})
    assert out["body"] == {"commonName": "sluice-client"}


def test_it_presents_a_pfx_client_certificate(mtls):
    server, material = mtls
    auth = {
        "type": "ClientCertificate",
        "pfx": material.client_pfx_b64,
        "password": material.client_pfx_password,
    }
    out = run({"method": "GET", "uri": server.url + "/who", "authentication": auth})
    assert out["body"] == {"commonName": "sluice-client"}


def test_it_fails_tls_without_the_client_certificate(mtls):
    server, _ = mtls
    with pytest.raises(ConnectorError):
        run({"method": "GET", "uri": server.url + "/who"})


def test_it_rejects_a_wrong_pfx_password_clearly(mtls):
    server, material = mtls
    auth = {"type": "ClientCertificate", "pfx": material.client_pfx_b64, "password": "nope"}
    with pytest.raises(ConnectorError) as info:
        run({"method": "GET", "uri": server.url + "/who", "authentication": auth})
    assert info.value.code == "InvalidAuthentication"


def test_it_rejects_bad_input_clearly():
    with pytest.raises(ConnectorError) as info:
        run({"method": "FETCH", "uri": "http://127.0.0.1/"})
    assert info.value.code == "InvalidMethod"
    with pytest.raises(ConnectorError) as info:
        run({"method": "GET", "uri": "ftp://127.0.0.1/"})
    assert info.value.code == "InvalidUri"
    with pytest.raises(ConnectorError) as info:
        run({"method": "GET", "uri": "http://127.0.0.1/", "authentication": {"type": "Kerberos"}})
    assert info.value.code == "InvalidAuthentication"


def test_it_sends_workflow_headers_unless_suppressed(http_server):
    http_server.routes["/h"] = lambda r: (
        200,
        {},
        {k: v for k, v in r.headers.items() if k.startswith("x-ms-")},
    )
    context = {"workflow_name": "orders", "run_id": "08585", "action_name": "Call_api"}
    out = run({"method": "GET", "uri": http_server.url + "/h"}, **context)
    assert out["body"] == {
        "x-ms-workflow-name": "orders",
        "x-ms-workflow-run-id": "08585",
        "x-ms-workflow-operation-name": "Call_api",
    }
    out = run(
        {"method": "GET", "uri": http_server.url + "/h"},
        operation_options="SuppressWorkflowHeaders",
        **context,
    )
    assert out["body"] == {}


def test_it_parks_the_async_pattern_when_the_engine_can(http_server):
    from connectors.base import Pending

    polls = {"n": 0}

    def status(request):
        polls["n"] += 1
        return (
            (202, {"Location": "/status", "Retry-After": "9"}, b"")
            if polls["n"] < 2
            else (200, {}, {"ok": 1})
        )

    http_server.routes["/start"] = lambda r: (202, {"Location": "/status", "Retry-After": "3"}, b"")
    http_server.routes["/status"] = status
    spec = {"method": "POST", "uri": http_server.url + "/start"}
    with pytest.raises(Pending) as first:
        run(spec, supports_pending=True)
    assert first.value.wait_seconds == 3.0
    assert first.value.state["location"] == http_server.url + "/status"
    with pytest.raises(Pending) as second:
        run(spec, supports_pending=True, resume_state=first.value.state)
    assert second.value.wait_seconds == 9.0
    out = run(spec, supports_pending=True, resume_state=second.value.state)
    assert out["body"] == {"ok": 1}
    assert [r.method for r in http_server.log] == ["POST", "GET", "GET"]
    expired = {**second.value.state, "deadline": 0}
    polls["n"] = 0
    with pytest.raises(ConnectorError) as info:
        run(spec, supports_pending=True, resume_state=expired)
    assert info.value.code == "ActionTimedOut"


def test_it_refuses_responses_over_the_size_limit(http_server, settings):
    settings.SLUICE_HTTP_MAX_RESPONSE_BYTES = 1024 * 1024
    http_server.routes["/big"] = lambda r: (
        200,
        {"Content-Type": "application/octet-stream"},
        b"x" * (2 * 1024 * 1024),
    )
    with pytest.raises(ConnectorError) as info:
        run({"method": "GET", "uri": http_server.url + "/big"})
    assert info.value.code == "ResponseTooLarge" and not isinstance(info.value, RetryableError)
    http_server.routes["/ok"] = lambda r: (200, {"Content-Type": "text/plain"}, "x" * 1000)
    assert len(run({"method": "GET", "uri": http_server.url + "/ok"})["body"]) == 1000


def test_it_decodes_gzip_responses(http_server):
    import gzip

    http_server.routes["/gz"] = lambda r: (
        200,
        {"Content-Type": "application/json", "Content-Encoding": "gzip"},
        gzip.compress(b'{"zipped": true}'),
    )
    out = run({"method": "GET", "uri": http_server.url + "/gz"})
    assert out["body"] == {"zipped": True} and "Content-Encoding" not in out["headers"]


def test_it_merges_queries_with_the_uri_query(http_server):
    http_server.routes["/echo"] = echo
    body = run({"method": "GET", "uri": http_server.url + "/echo?keep=1", "queries": {"top": 2}})[
        "body"
    ]
    assert body["query"] == {"keep": ["1"], "top": ["2"]}


def test_it_explains_incomplete_oauth_settings():
    with pytest.raises(ConnectorError) as info:
        run(
            {
                "method": "GET",
                "uri": "http://127.0.0.1:9/",
                "authentication": {
                    "type": "ActiveDirectoryOAuth",
                    "tenant": "t",
                    "audience": "a",
                    "clientId": "c",
                    "pfx": "...",
                },
            }
        )
    assert info.value.code == "InvalidAuthentication" and "secret" in info.value.message
