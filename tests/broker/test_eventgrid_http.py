"""Event Grid data plane edge cases over raw HTTP, and push delivery to a real
webhook server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.broker.conftest import wait_for

pytestmark = pytest.mark.integration
API = {"api-version": "2024-06-01"}


@pytest.fixture
def eg(broker_server):
    return httpx.Client(
        base_url=broker_server.url,
        headers={"Authorization": f"SharedAccessKey {broker_server.key}"},
        params=API,
        timeout=30,
    )


@pytest.fixture
def topic(broker_server, unique):
    name = unique("eg")
    broker_server.broker("topic", "create", name)
    broker_server.broker("subscription", "create", name, "sub1")
    return name


def receive(eg, topic, n=10, wait=0):
    r = eg.post(
        f"/topics/{topic}/eventsubscriptions/sub1:receive",
        params={**API, "maxEvents": n, "maxWaitTime": wait},
    )
    assert r.status_code == 200, r.text
    return r.json()["value"]


def event(**extra):
    return {"id": "1", "source": "/s", "type": "t", "specversion": "1.0", **extra}


def test_it_accepts_a_structured_single_event(eg, topic):
    r = eg.post(
        f"/topics/{topic}:publish",
        content=json.dumps(event(data={"a": 1})),
        headers={"Content-Type": "application/cloudevents+json; charset=utf-8"},
    )
    assert (r.status_code, r.json()) == (200, {})
    assert receive(eg, topic)[0]["event"]["data"] == {"a": 1}


def test_it_accepts_binary_mode(eg, topic):
    headers = {
        "ce-id": "b1",
        "ce-source": "/bin",
        "ce-type": "t.bin",
        "ce-specversion": "1.0",
        "ce-subject": "a%20b",
        "Content-Type": "application/octet-stream",
    }
    assert (
        eg.post(f"/topics/{topic}:publish", content=b"\x00\xff", headers=headers).status_code == 200
    )
    got = receive(eg, topic)[0]["event"]
    assert got["data_base64"] == "AP8="
    assert got["subject"] == "a b"
    assert got["datacontenttype"] == "application/octet-stream"


@pytest.mark.parametrize(
    "body",
    [
        [event(), {"id": "2", "type": "t", "specversion": "1.0"}],
        [event(specversion="0.3")],
        [event(time="yesterday")],
        [event(data=1, data_base64="AA==")],
        [event(**{"Bad_Name": 1})],
        ["{'attributes': {'type': 't'}, 'data': {}}"],
        {"not": "an array"},
        [],
    ],
)
def test_it_refuses_malformed_events_and_stores_nothing(eg, topic, body):
    r = eg.post(
        f"/topics/{topic}:publish",
        content=json.dumps(body),
        headers={"Content-Type": "application/cloudevents-batch+json"},
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "InvalidCloudEvent"
    assert r.headers["x-ms-error-code"] == "InvalidCloudEvent"
    assert receive(eg, topic) == []


def test_it_refuses_an_event_over_one_megabyte(eg, topic):
    big = [event(data="x" * (1024 * 1024))]
    r = eg.post(
        f"/topics/{topic}:publish",
        content=json.dumps(big),
        headers={"Content-Type": "application/cloudevents-batch+json"},
    )
    assert r.status_code == 413
    assert receive(eg, topic) == []


def test_it_refuses_requests_without_api_version_or_key(eg, topic, broker_server):
    body = json.dumps([event()])
    headers = {"Content-Type": "application/cloudevents-batch+json"}
    r = httpx.post(
        f"{broker_server.url}/topics/{topic}:publish",
        content=body,
        headers={**headers, "Authorization": f"SharedAccessKey {broker_server.key}"},
    )
    assert r.json()["error"]["code"] == "MissingApiVersionParameter"
    r = httpx.post(
        f"{broker_server.url}/topics/{topic}:publish", params=API, content=body, headers=headers
    )
    assert r.status_code == 401
    assert receive(eg, topic) == []


def test_it_reports_bad_lock_tokens_and_bad_release_delays(eg, topic):
    eg.post(
        f"/topics/{topic}:publish",
        content=json.dumps([event()]),
        headers={"Content-Type": "application/cloudevents-batch+json"},
    )
    token = receive(eg, topic)[0]["brokerProperties"]["lockToken"]
    r = eg.post(
        f"/topics/{topic}/eventsubscriptions/sub1:acknowledge", json={"lockTokens": ["junk", token]}
    )
    assert r.json()["succeededLockTokens"] == [token]
    assert r.json()["failedLockTokens"][0]["lockToken"] == "junk"
    r = eg.post(
        f"/topics/{topic}/eventsubscriptions/sub1:release",
        params={**API, "releaseDelayInSeconds": 7},
        json={"lockTokens": [token]},
    )
    assert r.status_code == 400
    assert eg.post(f"/topics/{topic}/eventsubscriptions/sub1:reject", json={}).status_code == 400


def test_it_dead_letters_after_max_delivery_count(eg, broker_server, unique):
    name = unique("eg")
    broker_server.broker("topic", "create", name)
    broker_server.broker("subscription", "create", name, "sub1", "--max-delivery-count", "2")
    eg.post(
        f"/topics/{name}:publish",
        content=json.dumps([event()]),
        headers={"Content-Type": "application/cloudevents-batch+json"},
    )
    for _ in range(2):
        token = receive(eg, name)[0]["brokerProperties"]["lockToken"]
        eg.post(f"/topics/{name}/eventsubscriptions/sub1:release", json={"lockTokens": [token]})
    assert receive(eg, name) == []
    dead = eg.get(f"/topics/{name}/eventsubscriptions/sub1/deadletters").json()["value"]
    assert dead[0]["deadletterreason"] == "MaxDeliveryCountExceeded"
    assert dead[0]["deliveryattempts"] == 2


# --- push delivery ---------------------------------------------------------------


class Webhook:
    """A real HTTP server; `script` lists the status codes for successive POSTs."""

    def __init__(self, script: list[int], grant: bool = True) -> None:
        self.script, self.grant = list(script), grant
        self.posts: list[dict] = []
        self.options: list[dict] = []
        self.validations: list = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_OPTIONS(self):
                hook.options.append(dict(self.headers))
                if not hook.grant:
                    self.send_response(405)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header(
                    "WebHook-Allowed-Origin", self.headers.get("WebHook-Request-Origin", "")
                )
                self.send_header("WebHook-Allowed-Rate", "*")
                self.send_header("Allow", "POST")
                self.end_headers()

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("aeg-event-type") == "SubscriptionValidation":
                    hook.validations.append(json.loads(body))
                    code = json.loads(body)[0]["data"]["validationCode"]
                    answer = json.dumps({"validationResponse": code}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                    return
                hook.posts.append({"headers": dict(self.headers), "body": json.loads(body)})
                status = hook.script.pop(0) if hook.script else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def webhook():
    made = []

    def make(script, grant=True):
        made.append(Webhook(script, grant))
        return made[-1]

    yield make
    for w in made:
        w.close()


def push_topic(broker_server, unique, url, *extra):
    name = unique("push")
    broker_server.broker("topic", "create", name)
    broker_server.broker("subscription", "create", name, "hook", "--push", url, *extra)
    return name


def publish(eg, name, *events):
    r = eg.post(
        f"/topics/{name}:publish",
        content=json.dumps(list(events)),
        headers={"Content-Type": "application/cloudevents-batch+json"},
    )
    assert r.status_code == 200


def settled(eg, name, sub="hook"):
    """True once the subscription holds nothing but dead letters."""
    summary = eg.get(f"/topics/{name}/eventsubscriptions/{sub}/deadletters").json()["value"]
    return summary


def test_it_pushes_after_the_handshake_and_retries_failures(
    eg, broker_server, unique, webhook, ticker
):
    hook = webhook([503, 200])
    name = push_topic(broker_server, unique, hook.url)
    publish(eg, name, event(id="p1", data={"n": 1}))
    wait_for(lambda: len(hook.posts) >= 2, what="two push attempts")
    assert hook.options[0]["WebHook-Request-Origin"]
    assert [p["body"]["id"] for p in hook.posts] == ["p1", "p1"]
    assert hook.posts[0]["headers"]["Content-Type"].startswith("application/cloudevents+json")
    publish(eg, name, event(id="p2"))
    wait_for(lambda: len(hook.posts) >= 3, what="the next event")
    assert [p["body"]["id"] for p in hook.posts] == ["p1", "p1", "p2"]


def test_it_dead_letters_a_push_answered_with_400_at_once(
    eg, broker_server, unique, webhook, ticker
):
    hook = webhook([400])
    name = push_topic(broker_server, unique, hook.url)
    publish(eg, name, event(id="p400"))
    dead = wait_for(lambda: settled(eg, name), what="a dead letter")
    assert dead[0]["event"]["id"] == "p400"
    assert dead[0]["lastdeliveryoutcome"].startswith("400")
    assert dead[0]["deliveryattempts"] == 1
    assert len(hook.posts) == 1


def test_it_does_not_push_to_an_endpoint_that_refuses_the_handshake(
    eg, broker_server, unique, webhook, ticker
):
    hook = webhook([], grant=False)
    name = push_topic(broker_server, unique, hook.url)
    publish(eg, name, event(id="p-no"))
    wait_for(lambda: len(hook.options) >= 2, what="a retried handshake")
    assert hook.posts == []


def test_it_pushes_in_the_event_grid_schema_after_subscription_validation(
    eg, broker_server, unique, webhook, ticker
):
    hook = webhook([200])
    name = push_topic(broker_server, unique, hook.url, "--schema", "EventGridSchema")
    basic = httpx.post(
        f"{broker_server.url}/topics/{name}/api/events",
        params={"api-version": "2018-01-01"},
        headers={"aeg-sas-key": broker_server.key},
        json=[
            {
                "id": "g1",
                "subject": "orders/1",
                "data": {"n": 1},
                "eventType": "Order.Created",
                "eventTime": "2025-01-02T03:04:05Z",
                "dataVersion": "2.0",
            }
        ],
    )
    assert basic.status_code == 200
    wait_for(lambda: hook.posts, what="an Event Grid schema delivery")
    validation = hook.validations[0][0]
    assert validation["eventType"] == "Microsoft.EventGrid.SubscriptionValidationEvent"
    assert hook.options == []
    delivered = hook.posts[0]
    assert delivered["headers"]["aeg-event-type"] == "Notification"
    event = delivered["body"][0]
    assert (
        event["id"],
        event["eventType"],
        event["subject"],
        event["data"],
        event["dataVersion"],
        event["metadataVersion"],
    ) == ("g1", "Order.Created", "orders/1", {"n": 1}, "2.0", "1")
    assert event["topic"].endswith(f"/topics/{name}")


def test_it_pushes_batches_of_cloudevents(eg, broker_server, unique, webhook, ticker):
    hook = webhook([200, 200])
    name = push_topic(broker_server, unique, hook.url, "--max-events-per-batch", "3")
    publish(eg, name, *[event(id=f"b{i}") for i in range(5)])
    wait_for(lambda: sum(len(p["body"]) for p in hook.posts) >= 5, what="five events in batches")
    assert all(
        p["headers"]["Content-Type"].startswith("application/cloudevents-batch+json")
        for p in hook.posts
    )
    assert sorted(e["id"] for p in hook.posts for e in p["body"]) == [f"b{i}" for i in range(5)]
    assert max(len(p["body"]) for p in hook.posts) <= 3
