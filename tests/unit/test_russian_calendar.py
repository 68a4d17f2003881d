"""The business calendar as a Russian sales office counts it: working Saturdays by decree, days off moved
by decree, and the working day before a public holiday one hour shorter (Labour Code art. 95)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.business_hours import BusinessHours
from domain.calendar_spec import country_year
from domain.crm_config import CrmConfig
from domain.digest import next_digest_at
from domain.next_contact_time import day_off
from domain.working_time import BusinessCalendar, CalendarError

MOSCOW_TZ = ZoneInfo("Europe/Moscow")
RU = BusinessCalendar.build(
    timezone="Europe/Moscow", days="mon-fri", start="09:00", end="18:00", holidays_country="RU",
    always=False, pre_holiday_shorter="1h",
)  # fmt: skip
RU_FULL_DAYS = BusinessCalendar.build(
    timezone="Europe/Moscow", days="mon-fri", start="09:00", end="18:00", holidays_country="RU", always=False
)
ALWAYS = BusinessCalendar.build(
    timezone="Europe/Moscow", days="mon-fri", start="09:00", end="18:00", holidays_country="RU",
    always=True, pre_holiday_shorter="1h",
)  # fmt: skip


def msk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MOSCOW_TZ).astimezone(UTC)


def test_a_working_saturday_takes_a_friday_evening_deadline() -> None:
    # Friday 31 October 2025, 17:55: five minutes that day, ten on Saturday 1 November, a working day.
    assert RU.add(msk(2025, 10, 31, 17, 55), timedelta(minutes=15)) == msk(2025, 11, 1, 9, 10)


@pytest.mark.parametrize(
    ("day", "off"),
    [
        (date(2025, 11, 1), False),  # Saturday made a working day
        (date(2025, 11, 3), True),  # Monday off in its place
        (date(2025, 11, 4), True),  # Unity Day
        (date(2027, 2, 20), False),  # Saturday made a working day
        (date(2027, 2, 22), True),  # Monday off in its place
        (date(2025, 12, 31), True),  # moved there from 5 January
        (date(2026, 1, 9), True),  # moved there from 3 January
        (date(2026, 11, 28), True),  # an ordinary Saturday
        (date(2026, 11, 26), False),  # an ordinary Thursday
    ],
)
def test_days_off_follow_the_production_calendar(day: date, off: bool) -> None:
    assert RU.is_day_off(day) is off


def test_a_holiday_is_told_from_a_weekend() -> None:
    assert RU.is_holiday(date(2025, 11, 4))
    assert RU.is_holiday(date(2025, 11, 3))  # a day off moved by decree is off for the holiday too
    assert not RU.is_holiday(date(2026, 11, 29))  # a Sunday
    assert not RU.is_holiday(date(2026, 11, 26))


@pytest.mark.parametrize(
    "year",
    [2025, 2026, 2027],
)
def test_the_shortened_days_are_those_of_the_production_calendar(year: int) -> None:
    expected = {
        2025: {date(2025, 3, 7), date(2025, 4, 30), date(2025, 6, 11), date(2025, 11, 1)},
        2026: {date(2026, 4, 30), date(2026, 5, 8), date(2026, 6, 11), date(2026, 11, 3)},
        # 8 March 2027 is a Monday: Friday 5 March comes before a weekend, not a holiday, and stays whole.
        2027: {date(2027, 2, 20), date(2027, 4, 30), date(2027, 6, 11), date(2027, 11, 3)},
    }[year]
    shortened = {day for day in country_year("RU", None, year).pre_holiday if not RU.is_day_off(day)}
    assert shortened == expected


def test_a_deadline_across_a_shortened_day_loses_its_last_hour() -> None:
    # Thursday 30 April 2026 ends at 17:00; 1 May is a holiday, 2 and 3 May a weekend.
    assert RU.add(msk(2026, 4, 30, 16, 50), timedelta(minutes=15)) == msk(2026, 5, 4, 9, 5)
    assert RU.working_between(msk(2026, 4, 30, 9), msk(2026, 5, 1, 0)) == timedelta(hours=8)
    # The same with no shortening configured: the day keeps its hour.
    assert RU_FULL_DAYS.add(msk(2026, 4, 30, 16, 50), timedelta(minutes=15)) == msk(2026, 4, 30, 17, 5)


def test_a_working_saturday_before_the_holiday_break_is_shortened() -> None:
    assert RU.add(msk(2025, 11, 1, 16, 50), timedelta(minutes=15)) == msk(2025, 11, 5, 9, 5)


def test_the_day_before_a_moved_day_off_is_not_shortened() -> None:
    # 31 December 2025 is off by decree, not a holiday: 30 December is a full day (so is 7 May 2025).
    assert RU.add(msk(2025, 12, 30, 17, 30), timedelta(minutes=15)) == msk(2025, 12, 30, 17, 45)
    assert RU.add(msk(2025, 5, 7, 17, 30), timedelta(minutes=15)) == msk(2025, 5, 7, 17, 45)


def test_latest_start_agrees_with_add_across_a_shortened_day() -> None:
    end = msk(2026, 5, 4, 9, 30)
    start = RU.latest_start(end, timedelta(hours=1))
    assert RU.add(start, timedelta(hours=1)) <= end
    assert RU.add(start + timedelta(minutes=1), timedelta(hours=1)) > end
    assert start == msk(2026, 4, 30, 16, 30)


def test_an_always_calendar_is_unaffected() -> None:
    assert ALWAYS.add(msk(2025, 10, 31, 17, 55), timedelta(minutes=15)) == msk(2025, 10, 31, 18, 10)
    assert ALWAYS.add(msk(2026, 4, 30, 16, 50), timedelta(minutes=15)) == msk(2026, 4, 30, 17, 5)
    assert not ALWAYS.is_day_off(date(2025, 11, 4))


def test_working_days_are_counted_across_a_holiday_and_a_working_saturday() -> None:
    assert RU.add_working_days(date(2025, 10, 30), 2) == date(2025, 11, 1)
    assert RU.add_working_days(date(2025, 10, 31), 2) == date(2025, 11, 5)
    assert RU.add_working_days(date(2026, 11, 26), 10) == date(2026, 12, 10)
    assert RU.working_day_from(date(2026, 11, 28)) == date(2026, 11, 30)
    with pytest.raises(ValueError, match="at least 1"):
        RU.add_working_days(date(2026, 11, 26), 0)


def test_a_contact_on_a_day_off_is_offered_the_next_working_day_at_the_same_time() -> None:
    sunday_three_pm = msk(2026, 11, 29, 15, 0)
    assert day_off(sunday_three_pm, RU, timezone="Europe/Moscow") == ("weekend", msk(2026, 11, 30, 15, 0))
    assert day_off(msk(2025, 11, 3, 10), RU, timezone="Europe/Moscow") == ("holiday", msk(2025, 11, 5, 10))
    assert day_off(msk(2025, 11, 1, 10), RU, timezone="Europe/Moscow") is None  # a working Saturday
    assert day_off(sunday_three_pm, ALWAYS, timezone="Europe/Moscow") is None


def test_the_digest_comes_on_a_working_saturday(crm_config: CrmConfig) -> None:
    assert next_digest_at(crm_config, msk(2025, 10, 31, 10)) == msk(2025, 11, 1, 9)
    assert next_digest_at(crm_config, msk(2025, 11, 1, 10)) == msk(2025, 11, 5, 9)


@pytest.mark.parametrize(
    ("holidays", "value", "expected"),
    [
        ("RU", None, timedelta(hours=1)),
        ("", None, timedelta(0)),
        ("DE", None, timedelta(0)),
        ("RU", "0m", timedelta(0)),
        ("DE", "30m", timedelta(minutes=30)),
    ],
)
def test_the_shortening_defaults_by_country(holidays: str, value: str | None, expected: timedelta) -> None:
    hours = BusinessHours(holidays=holidays, pre_holiday_shorter=value)
    assert hours.shortening() == expected
    assert hours.calendar("Europe/Moscow").pre_holiday_shorter == expected


def test_a_bad_shortening_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="pre_holiday_shorter"):
        BusinessHours(pre_holiday_shorter="an hour")
    with pytest.raises(CalendarError, match="pre_holiday_shorter"):
        BusinessCalendar.build(
            timezone="Europe/Moscow", days="mon-fri", start="09:00", end="18:00", holidays_country="RU",
            always=False, pre_holiday_shorter="-1h",
        )  # fmt: skip


def test_a_shortening_as_long_as_the_day_is_refused_and_zero_may_be_written_any_way() -> None:
    with pytest.raises(ValueError, match="no working time"):
        BusinessHours(pre_holiday_shorter="9h").calendar("Europe/Moscow")
    assert BusinessHours(pre_holiday_shorter="0h0m").shortening() == timedelta(0)
    assert BusinessHours(pre_holiday_shorter="0s").shortening() == timedelta(0)
