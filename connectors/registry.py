"""Where connectors are found: the `@register` decorator for built-ins and the
`sluice.connectors` package entry point group for third-party packages.

Actions and triggers live in two tables because one WDL type can be both
("Http" is an action and a polling trigger). `kind_of(action)` turns a WDL
action into the registry key: its `type`, except `ServiceProvider` actions
which become `ServiceProvider/<provider>/<operationId>`.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from importlib.metadata import entry_points
from typing import Any

from connectors.base import Connector, Trigger

_REGISTRY: dict[str, type[Connector]] = {}
_TRIGGERS: dict[str, type[Trigger]] = {}
_loaded = False
_lock = threading.RLock()


def register(cls: type[Connector]) -> type[Connector]:
    _REGISTRY[cls.kind.lower()] = cls
    return cls


def register_trigger(cls: type[Trigger]) -> type[Trigger]:
    _TRIGGERS[cls.kind.lower()] = cls
    return cls


def _load() -> None:
    """Import the built-ins and entry points once. The flag is set only after the
    imports finish (under a lock), so a thread racing the first lookup waits
    instead of seeing a half-filled registry."""
    global _loaded
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        import connectors.builtin as builtin

        for module in pkgutil.iter_modules(builtin.__path__):
            importlib.import_module(f"connectors.builtin.{module.name}")
        for entry in entry_points(group="sluice.connectors"):
            entry.load()
        _loaded = True


def get(kind: str) -> type[Connector] | None:
    _load()
    return _REGISTRY.get(kind.lower())


def get_trigger(kind: str) -> type[Trigger] | None:
    _load()
    return _TRIGGERS.get(kind.lower())


def all_connectors() -> list[type[Connector]]:
    _load()
    return sorted(_REGISTRY.values(), key=lambda c: c.kind.lower())


def all_triggers() -> list[type[Trigger]]:
    _load()
    return sorted(_TRIGGERS.values(), key=lambda c: c.kind.lower())


def service_provider_kind(provider_id: str, operation_id: str) -> str:
    """`/serviceProviders/AzureBlob` + `readBlob` → `ServiceProvider/AzureBlob/readBlob`."""
    provider = provider_id.rstrip("/").rsplit("/", 1)[-1]
    return f"ServiceProvider/{provider}/{operation_id}"


def kind_of(action: dict[str, Any]) -> str:
    """The registry key of a WDL action or trigger."""
    kind = str(action.get("type", ""))
    if kind.lower() != "serviceprovider":
        return kind
    config = (action.get("inputs") or {}).get("serviceProviderConfiguration") or {}
    return service_provider_kind(
        str(config.get("serviceProviderId", "")), str(config.get("operationId", ""))
    )


def inputs_of(action_type: str, inputs: Any) -> Any:
    """The connector's inputs from (evaluated) WDL inputs. ServiceProvider actions
    carry theirs in `parameters`; the connection name becomes `connection`."""
    if action_type.lower() != "serviceprovider" or not isinstance(inputs, dict):
        return inputs
    params = dict(inputs.get("parameters") or {})
    config = inputs.get("serviceProviderConfiguration") or {}
    if "connection" not in params and config.get("connectionName"):
        params["connection"] = config["connectionName"]
    return params
