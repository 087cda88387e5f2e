"""Retry policies (spec §1.5) as a small dataclass, after temporalio's `RetryPolicy`.

`RetryPolicy.delay(retry_number, fraction)` is pure: the caller passes the random
fraction in [0, 1) so tests can pin it. Retry *n* of an exponential policy waits
uniformly in [max(2^(n-2)·interval, minimum) (minimum for n=1), min(2^(n-1)·interval,
maximum)]. The default policy is exponential, 4 retries, interval 7.5 s, capped to
5–45 s, as documented for Logic Apps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from workflows.engine.durations import DurationError, parse_duration

MAX_COUNT = 90
MIN_INTERVAL = timedelta(seconds=5)
MAX_INTERVAL = timedelta(days=1)


class RetryPolicyError(ValueError):
    pass


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before retrying a retryable failure.

    type: `exponential`, `fixed` or `none`; count: retries after the first attempt.
    """

    type: str = "exponential"
    count: int = 4
    interval: timedelta = timedelta(seconds=7.5)
    minimum_interval: timedelta = MIN_INTERVAL
    maximum_interval: timedelta = timedelta(seconds=45)

    @property
    def max_attempts(self) -> int:
        return 1 if self.type == "none" else self.count + 1

    def allows_retry(self, attempts_made: int) -> bool:
        return attempts_made < self.max_attempts

    def delay(self, retry_number: int, fraction: float = 0.5) -> timedelta:
        """Wait before retry number `retry_number` (1 = first retry)."""
        if self.type == "fixed":
            return self.interval
        if self.type == "none":
            return timedelta(0)
        low = self.minimum_interval
        if retry_number > 1:
            low = max(self.interval * 2 ** (retry_number - 2), self.minimum_interval)
        low = min(low, self.maximum_interval)
        high = max(low, min(self.interval * 2 ** (retry_number - 1), self.maximum_interval))
        return low + (high - low) * fraction


DEFAULT = RetryPolicy()
NONE = RetryPolicy(type="none", count=0)


def _duration(spec: dict[str, Any], key: str, default: timedelta) -> timedelta:
    if key not in spec:
        return default
    try:
        return parse_duration(spec[key])
    except DurationError as exc:
        raise RetryPolicyError(f"retryPolicy.{key}: {exc}") from None


def _count(spec: dict[str, Any], default: int) -> int:
    count = spec.get("count", default)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_COUNT:
        raise RetryPolicyError(f"retryPolicy.count must be an integer from 1 to {MAX_COUNT}")
    return count


def parse_retry_policy(spec: Any) -> RetryPolicy:
    """`inputs.retryPolicy` → `RetryPolicy`; missing or `default` gives `DEFAULT`."""
    if spec is None:
        return DEFAULT
    if not isinstance(spec, dict):
        raise RetryPolicyError("retryPolicy must be an object")
    kind = str(spec.get("type", "default")).lower()
    if kind == "default":
        return DEFAULT
    if kind == "none":
        return NONE
    if kind == "fixed":
        return RetryPolicy(
            "fixed", _count(spec, 4), _duration(spec, "interval", timedelta(seconds=20))
        )
    if kind == "exponential":
        return RetryPolicy(
            "exponential",
            _count(spec, 4),
            _duration(spec, "interval", timedelta(seconds=7)),
            _duration(spec, "minimumInterval", MIN_INTERVAL),
            _duration(spec, "maximumInterval", MAX_INTERVAL),
        )
    raise RetryPolicyError(
        f"unknown retryPolicy type '{spec.get('type')}' (default, none, fixed, exponential)"
    )
