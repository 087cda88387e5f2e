"""One error type for every broker refusal; views turn it into `{"error": …}`."""

from __future__ import annotations


class BrokerError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def not_found(what: str, name: str) -> BrokerError:
    return BrokerError("NotFound", f"{what} '{name}' does not exist.", 404)


def bad_request(message: str, code: str = "BadRequest") -> BrokerError:
    return BrokerError(code, message, 400)
