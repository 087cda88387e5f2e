"""Structured JSON logs: one JSON object per line, naming workflow/run/action.

`JsonFormatter` writes `{"time", "level", "logger", "message", "workflow", "run",
"action", …}`. The names come from the record's `extra` (`extra={"workflow": …,
"run": …}`, as the engine logs) or, when absent, from `log_context(...)`, a
context manager for code that handles one run at a time. Secret values are
masked before formatting by `accounts.logfilter.SecretMaskingFilter` (a handler
filter, installed at start-up).

Enabled by `LOGGING` in settings (`SLUICE_LOG_FORMAT=json`, the default;
`plain` for humans at a terminal).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime

_CONTEXT: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "sluice_log", default=None
)
NAMES = ("workflow", "run", "action")
_SIGNATURE = re.compile(r"([?&]sig=)[^&\s\"'>]+")  # callback-URL signatures are credentials
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


@contextlib.contextmanager
def log_context(**names: str) -> Iterator[None]:
    """Attach `workflow=`, `run=`, `action=` to every record logged inside."""
    token = _CONTEXT.set({**(_CONTEXT.get() or {}), **{k: str(v) for k, v in names.items() if v}})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = _CONTEXT.get() or {}
        for name in NAMES:
            value = getattr(record, name, None) or context.get(name)
            if value:
                entry[name] = str(value)
        entry.update(_extras(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _SIGNATURE.sub(r"\1********", json.dumps(entry, default=str))


def _extras(record: logging.LogRecord) -> dict[str, object]:
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _STANDARD and key not in NAMES and not key.startswith("_")
    }
