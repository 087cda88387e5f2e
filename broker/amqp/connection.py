"""One client connection: socket <-> SASL <-> proton engine, and event dispatch.

Each connection runs in its own thread with a blocking socket and `select`, so
link handlers may call the (synchronous) Django ORM directly. Proton is only a
protocol engine here (`Transport.push/peek/pop`), never a reactor: that is what
lets `framing` pad the frames proton writes and read the ones it is given.

Link handlers (see `LinkHandler`) get callbacks; everything else (open, begin,
flow control, close) is done here.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import select
import socket
import time

from proton import Collector, Condition, Connection, Delivery, Event, Link, Terminus, Transport

from broker.amqp.framing import IncomingInspector, OutgoingFramer
from broker.amqp.sasl import SaslServer

log = logging.getLogger("broker.amqp")

RECEIVER_CREDIT = 300
SESSION_CAPACITY = 1 << 27
POLL_SECONDS = 0.25


_keys = itertools.count(1)


def _key(link: Link) -> int:
    """A stable key per link (proton hands out fresh wrapper objects)."""
    key = getattr(link, "sluice_key", None)
    if key is None:
        key = next(_keys)
        link.sluice_key = key
    return key


class Refused(Exception):
    """A link the broker will not serve: sent back as a detach with an error."""

    def __init__(self, condition: str, description: str) -> None:
        super().__init__(description)
        self.condition = condition
        self.description = description


class LinkHandler:
    """Callbacks for one link; the defaults do nothing."""

    polls = False  # True: `poll` is called while the link has credit
    pending = False  # True: the attach is not answered yet (`conn.finish_open` does it)
    generation = -1  # store generation seen by the last empty poll (-1: poll now)
    urgent = False  # True: poll even without credit (e.g. to detach the link)

    def __init__(self, conn: AmqpConnection, link: Link) -> None:
        self.conn = conn
        self.link = link

    def opened(self) -> None: ...

    def message(self, delivery: Delivery, payload: bytes, message_format: int) -> None:
        delivery.update(Delivery.ACCEPTED)
        delivery.settle()

    def settled(self, delivery: Delivery) -> None: ...

    def poll(self) -> None: ...

    def closed(self) -> None: ...


class AmqpConnection:
    def __init__(self, sock: socket.socket, server) -> None:
        self.sock = sock
        self.server = server
        self.peer = "{}:{}".format(*sock.getpeername()[:2])
        self.transport = Transport(Transport.SERVER)
        self.transport.max_frame_size = 1 << 20
        self.transport.channel_max = 65535
        self.engine = Connection()
        self.collector = Collector()
        self.engine.collect(self.collector)
        self.transport.bind(self.engine)
        self.sasl: SaslServer | None = SaslServer(server.authorize_plain)
        self.inspector = IncomingInspector()
        self.framer = OutgoingFramer()
        self.audiences: dict[str, float] = {}  # authorized path prefix -> expiry (epoch)
        self.handlers: dict[int, LinkHandler] = {}
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.done = False
        self.next_tick = 0.0

    # --- authorization ------------------------------------------------------------

    def authorize(self, path: str, expires: float) -> None:
        self.audiences[path.strip("/").lower()] = expires

    def is_authorized(self, path: str) -> bool:
        path = path.strip("/").lower()
        now = time.time()
        for prefix, expires in self.audiences.items():
            if expires > now and (not prefix or path == prefix or path.startswith(prefix + "/")):
                return True
        return False

    # --- loop -----------------------------------------------------------------------

    def wake(self) -> None:
        with contextlib.suppress(OSError):
            self.wake_w.send(b"\x00")

    def run(self) -> None:
        try:
            while not self.done:
                self._step()
        except (OSError, ConnectionError) as exc:
            log.debug("connection %s ended: %s", self.peer, exc)
        except Exception:
            log.exception("connection %s failed", self.peer)
        finally:
            self._teardown()

    def _step(self) -> None:
        timeout = POLL_SECONDS if self._polling() else 5.0
        if self.next_tick:  # the client asked for heartbeats: wake up to send them
            timeout = max(0.0, min(timeout, self.next_tick - time.monotonic()))
        pending = getattr(self.sock, "pending", lambda: 0)()
        if not pending:
            readable, _, _ = select.select([self.sock, self.wake_r], [], [], timeout)
        else:
            readable = [self.sock]
        if self.wake_r in readable:
            try:
                while self.wake_r.recv(4096):
                    pass
            except BlockingIOError:
                pass
        if self.sock in readable:
            data = self.sock.recv(1 << 16)
            if not data:
                self.transport.close_tail()
                self.done = True
                return
            self._input(data)
        self._process()
        self._poll_links()
        self._process()

    def _input(self, data: bytes) -> None:
        if self.sasl is not None:
            reply, rest = self.sasl.feed(data)
            if reply:
                self.sock.sendall(reply)
            if self.sasl.failed:
                self.done = True
                return
            if rest is None:
                return
            if self.sasl.plain_user is not None:
                self.authorize("", float("inf"))
            self.sasl = None
            data = rest
        self.inspector.feed(data)
        while data:
            room = self.transport.capacity()
            if room <= 0:
                raise ConnectionError("transport closed for input")
            self.transport.push(data[:room])
            data = data[room:]

    def _process(self) -> None:
        for _ in range(1000):
            while self.collector.peek():
                event = self.collector.peek()
                try:
                    self._dispatch(event)
                finally:
                    self.collector.pop()
            if not self._output():
                break
        self.next_tick = self.transport.tick(time.monotonic())

    def _output(self) -> bool:
        wrote = False
        while True:
            pending = self.transport.pending()
            if pending < 0:
                self.done = True
                return wrote
            if pending == 0:
                return wrote
            data = self.transport.peek(pending)
            self.transport.pop(len(data))
            self.sock.sendall(self.framer.feed(data))
            wrote = True

    def _polling(self) -> bool:
        return any(h.polls and (h.link.credit > 0 or h.urgent) for h in self.handlers.values())

    def _poll_links(self) -> None:
        for handler in list(self.handlers.values()):
            wanted = handler.polls and (handler.link.credit > 0 or handler.urgent)
            if wanted and (handler.pending or handler.link.state & Link.LOCAL_ACTIVE):
                self._guard(handler, handler.poll)

    def _guard(self, handler: LinkHandler, call, *args) -> None:
        try:
            call(*args)
        except Refused as exc:
            self.close_link(handler.link, exc.condition, exc.description)
        except Exception as exc:
            log.exception("link %s failed", handler.link.name)
            self.close_link(handler.link, "amqp:internal-error", str(exc) or type(exc).__name__)

    def _teardown(self) -> None:
        for handler in list(self.handlers.values()):
            try:
                handler.closed()
            except Exception:
                log.exception("closing link %s", handler.link.name)
        self.handlers.clear()
        self.server.forget(self)
        for s in (self.sock, self.wake_r, self.wake_w):
            with contextlib.suppress(OSError):
                s.close()
        from django.db import connection as db

        db.close()

    # --- events ---------------------------------------------------------------------

    def _dispatch(self, event: Event) -> None:
        kind = event.type
        if kind == Event.CONNECTION_REMOTE_OPEN:
            self.engine.container = "sluice"
            self.engine.properties = {"product": "sluice"}
            self.engine.open()
        elif kind == Event.SESSION_REMOTE_OPEN:
            event.session.incoming_capacity = SESSION_CAPACITY
            event.session.open()
        elif kind == Event.LINK_REMOTE_OPEN:
            self._open_link(event.link)
        elif kind == Event.LINK_FLOW:
            handler = self.handlers.get(_key(event.link))
            if handler is not None and event.link.is_sender:
                if event.link.drain_mode:
                    handler.generation = -1  # look in the store now, not at the next tick
                self._guard(handler, handler.poll)
                if event.link.drain_mode:
                    event.link.drained()  # use up what credit is left, as drain asks
        elif kind == Event.DELIVERY:
            self._delivery(event.delivery)
        elif kind in (Event.LINK_REMOTE_CLOSE, Event.LINK_REMOTE_DETACH):
            self._link_closed(event.link)
        elif kind == Event.SESSION_REMOTE_CLOSE:
            for handler in [h for h in self.handlers.values() if h.link.session == event.session]:
                self._link_closed(handler.link)
            event.session.close()
        elif kind == Event.CONNECTION_REMOTE_CLOSE:
            self.engine.close()
        elif kind == Event.TRANSPORT_CLOSED:
            self.done = True

    def _open_link(self, link: Link) -> None:
        link.source.copy(link.remote_source)
        link.target.copy(link.remote_target)
        link.snd_settle_mode = link.remote_snd_settle_mode
        link.rcv_settle_mode = link.remote_rcv_settle_mode
        link.max_message_size = 1 << 20
        try:
            handler = self.server.router(self, link)
        except Refused as exc:
            self._refuse(link, exc.condition, exc.description)
            return
        except Exception as exc:
            log.exception("attach %s failed", link.name)
            self._refuse(link, "amqp:internal-error", str(exc) or type(exc).__name__)
            return
        self.handlers[_key(link)] = handler
        if not handler.pending:
            self.finish_open(link)

    def finish_open(self, link: Link) -> None:
        """Answer the client's attach (for a pending handler: once it is ready)."""
        handler = self.handlers[_key(link)]
        link.open()
        if link.is_receiver:
            link.flow(RECEIVER_CREDIT)
        self._guard(handler, handler.opened)

    def _refuse(self, link: Link, condition: str, description: str) -> None:
        """Attach with a null terminus for the node we will not create, then detach
        with the error (AMQP 1.0 §2.6.3), which the SDKs turn into typed errors."""
        self.close_link(link, condition, description)

    def close_link(self, link: Link, condition: str, description: str) -> None:
        handler = self.handlers.pop(_key(link), None)
        link.condition = Condition(condition, description)
        if link.state & Link.LOCAL_UNINIT:  # never answered: refuse the attach properly
            (link.target if link.is_receiver else link.source).type = Terminus.UNSPECIFIED
            link.open()
        link.close()
        if handler is not None:
            try:
                handler.closed()
            except Exception:
                log.exception("closing link %s", link.name)

    def _link_closed(self, link: Link) -> None:
        handler = self.handlers.pop(_key(link), None)
        if handler is not None:
            self._guard(handler, handler.closed)
        if not link.state & Link.LOCAL_CLOSED:
            link.close()

    def _delivery(self, delivery: Delivery) -> None:
        link = delivery.link
        handler = self.handlers.get(_key(link))
        if link.is_receiver:
            if delivery.partial or not delivery.readable:
                return
            payload = link.recv(delivery.pending) or b""
            link.advance()
            fmt = self.inspector.next_format(link.name)
            if handler is None:
                delivery.update(Delivery.REJECTED)
                delivery.settle()
                return
            self._guard(handler, handler.message, delivery, bytes(payload), fmt)
            if link.credit < RECEIVER_CREDIT // 2:
                link.flow(RECEIVER_CREDIT - link.credit)
        elif delivery.updated or delivery.remote_state or delivery.settled:
            if handler is not None:
                self._guard(handler, handler.settled, delivery)
            elif not delivery.settled:
                delivery.settle()

    def handler_of(self, link: Link) -> LinkHandler | None:
        return self.handlers.get(_key(link))

    def sender_links(self):
        return [h for h in self.handlers.values() if h.link.is_sender]
