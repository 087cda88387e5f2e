""".NET format strings: numbers (standard and custom), dates, time spans, cultures."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions.dotnet_format import (
    NetDateTime,
    culture,
    format_datetime,
    format_number,
    format_timespan,
    parse_timespan,
)

MOMENT = NetDateTime.from_datetime(datetime(2018, 3, 15, 13, 27, 36, 123456), "utc", 7)


@pytest.mark.parametrize(
    ("number", "fmt", "locale", "expected"),
    [
        (1234567890, "0,0.00", "en-us", "1,234,567,890.00"),
        (1234567890, "0,0.00", "is-is", "1.234.567.890,00"),
        (17.35, "C2", None, "$17.35"),
        (17.35, "C2", "is-is", "17,35 kr"),
    ],
)
def test_it_matches_microsofts_format_number_examples(number, fmt, locale, expected) -> None:
    assert format_number(number, fmt, culture(locale)) == expected


@pytest.mark.parametrize(
    ("number", "fmt", "expected"),
    [
        (1234.5678, "N", "1,234.57"),
        (1234.5678, "N0", "1,235"),
        (0.1234, "P1", "12.3%"),
        (-0.5, "P", "-50.00%"),
        (255, "X", "FF"),
        (255, "x4", "00ff"),
        (-1, "X", "FFFFFFFFFFFFFFFF"),
        (-(2**40), "X", "FFFFFF0000000000"),
        (2**40, "x", "10000000000"),
        (42, "D5", "00042"),
        (-42, "D5", "-00042"),
        (1052.0329112756, "E", "1.052033E+003"),
        (1052.0329112756, "e2", "1.05e+003"),
        (1234.5, "F", "1234.50"),
        (12345.6789, "G", "12345.6789"),
        (12345.6789, "G3", "1.23E+04"),
        (1e20, "G", "1E+20"),
        (0.0001, "G", "0.0001"),
        (0.00001, "G", "1E-05"),
        (123456789, "G", "123456789"),
        (1.23456789, "R", "1.23456789"),
        (1234567.891, "C", "$1,234,567.89"),
        (-1234567.891, "C0", "-$1,234,568"),
    ],
)
def test_it_formats_standard_numeric_formats(number, fmt, expected) -> None:
    assert format_number(number, fmt) == expected


@pytest.mark.parametrize(
    ("number", "fmt", "expected"),
    [
        (0.5, "#.##", ".5"),
        (5, "#.##", "5"),
        (5, "0.00", "5.00"),
        (1234.567, "#,##0.0", "1,234.6"),
        (-1234.567, "#,##0.0", "-1,234.6"),
        (-5, "0;(0)", "(5)"),
        (5, "0;(0)", "5"),
        (0, "0;(0);zero", "zero"),
        (-5, "0;", "-5"),
        (1234567, "#,#,,", "1"),
        (987654, "#,##0,K", "988K"),
        (0.25, "0%", "25%"),
        (0.0025, "0.0‰", "2.5‰"),
        (123, "000000", "000123"),
        (1234.5, "0.00E+00", "1.23E+03"),
        (0.000123, "0.0e0", "1.2e-4"),
        (12, "'#'0", "#12"),
        (5, "\\#0", "#5"),
        (5551234567, "(###) ###-####", "(555) 123-4567"),
        (-0.001, "0.00", "0.00"),
        (1.5, ".00", "1.50"),
        (0, "#", ""),
        (0, "0.#", "0"),
        (99.995, "0.00", "100.00"),
        (0.1 + 0.2, "0.0000000000000000", "0.3000000000000000"),
    ],
)
def test_it_formats_custom_numeric_formats(number, fmt, expected) -> None:
    assert format_number(number, fmt) == expected


def test_it_uses_the_culture_separators_and_currency() -> None:
    assert format_number(-1234.5, "C", culture("de-DE")) == "-1.234,50 €"
    assert format_number(1234.5, "C", culture("fr-FR")) == "1\u00a0234,50 €"
    assert format_number(1234.5, "C", culture("ja-JP")) == "¥1,235"
    assert format_number(1234.5, "C", culture("en-GB")) == "£1,234.50"
    assert format_number(1234.5, "N2", culture("de")) == "1.234,50"
    assert format_number(1234.5, "C", culture("nl-NL")) == "€ 1.234,50"
    assert format_number(-1234.5, "C", culture("pt-BR")) == "-R$ 1.234,50"
    assert format_number(1234.5, "C", culture("sv")) == "1\u00a0234,50 kr"


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False))
def test_it_rounds_fixed_point_half_away_from_zero(value: Decimal) -> None:
    expected = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = format_number(value, "F2")
    assert Decimal(text) == expected or (expected == 0 and Decimal(text) == 0)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_it_groups_integers_so_that_removing_the_commas_gives_them_back(value: int) -> None:
    assert int(format_number(value, "N0").replace(",", "")) == value


@pytest.mark.parametrize(
    ("number", "fmt", "message"),
    [
        (1.5, "D", "can only be used with integers"),
        (1.5, "X", "can only be used with integers"),
        ("12", "N", "to be an integer or a decimal number"),
        (True, "N", "provided value is of type 'Boolean'"),
        (12, "Q2", "not a valid .NET standard format"),
        (float("nan"), "N", "NaN or infinity"),
        (1, "F100", "above 99"),
        (1, "D999999999", "above 99"),
    ],
)
def test_it_rejects_bad_numeric_input(number, fmt, message) -> None:
    with pytest.raises(ExpressionError, match=message):
        format_number(number, fmt)


def test_it_rejects_unknown_locales_and_names_the_supported_ones() -> None:
    with pytest.raises(ExpressionError, match=r"not supported.*en-US"):
        culture("xx-YY")


@pytest.mark.parametrize(
    ("fmt", "locale", "expected"),
    [
        (None, None, "2018-03-15T13:27:36.1234567Z"),
        ("o", None, "2018-03-15T13:27:36.1234567Z"),
        ("d", None, "3/15/2018"),
        ("D", None, "Thursday, March 15, 2018"),
        ("f", None, "Thursday, March 15, 2018 1:27 PM"),
        ("F", None, "Thursday, March 15, 2018 1:27:36 PM"),
        ("g", None, "3/15/2018 1:27 PM"),
        ("G", None, "3/15/2018 1:27:36 PM"),
        ("M", None, "March 15"),
        ("R", None, "Thu, 15 Mar 2018 13:27:36 GMT"),
        ("s", None, "2018-03-15T13:27:36"),
        ("t", None, "1:27 PM"),
        ("T", None, "1:27:36 PM"),
        ("u", None, "2018-03-15 13:27:36Z"),
        ("U", None, "Thursday, March 15, 2018 1:27:36 PM"),
        ("Y", None, "March 2018"),
        ("D", "de-DE", "Donnerstag, 15. März 2018"),
        ("d", "de-DE", "15.03.2018"),
        ("D", "en-GB", "Thursday, 15 March 2018"),
        ("D", "fr-FR", "jeudi 15 mars 2018"),
        ("D", "ja-JP", "2018年3月15日"),
        ("d", "is-IS", "15.3.2018"),
        ("D", "", "Thursday, 15 March 2018"),
        ("D", "it-IT", "giovedì 15 marzo 2018"),
        ("d", "nl-NL", "15-3-2018"),
        ("D", "pt-BR", "quinta-feira, 15 de março de 2018"),
        ("D", "es-ES", "jueves, 15 de marzo de 2018"),
        ("d", "sv-SE", "2018-03-15"),
        ("D", "zh-CN", "2018年3月15日"),
        ("g", "en-AU", "15/03/2018 1:27 pm"),
        ("t", "ja-JP", "13:27"),
    ],
)
def test_it_formats_standard_date_formats(fmt, locale, expected) -> None:
    assert format_datetime(MOMENT, fmt, culture(locale)) == expected


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("yyyy-MM-ddTHH:mm:ss", "2018-03-15T13:27:36"),
        ("hh:mm tt", "01:27 PM"),
        ("h:m:s t", "1:27:36 P"),
        ("%h", "1"),
        ("%y", "18"),
        ("yy yyy yyyyy", "18 2018 02018"),
        ("MMM MMMM ddd dddd", "Mar March Thu Thursday"),
        ("HH:mm:ss.fff", "13:27:36.123"),
        ("fffffff", "1234567"),
        ("ss.FFFF", "36.1234"),
        ("'Date:' yyyy", "Date: 2018"),
        ('"quoted" d', "quoted 15"),
        (r"\d\a\y d", "day 15"),
        ("zzz z zz", "+00:00 +0 +00"),
        ("%K", "Z"),
        ("gg yyyy", "A.D. 2018"),
    ],
)
def test_it_formats_custom_date_formats(fmt, expected) -> None:
    assert format_datetime(MOMENT, fmt) == expected


def test_it_drops_the_point_before_an_empty_F_run() -> None:
    whole_second = NetDateTime.from_datetime(datetime(2018, 3, 15, 13, 27, 36))
    assert format_datetime(whole_second, "HH:mm:ss.FFF") == "13:27:36"


def test_it_prints_no_zone_for_unspecified_kinds() -> None:
    local = NetDateTime.from_datetime(datetime(2018, 1, 1), "unspecified")
    assert format_datetime(local) == "2018-01-01T00:00:00.0000000"
    assert format_datetime(local, "%K") == ""


def test_it_uses_the_culture_date_separator_for_slash() -> None:
    assert format_datetime(MOMENT, "yyyy/MM/dd", culture("de-DE")) == "2018.03.15"


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        ("q", "not a valid .NET standard format"),
        ("K", "not a valid .NET standard format"),
        ("ffffffff", "at most 7"),
        ("'abc", "unterminated"),
        ("yyyy\\", "ends with an escape"),
        ("d%", "dangling"),
    ],
)
def test_it_rejects_bad_date_formats(fmt, message) -> None:
    with pytest.raises(ExpressionError, match=message):
        format_datetime(MOMENT, fmt)


def test_it_keeps_dates_inside_the_dotnet_range() -> None:
    with pytest.raises(ExpressionError, match="outside the range"):
        NetDateTime(-1)


@pytest.mark.parametrize(
    ("span", "fmt", "expected"),
    [
        ("1.02:03:04.5", "c", "1.02:03:04.5000000"),
        ("1.02:03:04.5", "g", "1:2:03:04.5"),
        ("1.02:03:04.5", "G", "1:02:03:04.5000000"),
        ("1.02:03:04.5", r"dd\.hh\:mm\:ss\.fff", "01.02:03:04.500"),
        ("-00:30:00", "c", "-00:30:00"),
        ("00:30:00", "%m", "30"),
        ("3", "c", "3.00:00:00"),
        ("1:02:03:04.5", "c", "1.02:03:04.5000000"),
        ("01:30:00", "h'h 'mm'm'", "1h 30m"),
        ("00:00:01.25", "s\\.FFFF", "1.25"),
    ],
)
def test_it_formats_time_spans(span, fmt, expected) -> None:
    assert format_timespan(parse_timespan(span), fmt) == expected


@pytest.mark.parametrize(
    ("span", "fmt", "message"),
    [
        ("soon", "c", "is not valid"),
        ("25:00:00", "c", "is not valid"),
        ("01:00:00", "hh:mm", "unescaped character ':'"),
        ("01:00:00", "hhh", "repeats 'h' too often"),
        ("01:00:00", "x", "not valid"),
    ],
)
def test_it_rejects_bad_time_spans_and_formats(span, fmt, message) -> None:
    with pytest.raises(ExpressionError, match=message):
        format_timespan(parse_timespan(span), fmt)
