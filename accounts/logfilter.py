"""A logging filter that masks stored secret values in every log record.

Installed on the root logger's handlers by `AccountsConfig.ready()` (a handler
filter sees records propagated from every logger, which a logger filter would not).
"""

from __future__ import annotations

import logging

from accounts.connections import contains_secret, scrub, scrub_text


class SecretMaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        if contains_secret(message):
            record.msg = scrub_text(message)
            record.args = None
        for name in ("workflow", "run", "action", "detail", "exc_text"):
            value = getattr(record, name, None)
            if value is not None and contains_secret(value):
                setattr(record, name, scrub(value))
        return True


def install() -> None:
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, SecretMaskingFilter) for f in handler.filters):
            handler.addFilter(SecretMaskingFilter())
