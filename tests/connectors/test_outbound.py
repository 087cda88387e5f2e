"""The outbound seam refuses non-public targets unless they are allowed."""

from __future__ import annotations

import pytest

from connectors import outbound
from connectors.base import ConnectorError, RetryableError


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",
        "::1",
        "fd12::1",
        "fe80::1",
        "224.0.0.1",
        "0.0.0.0",
        "::",
        "::ffff:10.0.0.1",
    ],
)
def test_it_classifies_non_public_addresses(address):
    assert not outbound.is_public(address)


def test_it_accepts_public_addresses():
    assert outbound.is_public("93.184.216.34")
    assert outbound.is_public("2606:4700::1111")


def test_it_refuses_a_private_address_with_a_clear_non_retryable_error(http_server, settings):
    http_server.routes["/"] = lambda r: (200, {}, "hello")
    settings.SLUICE_HTTP_ALLOWED_HOSTS = []
    with outbound.client() as http, pytest.raises(outbound.BlockedAddressError) as info:
        http.get(http_server.url + "/")
    assert not isinstance(info.value, RetryableError)
    assert isinstance(info.value, ConnectorError)
    assert info.value.code == "PrivateAddressRefused"
    assert "127.0.0.1" in info.value.message and "SLUICE_HTTP_ALLOWED_HOSTS" in info.value.message
    assert http_server.log == []


def test_it_allows_listed_hosts(http_server, settings):
    http_server.routes["/"] = lambda r: (200, {}, "hello")
    settings.SLUICE_HTTP_ALLOWED_HOSTS = ["127.0.0.1"]
    with outbound.client() as http:
        response = http.get(http_server.url + "/")
    assert response.text == "hello"
    assert http_server.log[0].headers["user-agent"].startswith("Sluice/")


def test_it_checks_every_redirect_hop(http_server, settings):
    http_server.routes["/hop"] = lambda r: (302, {"Location": "http://10.255.255.1/x"}, b"")
    settings.SLUICE_HTTP_ALLOWED_HOSTS = ["127.0.0.1"]
    with outbound.client() as http, pytest.raises(outbound.BlockedAddressError) as info:
        http.get(http_server.url + "/hop")
    assert "10.255.255.1" in info.value.message


def test_it_reports_unresolvable_hosts_clearly(settings):
    settings.SLUICE_HTTP_ALLOWED_HOSTS = []
    with pytest.raises(ConnectorError) as info:
        outbound.check_host("no-such-host.invalid")
    assert info.value.code == "HostNotFound"
