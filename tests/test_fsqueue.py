"""The embedded Celery transport (`config/fsqueue.py`) hands a reader whole
messages only, however large and however busy the folder."""

from __future__ import annotations

import multiprocessing
import time
from queue import Empty

import pytest
from kombu import Connection

from config import fsqueue


def _connection(folder, url="sluicefs://"):
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "processed_folder": str(folder),
        "store_processed": False,
    }
    return Connection(url, transport_options=options)


def _write_all(folder, url: str, count: int, size: int) -> None:
    with _connection(folder, url) as conn:
        channel = conn.default_channel
        for n in range(count):
            channel._put("q", {"n": n, "body": "x" * size})


@pytest.mark.parametrize("url", ["sluicefs://"])
def test_a_reader_never_sees_a_message_half_written(tmp_path, url):
    """A writer process puts large messages while this one takes them as fast as
    it can (kombu's own `filesystem://` fails this within a few messages)."""
    count, size = 150, 1_000_000
    writer = multiprocessing.get_context("spawn").Process(
        target=_write_all, args=(tmp_path, url, count, size)
    )
    writer.start()
    got: list[int] = []
    with _connection(tmp_path, url) as conn:
        channel = conn.default_channel
        deadline = time.monotonic() + 120
        while len(got) < count and time.monotonic() < deadline:
            try:
                message = channel._get("q")
            except Empty:
                continue
            assert len(message["body"]) == size
            got.append(message["n"])
    writer.join(30)
    assert sorted(got) == list(range(count))
    assert not list(tmp_path.iterdir())  # nothing left behind, no partial files


def test_the_transport_is_what_the_embedded_settings_use():
    from django.conf import settings

    if not getattr(settings, "REDIS_URL", ""):
        assert settings.CELERY_BROKER_URL == "sluicefs://"
    assert fsqueue.Transport.Channel is fsqueue.Channel
