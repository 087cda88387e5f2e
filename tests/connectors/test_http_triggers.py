"""The Http polling trigger and HttpWebhook subscribe/unsubscribe, against a real server."""

from __future__ import annotations

import pytest

from connectors import registry
from connectors.base import ActionContext, ConnectorError, RetryableError
from connectors.builtin.http import subscribe_webhook, unsubscribe_webhook


def poll(inputs: dict, state: dict | None = None):
    cls = registry.get_trigger("Http")
    return cls().poll(cls.Inputs.model_validate(inputs), state or {}, ActionContext())


def test_it_fires_on_200_with_the_response_as_outputs(http_server):
    http_server.routes["/work"] = lambda r: (200, {"Retry-After": "30"}, {"job": 1})
    result = poll({"method": "GET", "uri": http_server.url + "/work"})
    assert len(result.fires) == 1
    assert result.fires[0]["body"] == {"job": 1} and result.fires[0]["statusCode"] == 200
    assert result.next_poll_in == 30.0


def test_it_does_not_fire_on_202_and_follows_location_next_time(http_server):
    http_server.routes["/work"] = lambda r: (202, {"Location": "/later", "Retry-After": "12"}, b"")
    http_server.routes["/later"] = lambda r: (200, {}, {"job": 2})
    first = poll({"method": "GET", "uri": http_server.url + "/work"})
    assert first.fires == [] and first.next_poll_in == 12.0
    assert first.state == {"location": http_server.url + "/later"}
    second = poll({"method": "GET", "uri": http_server.url + "/work"}, first.state)
    assert second.fires[0]["body"] == {"job": 2}
    assert second.state == {}
    assert [r.path for r in http_server.log] == ["/work", "/later"]


def test_it_does_not_fire_on_other_success_codes(http_server):
    http_server.routes["/work"] = lambda r: (204, {}, b"")
    assert poll({"method": "GET", "uri": http_server.url + "/work"}).fires == []


def test_it_raises_on_errors_so_the_history_says_failed(http_server):
    http_server.routes["/work"] = lambda r: (503, {}, "down")
    with pytest.raises(RetryableError):
        poll({"method": "GET", "uri": http_server.url + "/work"})
    http_server.routes["/work"] = lambda r: (403, {}, "no")
    with pytest.raises(ConnectorError):
        poll({"method": "GET", "uri": http_server.url + "/work"})


def test_it_subscribes_with_the_callback_url_and_unsubscribes(http_server):
    http_server.routes["/subscriptions"] = lambda r: (201, {}, {"id": "sub-1", "got": r.json()})
    http_server.routes["/subscriptions/sub-1"] = lambda r: (200, {}, b"")
    inputs = {
        "subscribe": {
            "method": "POST",
            "uri": http_server.url + "/subscriptions",
            "body": {"callbackUrl": "@{listCallbackUrl()}", "note": "url=@{listCallbackUrl()}"},
        },
        "unsubscribe": {"method": "DELETE", "uri": http_server.url + "/subscriptions/sub-1"},
    }
    callback = "http://127.0.0.1:8000/api/wf/triggers/hook/invoke?sig=abc"
    out = subscribe_webhook(inputs, callback)
    assert out["statusCode"] == 201
    assert out["body"]["got"] == {"callbackUrl": callback, "note": "url=" + callback}
    assert unsubscribe_webhook(inputs, callback)["statusCode"] == 200
    assert [(r.method, r.path) for r in http_server.log] == [
        ("POST", "/subscriptions"),
        ("DELETE", "/subscriptions/sub-1"),
    ]


def test_it_reports_webhook_problems_clearly(http_server):
    with pytest.raises(ConnectorError) as info:
        subscribe_webhook({}, "http://x")
    assert info.value.code == "InvalidWebhook"
    assert unsubscribe_webhook({"subscribe": {}}, "http://x") is None
    http_server.routes["/subscriptions"] = lambda r: (400, {}, {"error": "bad"})
    with pytest.raises(ConnectorError) as info:
        subscribe_webhook(
            {"subscribe": {"method": "POST", "uri": http_server.url + "/subscriptions"}}, "u"
        )
    assert info.value.status_code == 400
