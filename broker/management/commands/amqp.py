"""`sluice amqp`: run the AMQP 1.0 listener for the Service Bus / Event Hubs SDKs.

    sluice amqp [--host 127.0.0.1] [--port N]        serve (port: SLUICE_AMQP_PORT or 5672)
    sluice amqp connection-string [--port N]          print the SDK connection string

TLS is on when SLUICE_AMQP_CERT (and SLUICE_AMQP_KEY) name a PEM certificate.
When the port comes from the default/environment and is already taken (another
broker on 5672), the listener says so and stays idle instead of exiting, so that
`sluice up` keeps the web server and workers running; with an explicit `--port`
a busy port is an error.
"""

from __future__ import annotations

import logging
import os
import signal
import ssl
import threading

from django.core.management.base import BaseCommand, CommandError


def default_port() -> int:
    raw = os.environ.get("SLUICE_AMQP_PORT", "5672")
    try:
        return int(raw)
    except ValueError:
        raise CommandError(f"SLUICE_AMQP_PORT must be a port number, not {raw!r}.")


def namespace_key() -> str:
    from django.db import DatabaseError

    from broker.services.entities import get_namespace

    try:
        return get_namespace().primary_key
    except DatabaseError as exc:
        raise CommandError(f"the broker database is not ready ({exc}); run 'sluice migrate' first.")


def connection_string(port: int, host: str = "127.0.0.1") -> str:
    key = namespace_key()
    return (
        f"Endpoint=sb://{host}:{port};SharedAccessKeyName=RootManageSharedAccessKey;"
        f"SharedAccessKey={key};UseDevelopmentEmulator=true"
    )


class Command(BaseCommand):
    help = (
        "Run the AMQP 1.0 listener (Service Bus / Event Hubs SDKs), or print its connection string."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "action", nargs="?", default="serve", choices=["serve", "connection-string"]
        )
        parser.add_argument("--host", default=os.environ.get("SLUICE_AMQP_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=None)

    def handle(self, *args, **options):
        port = options["port"] if options["port"] is not None else default_port()
        if not 0 <= port <= 65535:
            raise CommandError(f"--port must be from 0 to 65535, not {port}.")
        namespace_key()  # fail early and clearly on an unmigrated database
        if options["action"] == "connection-string":
            self.stdout.write(connection_string(port))
            return
        self._serve(options["host"], port, explicit=options["port"] is not None)

    def _serve(self, host: str, port: int, explicit: bool) -> None:
        from broker.amqp.server import AmqpServer

        logging.basicConfig(level=logging.INFO, format="%(asctime)s amqp %(levelname)s %(message)s")
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        cert, key = os.environ.get("SLUICE_AMQP_CERT"), os.environ.get("SLUICE_AMQP_KEY")
        if cert:
            _check_certificate(cert, key)
        try:
            server = AmqpServer(host, port, certfile=cert or None, keyfile=key or None)
        except OSError as exc:
            message = f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            if explicit:
                raise CommandError(message)
            self.stderr.write(
                f"AMQP listener disabled: {message}. Set SLUICE_AMQP_PORT to a free port "
                "(or pass --port) to enable it."
            )
            stop.wait()
            return
        scheme = "amqps" if cert else "amqp"
        self.stdout.write(f"AMQP listener on {scheme}://{host}:{server.port}")
        self.stdout.write(f"  connection string: {connection_string(server.port, host)}")
        self.stdout.flush()
        server.start()
        stop.wait()
        server.stop()
        self.stdout.write("AMQP listener stopped")


def _check_certificate(cert: str, key: str | None) -> None:
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert, key or None)
    except (OSError, ssl.SSLError) as exc:
        raise CommandError(
            f"cannot load the TLS certificate SLUICE_AMQP_CERT={cert!r} "
            f"(SLUICE_AMQP_KEY={key!r}): {exc}"
        )
