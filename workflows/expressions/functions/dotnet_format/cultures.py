"""Culture data for the .NET formatters: names, patterns, separators, currency.

Values follow .NET's `CultureInfo` (ICU data, as .NET 5+ exposes it) for the
invariant culture and en-US, en-GB, en-AU, de-DE, fr-FR, es-ES, it-IT, nl-NL, pt-BR,
sv-SE, ja-JP, zh-CN and is-IS, with two
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


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_EN_MONTHS = _words(
    "January February March April May June July August September October November December"
)
_EN_DAYS = _words("Sunday Monday Tuesday Wednesday Thursday Friday Saturday")
_EURO = {"currency": "€", "currency_pos": "{n} {s}", "currency_neg": "-{n} {s}"}
_COMMA_DECIMAL = {"decimal": ",", "group": ".", "day_first": True}
_SPACED_PERCENT = {"percent_pos": "{n} %", "percent_neg": "-{n} %"}
_H24 = {"short_time": "HH:mm", "long_time": "HH:mm:ss"}

INVARIANT = Culture(
    name="",
    short_date="MM/dd/yyyy",
    long_date="dddd, dd MMMM yyyy",
    short_time="HH:mm",
    long_time="HH:mm:ss",
    month_day="MMMM dd",
    year_month="yyyy MMMM",
    months=_EN_MONTHS,
    months_abbr=tuple(m[:3] for m in _EN_MONTHS),
    days=_EN_DAYS,
    days_abbr=tuple(d[:3] for d in _EN_DAYS),
    currency="¤",
    **_SPACED_PERCENT,
)
_ENGLISH = {
    "months": INVARIANT.months,
    "months_abbr": INVARIANT.months_abbr,
    "days": INVARIANT.days,
    "days_abbr": INVARIANT.days_abbr,
}

_CULTURES: dict[str, Culture] = {
    "en-us": Culture(
        name="en-US",
        short_date="M/d/yyyy",
        long_date="dddd, MMMM d, yyyy",
        short_time="h:mm tt",
        long_time="h:mm:ss tt",
        month_day="MMMM d",
        year_month="MMMM yyyy",
        **_ENGLISH,
    ),
    "en-gb": Culture(
        name="en-GB",
        short_date="dd/MM/yyyy",
        long_date="dddd, d MMMM yyyy",
        month_day="d MMMM",
        year_month="MMMM yyyy",
        am="am",
        pm="pm",
        currency="£",
        day_first=True,
        **_H24,
        **_ENGLISH,
    ),
    "en-au": Culture(
        name="en-AU",
        short_date="d/MM/yyyy",
        long_date="dddd, d MMMM yyyy",
        short_time="h:mm tt",
        long_time="h:mm:ss tt",
        month_day="d MMMM",
        year_month="MMMM yyyy",
        am="am",
        pm="pm",
        day_first=True,
        **_ENGLISH,
    ),
    "de-de": Culture(
        name="de-DE",
        short_date="dd.MM.yyyy",
        long_date="dddd, d. MMMM yyyy",
        month_day="d. MMMM",
        year_month="MMMM yyyy",
        months=_words(
            "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
        ),
        months_abbr=_words("Jan. Feb. März Apr. Mai Juni Juli Aug. Sept. Okt. Nov. Dez."),
        days=_words("Sonntag Montag Dienstag Mittwoch Donnerstag Freitag Samstag"),
        days_abbr=_words("So. Mo. Di. Mi. Do. Fr. Sa."),
        date_sep=".",
        **_H24,
        **_COMMA_DECIMAL,
        **_EURO,
        **_SPACED_PERCENT,
    ),
    "fr-fr": Culture(
        name="fr-FR",
        short_date="dd/MM/yyyy",
        long_date="dddd d MMMM yyyy",
        month_day="d MMMM",
        year_month="MMMM yyyy",
        months=_words(
            "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
        ),
        months_abbr=_words("janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc."),
        days=_words("dimanche lundi mardi mercredi jeudi vendredi samedi"),
        days_abbr=_words("dim. lun. mar. mer. jeu. ven. sam."),
        **_H24,
        **{**_COMMA_DECIMAL, "group": "\u00a0"},
        **_EURO,
        **_SPACED_PERCENT,
    ),
    "es-es": Culture(
        name="es-ES",
        short_date="dd/MM/yyyy",
        long_date="dddd, d 'de' MMMM 'de' yyyy",
        short_time="H:mm",
        long_time="H:mm:ss",
        month_day="d 'de' MMMM",
        year_month="MMMM 'de' yyyy",
        months=_words(
            "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
            "diciembre"
        ),
        months_abbr=_words("ene. feb. mar. abr. may. jun. jul. ago. sept. oct. nov. dic."),
        days=_words("domingo lunes martes miércoles jueves viernes sábado"),
        days_abbr=_words("dom. lun. mar. mié. jue. vie. sáb."),
        am="a. m.",
        pm="p. m.",
        **_COMMA_DECIMAL,
        **_EURO,
        **_SPACED_PERCENT,
    ),
    "it-it": Culture(
        name="it-IT",
        short_date="dd/MM/yyyy",
        long_date="dddd d MMMM yyyy",
        month_day="d MMMM",
        year_month="MMMM yyyy",
        months=_words(
            "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre "
            "novembre dicembre"
        ),
        months_abbr=_words("gen feb mar apr mag giu lug ago set ott nov dic"),
        days=_words("domenica lunedì martedì mercoledì giovedì venerdì sabato"),
        days_abbr=_words("dom lun mar mer gio ven sab"),
        **_H24,
        **_COMMA_DECIMAL,
        **_EURO,
    ),
    "nl-nl": Culture(
        name="nl-NL",
        short_date="d-M-yyyy",
        long_date="dddd d MMMM yyyy",
        month_day="d MMMM",
        year_month="MMMM yyyy",
        months=_words(
            "januari februari maart april mei juni juli augustus september oktober november "
            "december"
        ),
        months_abbr=_words("jan feb mrt apr mei jun jul aug sep okt nov dec"),
        days=_words("zondag maandag dinsdag woensdag donderdag vrijdag zaterdag"),
        days_abbr=_words("zo ma di wo do vr za"),
        date_sep="-",
        currency="€",
        currency_pos="{s} {n}",
        currency_neg="{s} -{n}",
        **_H24,
        **_COMMA_DECIMAL,
    ),
    "pt-br": Culture(
        name="pt-BR",
        short_date="dd/MM/yyyy",
        long_date="dddd, d 'de' MMMM 'de' yyyy",
        month_day="d 'de' MMMM",
        year_month="MMMM 'de' yyyy",
        months=_words(
            "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
            "dezembro"
        ),
        months_abbr=_words("jan. fev. mar. abr. mai. jun. jul. ago. set. out. nov. dez."),
        days=_words(
            "domingo segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado"
        ),
        days_abbr=_words("dom. seg. ter. qua. qui. sex. sáb."),
        currency="R$",
        currency_pos="{s} {n}",
        currency_neg="-{s} {n}",
        **_H24,
        **_COMMA_DECIMAL,
    ),
    "sv-se": Culture(
        name="sv-SE",
        short_date="yyyy-MM-dd",
        long_date="dddd d MMMM yyyy",
        month_day="d MMMM",
        year_month="MMMM yyyy",
        months=_words(
            "januari februari mars april maj juni juli augusti september oktober november december"
        ),
        months_abbr=_words("jan. feb. mars apr. maj juni juli aug. sep. okt. nov. dec."),
        days=_words("söndag måndag tisdag onsdag torsdag fredag lördag"),
        days_abbr=_words("sön mån tis ons tors fre lör"),
        date_sep="-",
        currency="kr",
        currency_pos="{n} {s}",
        currency_neg="-{n} {s}",
        **_H24,
        **{**_COMMA_DECIMAL, "group": "\u00a0"},
        **_SPACED_PERCENT,
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
        days=_words("日曜日 月曜日 火曜日 水曜日 木曜日 金曜日 土曜日"),
        days_abbr=_words("日 月 火 水 木 金 土"),
        am="午前",
        pm="午後",
        currency="¥",
        currency_digits=0,
    ),
    "zh-cn": Culture(
        name="zh-CN",
        short_date="yyyy/M/d",
        long_date="yyyy'年'M'月'd'日'",
        month_day="M'月'd'日'",
        year_month="yyyy'年'M'月'",
        months=_words("一月 二月 三月 四月 五月 六月 七月 八月 九月 十月 十一月 十二月"),
        months_abbr=tuple(f"{i}月" for i in range(1, 13)),
        days=_words("星期日 星期一 星期二 星期三 星期四 星期五 星期六"),
        days_abbr=_words("周日 周一 周二 周三 周四 周五 周六"),
        am="上午",
        pm="下午",
        currency="¥",
        **_H24,
    ),
    "is-is": Culture(
        name="is-IS",
        short_date="d.M.yyyy",
        long_date="dddd, d. MMMM yyyy",
        month_day="d. MMMM",
        year_month="MMMM yyyy",
        months=_words(
            "janúar febrúar mars apríl maí júní júlí ágúst september október nóvember desember"
        ),
        months_abbr=_words("jan. feb. mar. apr. maí jún. júl. ágú. sep. okt. nóv. des."),
        days=_words(
            "sunnudagur mánudagur þriðjudagur miðvikudagur fimmtudagur föstudagur laugardagur"
        ),
        days_abbr=_words("sun. mán. þri. mið. fim. fös. lau."),
        am="f.h.",
        pm="e.h.",
        date_sep=".",
        currency="kr",
        currency_pos="{n} {s}",
        currency_neg="-{n} {s}",
        currency_digits=0,
        **_H24,
        **_COMMA_DECIMAL,
    ),
}
_NEUTRAL = {name.split("-")[0]: name for name in reversed(list(_CULTURES))}
_NEUTRAL.update({"en": "en-us", "pt": "pt-br"})


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
