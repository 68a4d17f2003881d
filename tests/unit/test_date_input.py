from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.next_contact_time import check_when
from handlers.common.date_input import MAX_TEXT, parse_when
from tests.conftest import FIXED_NOW

MOSCOW = "Europe/Moscow"  # FIXED_NOW is Wednesday 25.11.2026 11:00 there


def msk(month: int, day: int, hour: int, minute: int = 0, *, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(MOSCOW))


def parse(text: str, *, now: datetime = FIXED_NOW, timezone: str = MOSCOW) -> datetime | None:
    return parse_when(text, now=now, timezone=timezone)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("завтра в 15:00", msk(11, 26, 15)),
        ("25.12 10:30", msk(12, 25, 10, 30)),
        ("25.12.2026 10:30", msk(12, 25, 10, 30)),
        ("через 2 часа", msk(11, 25, 13)),
        ("через 2 часа 30 минут", msk(11, 25, 13, 30)),
        ("через час", msk(11, 25, 12)),
        ("полчаса", msk(11, 25, 11, 30)),
        ("в пятницу в 11", msk(11, 27, 11)),
        ("завтра в 3", msk(11, 26, 15)),  # a bare hour is one of the working day
        ("в 3 часа", msk(11, 25, 15)),  # at three, not in three hours
        ("в 3 часа ночи", msk(11, 26, 3)),
        ("в 9 утра", msk(11, 26, 9)),
        ("в пятницу в 11:00", msk(11, 27, 11)),
        ("30 минут", msk(11, 25, 11, 30)),
        ("через 30 минут", msk(11, 25, 11, 30)),
        ("15:00", msk(11, 25, 15)),  # still ahead today
        ("в 15:00", msk(11, 25, 15)),
        ("11:05", msk(11, 25, 11, 5)),  # five minutes ahead is still today
        ("11:00", msk(11, 26, 11)),  # now exactly: the next one is tomorrow's
        ("10:00", msk(11, 26, 10)),  # passed today: tomorrow
        ("в 10.30", msk(11, 26, 10, 30)),  # a dotted time after "в"
        ("завтра в 7 вечера", msk(11, 26, 19)),
        ("в 3 дня", msk(11, 25, 15)),
        ("через 3 дня", msk(11, 28, 10)),  # days, not "3 p.m.": a date, at 10:00
        ("завтра", msk(11, 26, 10)),  # a date without a time: 10:00 team time
        ("25.12", msk(12, 25, 10)),
        ("25 декабря", msk(12, 25, 10)),
        ("в понедельник", msk(11, 30, 10)),
        ("через неделю", msk(12, 2, 10)),
        ("12.11 10:00", msk(11, 12, 10, year=2027)),  # 12 November has passed this year: next year
        ("12.11", msk(11, 12, 10, year=2027)),  # a date, not 12:11
        ("1.03", msk(3, 1, 10, year=2027)),
        ("  Завтра   В 15:00. ", msk(11, 26, 15)),  # case, spaces and a full stop do not matter
    ],
)
def test_russian_times(text: str, expected: datetime) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 2 hours", msk(11, 25, 13)),
        ("in an hour", msk(11, 25, 12)),
        ("1h30m", msk(11, 25, 12, 30)),
        ("tomorrow 3pm", msk(11, 26, 15)),
        ("tomorrow at 15:00", msk(11, 26, 15)),
        ("next monday 9:00", msk(11, 30, 9)),
        ("friday at 11", msk(11, 27, 11)),
        ("in 30 minutes", msk(11, 25, 11, 30)),
        ("30 minutes", msk(11, 25, 11, 30)),
        ("3pm", msk(11, 25, 15)),
        ("at 9am", msk(11, 26, 9)),  # 9 a.m. has passed today
        ("15:00", msk(11, 25, 15)),
        ("tomorrow", msk(11, 26, 10)),
        ("monday", msk(11, 30, 10)),
        ("december 25 10:30", msk(12, 25, 10, 30)),
        ("25.12 10:30", msk(12, 25, 10, 30)),
    ],
)
def test_english_times(text: str, expected: datetime) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("text", ["завтра в 15:00", "in 2 hours", "25.12", "15:00"])
def test_the_answer_is_aware_utc(text: str) -> None:
    at = parse(text)
    assert at is not None and at.tzinfo is not None and at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("text", "expected", "problem"),
    [
        ("вчера", msk(11, 24, 10), "past"),  # understood, then refused as the past
        ("yesterday", msk(11, 24, 10), "past"),
        ("сегодня в 9:00", msk(11, 25, 9), "past"),
        ("25.12.2030 10:00", msk(12, 25, 10, year=2030), "too_far"),
        ("через 2 часа", msk(11, 25, 13), None),
    ],
)
def test_past_and_far_times_are_read_and_left_to_check_when(
    text: str, expected: datetime, problem: str | None
) -> None:
    at = parse(text)
    assert at == expected
    assert check_when(at, now=FIXED_NOW) == problem


@pytest.mark.parametrize(
    "text",
    ["", "   ", "абырвалг", "🙂", "31.02 10:00", "в 25:00", "25:61", "завтра в 15:00 " + "и " * MAX_TEXT],
)
def test_what_is_not_a_time_is_none(text: str) -> None:
    assert parse(text) is None


def test_a_long_text_is_not_read_at_all_even_if_it_starts_with_a_time() -> None:
    assert parse("завтра в 15:00") is not None
    assert parse("завтра в 15:00" + " " + "x" * MAX_TEXT) is None


def test_languages_limit_the_words_dateparser_knows() -> None:
    assert parse_when("завтра", now=FIXED_NOW, timezone=MOSCOW, languages=("en",)) is None
    assert parse_when("tomorrow", now=FIXED_NOW, timezone=MOSCOW, languages=("en",)) == msk(11, 26, 10)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("завтра", now=datetime(2026, 11, 25, 11, 0), timezone=MOSCOW)  # noqa: DTZ001


def test_durations_are_real_time_across_a_dst_change() -> None:
    # Berlin, Sunday 25.10.2026 02:30 CEST (00:30 UTC); the clocks go back at 03:00 CEST.
    now = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert parse("через 2 часа", now=now, timezone="Europe/Berlin") == datetime(
        2026, 10, 25, 2, 30, tzinfo=UTC
    )
    assert parse("in 30 minutes", now=now, timezone="Europe/Berlin") == datetime(
        2026, 10, 25, 1, 0, tzinfo=UTC
    )


def test_wall_clock_times_follow_the_teams_zone_across_a_dst_change() -> None:
    saturday = datetime(2026, 10, 24, 8, 0, tzinfo=UTC)  # 10:00 CEST
    sunday_ten = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)  # 10:00 CET, after the change
    assert parse("завтра в 10:00", now=saturday, timezone="Europe/Berlin") == sunday_ten
    assert parse("tomorrow", now=saturday, timezone="Europe/Berlin") == sunday_ten


def test_the_answer_does_not_depend_on_the_servers_day_but_on_the_teams() -> None:
    # 22:30 UTC on Wednesday is already Thursday 01:30 in Moscow: "tomorrow" is Friday.
    late = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)
    assert parse("завтра", now=late) == msk(11, 27, 10)
    assert parse("15:00", now=late) == msk(11, 26, 15)


@settings(deadline=None, max_examples=200)  # the first parse loads dateparser's language data
@given(text=st.text(max_size=40))
def test_any_text_gives_a_utc_moment_or_none_and_never_raises(text: str) -> None:
    at = parse(text)
    assert at is None or at.utcoffset() == timedelta(0)
