"""A logging filter that masks stored secret values, and the `sig` of signed
callback URLs, in every log record.

Configured on the console handler in `LOGGING` and also added by
`AccountsConfig.ready()` to any root handler that lacks it (a handler filter sees
records propagated from every logger, which a logger filter would not).

Pitfall: logging is configured before Django's apps are loaded, so this module
must not import models at import time; it does so on first use, and lets records
through untouched until the app registry is ready.
"""

from __future__ import annotations

import logging
import re

_NAMED = ("workflow", "run", "action", "detail", "exc_text")
_SIGNATURE = re.compile(r"([?&]sig=)[^&\s\"'>]+")


def mask_signatures(text: str) -> str:
    """Callback-URL signatures are credentials: `…&sig=abc` → `…&sig=********`."""
    return _SIGNATURE.sub(r"\1********", text)


class SecretMaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        from django.apps import apps

        if not apps.ready:
            return True
        from accounts.connections import contains_secret, scrub, scrub_text

        try:
            message = record.getMessage()
        except Exception:
            return True
        if contains_secret(message) or "sig=" in message:
            record.msg = mask_signatures(scrub_text(message))
            record.args = None
        for name in _NAMED:
            value = getattr(record, name, None)
            if value is not None and contains_secret(value):
                setattr(record, name, scrub(value))
        return True


def install() -> None:
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, SecretMaskingFilter) for f in handler.filters):
            handler.addFilter(SecretMaskingFilter())
