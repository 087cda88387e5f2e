"""Properties of `next_occurrence` over random recurrences, zones and instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.schedule import next_occurrence, to_local, zone

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific Standard Time",
]
EPSILON = timedelta(microseconds=1)

instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2029, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)


@st.composite
def recurrences(draw, scheduled: bool = False):
    """Random recurrences; `scheduled`: only ones with a `schedule` (drawn directly:
    filtering the others out made Hypothesis's health check fail now and then)."""
    frequencies = (
        ["Day", "Week", "Month"] if scheduled else ["Minute", "Hour", "Day", "Week", "Month"]
    )
    frequency = draw(st.sampled_from(frequencies))
    rec = {
        "frequency": frequency,
        "interval": draw(st.integers(1, 3)),
        "startTime": "2025-01-01T00:00:00",
        "timeZone": draw(st.sampled_from(ZONES)),
    }
    if frequency in ("Day", "Week", "Month") and (scheduled or draw(st.booleans())):
        rec["schedule"] = {
            "hours": sorted(draw(st.sets(st.integers(0, 23), min_size=1, max_size=3))),
            "minutes": sorted(
                draw(st.sets(st.sampled_from([0, 15, 30, 45]), min_size=1, max_size=2))
            ),
        }
        if frequency == "Week":
            rec["schedule"]["weekDays"] = draw(
                st.sets(
                    st.sampled_from(
                        [
                            "Monday",
                            "Tuesday",
                            "Wednesday",
                            "Thursday",
                            "Friday",
                            "Saturday",
                            "Sunday",
                        ]
                    ),
                    min_size=1,
                )
            )
            rec["schedule"]["weekDays"] = sorted(rec["schedule"]["weekDays"])
        if frequency == "Month":
            rec["schedule"]["monthDays"] = sorted(
                draw(st.sets(st.integers(1, 28), min_size=1, max_size=3))
            )
    return rec


@settings(max_examples=150, deadline=None)
@given(recurrences(), instants)
def test_it_always_moves_forward_consistently(rec, after):
    first = next_occurrence(rec, after)
    assert first is not None and first > after
    assert next_occurrence(rec, first - EPSILON) == first  # stable just before an occurrence
    second = next_occurrence(rec, first)
    assert second is not None and second > first


@settings(max_examples=150, deadline=None)
@given(recurrences(scheduled=True), instants)
def test_it_lands_on_scheduled_wall_clock_times(rec, after):
    schedule = rec["schedule"]
    moment = to_local(next_occurrence(rec, after), zone(rec["timeZone"]))
    shifted = moment - timedelta(hours=1)  # a time inside a spring-forward gap runs an hour later
    assert moment.hour in schedule["hours"] or shifted.hour in schedule["hours"]
    assert moment.minute in schedule["minutes"]
