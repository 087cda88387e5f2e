"""Run ids: the Logic Apps shape, newest first as plain strings, apart across
processes (the random digits are reseeded in a forked child)."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta

from workflows.ids import run_id


def test_the_shape_and_the_order():
    now = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)
    older, newer = run_id(now), run_id(now + timedelta(microseconds=1))
    assert re.fullmatch(r"\d{29}CU00", older)
    assert newer < older  # newest first
    assert len({run_id(now) for _ in range(1000)}) == 1000


def test_a_forked_child_draws_other_digits():
    now = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its ids and leave at once
        os.write(write, ",".join(run_id(now) for _ in range(50)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = set(pipe.read().split(","))
    os.waitpid(pid, 0)
    mine = {run_id(now) for _ in range(50)}
    assert len(child) == 50 and not child & mine
