"""`DateTime.ToString(format, culture)`: standard and custom date format strings.

Rules from "Standard/Custom date and time format strings" (learn.microsoft.com) and the
tokenizer of `System.Globalization.DateTimeFormat.FormatCustomized`: letters repeat
(`yyyy`, `MMM`), runs are capped (`hhh` = `hh`), `'…'`/`"…"` quote, `\\` escapes, `%x` makes
a one-letter custom format, `:` and `/` are the culture's separators, and an empty
`F` run swallows the `.` before it. A one-character format is always a standard format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions.dotnet_format.cultures import INVARIANT, Culture, culture

TICKS_PER_SECOND = 10_000_000
TICKS_PER_DAY = 86_400 * TICKS_PER_SECOND
_EPOCH = datetime(1, 1, 1)
MAX_TICKS = 3_155_378_975_999_999_999  # 9999-12-31T23:59:59.9999999

# ------------------------------------------------------------------------ date values


@dataclass(frozen=True)
class NetDateTime:
    """A .NET `DateTime`: ticks since 0001-01-01T00:00:00 and a kind ("utc"/"unspecified")."""

    ticks: int
    kind: str = "utc"

    def __post_init__(self) -> None:
        if not 0 <= self.ticks <= MAX_TICKS:
            raise ExpressionError(
                "The resulting date is outside the range 0001-01-01 to 9999-12-31"
            )

    @classmethod
    def from_datetime(cls, value: datetime, kind: str = "utc", sub_ticks: int = 0) -> NetDateTime:
        naive = value.replace(tzinfo=None)
        return cls((naive - _EPOCH) // timedelta(microseconds=1) * 10 + sub_ticks, kind)

    def to_datetime(self) -> datetime:
        """Naive wall-clock datetime (microsecond precision; see `sub_ticks`)."""
        return _EPOCH + timedelta(microseconds=self.ticks // 10)

    @property
    def sub_ticks(self) -> int:
        return self.ticks % 10

    def with_ticks(self, ticks: int) -> NetDateTime:
        return NetDateTime(ticks, self.kind)


# ---------------------------------------------------------------- date formatting

_ROUNDTRIP = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK"
_INVARIANT_STANDARD = {
    "o": _ROUNDTRIP,
    "O": _ROUNDTRIP,
    "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
    "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
}


def standard_date_pattern(spec: str, c: Culture) -> tuple[str, Culture]:
    """The custom pattern (and the culture to apply it with) behind a one-letter format."""
    if spec in _INVARIANT_STANDARD:
        return _INVARIANT_STANDARD[spec], INVARIANT
    patterns = {
        "d": c.short_date,
        "D": c.long_date,
        "f": f"{c.long_date} {c.short_time}",
        "F": f"{c.long_date} {c.long_time}",
        "U": f"{c.long_date} {c.long_time}",
        "g": f"{c.short_date} {c.short_time}",
        "G": f"{c.short_date} {c.long_time}",
        "m": c.month_day,
        "M": c.month_day,
        "t": c.short_time,
        "T": c.long_time,
        "y": c.year_month,
        "Y": c.year_month,
    }
    if spec not in patterns:
        raise ExpressionError(
            f"The date format '{spec}' is not a valid .NET standard format specifier "
            "(d, D, f, F, g, G, M, O, R, s, t, T, u, U, Y) or custom format"
        )
    return patterns[spec], c


def format_datetime(value: NetDateTime, fmt: str | None = None, c: Culture | None = None) -> str:
    """`DateTime.ToString(fmt, culture)`; the default format is the round-trip `o`."""
    c = c or culture(None)
    if fmt is None or fmt == "":
        fmt = "o"
    if len(fmt) == 1:
        fmt, c = standard_date_pattern(fmt, c)
    return _format_custom_date(value, fmt, c)


def run_length(fmt: str, i: int) -> int:
    j = i
    while j < len(fmt) and fmt[j] == fmt[i]:
        j += 1
    return j - i


def quoted(fmt: str, i: int) -> tuple[str, int]:
    """The literal text of a quoted run starting at fmt[i]; returns (text, next index)."""
    quote, j = fmt[i], i + 1
    out: list[str] = []
    while j < len(fmt):
        ch = fmt[j]
        if ch == quote:
            return "".join(out), j + 1
        if ch == "\\" and j + 1 < len(fmt):
            j += 1
            ch = fmt[j]
        out.append(ch)
        j += 1
    raise ExpressionError(f"The format '{fmt}' has an unterminated quoted string")


def _format_custom_date(value: NetDateTime, fmt: str, c: Culture) -> str:
    out: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch in "'\"":
            text, i = quoted(fmt, i)
            out.append(text)
        elif ch == "\\":
            if i + 1 >= len(fmt):
                raise ExpressionError(f"The format '{fmt}' ends with an escape character")
            out.append(fmt[i + 1])
            i += 2
        elif ch == "%":
            if i + 1 >= len(fmt) or fmt[i + 1] == "%":
                raise ExpressionError(f"The format '{fmt}' has a dangling '%'")
            out.append(_date_field(value, fmt[i + 1], 1, c, out))
            i += 2
        elif ch in "dfFghHKmMstyz":
            n = run_length(fmt, i)
            out.append(_date_field(value, ch, n, c, out))
            i += n
        elif ch == ":":
            out.append(c.time_sep)
            i += 1
        elif ch == "/":
            out.append(c.date_sep)
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _date_field(value: NetDateTime, ch: str, n: int, c: Culture, out: list[str]) -> str:
    dt = value.to_datetime()
    if ch in "fF":
        return _fraction(value, ch, n, out)
    if ch == "d":
        if n >= 3:
            names = c.days if n >= 4 else c.days_abbr
            return names[(dt.weekday() + 1) % 7]
        return f"{dt.day:0{n}d}"
    if ch == "M":
        if n >= 3:
            return (c.months if n >= 4 else c.months_abbr)[dt.month - 1]
        return f"{dt.month:0{n}d}"
    if ch == "y":
        return f"{dt.year % 100:0{n}d}" if n <= 2 else f"{dt.year:0{n}d}"
    if ch in "hH":
        hour = dt.hour if ch == "H" else (dt.hour % 12 or 12)
        return f"{hour:0{min(n, 2)}d}"
    if ch in "ms":
        return f"{(dt.minute if ch == 'm' else dt.second):0{min(n, 2)}d}"
    if ch == "t":
        designator = c.am if dt.hour < 12 else c.pm
        return designator[:1] if n == 1 else designator
    if ch == "K":
        return "Z" if value.kind == "utc" else ""
    if ch == "z":
        # Logic Apps hosts run on UTC, so the "local" offset .NET prints is +00:00.
        return "+0" if n == 1 else "+00" if n == 2 else "+00:00"
    if ch == "g":
        return "A.D."
    return ch  # a '%x' with a non-specifier x is that literal character


def _fraction(value: NetDateTime, ch: str, n: int, out: list[str]) -> str:
    if n > 7:
        raise ExpressionError("A date format can show at most 7 fractional-second digits")
    digits = f"{value.ticks % TICKS_PER_SECOND:07d}"[:n]
    if ch == "F":
        digits = digits.rstrip("0")
        if not digits and out and out[-1].endswith("."):
            out[-1] = out[-1][:-1]  # .NET drops the separator before an empty F run
    return digits
