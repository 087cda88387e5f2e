"""Culture data for the .NET formatters: names, patterns, separators, currency.

Values follow .NET's `CultureInfo` (ICU data, as .NET 5+ exposes it) for the
invariant culture and en-US, en-GB, de-DE, fr-FR, es-ES, ja-JP and is-IS, with two
deliberate deviations: spaces inside currency and percent patterns are ordinary
spaces, and the Icelandic currency symbol is `kr`, because Microsoft's worked example
prints `formatNumber(17.35, 'C2', 'is-is')` as `17,35 kr`. Patterns use `{s}` for the
currency symbol and `{n}` for the formatted number.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.expressions.errors import ExpressionError


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
