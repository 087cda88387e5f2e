"""Recurrence maths for the Recurrence trigger and every polling trigger. Pure:
no database, no clock — `next_occurrence(recurrence, after)` is all there is.

Semantics (Logic Apps `recurrence`):
- `frequency` Second|Minute|Hour|Day|Week|Month, `interval` ≥ 1.
- `startTime` is local to `timeZone` (Windows or IANA name) or UTC with `Z`.
  Without a schedule, `startTime` is the first occurrence and occurrences are
  `startTime + k·interval`. Without `startTime`, the caller's `anchor` (when the
  trigger was enabled) plays that role.
- Second/Minute/Hour step in elapsed time (DST does not stretch an hour);
  Day/Week/Month step in wall-clock time in `timeZone`, so "every day at 09:00"
  stays at 09:00 local across DST.
- `schedule{hours, minutes, weekDays, monthDays, monthlyOccurrences}` applies to
  Day, Week and Month: occurrences at every hour×minute on matching days, never
  before `startTime`. Missing hours/minutes/weekDays default to startTime's.
- `endTime` (no occurrence after it) and `count` (the caller passes how many
  already fired).
- Extension: `recurrence.cron` ("*/5 * * * *", croniter syntax) in `timeZone`.

DST rules: a local time that does not exist (spring forward) runs at the same
wall-clock offset shifted forward by the gap (02:30 → 03:30); a local time that
happens twice (fall back) runs once, at its first occurrence.

Time zones: Windows ids come from `workflows/expressions/functions/timezones.py`
when present; a small built-in map covers the common ones otherwise.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FREQUENCIES = ("second", "minute", "hour", "day", "week", "month")
STEP = {"second": 1, "minute": 60, "hour": 3600}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MAX_INTERVAL = {
    "month": 16,
    "week": 71,
    "day": 500,
    "hour": 12000,
    "minute": 72000,
    "second": 9999999,
}
SEARCH_DAYS = 366 * 50  # startTime may be up to 49 years ahead

FALLBACK_WINDOWS_ZONES = {
    "utc": "UTC",
    "pacific standard time": "America/Los_Angeles",
    "mountain standard time": "America/Denver",
    "central standard time": "America/Chicago",
    "eastern standard time": "America/New_York",
    "gmt standard time": "Europe/London",
    "w. europe standard time": "Europe/Berlin",
    "romance standard time": "Europe/Paris",
    "central europe standard time": "Europe/Budapest",
    "e. europe standard time": "Europe/Chisinau",
    "india standard time": "Asia/Kolkata",
    "china standard time": "Asia/Shanghai",
    "tokyo standard time": "Asia/Tokyo",
    "aus eastern standard time": "Australia/Sydney",
}


class RecurrenceError(ValueError):
    """The recurrence is invalid; the message says how to fix it."""


def zone(name: str | None) -> ZoneInfo:
    if not name:
        return ZoneInfo("UTC")
    try:
        from workflows.expressions.functions.timezones import iana_name

        iana = iana_name(name)
    except ImportError:
        iana = FALLBACK_WINDOWS_ZONES.get(name.strip().lower(), name.strip())
    except Exception:
        raise RecurrenceError(f"Unknown time zone '{name}'.")
    try:
        return ZoneInfo(iana)
    except (ZoneInfoNotFoundError, ValueError):
        raise RecurrenceError(f"Unknown time zone '{name}'.")


def to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """Naive local time → aware UTC, per the DST rules in the module docstring."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def to_local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def parse_time(value: str | None, tz: ZoneInfo) -> datetime | None:
    """A startTime/endTime: local to `tz` unless it carries `Z` or an offset."""
    if not value:
        return None
    text = str(value).strip().replace("z", "Z")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecurrenceError(f"'{value}' is not a date-time like 2026-01-31T09:00:00.")
    if parsed.tzinfo is None:
        return to_utc(parsed, tz)
    return parsed.astimezone(UTC)


@dataclass(frozen=True)
class Recurrence:
    frequency: str
    interval: int
    tz: ZoneInfo
    start: datetime | None
    end: datetime | None
    count: int | None
    schedule: dict[str, Any]
    cron: str | None


