"""Byte-level AMQP framing around the proton engine.

Why this exists: proton (legally, AMQP 1.0 §1.4) omits trailing null fields of
performatives, e.g. a `begin` with 5 of its 8 fields. The pure-Python AMQP stack
inside azure-eventhub (and azure-servicebus < 7.15) indexes those fields blindly
(`frame[7]`) and crashes. `OutgoingFramer` therefore re-frames everything proton
writes and pads each performative's list with nulls up to its full field count.

`IncomingInspector` reads the frames the client sends before proton sees them,
because proton's Python binding does not expose a transfer's message-format,
which is how the SDKs mark a batch (0x80013700).
"""

from __future__ import annotations

import struct
from collections import defaultdict, deque

from proton import Data

BATCH_FORMAT = 0x80013700

# descriptor code -> number of fields (AMQP 1.0 transport and SASL performatives)
FIELD_COUNTS = {
    0x10: 10,  # open
    0x11: 8,  # begin
    0x12: 14,  # attach
    0x13: 11,  # flow
    0x14: 11,  # transfer
    0x15: 6,  # disposition
    0x16: 3,  # detach
    0x17: 1,  # end
    0x18: 1,  # close
    0x40: 1,  # sasl-mechanisms
    0x41: 3,  # sasl-init
    0x42: 1,  # sasl-challenge
    0x43: 1,  # sasl-response
    0x44: 2,  # sasl-outcome
}


def _descriptor(body: bytes | memoryview) -> tuple[int | None, int]:
    """(descriptor code, offset of the described value) or (None, 0)."""
    if len(body) < 3 or body[0] != 0x00:
        return None, 0
    if body[1] == 0x53:
        return body[2], 3
    if body[1] == 0x80 and len(body) >= 10:
        return struct.unpack(">Q", bytes(body[2:10]))[0], 10
    return None, 0


def _list_bounds(body: bytes, pos: int) -> tuple[int, bytes, int] | None:
    """(field count, encoded items, end offset) of the list at `pos`."""
    ctor = body[pos]
    if ctor == 0x45:
        return 0, b"", pos + 1
    if ctor == 0xC0:
        size, count = body[pos + 1], body[pos + 2]
        return count, body[pos + 3 : pos + 2 + size], pos + 2 + size
    if ctor == 0xD0:
        size, count = struct.unpack(">II", body[pos + 1 : pos + 9])
        return count, body[pos + 9 : pos + 5 + size], pos + 5 + size
    return None


def _encode_list(count: int, items: bytes) -> bytes:
    if len(items) + 1 <= 255:
        return bytes([0xC0, len(items) + 1, count]) + items
    return b"\xd0" + struct.pack(">II", len(items) + 4, count) + items


def pad_frame(frame: bytes) -> bytes:
    """The frame with its performative padded to the full field count."""
    doff = frame[4] * 4
    if len(frame) <= doff:
        return frame  # empty frame (heartbeat)
    body = frame[doff:]
    code, pos = _descriptor(body)
    want = FIELD_COUNTS.get(code) if code is not None else None
    if want is None:
        return frame
    bounds = _list_bounds(body, pos)
    if bounds is None or bounds[0] >= want:
        return frame
    count, items, end = bounds
    padded = body[:pos] + _encode_list(want, items + b"\x40" * (want - count)) + body[end:]
    return struct.pack(">I", doff + len(padded)) + frame[4:doff] + padded


class _Splitter:
    """Cuts a byte stream into protocol headers and frames."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self.buffer += data
        out = []
        while True:
            if len(self.buffer) >= 8 and self.buffer[:4] == b"AMQP":
                out.append(bytes(self.buffer[:8]))
                del self.buffer[:8]
                continue
            if len(self.buffer) < 8:
                break
            size = struct.unpack(">I", self.buffer[:4])[0]
            if size < 8 or len(self.buffer) < size:
                break
            out.append(bytes(self.buffer[:size]))
            del self.buffer[:size]
        return out


class OutgoingFramer:
    """Pads every performative proton writes (see module docstring)."""

    def __init__(self) -> None:
        self._splitter = _Splitter()

    def feed(self, data: bytes) -> bytes:
        chunks = self._splitter.feed(data)
        return b"".join(c if c[:4] == b"AMQP" else pad_frame(c) for c in chunks)


def decode_performative(frame: bytes) -> tuple[int | None, list]:
    """(descriptor code, fields) of a frame's performative, via proton's decoder."""
    doff = frame[4] * 4
    body = frame[doff:]
    code, _ = _descriptor(body)
    if code is None:
        return None, []
    data = Data()
    data.decode(body)
    value = data.get_object()
    fields = getattr(value, "value", None)
    return code, list(fields) if isinstance(fields, list) else []


class IncomingInspector:
    """Remembers the message-format of each incoming delivery, per link name."""

    def __init__(self) -> None:
        self._splitter = _Splitter()
        self._names: dict[tuple[int, int], str] = {}
        self._formats: dict[str, deque[int]] = defaultdict(deque)

    def feed(self, data: bytes) -> None:
        for chunk in self._splitter.feed(data):
            if chunk[:4] == b"AMQP" or chunk[5] != 0:
                continue
            self._inspect(chunk)

    def _inspect(self, frame: bytes) -> None:
        doff = frame[4] * 4
        code, _ = _descriptor(frame[doff : doff + 10])
        if code not in (0x12, 0x14):
            return
        channel = struct.unpack(">H", frame[6:8])[0]
        _, fields = decode_performative(frame)
        fields += [None] * (4 - len(fields))
        if code == 0x12 and fields[2] is False:  # the client attaches as sender
            self._names[(channel, fields[1])] = fields[0]
        elif code == 0x14 and fields[1] is not None:  # first frame of a delivery
            name = self._names.get((channel, fields[0]))
            if name is not None:
                self._formats[name].append(int(fields[3] or 0))

    def next_format(self, link_name: str) -> int:
        queue = self._formats.get(link_name)
        return queue.popleft() if queue else 0
