from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.working_time import BusinessCalendar, CalendarError, holidays_for, parse_workdays

MOSCOW_TZ = ZoneInfo("Europe/Moscow")
NEW_YORK_TZ = ZoneInfo("America/New_York")
EVERY_DAY = frozenset(range(7))
WEEKDAYS = frozenset(range(5))

MOSCOW = BusinessCalendar.build(
    timezone="Europe/Moscow", days="mon-fri", start="09:00", end="18:00", holidays_country="RU", always=False
)
MOSCOW_NO_HOLIDAYS = BusinessCalendar(MOSCOW_TZ, WEEKDAYS, time(9), time(18), frozenset())
NEW_YORK = BusinessCalendar(NEW_YORK_TZ, WEEKDAYS, time(9), time(17), frozenset())
NEW_YORK_NIGHTS = BusinessCalendar(NEW_YORK_TZ, EVERY_DAY, time(0), time(6), frozenset())
ALWAYS = BusinessCalendar(MOSCOW_TZ, WEEKDAYS, time(9), time(18), frozenset(), always=True)


def _instant(tz: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


def msk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Moscow wall-clock time as the UTC instant the API works with."""
    return _instant(MOSCOW_TZ, year, month, day, hour, minute)


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A New York wall-clock time (earlier occurrence if ambiguous) as a UTC instant."""
    return _instant(NEW_YORK_TZ, year, month, day, hour, minute)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- add: table -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        pytest.param(
            msk(2025, 10, 17, 17, 55), timedelta(minutes=15), msk(2025, 10, 20, 9, 10), id="fri-close"
        ),
        pytest.param(msk(2025, 10, 14, 10, 0), timedelta(hours=2), msk(2025, 10, 14, 12, 0), id="within-day"),
        pytest.param(msk(2025, 10, 14, 7, 30), timedelta(minutes=30), msk(2025, 10, 14, 9, 30), id="early"),
        pytest.param(msk(2025, 10, 14, 19, 0), timedelta(hours=1), msk(2025, 10, 15, 10, 0), id="late"),
        pytest.param(msk(2025, 10, 18, 12, 0), timedelta(hours=1), msk(2025, 10, 20, 10, 0), id="saturday"),
        pytest.param(msk(2025, 10, 14, 18, 0), timedelta(minutes=1), msk(2025, 10, 15, 9, 1), id="at-close"),
        pytest.param(
            msk(2025, 10, 14, 17, 0), timedelta(hours=1), msk(2025, 10, 14, 18, 0), id="ends-at-close"
        ),
        pytest.param(msk(2025, 10, 14, 9, 0), timedelta(hours=9), msk(2025, 10, 14, 18, 0), id="whole-day"),
        pytest.param(
            msk(2025, 10, 14, 9, 0), timedelta(hours=9, minutes=1), msk(2025, 10, 15, 9, 1), id="day+1m"
        ),
        pytest.param(
            msk(2026, 12, 30, 17, 55), timedelta(minutes=15), msk(2027, 1, 11, 9, 10), id="new-year"
        ),
        pytest.param(msk(2025, 10, 18, 12, 0), timedelta(0), msk(2025, 10, 20, 9, 0), id="zero-weekend"),
        pytest.param(msk(2025, 10, 14, 10, 0), timedelta(0), msk(2025, 10, 14, 10, 0), id="zero-working"),
    ],
)
def test_deadlines_in_moscow_count_only_working_hours(
    start: datetime, duration: timedelta, due: datetime
) -> None:
    assert MOSCOW.add(start, duration) == due


def test_fifteen_minutes_before_friday_close_falls_due_monday_morning() -> None:
    due = MOSCOW.add(msk(2025, 10, 17, 17, 55), timedelta(minutes=15))
    assert due == datetime(2025, 10, 20, 6, 10, tzinfo=UTC)
    assert due.tzinfo is UTC


def test_deadline_that_runs_out_exactly_at_closing_is_due_at_closing_not_next_morning() -> None:
    due = MOSCOW.add(msk(2025, 10, 14, 17, 0), timedelta(hours=1))
    assert due == msk(2025, 10, 14, 18, 0)
    assert not MOSCOW.is_working(due)


