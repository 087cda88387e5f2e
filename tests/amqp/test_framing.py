"""Frame padding and the SASL layer, byte for byte (no server needed)."""

from __future__ import annotations

import struct

from proton import Data

from broker.amqp.framing import FIELD_COUNTS, IncomingInspector, OutgoingFramer, pad_frame
from broker.amqp.sasl import AMQP_HEADER, SASL_HEADER, SaslServer


def performative(code: int, fields: list, payload: bytes = b"", channel: int = 0) -> bytes:
    data = Data()
    data.put_described()
    data.enter()
    data.put_ulong(code)
    data.put_list()
    data.enter()
    for value in fields:
        data.put_object(value)
    data.exit()
    data.exit()
    body = bytes(data.encode()) + payload
    return struct.pack(">IBBH", 8 + len(body), 2, 0, channel) + body


def fields_of(frame: bytes) -> tuple[list, bytes]:
    data = Data()
    used = data.decode(frame[8:])
    fields = [bytes(f) if isinstance(f, memoryview) else f for f in data.get_object().value]
    return fields, frame[8 + used :]


def test_it_pads_a_compact_begin_to_all_eight_fields():
    frame = performative(0x11, [None, 0, 2048])
    padded = pad_frame(frame)
    fields, rest = fields_of(padded)
    assert fields == [None, 0, 2048, None, None, None, None, None]
    assert rest == b""
    assert struct.unpack(">I", padded[:4])[0] == len(padded)


def test_it_keeps_a_transfer_payload_after_padding():
    frame = performative(0x14, [0, 1, b"tag", 0], payload=b"\x00Sw\xa1\x05hello", channel=3)
    padded = pad_frame(frame)
    fields, rest = fields_of(padded)
    assert len(fields) == FIELD_COUNTS[0x14]
    assert fields[:4] == [0, 1, b"tag", 0]
    assert rest == b"\x00Sw\xa1\x05hello"
    assert padded[6:8] == b"\x00\x03"


def test_it_leaves_full_frames_and_heartbeats_alone():
    full = performative(0x18, [None])
    heartbeat = struct.pack(">IBBH", 8, 2, 0, 0)
    assert pad_frame(full) == full
    assert pad_frame(heartbeat) == heartbeat


def test_it_reframes_a_stream_split_at_any_byte():
    stream = AMQP_HEADER + performative(0x10, ["sluice"]) + performative(0x11, [None, 0, 10])
    framer = OutgoingFramer()
    out = b"".join(framer.feed(stream[i : i + 1]) for i in range(len(stream)))
    assert out.startswith(AMQP_HEADER)
    open_fields, _ = fields_of(out[8 : 8 + struct.unpack(">I", out[8:12])[0]])
    assert len(open_fields) == 10


def test_it_remembers_the_message_format_of_each_delivery_per_link():
    inspector = IncomingInspector()
    attach = performative(0x12, ["sender-link-1", 0, False])
    first = performative(0x14, [0, 0, b"t1", 0x80013700])
    second = performative(0x14, [0, 1, b"t2", 0])
    inspector.feed(AMQP_HEADER + attach + first + second)
    assert inspector.next_format("sender-link-1") == 0x80013700
    assert inspector.next_format("sender-link-1") == 0
    assert inspector.next_format("sender-link-1") == 0


def sasl_init(mechanism: str, response: bytes | None) -> bytes:
    data = Data()
    data.put_described()
    data.enter()
    data.put_ulong(0x41)
    data.put_list()
    data.enter()
    data.put_symbol(mechanism)
    data.put_object(response)
    data.exit()
    data.exit()
    body = bytes(data.encode())
    return struct.pack(">IBBH", 8 + len(body), 2, 1, 0) + body


def outcome_code(reply: bytes) -> int:
    """The code of the last SASL frame in `reply` (after the SASL header)."""
    pos, last = len(SASL_HEADER), b""
    while pos < len(reply):
        size = struct.unpack(">I", reply[pos : pos + 4])[0]
        last, pos = reply[pos : pos + size], pos + size
    fields, _ = fields_of(last)
    return int(fields[0])


def test_it_accepts_anonymous_and_hands_over_the_amqp_stream():
    server = SaslServer(lambda user, password: False)
    reply, rest = server.feed(SASL_HEADER)
    assert reply.startswith(SASL_HEADER) and rest is None
    reply, rest = server.feed(sasl_init("ANONYMOUS", None) + AMQP_HEADER)
    assert outcome_code(SASL_HEADER + reply) == 0
    assert rest == AMQP_HEADER


def test_it_checks_plain_credentials():
    seen = []
    server = SaslServer(lambda user, password: seen.append((user, password)) or password == "k")
    server.feed(SASL_HEADER)
    reply, rest = server.feed(sasl_init("PLAIN", b"\x00RootManageSharedAccessKey\x00wrong"))
    assert outcome_code(SASL_HEADER + reply) == 1
    assert server.failed and rest is None
    assert seen == [("RootManageSharedAccessKey", "wrong")]
    good = SaslServer(lambda user, password: password == "k")
    good.feed(SASL_HEADER)
    reply, rest = good.feed(sasl_init("PLAIN", b"\x00user\x00k"))
    assert outcome_code(SASL_HEADER + reply) == 0
    assert good.plain_user == "user" and rest == b""
