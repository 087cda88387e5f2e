"""Encryption at rest for secrets: Fernet (AES-128-CBC + HMAC-SHA256).

The key is derived (SHA-256) from `SLUICE_ENCRYPTION_KEY`, or from `SECRET_KEY`
when that is unset. `SLUICE_ENCRYPTION_KEY` may hold several comma-separated keys:
the first encrypts, all decrypt (key rotation: put the new key first, then
re-save the records). Settings are read at call time, never at import time.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """A stored secret cannot be decrypted with the configured key(s)."""


def _fernet_for(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def _cipher() -> MultiFernet:
    raw = getattr(settings, "SLUICE_ENCRYPTION_KEY", "") or settings.SECRET_KEY
    keys = [k.strip() for k in str(raw).split(",") if k.strip()]
    return MultiFernet([_fernet_for(k) for k in keys])


def encrypt_json(value: Any) -> str:
    return _cipher().encrypt(json.dumps(value).encode()).decode()


def decrypt_json(token: str) -> Any:
    try:
        return json.loads(_cipher().decrypt(token.encode()))
    except InvalidToken:
        raise DecryptionError("stored secret cannot be decrypted: wrong SLUICE_ENCRYPTION_KEY?")