def test_russian_new_year_holidays_are_skipped() -> None:
    assert all(MOSCOW.is_day_off(date(2027, 1, day)) for day in range(1, 9))
    assert not MOSCOW.is_day_off(date(2027, 1, 11))


def test_holidays_of_years_far_ahead_are_known_without_listing_the_years() -> None:
    assert MOSCOW.is_day_off(date(2031, 1, 1))
    assert MOSCOW.is_day_off(date(2031, 1, 7))


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        pytest.param(msk(2025, 1, 6, 9, 0), timedelta(hours=45), msk(2025, 1, 10, 18, 0), id="one-week"),
        pytest.param(msk(2025, 1, 6, 9, 0), timedelta(days=30), msk(2025, 4, 25, 18, 0), id="thirty-days"),
        pytest.param(
            msk(2025, 1, 6, 9, 0), timedelta(days=30, minutes=1), msk(2025, 4, 28, 9, 1), id="past-it"
        ),
    ],
)
def test_long_durations_span_whole_weeks_of_working_days(
    start: datetime, duration: timedelta, due: datetime
) -> None:
    assert MOSCOW_NO_HOLIDAYS.add(start, duration) == due


def test_a_month_of_holidays_is_jumped_over() -> None:
    february = frozenset(date(2025, 2, day) for day in range(1, 29))
    calendar = BusinessCalendar(MOSCOW_TZ, WEEKDAYS, time(9), time(18), february)
    assert calendar.add(msk(2025, 1, 31, 17, 0), timedelta(hours=2)) == msk(2025, 3, 3, 10, 0)


def test_always_open_calendar_just_adds_the_duration() -> None:
    start = msk(2025, 10, 18, 3, 0)
    assert ALWAYS.add(start, timedelta(minutes=15)) == start + timedelta(minutes=15)
    assert ALWAYS.is_working(start)
    assert ALWAYS.next_working_moment(start) == start
    assert ALWAYS.working_between(start, start + timedelta(days=3)) == timedelta(days=3)
    assert not ALWAYS.is_day_off(date(2027, 1, 1))


# --- is_working / next_working_moment / working_between ---------------------------------------


@pytest.mark.parametrize(
    ("moment", "working", "next_moment"),
    [
        (msk(2025, 10, 14, 9, 0), True, msk(2025, 10, 14, 9, 0)),
        (msk(2025, 10, 14, 17, 59), True, msk(2025, 10, 14, 17, 59)),
        (msk(2025, 10, 14, 18, 0), False, msk(2025, 10, 15, 9, 0)),
        (msk(2025, 10, 14, 8, 59), False, msk(2025, 10, 14, 9, 0)),
        (msk(2025, 10, 19, 12, 0), False, msk(2025, 10, 20, 9, 0)),
        (msk(2025, 11, 3, 12, 0), False, msk(2025, 11, 5, 9, 0)),
    ],
)
def test_working_moments_include_opening_and_exclude_closing(
    moment: datetime, working: bool, next_moment: datetime
) -> None:
    assert MOSCOW.is_working(moment) is working
    assert MOSCOW.next_working_moment(moment) == next_moment


