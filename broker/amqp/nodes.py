"""Request/response nodes (`$cbs`, `<entity>/$management`, `$management`).

A client attaches two links to a node: a sender (requests, target = node) and a
receiver (responses, source = node). Responses carry `correlation-id` = the
request's `message-id` and go out on the client's receiver link for the same
node, preferably on the same session.
"""

from __future__ import annotations

from collections import deque

from proton import Delivery, Message

from broker.amqp.connection import LinkHandler


class ReplyLink(LinkHandler):
    """Our sender end of a node: queues responses until the client gives credit."""

    def __init__(self, conn, link, address: str) -> None:
        super().__init__(conn, link)
        self.address = address
        self.queue: deque[Message] = deque()
        self.tags = 0

    @property
    def polls(self) -> bool:
        return bool(self.queue)

    def push(self, message: Message) -> None:
        self.queue.append(message)
        self.poll()

    def poll(self) -> None:
        while self.queue and self.link.credit > 0:
            self.tags += 1
            delivery = self.link.delivery(str(self.tags).encode())
            self.link.send(self.queue.popleft().encode())
            self.link.advance()
            delivery.settle()

    def settled(self, delivery: Delivery) -> None:
        delivery.settle()


class RequestNode(LinkHandler):
    """Our receiver end of a node; subclasses implement `respond`."""

    def __init__(self, conn, link, address: str) -> None:
        super().__init__(conn, link)
        self.address = address

    def respond(self, request: Message) -> Message:
        raise NotImplementedError

    def message(self, delivery: Delivery, payload: bytes, message_format: int) -> None:
        request = Message()
        request.decode(payload)
        delivery.update(Delivery.ACCEPTED)
        delivery.settle()
        response = self.respond(request)
        response.correlation_id = request.id
        if request.reply_to:
            response.address = request.reply_to
        target = self._reply_link()
        if target is not None:
            target.push(response)

    def _reply_link(self) -> ReplyLink | None:
        candidates = [
            h
            for h in self.conn.handlers.values()
            if isinstance(h, ReplyLink) and h.address.lower() == self.address.lower()
        ]
        same = [h for h in candidates if h.link.session == self.link.session]
        return (same or candidates or [None])[-1]
