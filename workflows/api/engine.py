"""The seam between the HTTP edge and the engine (`workflows.services`).

Imported lazily so the API loads (and explains itself with a 503) while the
engine is missing or mid-change, instead of failing at import time.
"""

from __future__ import annotations

import importlib
from typing import Any

from workflows.api.errors import ApiError


class EngineUnavailable(ApiError):
    def __init__(self, detail: str) -> None:
        super().__init__("EngineUnavailable", f"The run engine is not available: {detail}", 503)


def services() -> Any:
    try:
        return importlib.import_module("workflows.services")
    except ImportError as exc:
        raise EngineUnavailable(str(exc))


def queue_full_error() -> type[BaseException]:
    """`RunQueueFull` from the engine (a class that never matches when absent)."""
    try:
        return services().RunQueueFull
    except (EngineUnavailable, AttributeError):
        return _Never


class _Never(Exception):
    pass


def call(name: str, *args: Any, **kwargs: Any) -> Any:
    function = getattr(services(), name, None)
    if function is None:
        raise EngineUnavailable(f"workflows.services.{name} is missing")
    return function(*args, **kwargs)