@pytest.mark.parametrize(
    ("a", "b", "elapsed"),
    [
        pytest.param(
            msk(2025, 10, 14, 10, 0), msk(2025, 10, 14, 12, 30), timedelta(hours=2.5), id="same-day"
        ),
        pytest.param(
            msk(2025, 10, 17, 17, 0), msk(2025, 10, 20, 10, 0), timedelta(hours=2), id="over-weekend"
        ),
        pytest.param(msk(2025, 10, 13, 9, 0), msk(2025, 10, 20, 9, 0), timedelta(hours=45), id="week"),
        pytest.param(msk(2025, 10, 18, 9, 0), msk(2025, 10, 19, 18, 0), timedelta(0), id="weekend"),
        pytest.param(msk(2025, 10, 14, 20, 0), msk(2025, 10, 15, 7, 0), timedelta(0), id="night"),
        pytest.param(msk(2025, 10, 14, 12, 0), msk(2025, 10, 14, 10, 0), timedelta(0), id="reversed"),
        pytest.param(msk(2026, 12, 30, 17, 0), msk(2027, 1, 11, 10, 0), timedelta(hours=2), id="new-year"),
    ],
)
def test_working_between_counts_only_working_hours(a: datetime, b: datetime, elapsed: timedelta) -> None:
    assert MOSCOW.working_between(a, b) == elapsed


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2025, 10, 14, 10, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="timezone-aware"):
        MOSCOW.add(naive, timedelta(minutes=5))
    with pytest.raises(ValueError, match="timezone-aware"):
        MOSCOW.is_working(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        MOSCOW.working_between(msk(2025, 10, 14, 10, 0), naive)


def test_negative_durations_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        MOSCOW.add(msk(2025, 10, 14, 10, 0), timedelta(minutes=-1))


def test_aware_non_utc_input_is_accepted_and_the_result_is_utc() -> None:
    start = datetime(2025, 10, 17, 17, 55, tzinfo=MOSCOW_TZ)
    due = MOSCOW.add(start, timedelta(minutes=15))
    assert due.tzinfo is UTC
    assert due == msk(2025, 10, 20, 9, 10)


# --- DST ----------------------------------------------------------------------------------------


def test_deadline_across_the_spring_forward_weekend_keeps_local_opening_hours() -> None:
    start = ny(2025, 3, 7, 16, 0)  # Friday, EST (UTC-5)
    due = NEW_YORK.add(start, timedelta(hours=2))
    assert due == utc(2025, 3, 10, 14, 0)  # Monday 10:00 EDT (UTC-4)
    assert NEW_YORK.working_between(start, due) == timedelta(hours=2)


def test_working_day_spanning_spring_forward_is_an_hour_shorter() -> None:
    day = NEW_YORK_NIGHTS.working_between(ny(2025, 3, 9, 0, 0), ny(2025, 3, 9, 12, 0))
    assert day == timedelta(hours=5)


def test_working_day_spanning_fall_back_is_an_hour_longer() -> None:
    day = NEW_YORK_NIGHTS.working_between(ny(2025, 11, 2, 0, 0), ny(2025, 11, 2, 12, 0))
    assert day == timedelta(hours=7)


def test_opening_time_skipped_by_spring_forward_moves_to_the_end_of_the_gap() -> None:
    calendar = BusinessCalendar(NEW_YORK_TZ, EVERY_DAY, time(2, 30), time(4), frozenset())
    opening = calendar.next_working_moment(ny(2025, 3, 9, 1, 0))
    assert opening == utc(2025, 3, 9, 7, 0)  # 03:00 EDT, the first instant after the gap
    assert calendar.working_between(opening, ny(2025, 3, 9, 12, 0)) == timedelta(hours=1)


def test_repeated_opening_time_on_fall_back_uses_the_first_occurrence() -> None:
    calendar = BusinessCalendar(NEW_YORK_TZ, EVERY_DAY, time(1, 30), time(3), frozenset())
    opening = calendar.next_working_moment(utc(2025, 11, 2, 4, 0))  # 00:00 EDT
    assert opening == utc(2025, 11, 2, 5, 30)  # 01:30 EDT, not 01:30 EST
    assert calendar.working_between(opening, utc(2025, 11, 2, 12, 0)) == timedelta(hours=2, minutes=30)


# --- parse_workdays / holidays_for / build ------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "days"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("mon-sat", {0, 1, 2, 3, 4, 5}),
        ("mon,wed,fri", {0, 2, 4}),
        ("sun-thu", {6, 0, 1, 2, 3}),
        ("mon-fri,sun", {0, 1, 2, 3, 4, 6}),
        (" Mon - Fri , SUN ", {0, 1, 2, 3, 4, 6}),
        ("monday-friday", {0, 1, 2, 3, 4}),
        ("sat", {5}),
        ("fri-fri", {4}),
    ],
)
def test_workday_specs_parse_to_weekday_numbers(spec: str, days: set[int]) -> None:
    assert parse_workdays(spec) == frozenset(days)