def parse(recurrence: dict[str, Any]) -> Recurrence:
    if not isinstance(recurrence, dict):
        raise RecurrenceError("recurrence must be an object with frequency and interval.")
    tz = zone(recurrence.get("timeZone"))
    cron = recurrence.get("cron")
    frequency = str(recurrence.get("frequency", "cron" if cron else "")).lower()
    if not cron and frequency not in FREQUENCIES:
        raise RecurrenceError(
            f"frequency '{recurrence.get('frequency')}' must be one of Second, Minute, Hour, Day, Week, Month."
        )
    interval = _interval(recurrence.get("interval", 1), frequency)
    count = recurrence.get("count")
    if count is not None and (not isinstance(count, int) or count < 1):
        raise RecurrenceError("count must be a positive integer.")
    if cron:
        _check_cron(str(cron))
    return Recurrence(
        frequency,
        interval,
        tz,
        parse_time(recurrence.get("startTime"), tz),
        parse_time(recurrence.get("endTime"), tz),
        count,
        _schedule(recurrence.get("schedule")),
        str(cron) if cron else None,
    )


def _interval(value: Any, frequency: str) -> int:
    try:
        interval = int(value)
    except (TypeError, ValueError):
        raise RecurrenceError(f"interval '{value}' must be a whole number.")
    limit = MAX_INTERVAL.get(frequency, 1)
    if not 1 <= interval <= limit:
        raise RecurrenceError(f"interval for {frequency} must be between 1 and {limit}.")
    return interval


def _schedule(schedule: Any) -> dict[str, Any]:
    if not schedule:
        return {}
    if not isinstance(schedule, dict):
        raise RecurrenceError("schedule must be an object.")
    out: dict[str, Any] = {}
    for key, low, high in (("hours", 0, 23), ("minutes", 0, 59), ("monthDays", -31, 31)):
        values = schedule.get(key)
        if values is None:
            continue
        values = values if isinstance(values, list) else [values]
        if not all(_in_range(v, low, high, key) for v in values):
            raise RecurrenceError(f"schedule.{key} values must be whole numbers in {low}..{high}.")
        out[key] = sorted(set(values))
    if schedule.get("weekDays") is not None:
        out["weekDays"] = {_weekday(d) for d in schedule["weekDays"]}
    if schedule.get("monthlyOccurrences"):
        out["monthlyOccurrences"] = [
            (_weekday(o.get("day") or o.get("dayOfWeek")), int(o.get("occurrence", 1)))
            for o in schedule["monthlyOccurrences"]
        ]
    return out


def _in_range(value: Any, low: int, high: int, key: str) -> bool:
    valid = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    return valid and not (key == "monthDays" and value == 0)


def _weekday(name: Any) -> int:
    key = str(name).strip().lower()
    if key not in WEEKDAYS:
        raise RecurrenceError(f"'{name}' is not a week day (Monday … Sunday).")
    return WEEKDAYS.index(key)


def _check_cron(expression: str) -> None:
    from croniter import croniter

    if not croniter.is_valid(expression):
        raise RecurrenceError(f"'{expression}' is not a valid cron expression.")


# ------------------------------------------------------------------ occurrences


def next_occurrence(
    recurrence: dict[str, Any] | Recurrence,
    after: datetime,
    *,
    anchor: datetime | None = None,
    fired: int = 0,
) -> datetime | None:
    """The first occurrence strictly after `after` (aware), in UTC; None when the
    recurrence has ended (endTime passed or `count` occurrences `fired`)."""
    rec = recurrence if isinstance(recurrence, Recurrence) else parse(recurrence)
    if rec.count is not None and fired >= rec.count:
        return None
    after = after.astimezone(UTC)
    start = rec.start or (anchor.astimezone(UTC) if anchor else None)
    found = _next(rec, after, start)
    if found is None or (rec.end is not None and found > rec.end):
        return None
    return found


def _next(rec: Recurrence, after: datetime, start: datetime | None) -> datetime | None:
    if rec.cron:
        return _next_cron(rec, max(after, start - timedelta(microseconds=1)) if start else after)
    if rec.frequency in STEP:
        return _next_elapsed(rec, after, start)
    if rec.schedule and _has_schedule(rec):
        return _next_scheduled(rec, after, start or after)
    return _next_calendar(rec, after, start or after)


def _has_schedule(rec: Recurrence) -> bool:
    keys = {"hours", "minutes"} | ({"weekDays"} if rec.frequency == "week" else set())
    if rec.frequency == "month":
        keys |= {"monthDays", "monthlyOccurrences"}
    return any(k in rec.schedule for k in keys)


