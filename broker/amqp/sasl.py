"""Server side of the SASL layer, done here rather than in proton.

Why: the proton wheel is built without Cyrus SASL, so its server side offers
only ANONYMOUS/EXTERNAL. The SDKs use ANONYMOUS and then authenticate through
`$cbs`; other AMQP clients use PLAIN (user = key name, password = the key or a
SAS token); MSSBCBS means "I will use `$cbs`". After a successful outcome the
byte stream continues with the plain AMQP header, which goes to proton.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from proton import Data

SASL_HEADER = b"AMQP\x03\x01\x00\x00"
AMQP_HEADER = b"AMQP\x00\x01\x00\x00"
MECHANISMS = ("ANONYMOUS", "PLAIN", "MSSBCBS")
OK, AUTH_FAILED = 0, 1


def _frame(code: int, fill) -> bytes:
    data = Data()
    data.put_described()
    data.enter()
    data.put_ulong(code)
    data.put_list()
    data.enter()
    fill(data)
    data.exit()
    data.exit()
    body = data.encode()
    return struct.pack(">IBBH", 8 + len(body), 2, 1, 0) + body


def mechanisms_frame() -> bytes:
    def fill(data: Data) -> None:
        data.put_array(False, Data.SYMBOL)
        data.enter()
        for mech in MECHANISMS:
            data.put_symbol(mech)
        data.exit()

    return _frame(0x40, fill)


def outcome_frame(code: int) -> bytes:
    def fill(data: Data) -> None:
        data.put_ubyte(code)
        data.put_null()

    return _frame(0x44, fill)


class SaslServer:
    """Consumes the client's SASL bytes; `feed` returns (bytes to send, leftover).

    `leftover` is not None once the layer is finished: it is the start of the
    AMQP stream (or b"" if the client sent nothing more yet). `authorize_plain`
    decides PLAIN credentials; `self.plain_user` records who logged in.
    """

    def __init__(self, authorize_plain: Callable[[str, str], bool]) -> None:
        self._authorize_plain = authorize_plain
        self._buffer = bytearray()
        self._stage = "header"
        self.failed = False
        self.plain_user: str | None = None

    def feed(self, data: bytes) -> tuple[bytes, bytes | None]:
        self._buffer += data
        out = b""
        while True:
            if self._stage == "header":
                if len(self._buffer) < 8:
                    return out, None
                header = bytes(self._buffer[:8])
                if header == AMQP_HEADER:  # no SASL at all: anonymous
                    return out, bytes(self._buffer)
                del self._buffer[:8]
                if header != SASL_HEADER:
                    self.failed = True
                    return out + SASL_HEADER, None
                out += SASL_HEADER + mechanisms_frame()
                self._stage = "init"
            elif self._stage == "init":
                if len(self._buffer) < 8:
                    return out, None
                size = struct.unpack(">I", self._buffer[:4])[0]
                if len(self._buffer) < size:
                    return out, None
                frame = bytes(self._buffer[:size])
                del self._buffer[:size]
                ok = self._check_init(frame)
                out += outcome_frame(OK if ok else AUTH_FAILED)
                if not ok:
                    self.failed = True
                    return out, None
                self._stage = "done"
            else:
                return out, bytes(self._buffer)

    def _check_init(self, frame: bytes) -> bool:
        body = frame[frame[4] * 4 :]
        data = Data()
        try:
            data.decode(body)
            fields = list(data.get_object().value)
        except Exception:
            return False
        mech = str(fields[0]) if fields else ""
        if mech in ("ANONYMOUS", "MSSBCBS"):
            return True
        if mech == "PLAIN" and len(fields) > 1 and fields[1] is not None:
            parts = bytes(fields[1]).split(b"\x00")
            if len(parts) != 3:
                return False
            user, password = parts[1].decode(errors="replace"), parts[2].decode(errors="replace")
            if self._authorize_plain(user, password):
                self.plain_user = user
                return True
        return False
