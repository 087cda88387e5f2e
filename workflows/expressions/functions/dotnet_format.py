""".NET format strings for dates, time spans and numbers, as Logic Apps applies them.

Logic Apps is a .NET service: `formatDateTime(ts, 'D')` is `DateTime.ToString("D",
culture)` and `formatNumber(n, 'C2', 'is-is')` is `n.ToString("C2", culture)`. This
module re-implements those three formatters in pure Python so workflow output matches
Azure byte for byte in the common cases. Sources of the rules:

* "Standard date and time format strings" / "Custom date and time format strings"
  (learn.microsoft.com/dotnet/standard/base-types/...), and the tokenizer of
  `System.Globalization.DateTimeFormat.FormatCustomized` (repeat counts, quoting,
  `\\` escapes, the `%` single-specifier prefix, `F` dropping a dangling `.`).
* "Standard numeric format strings" / "Custom numeric format strings" (section
  separators `;`, digit placeholders `0`/`#`, group `,` vs. scaling `,`, `%`, `‰`,
  `E+0` exponents) and "Standard/Custom TimeSpan format strings".
* Culture data (names, patterns, separators, currency) for the invariant culture and
  en-US, en-GB, de-DE, fr-FR, es-ES, ja-JP and is-IS, from .NET's CultureInfo
  (ICU data, as .NET 5+ exposes it). Deliberate deviations: spaces inside currency
  and percent patterns are ordinary spaces, and the Icelandic currency symbol is
  `kr`, because Microsoft's worked example prints `formatNumber(17.35, 'C2', 'is-is')`
  as `17,35 kr`.

Values: dates are `NetDateTime` (.NET ticks, i.e. 100 ns units since 0001-01-01, plus
the .NET `DateTimeKind`: "utc" prints `Z` for `K`, "unspecified" prints nothing).
Python's `datetime` stops at microseconds; keeping ticks preserves the 7th fractional
digit of `fffffff`. Numbers are formatted through `Decimal` (floats via their shortest
round-trip repr), rounding half away from zero like .NET.

Every malformed format or unsupported culture raises `ExpressionError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from workflows.expressions.errors import ExpressionError
from workflows.expressions.registry import function

TICKS_PER_SECOND = 10_000_000
TICKS_PER_DAY = 86_400 * TICKS_PER_SECOND
_EPOCH = datetime(1, 1, 1)
MAX_TICKS = 3_155_378_975_999_999_999  # 9999-12-31T23:59:59.9999999


# --------------------------------------------------------------------------- cultures


@dataclass(frozen=True)
class Culture:
    name: str
    short_date: str
    long_date: str
    short_time: str
    long_time: str
    month_day: str
    year_month: str
    months: tuple[str, ...]
    months_abbr: tuple[str, ...]
    days: tuple[str, ...]  # Sunday first, as .NET's DayOfWeek
    days_abbr: tuple[str, ...]
    am: str = "AM"
    pm: str = "PM"
    date_sep: str = "/"
    time_sep: str = ":"
    decimal: str = "."
    group: str = ","
    currency: str = "$"
    currency_pos: str = "{s}{n}"
    currency_neg: str = "-{s}{n}"
    currency_digits: int = 2
    percent_pos: str = "{n}%"
    percent_neg: str = "-{n}%"
    day_first: bool = False  # parsing order of numeric dates without a format


_EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_EN_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

INVARIANT = Culture(
    name="",
    short_date="MM/dd/yyyy",
    long_date="dddd, dd MMMM yyyy",
    short_time="HH:mm",
    long_time="HH:mm:ss",
    month_day="MMMM dd",
    year_month="yyyy MMMM",
    months=tuple(_EN_MONTHS),
    months_abbr=tuple(m[:3] for m in _EN_MONTHS),
    days=tuple(_EN_DAYS),
    days_abbr=tuple(d[:3] for d in _EN_DAYS),
    currency="¤",
    percent_pos="{n} %",
    percent_neg="-{n} %",
)

_CULTURES: dict[str, Culture] = {
    "en-us": Culture(
        name="en-US",
        short_date="M/d/yyyy",
        long_date="dddd, MMMM d, yyyy",
        short_time="h:mm tt",
        long_time="h:mm:ss tt",
        month_day="MMMM d",
        year_month="MMMM yyyy",
        months=INVARIANT.months,
        months_abbr=INVARIANT.months_abbr,
        days=INVARIANT.days,
        days_abbr=INVARIANT.days_abbr,
    ),
    "en-gb": Culture(
        name="en-GB",
        short_date="dd/MM/yyyy",
        long_date="dddd, d MMMM yyyy",
        short_time="HH:mm",
        long_time="HH:mm:ss",
        month_day="d MMMM",
        year_month="MMMM yyyy",
        months=INVARIANT.months,
        months_abbr=INVARIANT.months_abbr,
        days=INVARIANT.days,
        days_abbr=INVARIANT.days_abbr,
        am="am",
        pm="pm",
        currency="£",
        day_first=True,
    ),
    "de-de": Culture(
        name="de-DE",
        short_date="dd.MM.yyyy",
        long_date="dddd, d. MMMM yyyy",
        short_time="HH:mm",
        long_time="HH:mm:ss",
        month_day="d. MMMM",
        year_month="MMMM yyyy",
        months=tuple(
            [
                "Januar",
                "Februar",
                "März",
                "April",
                "Mai",
                "Juni",
                "Juli",
                "August",
                "September",
                "Oktober",
                "November",
                "Dezember",
            ]
        ),
        months_abbr=tuple(
            [
                "Jan.",
                "Feb.",
                "März",
                "Apr.",
                "Mai",
                "Juni",
                "Juli",
                "Aug.",
                "Sept.",
                "Okt.",
                "Nov.",
                "Dez.",
            ]
        ),
        days=tuple(
            ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"]
        ),
        days_abbr=tuple(["So.", "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa."]),
        date_sep=".",
        decimal=",",
        group=".",
        currency="€",
        currency_pos="{n} {s}",
        currency_neg="-{n} {s}",
        percent_pos="{n} %",
        percent_neg="-{n} %",
        day_first=True,
    ),
    "fr-fr": Culture(
        name="fr-FR",
        short_date="dd/MM/yyyy",
        long_date="dddd d MMMM yyyy",
        short_time="HH:mm",
        long_time="HH:mm:ss",
        month_day="d MMMM",
        year_month="MMMM yyyy",
        months=tuple(
            [
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ]
        ),
        months_abbr=tuple(
            [
                "janv.",
                "févr.",
                "mars",
                "avr.",
                "mai",
                "juin",
                "juil.",
                "août",
                "sept.",
                "oct.",
                "nov.",
                "déc.",
            ]
        ),
        days=tuple(["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"]),
        days_abbr=tuple(["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."]),
        decimal=",",
        group="\u00a0",
        currency="€",
        currency_pos="{n} {s}",
        currency_neg="-{n} {s}",
        percent_pos="{n} %",
        percent_neg="-{n} %",
        day_first=True,
    ),
    "es-es": Culture(
        name="es-ES",
        short_date="dd/MM/yyyy",
        long_date="dddd, d 'de' MMMM 'de' yyyy",
        short_time="H:mm",
        long_time="H:mm:ss",
        month_day="d 'de' MMMM",
        year_month="MMMM 'de' yyyy",
        months=tuple(
            [
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ]
        ),
        months_abbr=tuple(
            [
                "ene.",
                "feb.",
                "mar.",
                "abr.",
                "may.",
                "jun.",
                "jul.",
                "ago.",
                "sept.",
                "oct.",
                "nov.",
                "dic.",
            ]
        ),
        days=tuple(["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"]),
        days_abbr=tuple(["dom.", "lun.", "mar.", "mié.", "jue.", "vie.", "sáb."]),
        am="a. m.",
        pm="p. m.",
        decimal=",",
        group=".",
        currency="€",
        currency_pos="{n} {s}",
        currency_neg="-{n} {s}",
        percent_pos="{n} %",
        percent_neg="-{n} %",
        day_first=True,
    ),
    "ja-jp": Culture(
        name="ja-JP",
        short_date="yyyy/MM/dd",
        long_date="yyyy'年'M'月'd'日'",
        short_time="H:mm",
        long_time="H:mm:ss",
        month_day="M'月'd'日'",
        year_month="yyyy'年'M'月'",
        months=tuple(f"{i}月" for i in range(1, 13)),
        months_abbr=tuple(f"{i}月" for i in range(1, 13)),
        days=tuple(["日曜日", "月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日"]),
        days_abbr=tuple(["日", "月", "火", "水", "木", "金", "土"]),
        am="午前",
        pm="午後",
        currency="¥",
        currency_digits=0,
    ),
    "is-is": Culture(
        name="is-IS",
        short_date="d.M.yyyy",
        long_date="dddd, d. MMMM yyyy",
        short_time="HH:mm",
        long_time="HH:mm:ss",
        month_day="d. MMMM",
        year_month="MMMM yyyy",
        months=tuple(
            [
                "janúar",
                "febrúar",
                "mars",
                "apríl",
                "maí",
                "júní",
                "júlí",
                "ágúst",
                "september",
                "október",
                "nóvember",
                "desember",
            ]
        ),
        months_abbr=tuple(
            [
                "jan.",
                "feb.",
                "mar.",
                "apr.",
                "maí",
                "jún.",
                "júl.",
                "ágú.",
                "sep.",
                "okt.",
                "nóv.",
                "des.",
            ]
        ),
        days=tuple(
            [
                "sunnudagur",
                "mánudagur",
                "þriðjudagur",
                "miðvikudagur",
                "fimmtudagur",
                "föstudagur",
                "laugardagur",
            ]
        ),
        days_abbr=tuple(["sun.", "mán.", "þri.", "mið.", "fim.", "fös.", "lau."]),
        am="f.h.",
        pm="e.h.",
        date_sep=".",
        decimal=",",
        group=".",
        currency="kr",
        currency_pos="{n} {s}",
        currency_neg="-{n} {s}",
        currency_digits=0,
        day_first=True,
    ),
}
_NEUTRAL = {
    "en": "en-us",
    "de": "de-de",
    "fr": "fr-fr",
    "es": "es-es",
    "ja": "ja-jp",
    "is": "is-is",
}


def culture(name: str | None) -> Culture:
    """The culture for a locale name ("en-us", "fr-FR", "de"); None → en-US (Logic Apps' default)."""
    if name is None:
        return _CULTURES["en-us"]
    if not isinstance(name, str):
        raise ExpressionError(f"The locale must be a string, not {type(name).__name__}")
    key = name.strip().lower().replace("_", "-")
    if key in ("", "iv", "invariant"):
        return INVARIANT
    key = _NEUTRAL.get(key, key)
    if key not in _CULTURES:
        supported = ", ".join(c.name for c in _CULTURES.values())
        raise ExpressionError(f"The locale '{name}' is not supported (supported: {supported})")
    return _CULTURES[key]


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


def _run_length(fmt: str, i: int) -> int:
    j = i
    while j < len(fmt) and fmt[j] == fmt[i]:
        j += 1
    return j - i


def _quoted(fmt: str, i: int) -> tuple[str, int]:
    """The literal text of a quoted run starting at fmt[i]; returns (text, next index)."""
    quote, out, j = fmt[i], [], i + 1
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
            text, i = _quoted(fmt, i)
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
            n = _run_length(fmt, i)
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


# ------------------------------------------------------------------ time spans


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


def _format_custom_timespan(ticks: int, fmt: str) -> str:
    days, rest = divmod(ticks, TICKS_PER_DAY)
    secs, frac = divmod(rest, TICKS_PER_SECOND)
    fields = {"d": days, "h": secs // 3600, "m": secs // 60 % 60, "s": secs % 60}
    limits = {"d": 8, "h": 2, "m": 2, "s": 2, "f": 7, "F": 7}
    out: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch in "'\"":
            text, i = _quoted(fmt, i)
            out.append(text)
            continue
        if ch in "\\%":
            if i + 1 >= len(fmt):
                raise ExpressionError(f"The time span format '{fmt}' ends with '{ch}'")
            if ch == "\\":
                out.append(fmt[i + 1])
                i += 2
                continue
            i += 1
            ch = fmt[i]
        if ch not in limits:
            raise ExpressionError(
                f"The time span format '{fmt}' has the unescaped character '{ch}'; "
                "quote literals ('...') or escape them with '\\'"
            )
        n = _run_length(fmt, i)
        if n > limits[ch]:
            raise ExpressionError(f"The time span format '{fmt}' repeats '{ch}' too often")
        if ch in "fF":
            digits = f"{frac:07d}"[:n]
            out.append(digits.rstrip("0") if ch == "F" else digits)
        else:
            out.append(f"{fields[ch]:0{n}d}")
        i += n
    return "".join(out)


# ------------------------------------------------------------------ number formatting


def _to_decimal(number: int | float | Decimal) -> Decimal:
    if isinstance(number, bool) or not isinstance(number, int | float | Decimal):
        raise ExpressionError(
            f"formatNumber expects a number as its first argument, not {type(number).__name__}"
        )
    if isinstance(number, float):
        if number != number or number in (float("inf"), float("-inf")):
            raise ExpressionError("formatNumber cannot format NaN or infinity")
        return Decimal(repr(number))
    return Decimal(number)


def _round(value: Decimal, places: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 1000
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _fixed_parts(value: Decimal, places: int) -> tuple[str, str]:
    """Integer and fraction digits of |value| rounded to `places` decimals."""
    text = f"{abs(_round(value, places)):f}"
    whole, _, frac = text.partition(".")
    return whole, frac.ljust(places, "0")[:places] if places else ""


def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


_STANDARD_NUMERIC = re.compile(r"^([A-Za-z])(\d{0,9})$")


def format_number(number: int | float | Decimal, fmt: str | None, c: Culture | None = None) -> str:
    """`number.ToString(fmt, culture)` for standard (C D E F G N P R X) and custom formats."""
    c = c or culture(None)
    if not isinstance(fmt, str | type(None)):
        raise ExpressionError("formatNumber expects a format string as its second argument")
    value = _to_decimal(number)
    is_int = isinstance(number, int) or (
        isinstance(number, Decimal) and value == value.to_integral()
    )
    match = _STANDARD_NUMERIC.match(fmt or "G")
    if match:
        spec, digits = match[1], match[2]
        precision = int(digits) if digits else None
        return _format_standard(value, is_int, spec, precision, c)
    return _format_custom_number(value, fmt or "", c)


def _format_standard(
    value: Decimal, is_int: bool, spec: str, precision: int | None, c: Culture
) -> str:
    kind = spec.upper()
    if kind in "DX" and not is_int:
        raise ExpressionError(f"The format '{spec}' can only be used with integers")
    negative = value < 0
    if kind == "C":
        whole, frac = _fixed_parts(value, c.currency_digits if precision is None else precision)
        body = _group(whole, c.group) + (c.decimal + frac if frac else "")
        negative = negative and _round(value, len(frac)) != 0
        return (c.currency_neg if negative else c.currency_pos).format(s=c.currency, n=body)
    if kind == "D":
        digits = str(abs(int(value))).rjust(precision or 0, "0")
        return ("-" if negative else "") + digits
    if kind == "E":
        return _format_exponential(value, 6 if precision is None else precision, spec, 3, c)
    if kind in "FN":
        whole, frac = _fixed_parts(value, 2 if precision is None else precision)
        whole = _group(whole, c.group) if kind == "N" else whole
        sign = "-" if negative and _round(value, len(frac)) != 0 else ""
        return sign + whole + (c.decimal + frac if frac else "")
    if kind == "P":
        scaled = value * 100
        whole, frac = _fixed_parts(scaled, 2 if precision is None else precision)
        body = _group(whole, c.group) + (c.decimal + frac if frac else "")
        negative = negative and _round(scaled, len(frac)) != 0
        return (c.percent_neg if negative else c.percent_pos).format(n=body)
    if kind in "GR":
        return _format_general(value, is_int, precision if kind == "G" else None, spec, c)
    if kind == "X":
        return _format_hex(int(value), spec, precision or 0)
    raise ExpressionError(
        f"The number format '{spec}{precision if precision is not None else ''}' is not a valid "
        ".NET standard format (C, D, E, F, G, N, P, R, X) or custom format"
    )


def _format_hex(value: int, spec: str, width: int) -> str:
    if value < 0:
        value += 1 << (32 if value >= -(1 << 31) else 64)
    text = f"{value:x}" if spec == "x" else f"{value:X}"
    return text.rjust(width, "0")


def _significant(value: Decimal, digits: int) -> Decimal:
    """`value` rounded to `digits` significant digits, half away from zero."""
    if value == 0:
        return Decimal(0)
    return _round(value, digits - 1 - value.adjusted())


def _format_exponential(value: Decimal, places: int, spec: str, min_exp: int, c: Culture) -> str:
    rounded = _significant(value, places + 1)
    exponent = rounded.adjusted() if rounded != 0 else 0
    mantissa = rounded.scaleb(-exponent)
    whole, frac = _fixed_parts(mantissa, places)
    sign = "-" if value < 0 else ""
    exp_sign = "-" if exponent < 0 else "+"
    letter = "e" if spec.islower() else "E"
    body = whole + (c.decimal + frac if frac else "")
    return f"{sign}{body}{letter}{exp_sign}{abs(exponent):0{min_exp}d}"


def _format_general(
    value: Decimal, is_int: bool, precision: int | None, spec: str, c: Culture
) -> str:
    if precision is None or precision == 0:
        if is_int:
            return str(int(value))
        precision, rounded = 15, value  # shortest round-trip digits, switch at 1E+15
    else:
        rounded = _significant(value, precision)
    if rounded == 0:
        return "0"
    exponent = rounded.adjusted()
    if exponent >= precision or exponent < -4:
        digits = rounded.normalize()
        mantissa = digits.scaleb(-exponent)
        body = f"{abs(mantissa):f}".replace(".", c.decimal)
        letter = "e" if spec.islower() else "E"
        sign = "-" if value < 0 else ""
        return f"{sign}{body}{letter}{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    text = f"{rounded.normalize():f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", c.decimal)


# ------------------------------------------------------------- custom numeric formats


def _split_sections(fmt: str) -> list[str]:
    sections, current, i = [], [], 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "\\" and i + 1 < len(fmt):
            current.append(fmt[i : i + 2])
            i += 2
            continue
        if ch in "'\"":
            end = fmt.find(ch, i + 1)
            end = len(fmt) - 1 if end < 0 else end
            current.append(fmt[i : end + 1])
            i = end + 1
            continue
        if ch == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    sections.append("".join(current))
    return sections[:3]


@dataclass
class _Pattern:
    """A custom numeric section, tokenised: items are ('digit', '0'|'#'), ('point',),
    ('lit', text), ('exp', letter, sign, min_digits)."""

    items: list[tuple]
    int_placeholders: int = 0
    min_int: int = 0
    frac_placeholders: int = 0
    min_frac: int = 0
    grouping: bool = False
    scale: int = 0  # powers of 1000 to divide by (thousands scaling commas)
    multiply: int = 0  # powers of ten from % and ‰
    exponent: tuple | None = None


def _tokenise(section: str, c: Culture) -> _Pattern:
    pat = _Pattern(items=[])
    i, seen_point, pending_commas, first_zero = 0, False, 0, None
    while i < len(section):
        ch = section[i]
        if ch in "0#":
            if not seen_point:
                if pending_commas and pat.int_placeholders:
                    pat.grouping = True
                pending_commas = 0
                if ch == "0" and first_zero is None:
                    first_zero = pat.int_placeholders
                pat.int_placeholders += 1
            else:
                pat.frac_placeholders += 1
                if ch == "0":
                    pat.min_frac = pat.frac_placeholders
            pat.items.append(("digit", ch))
        elif ch == "." and not seen_point and pat.exponent is None:
            seen_point = True
            pat.scale += pending_commas
            pending_commas = 0
            pat.items.append(("point",))
        elif ch == "," and not seen_point:
            pending_commas += 1
        elif (
            ch in "Ee"
            and i + 1 < len(section)
            and (
                section[i + 1] == "0" or (section[i + 1] in "+-" and section[i + 2 : i + 3] == "0")
            )
        ):
            j = i + 1
            sign = section[j] if section[j] in "+-" else ""
            j += 1 if sign else 0
            n = _run_length(section, j)
            pat.exponent = (ch, sign, n)
            pat.items.append(("exp",))
            i = j + n
            continue
        elif ch in "%‰":
            pat.multiply += 2 if ch == "%" else 3
            pat.items.append(("lit", "%" if ch == "%" else "‰"))
        elif ch in "'\"":
            text, i = _quoted(section, i)
            pat.items.append(("lit", text))
            continue
        elif ch == "\\":
            pat.items.append(("lit", section[i + 1 : i + 2]))
            i += 2
            continue
        else:
            pat.items.append(("lit", ch))
        i += 1
    if not seen_point:
        pat.scale += pending_commas
    pat.min_int = pat.int_placeholders - first_zero if first_zero is not None else 0
    return pat


def _format_custom_number(value: Decimal, fmt: str, c: Culture) -> str:
    sections = _split_sections(fmt)
    section, negative_prefix = sections[0], value < 0
    if value < 0 and len(sections) >= 2 and sections[1]:
        section, negative_prefix = sections[1], False
    pat = _tokenise(section, c)
    scaled = abs(value).scaleb(pat.multiply - 3 * pat.scale)
    if pat.exponent is not None:
        text, is_zero = _render_scientific(scaled, pat, c)
    else:
        text, is_zero = _render_fixed(scaled, pat, c)
    if is_zero and len(sections) >= 3 and sections[2]:
        return _format_custom_number(Decimal(0), sections[2], c)
    return ("-" if negative_prefix and not is_zero else "") + text


def _render_fixed(value: Decimal, pat: _Pattern, c: Culture) -> tuple[str, bool]:
    whole, frac = _fixed_parts(value, pat.frac_placeholders)
    is_zero = not whole.strip("0") and not frac.strip("0")
    whole = whole.lstrip("0").rjust(pat.min_int, "0")
    frac = frac.rstrip("0").ljust(pat.min_frac, "0")
    return _emit(pat, whole, frac, c, None), is_zero


def _render_scientific(value: Decimal, pat: _Pattern, c: Culture) -> tuple[str, bool]:
    int_digits = max(pat.int_placeholders, 1)
    exponent = value.adjusted() - (int_digits - 1) if value != 0 else 0
    mantissa = value.scaleb(-exponent)
    whole, frac = _fixed_parts(mantissa, pat.frac_placeholders)
    if len(whole) > int_digits:  # rounding carried into a new digit
        exponent += 1
        whole, frac = _fixed_parts(value.scaleb(-exponent), pat.frac_placeholders)
    is_zero = not whole.strip("0") and not frac.strip("0")
    whole = whole.lstrip("0").rjust(pat.min_int, "0")
    frac = frac.rstrip("0").ljust(pat.min_frac, "0")
    letter, sign, width = pat.exponent
    exp_sign = "-" if exponent < 0 else ("+" if sign == "+" else "")
    return _emit(pat, whole, frac, c, f"{letter}{exp_sign}{abs(exponent):0{width}d}"), is_zero


def _emit(pat: _Pattern, whole: str, frac: str, c: Culture, exp_text: str | None) -> str:
    out: list[str] = []
    int_seen, frac_index, seen_point = 0, 0, False
    extra = max(len(whole) - pat.int_placeholders, 0)
    padded = whole.rjust(pat.int_placeholders, "\0")  # \0 = no digit for this '#'
    pos = 0
    for item in pat.items:
        kind = item[0]
        if kind == "digit" and not seen_point:
            take = 1 + (extra if int_seen == 0 else 0)
            for digit in padded[pos : pos + take]:
                if digit != "\0":
                    out.append(digit)
                    remaining = len(padded) - pos - 1
                    if pat.grouping and remaining > 0 and remaining % 3 == 0:
                        out.append(c.group)
                pos += 1
            int_seen += 1
        elif kind == "digit":
            if frac_index < len(frac):
                out.append(frac[frac_index])
            frac_index += 1
        elif kind == "point":
            seen_point = True
            if pat.int_placeholders == 0:
                out.append(whole)
            out.append(c.decimal if frac else "")
        elif kind == "exp":
            out.append(exp_text or "")
        else:
            out.append(item[1])
    return "".join(out)


# ------------------------------------------------------------------ WDL entry point
# formatNumber lives here, next to the formatter; `datetime.py` imports this module,
# so importing the date family registers it.


@function(
    "formatNumber",
    "formatNumber(number: number, format: string, locale?: string)",
    min_args=2,
    max_args=3,
)
def format_number_function(number: Any, fmt: Any, locale: Any = None) -> str:
    if isinstance(fmt, bool) or not isinstance(fmt, str):
        raise ExpressionError(
            "The template language function 'formatNumber' expects its second parameter to be "
            "a format string"
        )
    return format_number(number, fmt, culture(locale))
