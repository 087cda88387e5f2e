"""WDL date and time functions: utcNow, addToTime, convertTimeZone, formatDateTime, …

Design:

* Every timestamp is parsed into a `NetDateTime` (see `dotnet_format`): .NET ticks
  plus the .NET `DateTimeKind`. A timestamp with `Z` or an offset is converted to UTC
  and prints with a trailing `Z`; one without a zone ("03/15/2018", "2025-02-16T14:30")
  stays "unspecified" and prints without one, exactly as Microsoft's examples show
  (`formatDateTime('03/15/2018')` → `2018-03-15T00:00:00.0000000`). Time-zone
  conversions produce unspecified results (`convertFromUtc` → no `Z`), `convertToUtc`
  produces UTC ones.
* Results are strings in the .NET round-trip format `o` (`yyyy-MM-ddTHH:mm:ss.fffffffK`)
  unless a format is given; formats are .NET standard/custom date formats.
* Parsing follows `DateTime.Parse` for the shapes seen in practice: ISO 8601 with or
  without seconds, fraction (up to 7 digits), `Z` or `±hh[:mm]`; `M/d/yyyy[ h:mm[:ss][ AM]]`
  (day first for day-first cultures in `parseDateTime`); month-name forms such as
  "March 15, 2018", "15 March 2018" and RFC 1123 "Thu, 15 Mar 2018 13:00:00 GMT".
  `parseDateTime(text, locale, format)` with a format is `DateTime.ParseExact`.
* Time zones are Windows ids ("W. Europe Standard Time") or IANA names, resolved by
  `timezones.resolve_zone`. A wall-clock time in a DST gap is an error (as
  .NET's "invalid time"); an ambiguous one in the fall-back hour is read as standard
  time, as `TimeZoneInfo.ConvertTime` does.
* Month and Year arithmetic is calendar arithmetic that clamps the day
  (`2018-01-31` + 1 Month → `2018-02-28`), like `DateTime.AddMonths`.
* `utcNow`, `getFutureTime`, `getPastTime` read the clock only through `ctx.now`.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime
from typing import Any

from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions.dotnet_format import (
    INVARIANT,
    TICKS_PER_DAY,
    TICKS_PER_SECOND,
    Culture,
    NetDateTime,
    culture,
    format_datetime,
    format_timespan,
    format_timespan_constant,
    parse_timespan,
    standard_date_pattern,
)
from workflows.expressions.functions.timezones import resolve_zone
from workflows.expressions.registry import function

# ------------------------------------------------------------------ argument checks


def _type_name(value: Any) -> str:
    if value is None:
        return "Null"
    names = {bool: "Boolean", int: "Integer", float: "Float", str: "String", list: "Array"}
    return names.get(type(value), "Object" if isinstance(value, dict) else "String")


def _need_str(fn: str, value: Any, which: str) -> str:
    if not isinstance(value, str):
        raise ExpressionError(
            f"The template language function '{fn}' expects its {which} parameter to be a "
            f"string. The provided value is of type '{_type_name(value)}'."
        )
    return value


def _need_int(fn: str, value: Any, which: str) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ExpressionError(
            f"The template language function '{fn}' expects its {which} parameter to be an "
            f"integer. The provided value is of type '{_type_name(value)}'."
        )
    return value


def _optional_str(fn: str, value: Any, which: str) -> str | None:
    return None if value is None else _need_str(fn, value, which)


# ------------------------------------------------------------------------- parsing

_TZ = r"(?P<tz>Z|z|GMT|UTC|[+-]\d{1,2}(?::?\d{2})?)"
_TIME = (
    r"(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:[.,](?P<frac>\d+))?)?"
    r"(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?"
)
_ISO = re.compile(
    rf"^(?P<y>\d{{4}})[-/](?P<mo>\d{{1,2}})[-/](?P<d>\d{{1,2}})(?:(?:T|\s+){_TIME})?\s*{_TZ}?$"
)
_NUMERIC = re.compile(
    rf"^(?P<a>\d{{1,2}})(?P<sep>[/.-])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}})"
    rf"(?:(?:T|\s+){_TIME})?\s*{_TZ}?$"
)
_WORD = r"[^\W\d_]+"
_MONTH_FIRST = re.compile(
    rf"^(?P<mon>{_WORD})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})"
    rf"(?:,?\s+{_TIME})?\s*{_TZ}?$"
)
_DAY_FIRST = re.compile(
    rf"^(?P<d>\d{{1,2}})\.?(?:\s+|-)(?P<mon>{_WORD})\.?,?(?:\s+|-)(?P<y>\d{{4}})"
    rf"(?:,?\s+{_TIME})?\s*{_TZ}?$"
)


def _month_number(name: str, c: Culture) -> int | None:
    key = name.lower().rstrip(".")
    for table in (c.months, c.months_abbr, INVARIANT.months, INVARIANT.months_abbr):
        for index, month in enumerate(table):
            if month.lower().rstrip(".") == key:
                return index + 1
    return None


def _strip_weekday(text: str, c: Culture) -> str:
    head, sep, rest = text.partition(",")
    names = {d.lower().rstrip(".") for d in (*c.days, *c.days_abbr, *INVARIANT.days)}
    names |= {d.lower() for d in INVARIANT.days_abbr}
    if sep and head.strip().lower().rstrip(".") in names:
        return rest.strip()
    first, _, remainder = text.partition(" ")
    if first.lower().rstrip(".,") in names and remainder:
        return remainder.strip()
    return text


def parse_timestamp(text: Any, fn: str = "timestamp", c: Culture | None = None) -> NetDateTime:
    """`DateTime.Parse` for a WDL timestamp argument; ExpressionError when it is not one."""
    c = c or INVARIANT
    if not isinstance(text, str):
        raise ExpressionError(
            f"The template language function '{fn}' expects a timestamp string. "
            f"The provided value is of type '{_type_name(text)}'."
        )
    raw = text.strip()
    match = _ISO.match(raw) or _NUMERIC.match(raw)
    if match is None:
        cleaned = _strip_weekday(raw, c)
        match = _MONTH_FIRST.match(cleaned) or _DAY_FIRST.match(cleaned)
    if match is None:
        raise _not_a_timestamp(fn, text)
    try:
        return _build(match, c)
    except ValueError:
        raise _not_a_timestamp(fn, text) from None


def _not_a_timestamp(fn: str, text: str) -> ExpressionError:
    return ExpressionError(
        f"The template language function '{fn}' could not parse the timestamp '{text}': "
        "use an ISO 8601 timestamp such as '2018-03-15T13:00:00Z'"
    )


def _date_fields(fields: dict[str, str | None], c: Culture) -> tuple[int, int, int]:
    if fields.get("mon"):
        month = _month_number(fields["mon"] or "", c)
        if month is None:
            raise ValueError("unknown month name")
        return int(fields["y"] or 0), month, int(fields["d"] or 0)
    if fields.get("a"):
        a, b = int(fields["a"] or 0), int(fields["b"] or 0)
        month, day = (b, a) if c.day_first else (a, b)
        year = int(fields["y"] or 0)
        if len(fields["y"] or "") == 2:
            year += 2000 if year <= 49 else 1900
        return year, month, day
    return int(fields["y"] or 0), int(fields["mo"] or 0), int(fields["d"] or 0)


def _build(match: re.Match[str], c: Culture) -> NetDateTime:
    fields = match.groupdict()
    year, month, day = _date_fields(fields, c)
    hour, minute = int(fields.get("hh") or 0), int(fields.get("mi") or 0)
    second = int(fields.get("ss") or 0)
    ampm = (fields.get("ampm") or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError("hour out of range for AM/PM")
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    frac = (fields.get("frac") or "")[:7].ljust(7, "0")
    wall = datetime(year, month, day, hour, minute, second)
    value = NetDateTime.from_datetime(wall, "unspecified").ticks + int(frac)
    tz = fields.get("tz")
    if not tz:
        return NetDateTime(value, "unspecified")
    return NetDateTime(value - _offset_ticks(tz), "utc")


def _offset_ticks(tz: str) -> int:
    if tz.upper() in ("Z", "GMT", "UTC"):
        return 0
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hours, minutes = (
        int(digits[:-2] if len(digits) > 2 else digits),
        int(digits[-2:] if len(digits) > 2 else 0),
    )
    if hours > 14 or minutes > 59:
        raise ValueError("offset out of range")
    return sign * (hours * 3600 + minutes * 60) * TICKS_PER_SECOND


# -------------------------------------------------------------------- ParseExact


def _exact_regex(fmt: str, c: Culture) -> str:
    """A regex with named groups for a .NET custom date format (ParseExact)."""
    if len(fmt) == 1:
        fmt, c = standard_date_pattern(fmt, c)
    parts, i = [], 0
    while i < len(fmt):
        ch = fmt[i]
        if ch in "'\"":
            end = fmt.find(ch, i + 1)
            if end < 0:
                raise ExpressionError(f"The format '{fmt}' has an unterminated quoted string")
            parts.append(re.escape(fmt[i + 1 : end]))
            i = end + 1
            continue
        if ch == "\\":
            parts.append(re.escape(fmt[i + 1 : i + 2]))
            i += 2
            continue
        if ch == "%" and i + 1 < len(fmt):
            i += 1
            ch = fmt[i]
            n = 1
        else:
            n = len(fmt[i:]) - len(fmt[i:].lstrip(ch)) if ch.isalpha() else 1
        parts.append(_exact_token(ch, n, c))
        i += n
    return "^" + "".join(parts) + "$"


def _names(*tables: tuple[str, ...]) -> str:
    names = sorted({n for t in tables for n in t}, key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)


def _exact_token(ch: str, n: int, c: Culture) -> str:
    two = r"\d{2}" if n >= 2 else r"\d{1,2}"
    simple = {
        "d": f"(?P<d>{two})",
        "H": f"(?P<hh>{two})",
        "h": f"(?P<hh12>{two})",
        "m": f"(?P<mi>{two})",
        "s": f"(?P<ss>{two})",
        "M": f"(?P<mo>{two})",
    }
    if ch == "d" and n >= 3:
        return f"(?:{_names(c.days, c.days_abbr)})"
    if ch == "M" and n >= 3:
        return f"(?P<mon>{_names(c.months if n >= 4 else c.months_abbr)})"
    if ch in simple:
        return simple[ch]
    if ch == "y":
        return (
            r"(?P<yy>\d{1,2})" if n == 1 else r"(?P<yy>\d{2})" if n == 2 else rf"(?P<y>\d{{{n}}})"
        )
    if ch in "fF":
        return rf"(?P<frac>\d{{{n}}})" if ch == "f" else rf"(?P<frac>\d{{0,{n}}})"
    if ch == "t":
        return f"(?P<ampm>{_names((c.am, c.pm))})" if n >= 2 else "(?P<ampm1>[AaPp])"
    if ch in "zK":
        return r"(?P<tz>Z|[+-]\d{1,2}(?::?\d{2})?)" + ("?" if ch == "K" else "")
    if ch == ":":
        return re.escape(c.time_sep)
    if ch == "/":
        return re.escape(c.date_sep)
    if ch == " ":
        return r"\s+"
    return re.escape(ch * n)


def parse_exact(text: str, fmt: str, c: Culture) -> NetDateTime:
    """`DateTime.ParseExact(text, fmt, culture)` for custom and standard formats."""
    if fmt in ("o", "O"):
        return parse_timestamp(text, "parseDateTime", c)
    match = re.match(_exact_regex(fmt, c), text.strip(), re.IGNORECASE)
    if match is None:
        raise ExpressionError(f"The string '{text}' does not match the date format '{fmt}'")
    g = match.groupdict()
    try:
        year = int(g["y"]) if g.get("y") else 1
        if g.get("yy"):
            year = int(g["yy"]) + (2000 if int(g["yy"]) <= 49 else 1900)
        month = _month_number(g["mon"], c) if g.get("mon") else int(g.get("mo") or 1)
        hour = int(g.get("hh") or g.get("hh12") or 0)
        designator = (g.get("ampm") or g.get("ampm1") or "").lower()
        if designator:
            hour = hour % 12 + (12 if designator in (c.pm.lower(), "p") else 0)
        wall = datetime(
            year,
            month or 1,
            int(g.get("d") or 1),
            hour,
            int(g.get("mi") or 0),
            int(g.get("ss") or 0),
        )
    except ValueError:
        raise ExpressionError(
            f"The string '{text}' is not a valid date for the format '{fmt}'"
        ) from None
    ticks = NetDateTime.from_datetime(wall).ticks + int((g.get("frac") or "").ljust(7, "0"))
    if g.get("tz"):
        return NetDateTime(ticks - _offset_ticks(g["tz"]), "utc")
    return NetDateTime(ticks, "unspecified")


# ---------------------------------------------------------------------- arithmetic

_FIXED_UNITS = {
    "second": TICKS_PER_SECOND,
    "minute": 60 * TICKS_PER_SECOND,
    "hour": 3600 * TICKS_PER_SECOND,
    "day": TICKS_PER_DAY,
    "week": 7 * TICKS_PER_DAY,
}
_UNIT_NAMES = "Second, Minute, Hour, Day, Week, Month, Year"


def add_interval(value: NetDateTime, interval: int, unit: Any, fn: str) -> NetDateTime:
    """`value` plus `interval` units (Second … Year); Month/Year clamp the day of month."""
    key = _need_str(fn, unit, "time unit").strip().lower()
    if key in _FIXED_UNITS:
        return value.with_ticks(value.ticks + interval * _FIXED_UNITS[key])
    if key in ("month", "year"):
        return _add_months(value, interval * (12 if key == "year" else 1))
    raise ExpressionError(
        f"The template language function '{fn}' got the time unit '{unit}'; "
        f"expected one of {_UNIT_NAMES}"
    )


def _add_months(value: NetDateTime, months: int) -> NetDateTime:
    dt = value.to_datetime()
    total = dt.year * 12 + dt.month - 1 + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise ExpressionError("The resulting date is outside the range 0001-01-01 to 9999-12-31")
    day = min(dt.day, calendar.monthrange(year, month + 1)[1])
    moved = dt.replace(year=year, month=month + 1, day=day)
    return NetDateTime.from_datetime(moved, value.kind, value.sub_ticks)


def _output(value: NetDateTime, fmt: Any, fn: str, which: str = "last") -> str:
    return format_datetime(value, _optional_str(fn, fmt, which), culture(None))


# ---------------------------------------------------------------------- time zones


def _to_utc(value: NetDateTime, zone_name: Any, fn: str) -> NetDateTime:
    """Read the wall clock of `value` as time in `zone_name`; return the UTC instant.

    A trailing `Z` (or an offset, after normalising to UTC) does not change the
    reading: the source zone argument says how to read the clock.
    """
    zone = resolve_zone(_need_str(fn, zone_name, "time zone"))
    wall = value.to_datetime()
    first = wall.replace(tzinfo=zone, fold=1)  # fold=1: the standard-time reading
    back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if back != wall:
        raise ExpressionError(
            f"The timestamp '{format_datetime(value, 's')}' does not exist in the time zone "
            f"'{zone_name}' (it falls in the daylight-saving gap)"
        )
    utc = first.astimezone(UTC)
    return NetDateTime.from_datetime(utc, "utc", value.sub_ticks)


def _from_utc(value: NetDateTime, zone_name: Any, fn: str) -> NetDateTime:
    zone = resolve_zone(_need_str(fn, zone_name, "time zone"))
    local = value.to_datetime().replace(tzinfo=UTC).astimezone(zone)
    return NetDateTime.from_datetime(local, "unspecified", value.sub_ticks)


# ------------------------------------------------------------------------ functions


def _now(ctx: Any) -> NetDateTime:
    now = ctx.now
    if now.tzinfo is not None:
        now = now.astimezone(UTC)
    return NetDateTime.from_datetime(now, "utc")


@function("utcNow", "utcNow(format?: string)", min_args=0, max_args=1, context=True)
def utc_now(ctx: Any, fmt: Any = None) -> str:
    return _output(_now(ctx), fmt, "utcNow", "first")


@function(
    "getFutureTime",
    "getFutureTime(interval: integer, timeUnit: string, format?: string)",
    min_args=2,
    max_args=3,
    context=True,
)
def get_future_time(ctx: Any, interval: Any, unit: Any, fmt: Any = None) -> str:
    steps = _need_int("getFutureTime", interval, "first")
    return _output(add_interval(_now(ctx), steps, unit, "getFutureTime"), fmt, "getFutureTime")


@function(
    "getPastTime",
    "getPastTime(interval: integer, timeUnit: string, format?: string)",
    min_args=2,
    max_args=3,
    context=True,
)
def get_past_time(ctx: Any, interval: Any, unit: Any, fmt: Any = None) -> str:
    steps = _need_int("getPastTime", interval, "first")
    return _output(add_interval(_now(ctx), -steps, unit, "getPastTime"), fmt, "getPastTime")


def _shift(fn: str, timestamp: Any, interval: Any, unit: Any, fmt: Any, sign: int) -> str:
    value = parse_timestamp(timestamp, fn)
    steps = _need_int(fn, interval, "second")
    return _output(add_interval(value, sign * steps, unit, fn), fmt, fn)


@function(
    "addToTime",
    "addToTime(timestamp: string, interval: integer, timeUnit: string, format?: string)",
    min_args=3,
    max_args=4,
)
def add_to_time(timestamp: Any, interval: Any, unit: Any, fmt: Any = None) -> str:
    return _shift("addToTime", timestamp, interval, unit, fmt, 1)


@function(
    "subtractFromTime",
    "subtractFromTime(timestamp: string, interval: integer, timeUnit: string, format?: string)",
    min_args=3,
    max_args=4,
)
def subtract_from_time(timestamp: Any, interval: Any, unit: Any, fmt: Any = None) -> str:
    return _shift("subtractFromTime", timestamp, interval, unit, fmt, -1)


def _register_add(name: str, unit: str) -> None:
    noun = f"{unit.lower()}s"

    @function(
        name, f"{name}(timestamp: string, {noun}: integer, format?: string)", min_args=2, max_args=3
    )
    def add(timestamp: Any, amount: Any, fmt: Any = None) -> str:
        return _shift(name, timestamp, amount, unit, fmt, 1)


for _name, _unit in (
    ("addSeconds", "Second"),
    ("addMinutes", "Minute"),
    ("addHours", "Hour"),
    ("addDays", "Day"),
):
    _register_add(_name, _unit)


@function(
    "dateDifference", "dateDifference(startTimestamp: string, endTimestamp: string)", min_args=2
)
def date_difference(start: Any, end: Any) -> str:
    first = parse_timestamp(start, "dateDifference")
    second = parse_timestamp(end, "dateDifference")
    return format_timespan_constant(second.ticks - first.ticks)


@function(
    "convertTimeZone",
    "convertTimeZone(timestamp: string, sourceTimeZone: string, destinationTimeZone: string, "
    "format?: string)",
    min_args=3,
    max_args=4,
)
def convert_time_zone(timestamp: Any, source: Any, destination: Any, fmt: Any = None) -> str:
    value = parse_timestamp(timestamp, "convertTimeZone")
    utc = _to_utc(value, source, "convertTimeZone")
    return _output(_from_utc(utc, destination, "convertTimeZone"), fmt, "convertTimeZone")


@function(
    "convertToUtc",
    "convertToUtc(timestamp: string, sourceTimeZone: string, format?: string)",
    min_args=2,
    max_args=3,
)
def convert_to_utc(timestamp: Any, source: Any, fmt: Any = None) -> str:
    value = parse_timestamp(timestamp, "convertToUtc")
    return _output(_to_utc(value, source, "convertToUtc"), fmt, "convertToUtc")


@function(
    "convertFromUtc",
    "convertFromUtc(timestamp: string, destinationTimeZone: string, format?: string)",
    min_args=2,
    max_args=3,
)
def convert_from_utc(timestamp: Any, destination: Any, fmt: Any = None) -> str:
    value = parse_timestamp(timestamp, "convertFromUtc")
    return _output(_from_utc(value, destination, "convertFromUtc"), fmt, "convertFromUtc")


@function(
    "formatDateTime",
    "formatDateTime(timestamp: string, format?: string, locale?: string)",
    min_args=1,
    max_args=3,
)
def format_date_time(timestamp: Any, fmt: Any = None, locale: Any = None) -> str:
    value = parse_timestamp(timestamp, "formatDateTime")
    text_format = _optional_str("formatDateTime", fmt, "second")
    return format_datetime(value, text_format, culture(locale))


@function(
    "parseDateTime",
    "parseDateTime(dateString: string, locale?: string, format?: string)",
    min_args=1,
    max_args=3,
)
def parse_date_time(text: Any, locale: Any = None, fmt: Any = None) -> str:
    source = _need_str("parseDateTime", text, "first")
    c = culture(locale)
    pattern = _optional_str("parseDateTime", fmt, "third")
    value = (
        parse_exact(source, pattern, c) if pattern else parse_timestamp(source, "parseDateTime", c)
    )
    return format_datetime(value, "o")


def _truncate(fn: str, timestamp: Any, fmt: Any, unit: str) -> str:
    value = parse_timestamp(timestamp, fn)
    dt = value.to_datetime()
    if unit == "hour":
        dt = dt.replace(minute=0, second=0, microsecond=0)
    elif unit == "day":
        dt = dt.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        dt = dt.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return _output(NetDateTime.from_datetime(dt, value.kind), fmt, fn)


@function("startOfHour", "startOfHour(timestamp: string, format?: string)", min_args=1, max_args=2)
def start_of_hour(timestamp: Any, fmt: Any = None) -> str:
    return _truncate("startOfHour", timestamp, fmt, "hour")


@function("startOfDay", "startOfDay(timestamp: string, format?: string)", min_args=1, max_args=2)
def start_of_day(timestamp: Any, fmt: Any = None) -> str:
    return _truncate("startOfDay", timestamp, fmt, "day")


@function(
    "startOfMonth", "startOfMonth(timestamp: string, format?: string)", min_args=1, max_args=2
)
def start_of_month(timestamp: Any, fmt: Any = None) -> str:
    return _truncate("startOfMonth", timestamp, fmt, "month")


@function("dayOfWeek", "dayOfWeek(timestamp: string)", min_args=1)
def day_of_week(timestamp: Any) -> int:
    return (parse_timestamp(timestamp, "dayOfWeek").to_datetime().weekday() + 1) % 7


@function("dayOfMonth", "dayOfMonth(timestamp: string)", min_args=1)
def day_of_month(timestamp: Any) -> int:
    return parse_timestamp(timestamp, "dayOfMonth").to_datetime().day


@function("dayOfYear", "dayOfYear(timestamp: string)", min_args=1)
def day_of_year(timestamp: Any) -> int:
    return parse_timestamp(timestamp, "dayOfYear").to_datetime().timetuple().tm_yday


@function("ticks", "ticks(timestamp: string)", min_args=1)
def ticks(timestamp: Any) -> int:
    return parse_timestamp(timestamp, "ticks").ticks


@function(
    "formatTimeSpan",
    "formatTimeSpan(timeSpan: string, format: string, culture?: string)",
    min_args=2,
    max_args=3,
)
def format_time_span(span: Any, fmt: Any, locale: Any = None) -> str:
    if isinstance(span, int) and not isinstance(span, bool):
        value = span  # a tick count, as ticks() and sub() produce
    else:
        value = parse_timespan(_need_str("formatTimeSpan", span, "first"))
    text_format = _optional_str("formatTimeSpan", fmt, "second")
    return format_timespan(value, text_format, culture(locale))


def as_datetime(text: str) -> datetime:
    """Public helper: a WDL timestamp as an aware UTC `datetime` (unspecified = UTC)."""
    return parse_timestamp(text).to_datetime().replace(tzinfo=UTC)
