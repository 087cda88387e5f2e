"""`TimeSpan` parsing and `TimeSpan.ToString(format)`: c/t/T, g, G and custom formats.

In custom time-span formats every character that is not a specifier (d, h, m, s, f, F)
must be quoted or escaped, exactly as .NET demands; the sign is never printed.
"""

from __future__ import annotations

import re

from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions.dotnet_format.cultures import Culture, culture
from workflows.expressions.functions.dotnet_format.dates import (
    TICKS_PER_DAY,
    TICKS_PER_SECOND,
    quoted,
    run_length,
)


def format_timespan_constant(ticks: int) -> str:
    """TimeSpan "c" format: `[-][d.]hh:mm:ss[.fffffff]`."""
    sign = "-" if ticks < 0 else ""
    days, rest = divmod(abs(ticks), TICKS_PER_DAY)
    secs, frac = divmod(rest, TICKS_PER_SECOND)
    text = f"{sign}{f'{days}.' if days else ''}{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
    return text + (f".{frac:07d}" if frac else "")


_TIMESPAN_RE = re.compile(
    r"^\s*(?P<sign>-)?(?:(?P<days>\d+)\.)?(?P<h>\d{1,2}):(?P<m>\d{1,2})"
    r"(?::(?P<s>\d{1,2})(?:\.(?P<f>\d{1,7}))?)?\s*$"
)


def parse_timespan(text: str) -> int:
    """`TimeSpan.Parse` for `[-][d.]h:m[:s[.f]]` and a bare day count; returns ticks."""
    text = str(text)
    if re.fullmatch(r"\s*-?\d+\s*", text):
        return int(text) * TICKS_PER_DAY
    if text.count(":") == 3:  # the "G" shape d:hh:mm:ss.fffffff
        text = text.replace(":", ".", 1)
    match = _TIMESPAN_RE.match(text)
    if not match or int(match["h"]) > 23 or int(match["m"]) > 59 or int(match["s"] or 0) > 59:
        raise ExpressionError(
            f"The time span '{text}' is not valid: expected [-][d.]hh:mm[:ss[.fffffff]]"
        )
    secs = int(match["h"]) * 3600 + int(match["m"]) * 60 + int(match["s"] or 0)
    ticks = (int(match["days"] or 0) * 86_400 + secs) * TICKS_PER_SECOND
    ticks += int((match["f"] or "").ljust(7, "0") or 0)
    return -ticks if match["sign"] else ticks


def format_timespan(ticks: int, fmt: str | None, c: Culture | None = None) -> str:
    """`TimeSpan.ToString(fmt, culture)`: standard c/t/T/g/G or a custom format."""
    c = c or culture(None)
    if fmt in (None, "", "c", "t", "T"):
        return format_timespan_constant(ticks)
    if fmt in ("g", "G"):
        return _timespan_general(ticks, fmt, c)
    if len(fmt) == 1:
        raise ExpressionError(f"The time span format '{fmt}' is not valid (c, g, G or custom)")
    return _format_custom_timespan(abs(ticks), fmt)


def _timespan_general(ticks: int, fmt: str, c: Culture) -> str:
    sign = "-" if ticks < 0 else ""
    days, rest = divmod(abs(ticks), TICKS_PER_DAY)
    secs, frac = divmod(rest, TICKS_PER_SECOND)
    hh, mm, ss = secs // 3600, secs // 60 % 60, secs % 60
    if fmt == "G":
        return f"{sign}{days}:{hh:02d}:{mm:02d}:{ss:02d}{c.decimal}{frac:07d}"
    text = f"{sign}{f'{days}:' if days else ''}{hh}:{mm:02d}:{ss:02d}"
    fraction = f"{frac:07d}".rstrip("0")
    return text + (f"{c.decimal}{fraction}" if fraction else "")


_LIMITS = {"d": 8, "h": 2, "m": 2, "s": 2, "f": 7, "F": 7}


def _format_custom_timespan(ticks: int, fmt: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch in "'\"":
            text, i = quoted(fmt, i)
            out.append(text)
        elif ch == "\\":
            out.append(_escaped(fmt, i))
            i += 2
        else:
            if ch == "%":
                _escaped(fmt, i)  # checks that a specifier follows
                i += 1
            text, i = _timespan_field(ticks, fmt, i)
            out.append(text)
    return "".join(out)


def _escaped(fmt: str, i: int) -> str:
    if i + 1 >= len(fmt):
        raise ExpressionError(f"The time span format '{fmt}' ends with '{fmt[i]}'")
    return fmt[i + 1]


def _timespan_field(ticks: int, fmt: str, i: int) -> tuple[str, int]:
    """The text of the specifier run at fmt[i] and the index after it."""
    ch = fmt[i]
    if ch not in _LIMITS:
        raise ExpressionError(
            f"The time span format '{fmt}' has the unescaped character '{ch}'; "
            "quote literals ('...') or escape them with '\\'"
        )
    n = run_length(fmt, i)
    if n > _LIMITS[ch]:
        raise ExpressionError(f"The time span format '{fmt}' repeats '{ch}' too often")
    days, rest = divmod(ticks, TICKS_PER_DAY)
    secs, frac = divmod(rest, TICKS_PER_SECOND)
    if ch in "fF":
        digits = f"{frac:07d}"[:n]
        return (digits.rstrip("0") if ch == "F" else digits), i + n
    fields = {"d": days, "h": secs // 3600, "m": secs // 60 % 60, "s": secs % 60}
    return f"{fields[ch]:0{n}d}", i + n