@pytest.mark.parametrize(
    "spec", ["", "  ", "mon-", "-fri", "mon--fri", "mon-tue-wed", "funday", "mon,,fri", "1-5"]
)
def test_garbage_workday_specs_are_rejected(spec: str) -> None:
    with pytest.raises(CalendarError, match="days"):
        parse_workdays(spec)


def test_holidays_for_lists_russian_new_year_holidays() -> None:
    days = holidays_for("ru", [2026, 2027])
    assert {date(2027, 1, day) for day in range(1, 9)} <= days
    assert date(2026, 12, 31) in days
    assert date(2027, 1, 11) not in days


def test_holidays_for_supports_subdivisions() -> None:
    assert date(2025, 3, 31) in holidays_for("US", [2025], subdivision="CA")  # Cesar Chavez Day
    assert date(2025, 3, 31) not in holidays_for("US", [2025])


def test_holidays_for_no_country_is_empty() -> None:
    assert holidays_for("", [2025]) == frozenset()


@pytest.mark.parametrize(("country", "subdivision"), [("XX", None), ("US", "XX")])
def test_holidays_for_unknown_country_names_it(country: str, subdivision: str | None) -> None:
    with pytest.raises(CalendarError, match="'XX'"):
        holidays_for(country, [2025], subdivision)


_GOOD = {
    "timezone": "Europe/Moscow",
    "days": "mon-fri",
    "start": "09:00",
    "end": "18:00",
    "holidays_country": "RU",
}


def test_build_accepts_a_valid_configuration() -> None:
    calendar = BusinessCalendar.build(**_GOOD, always=False)
    assert calendar == BusinessCalendar(MOSCOW_TZ, WEEKDAYS, time(9), time(18), frozenset(), False, "RU")
    assert hash(calendar) == hash(MOSCOW)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus", "timezone"),
        ("timezone", "", "timezone"),
        ("timezone", "../etc/passwd", "timezone"),
        ("days", "weekdays", "days"),
        ("start", "9am", "start"),
        ("start", "24:00", "start"),
        ("end", "18:60", "end"),
        ("end", "08:00", "end .* after start"),
        ("end", "09:00", "end .* after start"),
        ("holidays_country", "XX", "holidays_country.*'XX'"),
    ],
)
def test_build_rejects_bad_fields_naming_the_field(field: str, value: str, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        BusinessCalendar.build(**{**_GOOD, field: value}, always=False)


def test_calendar_without_working_days_is_rejected() -> None:
    with pytest.raises(CalendarError, match="workdays"):
        BusinessCalendar(MOSCOW_TZ, frozenset(), time(9), time(18), frozenset())


# --- properties ---------------------------------------------------------------------------------

_FIXED_RU = holidays_for("RU", range(2023, 2030))
PROPERTY_CALENDARS = [
    BusinessCalendar(MOSCOW_TZ, WEEKDAYS, time(9), time(18), _FIXED_RU),
    NEW_YORK,
    # Opens inside the fall-back fold and closes inside the spring-forward gap.
    BusinessCalendar(NEW_YORK_TZ, EVERY_DAY, time(1, 30), time(2, 30), frozenset()),
    BusinessCalendar(
        ZoneInfo("Europe/London"), parse_workdays("sun-thu"), time(8, 15), time(12, 45), frozenset()
    ),
]
calendars = st.sampled_from(PROPERTY_CALENDARS)
moments = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive by design
    max_value=datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5))
positive = st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=5))
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


