from __future__ import annotations

from datetime import timedelta

import pytest

from domain.durations import DurationError, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("4h", timedelta(hours=4)),
        ("2d", timedelta(days=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d2h", timedelta(days=1, hours=2)),
        ("45m30s", timedelta(minutes=45, seconds=30)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("  2 h  15 m ", timedelta(hours=2, minutes=15)),
        ("1H30M", timedelta(hours=1, minutes=30)),
        ("0h5m", timedelta(minutes=5)),
        ("120m", timedelta(hours=2)),
        ("007m", timedelta(minutes=7)),
    ],
)
def test_valid_duration_strings_parse_to_the_expected_timedelta(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("0m", "zero"),
        ("0h0m", "zero"),
        ("-5m", "negative"),
        ("5", "no unit"),
        ("1h 30", "no unit"),
        ("2w", "unknown unit 'w'"),
        ("1hour", "unknown unit 'hour'"),
        ("30m1h", "largest to smallest"),
        ("1s1d", "largest to smallest"),
        ("1h2h", "more than once"),
        ("1.5h", "fractional"),
        ("1,5h", "fractional"),
        ("h", "cannot read"),
        ("abc", "cannot read"),
        ("+5m", "cannot read"),
        ("5m-", "cannot read"),
        ("1h,30m", "cannot read"),
        ("٣m", "cannot read"),
        ("9999999999d", "too large"),
    ],
)
def test_invalid_duration_strings_are_rejected_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(DurationError, match=message):
        parse_duration(text)


def test_duration_error_is_a_value_error() -> None:
    assert issubclass(DurationError, ValueError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(hours=1, minutes=30), "1h30m"),
        (timedelta(seconds=90), "1m30s"),
        (timedelta(days=2, hours=4), "2d4h"),
        (timedelta(days=1, seconds=1), "1d1s"),
        (timedelta(minutes=15), "15m"),
        (timedelta(0), "0s"),
        (timedelta(milliseconds=1500), "1s"),
        (timedelta(microseconds=1), "0s"),
        (-timedelta(minutes=5), "-5m"),
    ],
)
def test_durations_format_in_canonical_compact_form(value: timedelta, expected: str) -> None:
    assert format_duration(value) == expected


@pytest.mark.parametrize("text", ["90s", "1h30m", "2d", "1d2h3m4s", "45m30s", "25h", "3600s"])
def test_formatting_a_parsed_duration_round_trips_through_the_parser(text: str) -> None:
    value = parse_duration(text)
    assert parse_duration(format_duration(value)) == value
