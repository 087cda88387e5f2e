"""Connections and app settings: storage, masking, resolution for a run, scrubbing.

Which parameters are secret: every parameter whose name looks like a credential
(`password`, `secret`, `key`, `token`, `connectionString`, `sig`, `sas`,
`credential`, `privateKey`, `passphrase`) and every app setting value. Secrets are
shown as `MASK` by the API; writing `MASK` back keeps the stored value, so a UI can
round-trip a form without knowing the secret.

`scrub(data)` replaces every stored secret value (4+ characters) found anywhere in
a JSON-like value with `MASK`; it backs the log filter and the run-record
scrubber (`accounts.signals`). The set of secret values is cached per process and
refreshed on change (in-process signal) or after `_TTL` seconds (other processes).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from typing import Any

from accounts.crypto import decrypt_json, encrypt_json
from accounts.models import AppSetting, Connection

MASK = "********"
_SECRET_NAME = re.compile(
    r"pass|secret|key|token|connectionstring|sig|sas|credential|passphrase", re.IGNORECASE
)
_CONNECTION_REF = re.compile(r"parameters\(\s*'\$connections'\s*\)\s*\[\s*'([^']+)'\s*\]")
_APPSETTING_REF = re.compile(r"appsetting\(\s*'([^']+)'\s*\)")
_MIN_SECRET = 4
_TTL = 10.0
_ENV_PREFIX = "SLUICE_APPSETTING_"


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def parameters_of(connection: Connection) -> dict[str, Any]:
    return decrypt_json(connection.encrypted_parameters)


def set_parameters(connection: Connection, new: dict[str, Any]) -> None:
    """Store `new`; a value equal to `MASK` keeps the previously stored one."""
    old = parameters_of(connection) if connection.encrypted_parameters else {}
    merged = {k: (old.get(k) if v == MASK and k in old else v) for k, v in new.items()}
    connection.encrypted_parameters = encrypt_json(merged)


def masked(value: Any, *, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: masked(v, key=k) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, key=key) for v in value]
    if key and is_secret_name(key) and value not in (None, ""):
        return MASK
    return value


def appsetting_value(setting: AppSetting) -> str:
    return decrypt_json(setting.encrypted_value)


def set_appsetting_value(setting: AppSetting, value: str) -> None:
    setting.encrypted_value = encrypt_json(value)


# --- resolution for a run -----------------------------------------------------------


def referenced_names(definition: Any) -> tuple[set[str], set[str]]:
    """Connection names and app-setting names that a definition refers to."""
    text = json.dumps(definition)
    connections = set(_CONNECTION_REF.findall(text.replace('\\"', '"')))
    connections |= set(_connection_names_in(definition))
    return connections, set(_APPSETTING_REF.findall(text))


def _connection_names_in(value: Any):
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "connectionName" and isinstance(v, str):
                yield v
            else:
                yield from _connection_names_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from _connection_names_in(v)


def connection_value(connection: Connection) -> dict[str, Any]:
    params = parameters_of(connection)
    return {
        **params,
        "connectionId": connection.name,
        "connectionName": connection.name,
        "type": connection.type,
        "parameterValues": params,
    }


def resolve_for_run(definition: Any) -> tuple[dict[str, dict], dict[str, str]]:
    """`(connections, appsettings)` for the run context: only what `definition` uses.

    App settings come from the `AppSetting` table, else from the environment
    variable `SLUICE_APPSETTING_<NAME>`.
    """
    conn_names, setting_names = referenced_names(definition)
    connections = {
        c.name: connection_value(c) for c in Connection.objects.filter(name__in=conn_names)
    }
    stored = {
        s.name: appsetting_value(s) for s in AppSetting.objects.filter(name__in=setting_names)
    }
    settings = {
        name: stored[name] if name in stored else os.environ[_ENV_PREFIX + name]
        for name in setting_names
        if name in stored or _ENV_PREFIX + name in os.environ
    }
    return connections, settings


_named: dict[str, tuple[float, str | None]] = {}
NAMED_SECONDS = 2.0


def appsetting_named(name: str) -> str | None:
    """One app setting's value (row, else `SLUICE_APPSETTING_<NAME>`), or None;
    remembered for `NAMED_SECONDS` per process — it is read on hot paths (every
    stateless request). A change saved in this process applies at once
    (`invalidate_secret_cache`); one saved elsewhere, within that time."""
    now = time.monotonic()
    cached = _named.get(name)
    if cached is not None and now - cached[0] < NAMED_SECONDS:
        return cached[1]
    setting = AppSetting.objects.filter(name=name).first()
    value = appsetting_value(setting) if setting else os.environ.get(_ENV_PREFIX + name)
    if len(_named) > 1000:
        _named.clear()
    _named[name] = (now, value)
    return value


# --- scrubbing ----------------------------------------------------------------------

_cache: dict[str, Any] = {"at": 0.0, "values": ()}
_guard = threading.local()


def invalidate_secret_cache() -> None:
    _cache["at"] = 0.0
    _named.clear()


def _secret_leaves(value: Any, key: str = ""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _secret_leaves(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _secret_leaves(v, key)
    elif key and is_secret_name(key) and value is not None:
        yield str(value)


def _load_secret_values() -> tuple[str, ...]:
    values: set[str] = set()
    for connection in Connection.objects.all():
        values.update(_secret_leaves(parameters_of(connection)))
    for setting in AppSetting.objects.all():
        values.add(str(appsetting_value(setting)))
    # longest first, so that a secret containing another is masked whole
    return tuple(sorted((v for v in values if len(v) >= _MIN_SECRET), key=len, reverse=True))


def secret_values() -> tuple[str, ...]:
    """All stored secret values (cached). Never raises: logging must not break."""
    if getattr(_guard, "busy", False):
        return _cache["values"]
    if time.monotonic() - _cache["at"] < _TTL:
        return _cache["values"]
    _guard.busy = True
    try:
        _cache["values"] = _load_secret_values()
        _cache["at"] = time.monotonic()
    except Exception:  # database not ready (migrations, async context): keep old values
        pass
    finally:
        _guard.busy = False
    return _cache["values"]


def scrub_text(text: str, values: tuple[str, ...] | None = None) -> str:
    for secret in secret_values() if values is None else values:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def scrub(data: Any, values: tuple[str, ...] | None = None) -> Any:
    """`data` with every stored secret value replaced by `MASK` (keys and values)."""
    values = secret_values() if values is None else values
    if not values:
        return data
    if isinstance(data, str):
        return scrub_text(data, values)
    if isinstance(data, dict):
        return {scrub_text(str(k), values): scrub(v, values) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [scrub(v, values) for v in data]
    return data


def contains_secret(data: Any) -> bool:
    values = secret_values()
    if not values:
        return False
    text = data if isinstance(data, str) else json.dumps(data, default=str)
    return any(v in text for v in values)
