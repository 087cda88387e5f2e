"""The TCP (optionally TLS) listener: accepts sockets and runs one
`AmqpConnection` thread per client. `AmqpServer.start()` runs it in a background
thread (tests, benchmarks); `serve_forever()` blocks (`sluice amqp`)."""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time

from broker.amqp.connection import AmqpConnection
from broker.amqp.eventhubs import PartitionOwners

log = logging.getLogger("broker.amqp")


class AmqpServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 5672,
        *,
        certfile: str | None = None,
        keyfile: str | None = None,
        namespace: str | None = None,
    ) -> None:
        self.host = host
        self.namespace_name = namespace
        self.ssl_context = None
        if certfile:
            self.ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ssl_context.load_cert_chain(certfile, keyfile)
        self.sock = socket.create_server((host, port), reuse_port=False)
        self.port = self.sock.getsockname()[1]
        self.connections: set[AmqpConnection] = set()
        self._lock = threading.Lock()
        self._stopping = False
        self.generation = 0  # bumped on every enqueue seen by this process
        self.owners = PartitionOwners()
        self._thread: threading.Thread | None = None

    # --- collaborators used by connections ---------------------------------------------

    def namespace(self):
        from broker.services.entities import get_namespace

        return get_namespace(self.namespace_name)

    def authorize_plain(self, user: str, password: str) -> bool:
        from broker.amqp.cbs import password_is_valid

        return password_is_valid(self.namespace(), password)

    def router(self, conn: AmqpConnection, link):
        from broker.amqp.routes import route

        return route(conn, link)

    def notify(self) -> None:
        """Something was enqueued: let every connection poll its links now."""
        self.generation += 1
        with self._lock:
            conns = list(self.connections)
        for conn in conns:
            conn.wake()

    def forget(self, conn: AmqpConnection) -> None:
        with self._lock:
            self.connections.discard(conn)

    # --- lifecycle ---------------------------------------------------------------------

    def serve_forever(self) -> None:
        self.sock.settimeout(0.5)
        while not self._stopping:
            try:
                client, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._stopping:
                    break
                raise
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)  # find vanished peers
        client.settimeout(None)
        try:
            if self.ssl_context is not None:
                client = self.ssl_context.wrap_socket(client, server_side=True)
            conn = AmqpConnection(client, self)
        except (OSError, ssl.SSLError) as exc:
            log.info("handshake failed: %s", exc)
            client.close()
            return
        with self._lock:
            self.connections.add(conn)
        conn.run()

    def start(self) -> AmqpServer:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping = True
        self.sock.close()
        with self._lock:
            conns = list(self.connections)
        for conn in conns:
            conn.done = True
            conn.wake()
        if self._thread is not None:
            self._thread.join(timeout)
        deadline = time.monotonic() + timeout
        while self.connections and time.monotonic() < deadline:
            time.sleep(0.05)