@PROPERTY_SETTINGS
@given(calendars, moments, positive)
def test_deadline_lies_inside_working_hours_or_exactly_at_closing(
    calendar: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
    due = calendar.add(start, duration)
    assert due > start
    assert calendar.is_working(due - timedelta(microseconds=1))  # due is in (opening, closing]
    if not calendar.is_working(due):
        assert calendar.next_working_moment(due) > due


@PROPERTY_SETTINGS
@given(calendars, moments, durations, durations)
def test_later_deadlines_for_longer_durations(
    calendar: BusinessCalendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    shorter, longer = sorted((first, second))
    assert calendar.add(start, shorter) <= calendar.add(start, longer)


@PROPERTY_SETTINGS
@given(calendars, moments, moments, durations)
def test_later_deadlines_for_later_starts(
    calendar: BusinessCalendar, first: datetime, second: datetime, duration: timedelta
) -> None:
    earlier, later = sorted((first, second))
    assert calendar.add(earlier, duration) <= calendar.add(later, duration)


@PROPERTY_SETTINGS
@given(calendars, moments, durations)
def test_working_time_until_the_deadline_equals_the_duration(
    calendar: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
    assert calendar.working_between(start, calendar.add(start, duration)) == duration


@PROPERTY_SETTINGS
@given(calendars, moments, durations, positive)
def test_adding_in_two_steps_equals_adding_the_sum(
    calendar: BusinessCalendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    assert calendar.add(calendar.add(start, first), second) == calendar.add(start, first + second)


@PROPERTY_SETTINGS
@given(calendars, moments, moments, moments)
def test_working_time_is_additive_over_consecutive_spans(
    calendar: BusinessCalendar, x: datetime, y: datetime, z: datetime
) -> None:
    a, b, c = sorted((x, y, z))
    assert calendar.working_between(a, c) == calendar.working_between(a, b) + calendar.working_between(b, c)


@PROPERTY_SETTINGS
@given(calendars, moments)
def test_next_working_moment_is_working_and_skips_no_working_time(
    calendar: BusinessCalendar, moment: datetime
) -> None:
    following = calendar.next_working_moment(moment)
    assert following >= moment
    assert calendar.is_working(following)
    assert calendar.working_between(moment, following) == timedelta(0)
    assert (following == moment) is calendar.is_working(moment)


# --- latest_start: the inverse of add ------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "duration", "latest"),
    [
        pytest.param(msk(2025, 10, 14, 12, 0), timedelta(hours=2), msk(2025, 10, 14, 10, 0), id="within-day"),
        pytest.param(msk(2025, 10, 20, 9, 10), timedelta(minutes=15), msk(2025, 10, 17, 17, 55), id="monday"),
        pytest.param(msk(2025, 10, 20, 8, 0), timedelta(hours=1), msk(2025, 10, 17, 17, 0), id="before-open"),
        pytest.param(msk(2025, 10, 14, 18, 0), timedelta(hours=1), msk(2025, 10, 14, 17, 0), id="at-close"),
        pytest.param(
            msk(2027, 1, 11, 9, 10), timedelta(minutes=15), msk(2026, 12, 30, 17, 55), id="new-year"
        ),
        pytest.param(msk(2025, 10, 14, 10, 0), timedelta(0), msk(2025, 10, 14, 10, 0), id="zero"),
    ],
)
def test_the_latest_start_is_the_last_moment_whose_deadline_has_come(
    end: datetime, duration: timedelta, latest: datetime
) -> None:
    assert MOSCOW.latest_start(end, duration) == latest
    assert MOSCOW.add(latest, duration) <= end < MOSCOW.add(latest + timedelta(microseconds=1), duration)


def test_an_always_open_calendar_just_subtracts_the_duration() -> None:
    assert ALWAYS.latest_start(utc(2025, 10, 18, 12), timedelta(hours=1)) == utc(2025, 10, 18, 11)


@PROPERTY_SETTINGS
@given(calendars, moments, moments, durations)
def test_a_deadline_has_come_exactly_for_starts_up_to_the_latest_start(
    calendar: BusinessCalendar, start: datetime, end: datetime, duration: timedelta
) -> None:
    """What lets SQL ask "next contact <= latest start" instead of "add(next contact) <= now" per deal."""
    assert (calendar.add(start, duration) <= end) is (start <= calendar.latest_start(end, duration))
