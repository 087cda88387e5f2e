"""Reading a trigger request without Django's `QueryDict` / `HttpHeaders` per call
(`workflows/api/trigger_request.py`): the same values as `request.GET` and
`request.headers`, whatever the query or headers."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from workflows.api import trigger_request as tr

QUERIES = [
    "",
    "a=1",
    "a=1&a=2&b=",
    "sig=ab%2Bcd&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&api-version=2022-05-01",
    "name=J%C3%BCrgen&x=a+b&flag",
    "bad=%ZZ&latin=%E9",
    "&&=&k==v",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_query_reads_as_request_get(query):
    request = RequestFactory().post(f"/api/w/triggers/t/invoke?{query}")
    assert tr.request_query(request) == {k: request.GET[k] for k in request.GET}
    assert tr.request_query(request) is tr.request_query(request)  # parsed once


def test_a_long_query_is_parsed_but_not_remembered():
    query = "a=" + "x" * 5000
    request = RequestFactory().post(f"/x?{query}")
    assert tr.request_query(request) == {"a": "x" * 5000}
    assert tr.request_query(request) is not tr.request_query(request)


def test_the_headers_read_as_request_headers():
    request = RequestFactory().post(
        "/x",
        data=b"{}",
        content_type="application/json",
        HTTP_X_MS_CLIENT_TRACKING_ID="order-42",
        HTTP_AUTHORIZATION="Bearer t",
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert tr.header_items(request) == dict(request.headers)
    assert tr.header(request, "x-ms-client-tracking-id") == "order-42"
    assert tr.header(request, "Content-Type") == "application/json"
    assert tr.header(request, "X-Missing") == ""
    kept = tr.request_headers(request, include_authorization=False)
    assert "Authorization" not in kept and kept["Accept-Language"] == "de"
    assert tr.request_headers(request, include_authorization=True)["Authorization"] == "Bearer t"
