"""A generic AMQP 1.0 client (proton's blocking client) rather than an Azure SDK:
SASL PLAIN with the namespace key, and ANONYMOUS without a `$cbs` token being
refused at attach."""

from __future__ import annotations

import pytest
from proton import ConnectionException, Message, Timeout
from proton.utils import BlockingConnection, LinkDetached

pytestmark = pytest.mark.integration


def connect(broker_env, **kwargs) -> BlockingConnection:
    return BlockingConnection(f"amqp://127.0.0.1:{broker_env.amqp_port}", timeout=20, **kwargs)


def test_it_accepts_sasl_plain_with_the_namespace_key(broker_env):
    conn = connect(
        broker_env,
        user="RootManageSharedAccessKey",
        password=broker_env.key,
        allowed_mechs="PLAIN",
        allow_insecure_mechs=True,
    )
    try:
        sender = conn.create_sender("q-plain")
        sender.send(Message(body=b"plain", properties={"k": "v"}))
        receiver = conn.create_receiver("q-plain", credit=1)
        got = receiver.receive(timeout=10)
        receiver.accept()
        assert got.body == b"plain"
        assert got.properties == {"k": "v"}
        assert got.annotations["x-opt-sequence-number"] >= 1
    finally:
        conn.close()


def test_it_refuses_a_wrong_plain_password(broker_env):
    with pytest.raises(ConnectionException, match=r"amqp:unauthorized-access"):
        connect(
            broker_env,
            user="RootManageSharedAccessKey",
            password="not-the-key",
            allowed_mechs="PLAIN",
            allow_insecure_mechs=True,
        )


def test_it_refuses_an_entity_link_without_a_cbs_token(broker_env):
    conn = connect(broker_env, allowed_mechs="ANONYMOUS")
    try:
        with pytest.raises(LinkDetached, match="unauthorized-access"):
            conn.create_sender("q-anonymous")
    finally:
        conn.close()


def test_it_sends_heartbeats_to_a_client_that_asks_for_them(broker_env):
    conn = connect(
        broker_env,
        user="RootManageSharedAccessKey",
        password=broker_env.key,
        allowed_mechs="PLAIN",
        allow_insecure_mechs=True,
        heartbeat=1,
    )
    try:
        with pytest.raises(Timeout):
            conn.wait(lambda: False, timeout=4, msg="idle on purpose")
        sender = conn.create_sender("q-plain")
        sender.send(Message(body=b"still connected"))
        receiver = conn.create_receiver("q-plain", credit=1)
        assert receiver.receive(timeout=10).body == b"still connected"
        receiver.accept()
    finally:
        conn.close()


def test_it_answers_garbage_with_its_protocol_header_and_hangs_up(broker_env):
    import socket

    with socket.create_connection(("127.0.0.1", broker_env.amqp_port), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = b""
        while chunk := sock.recv(1024):
            reply += chunk
    assert reply == b"AMQP\x03\x01\x00\x00"
    conn = connect(broker_env, allowed_mechs="ANONYMOUS")
    conn.close()
