"""The embedded Celery transport: kombu's filesystem transport, with whole messages.

kombu writes a message file in place — create, lock, write — and a worker takes
any file whose name fits, without the lock. A worker that lists the folder
between the create and the end of the write reads a partial message, and the
JSON error stops the worker for good ("Unrecoverable error"). Small messages
mostly dodge the window; a batch of stateless run summaries
(`workflows/writebehind.py`, up to hundreds of KB) met it within seconds under
load.

Here a message is written under a name no reader matches (`.{name}.part`) and
renamed into place: a rename within a folder is atomic, so a reader sees no file
or the whole of it. Registered as the `sluicefs://` transport (`config/settings.py`).
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


TRANSPORT_ALIASES.setdefault("sluicefs", "config.fsqueue:Transport")
