"""Windows time-zone names and DST-correct conversions (convertTimeZone & co.)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions import datetime as dt
from workflows.expressions.functions.timezones import WINDOWS_TO_IANA, iana_name, resolve_zone


def test_it_maps_every_windows_zone_to_an_installed_iana_zone() -> None:
    assert len(WINDOWS_TO_IANA) >= 135
    for windows, iana in WINDOWS_TO_IANA.items():
        assert resolve_zone(windows) == ZoneInfo(iana), windows


@pytest.mark.parametrize(
    ("name", "iana"),
    [
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("UTC", "Etc/UTC"),
        ("Coordinated Universal Time", "Etc/UTC"),
        ("Tokyo Standard Time", "Asia/Tokyo"),
        ("India Standard Time", "Asia/Kolkata"),
        ("AUS Eastern Standard Time", "Australia/Sydney"),
        ("Central Asia Standard Time", "Asia/Bishkek"),
        ("  pacific standard time ", "America/Los_Angeles"),
        ("Europe/Paris", "Europe/Paris"),
        ("america/new_york", "America/New_York"),
    ],
)
def test_it_resolves_windows_and_iana_names_case_insensitively(name: str, iana: str) -> None:
    assert iana_name(name) == iana


def test_it_rejects_unknown_zones_with_a_hint() -> None:
    with pytest.raises(ExpressionError, match=r"Mars Standard Time.*Windows time zone id"):
        resolve_zone("Mars Standard Time")


@pytest.mark.parametrize(
    ("utc", "zone", "local"),
    [
        # US spring forward, 2026-03-08 02:00 PST → 03:00 PDT
        ("2026-03-08T09:59:59Z", "Pacific Standard Time", "2026-03-08T01:59:59"),
        ("2026-03-08T10:00:00Z", "Pacific Standard Time", "2026-03-08T03:00:00"),
        # US fall back, 2026-11-01 02:00 PDT → 01:00 PST: 01:30 happens twice
        ("2026-11-01T08:30:00Z", "Pacific Standard Time", "2026-11-01T01:30:00"),
        ("2026-11-01T09:30:00Z", "Pacific Standard Time", "2026-11-01T01:30:00"),
        ("2026-11-01T06:30:00Z", "Eastern Standard Time", "2026-11-01T01:30:00"),
        # EU spring forward, 2026-03-29 01:00 UTC
        ("2026-03-29T00:59:00Z", "W. Europe Standard Time", "2026-03-29T01:59:00"),
        ("2026-03-29T01:00:00Z", "W. Europe Standard Time", "2026-03-29T03:00:00"),
        ("2026-03-29T01:00:00Z", "GMT Standard Time", "2026-03-29T02:00:00"),
        # EU fall back, 2026-10-25 01:00 UTC
        ("2026-10-25T00:59:00Z", "W. Europe Standard Time", "2026-10-25T02:59:00"),
        ("2026-10-25T01:00:00Z", "W. Europe Standard Time", "2026-10-25T02:00:00"),
        ("2026-10-25T01:00:00Z", "GMT Standard Time", "2026-10-25T01:00:00"),
    ],
)
def test_it_converts_across_us_and_eu_dst_transitions(utc: str, zone: str, local: str) -> None:
    assert dt.convert_from_utc(utc, zone, "s") == local
    assert dt.convert_time_zone(utc, "UTC", zone, "s") == local


def test_it_reads_an_ambiguous_wall_time_as_standard_time() -> None:
    assert dt.convert_to_utc("2026-11-01T01:30:00", "Pacific Standard Time", "s") == (
        "2026-11-01T09:30:00"
    )
    assert dt.convert_to_utc("2026-10-25T02:30:00", "W. Europe Standard Time", "s") == (
        "2026-10-25T01:30:00"
    )


@pytest.mark.parametrize(
    ("wall", "zone"),
    [
        ("2026-03-08T02:30:00", "Pacific Standard Time"),
        ("2026-03-29T02:30:00", "W. Europe Standard Time"),
        ("2026-03-29T01:30:00", "GMT Standard Time"),
    ],
)
def test_it_rejects_wall_times_inside_the_spring_forward_gap(wall: str, zone: str) -> None:
    with pytest.raises(ExpressionError, match="does not exist in the time zone"):
        dt.convert_to_utc(wall, zone)


def test_it_marks_utc_results_with_z_and_local_results_without() -> None:
    assert dt.convert_to_utc("01/01/2018 00:00:00", "Pacific Standard Time") == (
        "2018-01-01T08:00:00.0000000Z"
    )
    assert dt.convert_from_utc("2018-01-01T08:00:00.0000000Z", "Pacific Standard Time") == (
        "2018-01-01T00:00:00.0000000"
    )


def test_it_keeps_sub_microsecond_ticks_through_conversions() -> None:
    assert dt.convert_from_utc("2018-01-01T08:00:00.1234567Z", "Tokyo Standard Time") == (
        "2018-01-01T17:00:00.1234567"
    )


def test_it_converts_between_two_non_utc_zones() -> None:
    result = dt.convert_time_zone(
        "2026-07-01T12:00:00", "Eastern Standard Time", "Tokyo Standard Time", "yyyy-MM-dd HH:mm"
    )
    assert result == "2026-07-02 01:00"


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2037, 12, 31)))
def test_it_round_trips_utc_through_any_zone(moment: datetime) -> None:
    utc = moment.replace(microsecond=0).isoformat() + "Z"
    for zone in ("Pacific Standard Time", "W. Europe Standard Time", "Lord Howe Standard Time"):
        local = dt.convert_from_utc(utc, zone, "s")
        expected = moment.replace(tzinfo=UTC).astimezone(resolve_zone(zone))
        assert local == expected.strftime("%Y-%m-%dT%H:%M:%S")
        if expected.fold == 0 and _unambiguous(expected):
            assert dt.convert_to_utc(local, zone, "s") == moment.strftime("%Y-%m-%dT%H:%M:%S")


def _unambiguous(local: datetime) -> bool:
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() == local.utcoffset()
