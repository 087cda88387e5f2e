"""Date and time functions, called directly (the compliance cases go through `evaluate`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions import datetime as dt
from workflows.expressions.functions.dotnet_format import NetDateTime, culture
from workflows.expressions.registry import lookup

CTX = SimpleNamespace(now=datetime(2018, 4, 15, 13, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018-03-15T13:27:36Z", "2018-03-15T13:27:36.0000000Z"),
        ("2018-03-15T13:27:36.1234567Z", "2018-03-15T13:27:36.1234567Z"),
        ("2018-03-15T13:27:36.123456789Z", "2018-03-15T13:27:36.1234567Z"),
        ("2018-03-15T13:27Z", "2018-03-15T13:27:00.0000000Z"),
        ("2018-03-15T13:27:36+02:00", "2018-03-15T11:27:36.0000000Z"),
        ("2018-03-15T13:27:36-0530", "2018-03-15T18:57:36.0000000Z"),
        ("2018-03-15 13:27:36", "2018-03-15T13:27:36.0000000"),
        ("2018-03-15", "2018-03-15T00:00:00.0000000"),
        ("2018/03/15", "2018-03-15T00:00:00.0000000"),
        ("03/15/2018", "2018-03-15T00:00:00.0000000"),
        ("03/15/2018 13:00", "2018-03-15T13:00:00.0000000"),
        ("3/5/2018 1:05:07 PM", "2018-03-05T13:05:07.0000000"),
        ("3/5/2018 12:05 AM", "2018-03-05T00:05:00.0000000"),
        ("Thu, 15 Mar 2018 13:00:00 GMT", "2018-03-15T13:00:00.0000000Z"),
        ("March 15, 2018", "2018-03-15T00:00:00.0000000"),
        ("15 March 2018 10:00", "2018-03-15T10:00:00.0000000"),
        ("15-Mar-2018", "2018-03-15T00:00:00.0000000"),
        ("  2018-03-15T13:27:36Z  ", "2018-03-15T13:27:36.0000000Z"),
    ],
)
def test_it_parses_timestamps_as_dotnet_does(text: str, expected: str) -> None:
    assert dt.format_date_time(text) == expected


@pytest.mark.parametrize(
    "text", ["", "nope", "2018-13-01", "2018-02-30", "13/45/2018", "25:00", "2018-03-15T25:00:00Z"]
)
def test_it_rejects_what_is_not_a_timestamp(text: str) -> None:
    with pytest.raises(ExpressionError, match="could not parse the timestamp"):
        dt.parse_timestamp(text, "formatDateTime")


def test_it_reads_numeric_dates_day_first_in_day_first_cultures() -> None:
    assert dt.parse_date_time("20/10/2014", "fr-fr") == "2014-10-20T00:00:00.0000000"
    assert dt.parse_date_time("10/20/2014", "en-us") == "2014-10-20T00:00:00.0000000"
    assert dt.parse_date_time("15. März 2018", "de-DE") == "2018-03-15T00:00:00.0000000"


@pytest.mark.parametrize(
    ("text", "locale", "fmt", "expected"),
    [
        ("21052019", "fr-fr", "ddMMyyyy", "2019-05-21T00:00:00.0000000"),
        ("10/20/2014 15h", "en-US", "MM/dd/yyyy HH\\h", "2014-10-20T15:00:00.0000000"),
        ("15 mars 2018", "fr-FR", "d MMMM yyyy", "2018-03-15T00:00:00.0000000"),
        ("03:05 PM 1/2/18", "en-US", "hh:mm tt M/d/yy", "2018-01-02T15:05:00.0000000"),
        ("2018-03-15 13:00 +01:00", None, "yyyy-MM-dd HH:mm zzz", "2018-03-15T12:00:00.0000000Z"),
        ("2018-03-15T13:00:00.5Z", None, "o", "2018-03-15T13:00:00.5000000Z"),
        ("15.03.2018", "de-DE", "d", "2018-03-15T00:00:00.0000000"),
    ],
)
def test_it_parses_exact_formats(text, locale, fmt, expected) -> None:
    assert dt.parse_date_time(text, locale, fmt) == expected


def test_it_says_which_format_a_string_does_not_match() -> None:
    with pytest.raises(ExpressionError, match="does not match the date format 'dd/MM/yyyy'"):
        dt.parse_date_time("2014-10-20", "en-US", "dd/MM/yyyy")
    with pytest.raises(ExpressionError, match="not a valid date"):
        dt.parse_date_time("31/02/2014", "en-US", "dd/MM/yyyy")


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("Second", "2018-01-31T10:00:01.0000000Z"),
        ("Minute", "2018-01-31T10:01:00.0000000Z"),
        ("Hour", "2018-01-31T11:00:00.0000000Z"),
        ("Day", "2018-02-01T10:00:00.0000000Z"),
        ("Week", "2018-02-07T10:00:00.0000000Z"),
        ("Month", "2018-02-28T10:00:00.0000000Z"),
        ("Year", "2019-01-31T10:00:00.0000000Z"),
        ("day", "2018-02-01T10:00:00.0000000Z"),
    ],
)
def test_it_adds_every_time_unit(unit: str, expected: str) -> None:
    assert dt.add_to_time("2018-01-31T10:00:00Z", 1, unit) == expected


def test_it_clamps_month_arithmetic_to_the_month_end() -> None:
    assert dt.add_to_time("2020-02-29T00:00:00Z", 1, "Year") == "2021-02-28T00:00:00.0000000Z"
    assert dt.subtract_from_time("2018-03-31", 1, "Month") == "2018-02-28T00:00:00.0000000"
    assert dt.add_to_time("2018-01-31", 13, "Month") == "2019-02-28T00:00:00.0000000"


def test_it_rejects_unknown_units_and_non_integer_intervals() -> None:
    with pytest.raises(ExpressionError, match="expected one of Second, Minute"):
        dt.add_to_time("2018-01-01", 1, "Fortnight")
    with pytest.raises(ExpressionError, match="to be an integer"):
        dt.add_to_time("2018-01-01", 1.5, "Day")
    with pytest.raises(ExpressionError, match="to be an integer"):
        dt.add_to_time("2018-01-01", True, "Day")


def test_it_refuses_to_leave_the_dotnet_date_range() -> None:
    with pytest.raises(ExpressionError, match="outside the range"):
        dt.add_to_time("9999-12-31T00:00:00Z", 1, "Day")
    with pytest.raises(ExpressionError, match="outside the range"):
        dt.subtract_from_time("0001-01-01T00:00:00Z", 1, "Month")


def test_it_takes_now_only_from_the_context() -> None:
    assert dt.utc_now(CTX) == "2018-04-15T13:00:00.0000000Z"
    assert dt.utc_now(CTX, "D") == "Sunday, April 15, 2018"
    assert dt.get_future_time(CTX, 5, "Day") == "2018-04-20T13:00:00.0000000Z"
    assert dt.get_past_time(CTX, 1, "Month", "yyyy-MM-dd") == "2018-03-15"


def test_it_registers_every_date_function_with_its_arity() -> None:
    expected = {
        "utcNow": (0, 1), "getFutureTime": (2, 3), "getPastTime": (2, 3), "addToTime": (3, 4),
        "subtractFromTime": (3, 4), "addSeconds": (2, 3), "addMinutes": (2, 3),
        "addHours": (2, 3), "addDays": (2, 3), "dateDifference": (2, 2),
        "convertTimeZone": (3, 4), "convertToUtc": (2, 3), "convertFromUtc": (2, 3),
        "formatDateTime": (1, 3), "parseDateTime": (1, 3), "startOfHour": (1, 2),
        "startOfDay": (1, 2), "startOfMonth": (1, 2), "dayOfWeek": (1, 1),
        "dayOfMonth": (1, 1), "dayOfYear": (1, 1), "ticks": (1, 1), "formatTimeSpan": (2, 3),
        "formatNumber": (2, 3),
    }  # fmt: skip
    for name, (low, high) in expected.items():
        registered = lookup(name)
        assert registered is not None, name
        assert (registered.min_args, registered.max_args) == (low, high), name


def test_it_adds_the_unit_shorthands() -> None:
    add_hours = lookup("addHours")
    assert add_hours is not None
    assert add_hours.impl("2018-01-01T10:00:00Z", -5) == "2018-01-01T05:00:00.0000000Z"
    add_days = lookup("addDays")
    assert add_days is not None
    assert add_days.impl("2018-03-15T00:00:00Z", 10, "d") == "3/25/2018"


def test_it_truncates_to_hour_day_and_month_keeping_the_kind() -> None:
    assert dt.start_of_hour("2018-03-15T13:30:30.9999999Z") == "2018-03-15T13:00:00.0000000Z"
    assert dt.start_of_day("2025-02-16T23:59:59") == "2025-02-16T00:00:00.0000000"
    assert dt.start_of_month("2018-03-15T13:30:30Z", "yyyy-MM-dd") == "2018-03-01"


def test_it_reports_day_components_sunday_first() -> None:
    assert dt.day_of_week("2018-03-15T13:27:36Z") == 4
    assert dt.day_of_week("2018-03-18") == 0
    assert dt.day_of_month("2018-03-15T13:27:36Z") == 15
    assert dt.day_of_year("2018-03-15T13:27:36Z") == 74
    assert dt.day_of_year("2016-12-31") == 366


def test_it_counts_dotnet_ticks() -> None:
    assert dt.ticks("0001-01-01T00:00:00Z") == 0
    assert dt.ticks("2018-01-01T00:00:00Z") == 636503616000000000
    assert dt.ticks("2018-01-01T00:00:00.0000001Z") == 636503616000000001


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
def test_it_round_trips_the_o_format(moment: datetime) -> None:
    text = f"{moment.year:04d}-" + moment.strftime("%m-%dT%H:%M:%S.%f") + "3Z"
    assert dt.format_date_time(text) == text


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1)))
def test_it_agrees_with_python_on_ticks_and_differences(moment: datetime) -> None:
    text = moment.isoformat(timespec="microseconds") + "Z"
    since_epoch = moment - datetime(1, 1, 1)
    assert dt.ticks(text) == since_epoch // timedelta(microseconds=1) * 10
    back = dt.date_difference("0001-01-01T00:00:00Z", text)
    assert back.split(".")[0] == str(since_epoch.days)


def test_it_writes_date_differences_as_constant_timespans() -> None:
    assert dt.date_difference("2015-02-08", "2018-07-30") == "1268.00:00:00"
    assert (
        dt.date_difference("2019-01-01T00:00:00Z", "2019-01-01T16:00:00.5Z") == "16:00:00.5000000"
    )
    assert dt.date_difference("2018-07-30", "2015-02-08") == "-1268.00:00:00"


def test_it_formats_timespans_from_strings_and_tick_counts() -> None:
    assert dt.format_time_span("1.02:03:04", "g") == "1:2:03:04"
    assert dt.format_time_span(36_000_000_000, "hh\\:mm") == "01:00"
    assert dt.format_time_span("1.02:03:04.5", "G", "de-DE") == "1:02:03:04,5000000"
    with pytest.raises(ExpressionError, match="expects its first parameter to be a string"):
        dt.format_time_span(None, "c")


def test_it_checks_argument_types_with_logic_apps_wording() -> None:
    with pytest.raises(ExpressionError, match=r"expects a timestamp string.*'Integer'"):
        dt.day_of_week(5)
    with pytest.raises(ExpressionError, match=r"second parameter to be a string.*'Integer'"):
        dt.format_date_time("2018-01-01", 5)
    with pytest.raises(ExpressionError, match="The locale must be a string"):
        culture(5)  # type: ignore[arg-type]


def test_it_exposes_a_plain_datetime_helper() -> None:
    assert dt.as_datetime("2018-03-15T13:00:00+01:00") == datetime(2018, 3, 15, 12, tzinfo=UTC)
    assert NetDateTime.from_datetime(datetime(2018, 1, 1)).ticks == 636503616000000000
