"""Where connectors are found: the `@register` decorator for built-ins and the
`sluice.connectors` package entry point group for third-party packages."""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points

from connectors.base import Connector

_REGISTRY: dict[str, type[Connector]] = {}
_loaded = False


def register(cls: type[Connector]) -> type[Connector]:
    _REGISTRY[cls.kind.lower()] = cls
    return cls


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    import connectors.builtin as builtin

    for module in pkgutil.iter_modules(builtin.__path__):
        importlib.import_module(f"connectors.builtin.{module.name}")
    for entry in entry_points(group="sluice.connectors"):
        entry.load()


def get(kind: str) -> type[Connector] | None:
    _load()
    return _REGISTRY.get(kind.lower())


def all_connectors() -> list[type[Connector]]:
    _load()
    return sorted(_REGISTRY.values(), key=lambda c: c.kind.lower())
