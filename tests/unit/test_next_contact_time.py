from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.next_contact_time import DEFAULT_TIME, MAX_AHEAD, QUICK_CODES, check_when, quick_time
from tests.conftest import FIXED_NOW

MOSCOW, BERLIN = "Europe/Moscow", "Europe/Berlin"


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0, micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "now", "expected"),
    [
        # FIXED_NOW is Wednesday 25.11.2026 11:00 in Moscow (UTC+3 all year).
        ("1h", FIXED_NOW, utc(2026, 11, 25, 9, 0)),  # already on a 5-minute mark: no rounding
        ("1h", utc(2026, 11, 25, 8, 2, 30), utc(2026, 11, 25, 9, 5)),
        ("1h", utc(2026, 11, 25, 8, 55, 0, 1), utc(2026, 11, 25, 10, 0)),  # a microsecond past rounds up
        ("tmr", FIXED_NOW, utc(2026, 11, 26, 7, 0)),  # 10:00 Moscow
        ("3d", FIXED_NOW, utc(2026, 11, 28, 7, 0)),
        ("wk", FIXED_NOW, utc(2026, 11, 30, 7, 0)),  # Monday
        # Team time, not UTC: at 01:30 Thursday in Moscow it is still Wednesday in UTC.
        ("tmr", utc(2026, 11, 25, 22, 30), utc(2026, 11, 27, 7, 0)),
        ("wk", utc(2026, 11, 29, 20, 30), utc(2026, 11, 30, 7, 0)),  # Sunday 23:30: tomorrow's Monday
        ("wk", utc(2026, 11, 29, 22, 30), utc(2026, 12, 7, 7, 0)),  # Monday 01:30: never today
        ("wk", utc(2026, 11, 30, 6, 0), utc(2026, 12, 7, 7, 0)),  # Monday 09:00, before 10: still next week
    ],
)
def test_quick_times_in_moscow(code: str, now: datetime, expected: datetime) -> None:
    assert quick_time(code, now=now, timezone=MOSCOW) == expected


@pytest.mark.parametrize(
    ("code", "now", "expected"),
    [
        # Berlin leaves summer time on Sunday 25.10.2026 at 03:00 CEST (01:00 UTC): 10:00 is 09:00 UTC.
        ("tmr", utc(2026, 10, 24, 8, 0), utc(2026, 10, 25, 9, 0)),
        ("3d", utc(2026, 10, 24, 8, 0), utc(2026, 10, 27, 9, 0)),
        ("wk", utc(2026, 10, 24, 8, 0), utc(2026, 10, 26, 9, 0)),
        ("tmr", utc(2026, 10, 23, 8, 0), utc(2026, 10, 24, 8, 0)),  # the day before: still summer
        # An hour is an hour of real time, even across the change (02:30 CEST + 1h = 02:30 CET).
        ("1h", utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)),
        # Spring forward on 29.03.2026: 10:00 on that day is summer time already.
        ("tmr", utc(2026, 3, 28, 8, 0), utc(2026, 3, 29, 8, 0)),
        ("wk", utc(2026, 3, 28, 8, 0), utc(2026, 3, 30, 8, 0)),
    ],
)
def test_quick_times_across_berlin_dst_changes(code: str, now: datetime, expected: datetime) -> None:
    assert quick_time(code, now=now, timezone=BERLIN) == expected


def test_an_unknown_or_forged_quick_code_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown quick time code"):
        quick_time("2y", now=FIXED_NOW, timezone=MOSCOW)


def test_a_naive_now_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="naive"):
        quick_time("tmr", now=datetime(2026, 11, 25, 11, 0), timezone=MOSCOW)  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        check_when(datetime(2026, 11, 26, 11, 0), now=FIXED_NOW)  # noqa: DTZ001


MOMENTS = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive by design
    max_value=datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(
    moment=MOMENTS,
    timezone=st.sampled_from([MOSCOW, BERLIN, "America/New_York", "Asia/Kathmandu", "UTC"]),
    code=st.sampled_from(QUICK_CODES),
)
def test_every_quick_time_is_ahead_and_on_the_teams_clock(moment: datetime, timezone: str, code: str) -> None:
    at = quick_time(code, now=moment, timezone=timezone)
    assert at.utcoffset() == timedelta(0)
    assert check_when(at, now=moment) is None
    local = at.astimezone(ZoneInfo(timezone))
    if code == "1h":
        assert timedelta(hours=1) <= at - moment < timedelta(hours=1, minutes=5)
        assert local.minute % 5 == 0 and local.second == 0 and local.microsecond == 0
        return
    assert local.time() == DEFAULT_TIME
    days = (local.date() - moment.astimezone(ZoneInfo(timezone)).date()).days
    if code == "wk":
        assert local.weekday() == 0 and 1 <= days <= 7
    else:
        assert days == {"tmr": 1, "3d": 3}[code]


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (FIXED_NOW - timedelta(days=1), "past"),
        (FIXED_NOW - timedelta(seconds=1), "past"),
        (FIXED_NOW, "past"),  # "now" is not a plan: the reminder would fire before anyone reads it
        (FIXED_NOW + timedelta(minutes=1), None),
        (FIXED_NOW + MAX_AHEAD, None),
        (FIXED_NOW + MAX_AHEAD + timedelta(seconds=1), "too_far"),
        (datetime(2030, 12, 25, 10, 0, tzinfo=ZoneInfo(MOSCOW)), "too_far"),  # a mistyped year
    ],
)
def test_check_when_refuses_the_past_and_the_far_future(at: datetime, expected: str | None) -> None:
    assert check_when(at, now=FIXED_NOW) == expected


def test_check_when_compares_moments_not_wall_clocks() -> None:
    # 11:30 in Moscow is 09:30 in Berlin (winter): the same moment, half an hour after FIXED_NOW.
    assert check_when(datetime(2026, 11, 25, 9, 30, tzinfo=ZoneInfo(BERLIN)), now=FIXED_NOW) is None
    assert check_when(datetime(2026, 11, 25, 8, 30, tzinfo=ZoneInfo(BERLIN)), now=FIXED_NOW) == "past"


@pytest.mark.parametrize(
    ("code", "now", "expected"),
    [
        ("tmr", "2026-11-27T12:00", "2026-11-30T07:00"),  # Friday: "tomorrow" is Monday 10:00 MSK
        ("3d", "2026-11-25T12:00", "2026-11-30T07:00"),  # Wednesday + 3 = Saturday: Monday
        ("tmr", "2026-12-31T12:00", "2027-01-11T07:00"),  # New Year holidays: the first working day
        ("tmr", "2026-11-25T12:00", "2026-11-26T07:00"),  # a working day stays as it is
        ("1h", "2026-11-27T17:00", "2026-11-27T18:00"),  # an hour is an hour, evening or not
    ],
)
def test_quick_days_land_on_working_days_with_the_teams_calendar(code: str, now: str, expected: str) -> None:
    from domain.working_time import BusinessCalendar

    calendar = BusinessCalendar.build(
        timezone=MOSCOW, days="mon-fri", start="09:00", end="18:00", holidays_country="RU", always=False
    )
    moment = datetime.fromisoformat(now).replace(tzinfo=UTC)
    assert quick_time(code, now=moment, timezone=MOSCOW, calendar=calendar) == datetime.fromisoformat(
        expected
    ).replace(tzinfo=UTC)
