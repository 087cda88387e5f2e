"""ISO 8601 durations (`PT5S`, `P1D`, `PT1H30M`) as used by `limit.timeout`,
`retryPolicy.interval` and `Until` limits.

Months and years are approximated as 30 and 365 days: WDL uses them only for
coarse limits, and a pure engine cannot consult a calendar anyway.
"""

from __future__ import annotations

import re
from datetime import timedelta

_PATTERN = re.compile(
    r"^P(?:(?P<years>\d+(?:\.\d+)?)Y)?(?:(?P<months>\d+(?:\.\d+)?)M)?(?:(?P<weeks>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)
_SECONDS = {
    "years": 365 * 86400,
    "months": 30 * 86400,
    "weeks": 7 * 86400,
    "days": 86400,
    "hours": 3600,
    "minutes": 60,
    "seconds": 1,
}


class DurationError(ValueError):
    pass


def parse_duration(text: str) -> timedelta:
    """`PT1H` → 1 hour. Raises `DurationError` with the offending text."""
    match = _PATTERN.match(str(text).strip()) if text else None
    if not match or str(text).strip().upper() in {"P", "PT"}:
        raise DurationError(f"'{text}' is not an ISO 8601 duration such as PT30S or P1D")
    seconds = sum(float(v) * _SECONDS[k] for k, v in match.groupdict().items() if v)
    return timedelta(seconds=seconds)


UNIT_SECONDS = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
}


def interval_to_timedelta(count: float, unit: str) -> timedelta:
    """The `Wait` action's `interval{count, unit}`."""
    key = str(unit).lower().rstrip("s")
    if key not in UNIT_SECONDS:
        raise DurationError(
            f"unknown interval unit '{unit}' (Second, Minute, Hour, Day, Week, Month)"
        )
    return timedelta(seconds=float(count) * UNIT_SECONDS[key])
