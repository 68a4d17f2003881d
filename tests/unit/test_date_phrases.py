"""Months, years, working days and parts of a month, as managers type them (`domain.date_phrases`), read
through `parse_when` with the team's calendar, on the real Russian calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.date_phrases import phrase_day
from domain.working_time import BusinessCalendar
from handlers.common.date_input import parse_when

MOSCOW = "Europe/Moscow"
RU = BusinessCalendar.build(
    timezone=MOSCOW, days="mon-fri", start="09:00", end="18:00", holidays_country="RU", always=False
)
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo(MOSCOW))  # Thursday


def msk(month: int, day: int, hour: int = 10, minute: int = 0, *, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(MOSCOW))


def parse(text: str, *, now: datetime = NOW, calendar: BusinessCalendar | None = RU) -> datetime | None:
    return parse_when(text, now=now, timezone=MOSCOW, calendar=calendar)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("через месяц", msk(12, 26)),  # a Saturday: said so by the handler, not moved here
        ("через 3 месяца", msk(2, 26, year=2027)),
        ("через три месяца", msk(2, 26, year=2027)),
        ("через двенадцать месяцев", msk(11, 26, year=2027)),
        ("через год", msk(11, 26, year=2027)),
        ("через 2 года", msk(11, 26, year=2028)),
        ("через пять лет", msk(11, 26, year=2031)),
        ("через полгода", msk(5, 26, year=2027)),
        ("через рабочий день", msk(11, 27)),
        ("через 2 рабочих дня", msk(11, 30)),  # Friday, Monday
        ("через 10 рабочих дней", msk(12, 10)),
        ("через двадцать один рабочий день", None),  # numbers in words go up to twelve
        ("через 21 рабочий день", msk(12, 25)),
        ("в декабре", msk(12, 1)),
        ("декабрь", msk(12, 1)),
        ("в январе", msk(1, 11, year=2027)),  # 1 to 10 January are off in Russia
        ("в марте", msk(3, 1, year=2027)),  # March has passed this year: next year's
        ("в ноябре", msk(11, 27)),  # this month: the next working day
        ("в январе следующего года", msk(1, 11, year=2027)),
        ("в марте 2027", msk(3, 1, year=2027)),
        ("в марте 2027 года", msk(3, 1, year=2027)),
        ("в начале декабря", msk(12, 1)),
        ("в середине декабря", msk(12, 15)),
        ("в конце декабря", msk(12, 30)),  # 31 December 2026 is off in Russia
        ("конец декабря", msk(12, 30)),
        ("в середине мая", msk(5, 17, year=2027)),  # the 15th is a Saturday
        ("в начале ноября", msk(11, 1, year=2027)),  # passed this year: next year's (1.11.2027 is Monday)
        ("в конце ноября", msk(11, 30)),  # still ahead this month
        ("в конце месяца", msk(11, 30)),
        ("до конца месяца", msk(11, 30)),
        ("в начале месяца", msk(12, 1)),
        ("в середине месяца", msk(12, 15)),  # this month's 15th has passed
        ("в следующем месяце", msk(12, 1)),
        ("в конце следующего месяца", msk(12, 30)),
        ("в этом месяце", msk(11, 27)),
        ("на следующей неделе", msk(11, 30)),
        ("через неделю", msk(12, 3)),  # dateparser's, as before
        ("через 2 недели", msk(12, 10)),
        ("через месяц в 15:00", msk(12, 26, 15)),
        ("через месяц, в 15:00", msk(12, 26, 15)),
        ("в конце месяца в 11", msk(11, 30, 11)),
        ("в декабре в 3", msk(12, 1, 15)),  # a bare hour is one of the working day
        ("через 2 рабочих дня в 7 вечера", msk(11, 30, 19)),
        ("в середине декабря 10:30", msk(12, 15, 10, 30)),
        ("на следующей неделе в 9 утра", msk(11, 30, 9)),
        ("  Через   Месяц. ", msk(12, 26)),
    ],
)
def test_russian_phrases(text: str, expected: datetime | None) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in a month", msk(12, 26)),
        ("in one month", msk(12, 26)),
        ("in 3 months", msk(2, 26, year=2027)),
        ("in three months", msk(2, 26, year=2027)),
        ("a month from now", msk(12, 26)),
        ("2 months later", msk(1, 26, year=2027)),
        ("in a year", msk(11, 26, year=2027)),
        ("in 2 years", msk(11, 26, year=2028)),
        ("in half a year", msk(5, 26, year=2027)),
        ("half a year from now", msk(5, 26, year=2027)),
        ("in a working day", msk(11, 27)),
        ("in 3 working days", msk(12, 1)),
        ("in 3 business days", msk(12, 1)),
        ("in December", msk(12, 1)),
        ("january", msk(1, 11, year=2027)),
        ("in January next year", msk(1, 11, year=2027)),
        ("march 2027", msk(3, 1, year=2027)),
        ("early December", msk(12, 1)),
        ("at the beginning of December", msk(12, 1)),
        ("mid December", msk(12, 15)),
        ("mid-December", msk(12, 15)),
        ("in the middle of December", msk(12, 15)),
        ("end of December", msk(12, 30)),
        ("at the end of December", msk(12, 30)),
        ("late December", msk(12, 30)),
        ("at the end of the month", msk(11, 30)),
        ("end of month", msk(11, 30)),
        ("at the beginning of the month", msk(12, 1)),
        ("mid-month", msk(12, 15)),
        ("next month", msk(12, 1)),
        ("end of next month", msk(12, 30)),
        ("this month", msk(11, 27)),
        ("next week", msk(11, 30)),
        ("in a week", msk(12, 3)),  # dateparser's, as before
        ("in 3 working days at 3pm", msk(12, 1, 15)),
        ("in a month at 15:00", msk(12, 26, 15)),
        ("end of month at 11", msk(11, 30, 11)),
        ("next week at 9am", msk(11, 30, 9)),
    ],
)
def test_english_phrases(text: str, expected: datetime) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        (date(2027, 1, 31), "через месяц", date(2027, 2, 28)),
        (date(2027, 1, 31), "in a month", date(2027, 2, 28)),
        (date(2028, 1, 31), "через месяц", date(2028, 2, 29)),  # a leap year
        (date(2027, 3, 31), "через месяц", date(2027, 4, 30)),
        (date(2027, 3, 31), "in a month", date(2027, 4, 30)),
        (date(2028, 2, 29), "через год", date(2029, 2, 28)),
        (date(2028, 2, 29), "in a year", date(2029, 2, 28)),
        (date(2027, 8, 31), "через полгода", date(2028, 2, 29)),
    ],
)
def test_a_shorter_month_ends_on_its_last_day(today: date, text: str, expected: date) -> None:
    assert phrase_day(text, today=today, calendar=RU) == expected


def test_at_the_year_end_next_month_is_january_after_the_new_year_holidays() -> None:
    december = msk(12, 15)
    assert all(RU.is_day_off(date(2027, 1, day)) for day in range(1, 11))  # the real Russian calendar
    assert parse("через месяц", now=december) == msk(1, 15, year=2027)
    assert parse("in a month", now=december) == msk(1, 15, year=2027)
    assert parse("в январе", now=december) == msk(1, 11, year=2027)
    assert parse("in January", now=december) == msk(1, 11, year=2027)
    assert parse("в следующем месяце", now=december) == msk(1, 11, year=2027)
    assert parse("в декабре", now=december) == msk(12, 16)  # this December still has working days
    assert parse("в конце месяца", now=msk(12, 30)) == msk(1, 29, year=2027)  # 30.12 is the last one


def test_this_month_with_no_working_day_left_is_next_years() -> None:
    assert phrase_day("в декабре", today=date(2026, 12, 30), calendar=RU) == date(2027, 12, 1)
    assert phrase_day("в конце ноября", today=date(2026, 11, 30), calendar=RU) == date(2027, 11, 30)
    assert phrase_day("в середине ноября", today=date(2026, 11, 10), calendar=RU) == date(2026, 11, 16)
    assert phrase_day("в середине месяца", today=date(2026, 11, 10), calendar=RU) == date(2026, 11, 16)
    assert phrase_day("в конце месяца", today=date(2026, 11, 30), calendar=RU) == date(2026, 12, 30)


def test_a_month_of_a_named_year_is_that_month_even_past() -> None:
    # Said back as a past date, and refused by check_when as such, rather than read as another year.
    assert phrase_day("в мае 2026", today=date(2026, 11, 26), calendar=RU) == date(2026, 5, 4)
    assert phrase_day("ноябрь 2026", today=date(2026, 11, 26), calendar=RU) == date(2026, 11, 27)
    assert phrase_day("в конце декабря этого года", today=date(2026, 11, 26), calendar=RU) == date(
        2026, 12, 30
    )


def test_in_a_month_keeps_the_wall_clock_across_a_dst_change() -> None:
    berlin = BusinessCalendar.build(
        timezone="Europe/Berlin",
        days="mon-fri",
        start="09:00",
        end="18:00",
        holidays_country="",
        always=False,
    )
    now = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)  # 10:00 CET; the clocks go forward on 29 March
    read = parse_when("через месяц", now=now, timezone="Europe/Berlin", calendar=berlin)
    assert read == datetime(2026, 4, 20, 8, 0, tzinfo=UTC)  # 10:00 CEST
    at_three = parse_when("in a month at 3pm", now=now, timezone="Europe/Berlin", calendar=berlin)
    assert at_three == datetime(2026, 4, 20, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        (date(2025, 10, 30), "через 2 рабочих дня", date(2025, 11, 1)),  # Saturday 1.11.2025 is a working day
        (date(2025, 10, 31), "через 1 рабочий день", date(2025, 11, 1)),
        (date(2025, 10, 31), "через рабочий день", date(2025, 11, 1)),
        (date(2025, 10, 31), "через 2 рабочих дня", date(2025, 11, 5)),  # 3 and 4 November are off
        (date(2025, 10, 31), "in 2 working days", date(2025, 11, 5)),
        (date(2026, 12, 30), "через рабочий день", date(2027, 1, 11)),  # over the New Year holidays
    ],
)
def test_working_days_follow_the_russian_calendar(today: date, text: str, expected: date) -> None:
    assert phrase_day(text, today=today, calendar=RU) == expected


def test_next_week_starts_on_its_first_working_day() -> None:
    assert phrase_day("next week", today=date(2026, 11, 30), calendar=RU) == date(2026, 12, 7)  # never today
    assert phrase_day("на следующей неделе", today=date(2026, 12, 31), calendar=RU) == date(2027, 1, 11)


def test_a_team_that_always_works_ends_the_month_on_its_last_day() -> None:
    always = BusinessCalendar.build(
        timezone=MOSCOW, days="mon-fri", start="09:00", end="18:00", holidays_country="", always=True
    )
    assert phrase_day("в конце декабря", today=date(2026, 11, 26), calendar=always) == date(2026, 12, 31)
    assert phrase_day("через 2 рабочих дня", today=date(2026, 11, 26), calendar=always) == date(2026, 11, 28)


@pytest.mark.parametrize(
    "text",
    [
        "через неделю",  # dateparser reads these, and right
        "через 2 недели",
        "через 3 дня",
        "завтра",
        "в пятницу",
        "25 декабря",
        "декабрь 25",
        "в конце",
        "в середине недели",
        "в месяце",
        "через 0 месяцев",
        "через 2 полгода",
        "через 1000 месяцев",
        "в конце месяца 2027",
        "в январе 1999",
        "in 2 weeks",
        "the end",
        "через месяц в 15:00",  # the clock time is the caller's to take off
    ],
)
def test_what_is_not_a_phrase_is_none(text: str) -> None:
    assert phrase_day(text, today=date(2026, 11, 26), calendar=RU) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("завтра в 15:00", msk(11, 27, 15)),
        ("25 декабря", msk(12, 25)),
        ("december 25 10:30", msk(12, 25, 10, 30)),
        ("в понедельник", msk(11, 30)),
        ("через 2 часа", msk(11, 26, 12)),
        ("15:00", msk(11, 26, 15)),
    ],
)
def test_with_a_calendar_the_rest_is_read_as_before(text: str, expected: datetime) -> None:
    assert parse(text) == expected
    assert parse(text, calendar=None) == expected


def test_without_a_calendar_months_are_dateparsers_and_no_longer_the_first() -> None:
    assert parse("через месяц", calendar=None) == msk(12, 26)  # was 1 December
    assert parse("через 3 месяца", calendar=None) == msk(2, 26, year=2027)
    assert parse("через год", calendar=None) == msk(11, 26, year=2027)
    assert parse("через 2 рабочих дня", calendar=None) is None  # working days need the calendar


def test_a_month_and_year_alone_is_still_a_definite_day() -> None:
    assert parse("декабрь 2026") == msk(12, 1)  # with the calendar: its first working day
    assert parse("декабрь 2026", calendar=None) == msk(12, 26)  # dateparser: today's day number in it


@settings(deadline=None, max_examples=200)  # the first parse loads dateparser's language data
@given(text=st.text(max_size=40))
def test_any_text_gives_a_utc_moment_or_none_and_never_raises(text: str) -> None:
    at = parse(text)
    assert at is None or at.utcoffset() == timedelta(0)


@settings(deadline=None, max_examples=300)
@given(
    count=st.integers(min_value=1, max_value=999),
    unit=st.sampled_from(["месяцев", "лет", "рабочих дней", "months", "years", "working days"]),
    today=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
)
def test_any_count_ahead_is_a_day_after_today(count: int, unit: str, today: date) -> None:
    day = phrase_day(f"через {count} {unit}", today=today, calendar=RU)
    assert day is not None and day > today


@pytest.mark.parametrize("text", ["завтра в 25:00", "в 24:00", "25.12 10:75", "tomorrow 31:00"])
def test_an_impossible_clock_time_is_not_understood_rather_than_dropped(text: str) -> None:
    assert parse(text) is None  # not "tomorrow at 10:00" with the typo silently ignored


@pytest.mark.parametrize("text", ["на след неделе", "на след. неделе", "след неделе"])
def test_next_week_abbreviated(text: str) -> None:
    assert parse(text) == msk(11, 30)


def test_this_month_with_no_working_day_left_is_no_day_in_the_past() -> None:
    evening_of_the_last = datetime(2025, 12, 30, 12, 0, tzinfo=ZoneInfo(MOSCOW))  # 31.12 is off
    assert phrase_day("в этом месяце", today=evening_of_the_last.date(), calendar=RU) is None
