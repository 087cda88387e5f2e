"""Recurrence maths with injected clocks: every form, both DST transitions (US, EU)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from connectors.schedule import RecurrenceError, next_occurrence, validate

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def series(recurrence: dict, after: datetime, n: int, **kw) -> list[datetime]:
    out = []
    for _ in range(n):
        after = next_occurrence(recurrence, after, **kw)
        if after is None:
            break
        out.append(after)
    return out


def local(moments: list[datetime], tz: ZoneInfo) -> list[str]:
    return [m.astimezone(tz).strftime("%Y-%m-%d %H:%M") for m in moments]


def test_it_steps_seconds_minutes_and_hours_from_start_time():
    start = "2026-01-01T00:00:10Z"
    assert series(
        {"frequency": "Second", "interval": 15, "startTime": start}, utc(2026, 1, 1), 3
    ) == [utc(2026, 1, 1, 0, 0, 10), utc(2026, 1, 1, 0, 0, 25), utc(2026, 1, 1, 0, 0, 40)]
    assert next_occurrence(
        {"frequency": "Minute", "interval": 5, "startTime": start}, utc(2026, 1, 1, 0, 7)
    ) == utc(2026, 1, 1, 0, 10, 10)
    assert next_occurrence(
        {"frequency": "Hour", "interval": 2, "startTime": start}, utc(2026, 1, 1, 2, 0, 10)
    ) == utc(2026, 1, 1, 4, 0, 10)


def test_it_treats_start_time_as_the_first_occurrence():
    rec = {"frequency": "Day", "interval": 3, "startTime": "2026-05-01T08:00:00Z"}
    assert next_occurrence(rec, utc(2026, 1, 1)) == utc(2026, 5, 1, 8)
    assert next_occurrence(rec, utc(2026, 5, 1, 8)) == utc(2026, 5, 4, 8)


def test_it_uses_the_anchor_when_there_is_no_start_time():
    rec = {"frequency": "Minute", "interval": 10}
    anchor = utc(2026, 1, 1, 12, 3)
    assert next_occurrence(rec, utc(2026, 1, 1, 12, 20), anchor=anchor) == utc(2026, 1, 1, 12, 23)
    assert next_occurrence(rec, utc(2026, 1, 1, 12, 20)) == utc(2026, 1, 1, 12, 30)


def test_it_keeps_elapsed_time_for_hours_across_dst():
    rec = {
        "frequency": "Hour",
        "interval": 1,
        "startTime": "2026-03-08T00:00:00",
        "timeZone": "Eastern Standard Time",
    }
    assert local(series(rec, utc(2026, 3, 8, 5), 3), NY) == [
        "2026-03-08 01:00",
        "2026-03-08 03:00",
        "2026-03-08 04:00",
    ]


def test_it_keeps_wall_clock_for_days_across_us_spring_forward():
    rec = {
        "frequency": "Day",
        "interval": 1,
        "startTime": "2026-03-07T09:00:00",
        "timeZone": "Eastern Standard Time",
    }
    got = series(rec, utc(2026, 3, 7), 3)
    assert local(got, NY) == ["2026-03-07 09:00", "2026-03-08 09:00", "2026-03-09 09:00"]
    assert got[1] - got[0] == timedelta(hours=23)


def test_it_shifts_a_nonexistent_local_time_forward_us():
    rec = {
        "frequency": "Day",
        "interval": 1,
        "startTime": "2026-03-07T02:30:00",
        "timeZone": "America/New_York",
    }
    assert local(series(rec, utc(2026, 3, 7), 3), NY) == [
        "2026-03-07 02:30",
        "2026-03-08 03:30",
        "2026-03-09 02:30",
    ]


def test_it_fires_an_ambiguous_local_time_once_us_fall_back():
    rec = {
        "frequency": "Day",
        "interval": 1,
        "startTime": "2026-10-31T01:30:00",
        "timeZone": "Eastern Standard Time",
        "schedule": {"hours": [1], "minutes": [30]},
    }
    got = series(rec, utc(2026, 10, 31), 3)
    assert local(got, NY) == ["2026-10-31 01:30", "2026-11-01 01:30", "2026-11-02 01:30"]
    assert got[1] == utc(2026, 11, 1, 5, 30)  # the first 01:30 (EDT), not the repeat


def test_it_keeps_wall_clock_across_eu_transitions():
    rec = {
        "frequency": "Day",
        "interval": 1,
        "startTime": "2026-03-28T02:30:00",
        "timeZone": "W. Europe Standard Time",
    }
    assert local(series(rec, utc(2026, 3, 28), 3), BERLIN) == [
        "2026-03-28 02:30",
        "2026-03-29 03:30",
        "2026-03-30 02:30",
    ]
    rec = {
        "frequency": "Day",
        "interval": 1,
        "startTime": "2026-10-24T02:30:00",
        "timeZone": "Europe/Berlin",
    }
    got = series(rec, utc(2026, 10, 24), 3)
    assert local(got, BERLIN) == ["2026-10-24 02:30", "2026-10-25 02:30", "2026-10-26 02:30"]
    assert got[1] == utc(2026, 10, 25, 0, 30)


def test_it_runs_hourly_schedules_once_per_local_hour_over_eu_fall_back():
    rec = {
        "frequency": "Day",
        "interval": 1,
        "startTime": "2026-10-25T00:00:00",
        "timeZone": "Europe/Berlin",
        "schedule": {"hours": list(range(24)), "minutes": [0]},
    }
    got = series(rec, utc(2026, 10, 24, 21), 5)
    assert local(got, BERLIN) == [
        "2026-10-25 00:00",
        "2026-10-25 01:00",
        "2026-10-25 02:00",
        "2026-10-25 03:00",
        "2026-10-25 04:00",
    ]
    assert len(set(got)) == 5


def test_it_runs_day_schedules_at_each_hour_and_minute():
    rec = {
        "frequency": "Day",
        "interval": 1,
        "startTime": "2026-01-01T00:00:00Z",
        "schedule": {"hours": [9, 17], "minutes": [0, 30]},
    }
    assert [m.strftime("%d %H:%M") for m in series(rec, utc(2026, 1, 1), 5)] == [
        "01 09:00",
        "01 09:30",
        "01 17:00",
        "01 17:30",
        "02 09:00",
    ]


def test_it_skips_days_by_interval_with_a_schedule():
    rec = {
        "frequency": "Day",
        "interval": 2,
        "startTime": "2026-01-01T00:00:00Z",
        "schedule": {"hours": [6]},
    }
    assert [m.day for m in series(rec, utc(2026, 1, 1), 3)] == [1, 3, 5]


def test_it_runs_weekly_on_week_days():
    rec = {
        "frequency": "Week",
        "interval": 1,
        "startTime": "2026-01-01T00:00:00Z",  # a Thursday
        "schedule": {"weekDays": ["Monday", "Friday"], "hours": [8], "minutes": [15]},
    }
    got = series(rec, utc(2026, 1, 1), 4)
    assert [m.strftime("%a %d %H:%M") for m in got] == [
        "Fri 02 08:15",
        "Mon 05 08:15",
        "Fri 09 08:15",
        "Mon 12 08:15",
    ]


def test_it_runs_every_other_week():
    rec = {
        "frequency": "Week",
        "interval": 2,
        "startTime": "2026-01-05T10:00:00Z",
        "schedule": {"weekDays": ["Monday"]},
    }
    assert [m.day for m in series(rec, utc(2026, 1, 1), 3)] == [5, 19, 2]


def test_it_runs_simple_weeks_and_months():
    week = {"frequency": "Week", "interval": 1, "startTime": "2026-01-07T10:00:00Z"}
    assert [m.day for m in series(week, utc(2026, 1, 8), 2)] == [14, 21]
    month = {"frequency": "Month", "interval": 1, "startTime": "2026-01-31T10:00:00Z"}
    assert [m.date().isoformat() for m in series(month, utc(2026, 1, 31, 11), 3)] == [
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
    ]


def test_it_runs_on_month_days_including_from_the_end():
    rec = {
        "frequency": "Month",
        "interval": 1,
        "startTime": "2026-01-01T00:00:00Z",
        "schedule": {"monthDays": [1, 15, -1], "hours": [12], "minutes": [0]},
    }
    assert [m.date().isoformat() for m in series(rec, utc(2026, 1, 20), 4)] == [
        "2026-01-31",
        "2026-02-01",
        "2026-02-15",
        "2026-02-28",
    ]


def test_it_runs_on_monthly_occurrences():
    rec = {
        "frequency": "Month",
        "interval": 1,
        "startTime": "2026-01-01T00:00:00Z",
        "schedule": {
            "monthlyOccurrences": [
                {"day": "Tuesday", "occurrence": 2},
                {"day": "Friday", "occurrence": -1},
            ],
            "hours": [9],
        },
    }
    assert [m.date().isoformat() for m in series(rec, utc(2026, 1, 1), 3)] == [
        "2026-01-13",
        "2026-01-30",
        "2026-02-10",
    ]


def test_it_never_runs_before_start_time_with_a_schedule():
    rec = {
        "frequency": "Day",
        "interval": 1,
        "startTime": "2026-01-01T12:00:00Z",
        "schedule": {"hours": [9, 18]},
    }
    assert next_occurrence(rec, utc(2025, 12, 1)) == utc(2026, 1, 1, 18)


def test_it_stops_at_end_time_and_count():
    rec = {
        "frequency": "Minute",
        "interval": 1,
        "startTime": "2026-01-01T00:00:00Z",
        "endTime": "2026-01-01T00:02:00Z",
    }
    assert len(series(rec, utc(2025, 12, 31), 10)) == 3
    counted = {
        "frequency": "Minute",
        "interval": 1,
        "startTime": "2026-01-01T00:00:00Z",
        "count": 2,
    }
    assert next_occurrence(counted, utc(2026, 1, 1), fired=1) == utc(2026, 1, 1, 0, 1)
    assert next_occurrence(counted, utc(2026, 1, 1), fired=2) is None


def test_it_supports_cron_in_a_time_zone_across_dst():
    rec = {"cron": "30 2 * * *", "timeZone": "America/New_York"}
    assert local(series(rec, utc(2026, 3, 7), 3), NY) == [
        "2026-03-07 02:30",
        "2026-03-08 03:30",
        "2026-03-09 02:30",
    ]
    every5 = {"cron": "*/5 * * * *"}
    assert next_occurrence(every5, utc(2026, 1, 1, 0, 7)) == utc(2026, 1, 1, 0, 10)


@pytest.mark.parametrize(
    ("recurrence", "message"),
    [
        ({"frequency": "Fortnight", "interval": 1}, "frequency"),
        ({"frequency": "Month", "interval": 17}, "between 1 and 16"),
        ({"frequency": "Day", "interval": "x"}, "whole number"),
        ({"frequency": "Day", "interval": 1, "timeZone": "Mars Standard Time"}, "time zone"),
        ({"frequency": "Day", "interval": 1, "startTime": "tomorrow"}, "date-time"),
        ({"frequency": "Week", "interval": 1, "schedule": {"weekDays": ["Funday"]}}, "week day"),
        ({"frequency": "Day", "interval": 1, "schedule": {"hours": [24]}}, "hours"),
        ({"cron": "61 * * * *"}, "cron"),
        ({"frequency": "Day", "interval": 1, "count": 0}, "count"),
    ],
)
def test_it_explains_invalid_recurrences(recurrence, message):
    problems = validate(recurrence)
    assert len(problems) == 1 and message in problems[0]
    with pytest.raises(RecurrenceError):
        next_occurrence(recurrence, utc(2026, 1, 1))
