"""Typed report periods (handlers/reports/period_input.py): the forms README.md, "Reports" lists."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from handlers.reports.period_input import parse_range

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wednesday 25.11.2026 in Moscow


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("01.10–15.10", date(2026, 10, 1), date(2026, 10, 15)),
        ("с 1 по 15 октября", date(2026, 10, 1), date(2026, 10, 15)),
        ("1.10.2026 - 31.10.2026", date(2026, 10, 1), date(2026, 10, 31)),
        ("1-15 октября", date(2026, 10, 1), date(2026, 10, 15)),
        ("с 1 октября по 15 ноября", date(2026, 10, 1), date(2026, 11, 15)),
        ("October 1 to 15", date(2026, 10, 1), date(2026, 10, 15)),
        ("2026-10-01 - 2026-10-15", date(2026, 10, 1), date(2026, 10, 15)),
        ("20.12–10.01", date(2025, 12, 20), date(2026, 1, 10)),  # across New Year: last December
        ("15.10", date(2026, 10, 15), date(2026, 10, 15)),  # one day
        ("15.10.2026–01.10.2026", date(2026, 10, 1), date(2026, 10, 15)),  # the other way round
        ("вчера", date(2026, 11, 24), date(2026, 11, 24)),
    ],
)
def test_a_typed_range_is_read(text: str, first: date, last: date) -> None:
    assert parse_range(text, now=NOW, timezone="Europe/Moscow") == (first, last)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "привет",
        "32.10–01.11",
        "с 40 по 45 октября",
        "01.10.2026–15.12.2026",
        "01.01.2016–01.01.2026",
        "1" * 200,
    ],
)
def test_what_is_no_range_is_refused(text: str) -> None:
    assert parse_range(text, now=NOW, timezone="Europe/Moscow") is None