def _next_elapsed(rec: Recurrence, after: datetime, start: datetime | None) -> datetime:
    step = timedelta(seconds=STEP[rec.frequency] * rec.interval)
    if start is None:
        return after + step
    if start > after:
        return start
    periods = (after - start) // step + 1
    return start + periods * step


def _add_periods(local: datetime, frequency: str, n: int) -> datetime:
    if frequency == "day":
        return local + timedelta(days=n)
    if frequency == "week":
        return local + timedelta(weeks=n)
    month_index = local.year * 12 + local.month - 1 + n
    year, month = divmod(month_index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day)


def _next_calendar(rec: Recurrence, after: datetime, start: datetime) -> datetime | None:
    if start > after:
        return start
    local_start, local_after = to_local(start, rec.tz), to_local(after, rec.tz)
    if rec.frequency == "month":
        elapsed = (local_after.year - local_start.year) * 12 + local_after.month - local_start.month
    else:
        days = (local_after.date() - local_start.date()).days
        elapsed = days // 7 if rec.frequency == "week" else days
    k = max(0, elapsed // rec.interval - 1)
    for _ in range(4):
        candidate = to_utc(_add_periods(local_start, rec.frequency, k * rec.interval), rec.tz)
        if candidate > after:
            return candidate
        k += 1
    return None  # pragma: no cover - unreachable: four periods always pass `after`


def _next_scheduled(rec: Recurrence, after: datetime, start: datetime) -> datetime | None:
    local_start = to_local(start, rec.tz)
    first_day = max(to_local(after, rec.tz).date(), local_start.date())
    times = _times_of_day(rec, local_start)
    for offset in range(SEARCH_DAYS):
        day = first_day + timedelta(days=offset)
        if not _day_matches(rec, day, local_start.date()):
            continue
        for moment in times:
            candidate = to_utc(datetime.combine(day, moment), rec.tz)
            if candidate > after and candidate >= start:
                return candidate
    return None


def _times_of_day(rec: Recurrence, local_start: datetime) -> list[dtime]:
    hours = rec.schedule.get("hours") or [local_start.hour]
    minutes = rec.schedule.get("minutes") or [local_start.minute]
    return [dtime(h, m) for h in hours for m in minutes]


def _day_matches(rec: Recurrence, day: date, start_day: date) -> bool:
    if rec.frequency == "day":
        return (day - start_day).days % rec.interval == 0
    if rec.frequency == "week":
        week = (
            (day - timedelta(days=day.weekday()))
            - (start_day - timedelta(days=start_day.weekday()))
        ).days // 7
        weekdays = rec.schedule.get("weekDays") or {start_day.weekday()}
        return week % rec.interval == 0 and day.weekday() in weekdays
    months = (day.year - start_day.year) * 12 + day.month - start_day.month
    return months % rec.interval == 0 and _month_day_matches(rec, day, start_day)


def _month_day_matches(rec: Recurrence, day: date, start_day: date) -> bool:
    last = calendar.monthrange(day.year, day.month)[1]
    month_days = rec.schedule.get("monthDays")
    occurrences = rec.schedule.get("monthlyOccurrences")
    if not month_days and not occurrences:
        return day.day == min(start_day.day, last)
    if month_days and any(day.day == (d if d > 0 else last + 1 + d) for d in month_days):
        return True
    for weekday, occurrence in occurrences or []:
        nth = (day.day - 1) // 7 + 1 if occurrence > 0 else -((last - day.day) // 7 + 1)
        if day.weekday() == weekday and nth == occurrence:
            return True
    return False


def _next_cron(rec: Recurrence, after: datetime) -> datetime | None:
    from croniter import croniter

    local_after = to_local(after, rec.tz)
    iterator = croniter(rec.cron, local_after)
    for _ in range(1000):
        candidate = to_utc(iterator.get_next(datetime), rec.tz)
        if candidate > after:
            return candidate
    return None  # pragma: no cover - a valid cron always yields a later time


def validate(recurrence: dict[str, Any]) -> list[str]:
    """Problems with a recurrence, as clear sentences ([] when valid)."""
    try:
        parse(recurrence)
    except RecurrenceError as exc:
        return [str(exc)]
    return []
