"""`sluice amqp` with SLUICE_AMQP_CERT/SLUICE_AMQP_KEY speaks AMQP over TLS.

The Azure SDKs only use TLS on port 5671 (`custom_endpoint_address` switches them
to websockets), so a generic AMQP client checks the TLS listener here: it verifies
the server certificate against the self-signed CA and sends over `amqps://`."""

from __future__ import annotations

import datetime
import ipaddress
import signal
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from proton import Message, SSLDomain
from proton.utils import BlockingConnection

from tests.amqp.conftest import free_port, wait_for_port
from tests.amqp.test_command import amqp_command

pytestmark = pytest.mark.integration


def self_signed(directory) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


def test_it_serves_amqp_over_tls_with_the_configured_certificate(broker_env, tmp_path):
    cert, key = self_signed(tmp_path)
    port = free_port()
    process = amqp_command(
        broker_env, "--port", str(port), SLUICE_AMQP_CERT=cert, SLUICE_AMQP_KEY=key
    )
    try:
        wait_for_port(port, process, time.monotonic() + 60)
        domain = SSLDomain(SSLDomain.MODE_CLIENT)
        domain.set_trusted_ca_db(cert)
        domain.set_peer_authentication(SSLDomain.VERIFY_PEER)
        conn = BlockingConnection(
            f"amqps://127.0.0.1:{port}",
            ssl_domain=domain,
            timeout=20,
            user="RootManageSharedAccessKey",
            password=broker_env.key,
            allowed_mechs="PLAIN",
        )
        try:
            conn.create_sender("q-tls").send(Message(body=b"over tls"))
            receiver = conn.create_receiver("q-tls", credit=1)
            got = receiver.receive(timeout=10)
            receiver.accept()
            assert got.body == b"over tls"
        finally:
            conn.close()
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)


def test_it_refuses_to_start_with_an_unreadable_certificate(broker_env, tmp_path):
    process = amqp_command(
        broker_env, "--port", str(free_port()), SLUICE_AMQP_CERT=str(tmp_path / "missing.pem")
    )
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "cannot load the TLS certificate" in err
    assert "Traceback" not in err
