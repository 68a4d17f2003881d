"""Reading a period a supervisor types for a report: "01.10–15.10", "с 1 по 15 октября",
"1.10.2026 - 31.10.2026", "October 1 to 15", "сегодня". One date alone is that one day.

Digits are read here (dateparser reads "01.10" as a clock time: see handlers/common/date_input.py);
words ("15 октября", "1 October 2026", "вчера") by dateparser, imported on first use as date_input does.
A day without a year is the latest such day not after today (a report looks back); a start without its
month or year takes them from the end ("с 1 по 15 октября"), a year earlier when it would come after
the end ("20.12–10.01").
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_TEXT = 80
MAX_DAYS = 3 * 366  # a longer range is a typo ("2016" for "2026"), not a report anyone waits for

_SPLIT = re.compile(r"\s*(?:–|—|-|\.\.\.?|…|\s(?:по|до|to|until|till)\s)\s*")
_LEAD = re.compile(r"^(?:с|со|от|from|between)\s+")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DIGITS = re.compile(r"(\d{1,2})(?:[./](\d{1,2})(?:[./](\d{2}|\d{4}))?)?")


class _Partial:
    """A day as typed: the month or year may be missing."""

    def __init__(self, day: int, month: int | None = None, year: int | None = None) -> None:
        self.day, self.month, self.year = day, month, year


def parse_range(text: str, *, now: datetime, timezone: str) -> tuple[date, date] | None:
    """The first and last day (both included) `text` names; None when it names no range this reads
    (a start after the end is swapped, a range beyond today or longer than MAX_DAYS is refused)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    text = " ".join(text.split()).lower().strip(" .,!?;")
    if not text or len(text) > MAX_TEXT:
        return None
    text = _ISO.sub(lambda m: f"{m[3]}.{m[2]}.{m[1]}", text)
    text = _LEAD.sub("", text)
    parts = [part for part in _SPLIT.split(text, maxsplit=1) if part]
    if not 1 <= len(parts) <= 2:
        return None
    read = [_partial(part, today=today) for part in parts]
    if any(part is None for part in read):
        return None
    head, tail = read[0], read[-1]
    assert head is not None and tail is not None
    if tail.month is None and head.month is not None:  # "October 1 to 15": the end in the start's month
        start = _complete(head, today=today, before=None)
        end = (
            None
            if start is None
            else _complete(_Partial(tail.day, start.month, start.year), today=today, before=None)
        )
    else:
        end = _complete(tail, today=today, before=None)
        start = end if len(read) == 1 or end is None else _complete(head, today=today, before=end)
    if start is None or end is None:
        return None
    first, last = min(start, end), max(start, end)
    if last > today or (last - first).days + 1 > MAX_DAYS:
        return None
    return first, last


def _partial(text: str, *, today: date) -> _Partial | None:
    if found := _DIGITS.fullmatch(text):
        year = int(found[3]) if found[3] else None
        if year is not None and year < 100:
            year += 2000
        return _Partial(int(found[1]), int(found[2]) if found[2] else None, year)
    day = _words(text, today=today)
    return None if day is None else _Partial(day.day, day.month, day.year)


def _complete(part: _Partial, *, today: date, before: date | None) -> date | None:
    """A full date: missing month and year from `before` (the range's end) or from today."""
    anchor = before or today
    month = part.month or anchor.month
    year = part.year or anchor.year
    try:
        day = date(year, month, part.day)
    except ValueError:
        return None
    if part.year is None and day > anchor:  # "20.12" typed in January: last December
        try:
            day = date(year - 1, month, part.day) if part.month is not None else _month_before(day)
        except ValueError:
            return None
    return day


def _month_before(day: date) -> date:
    first = day.replace(day=1) - timedelta(days=1)
    return first.replace(day=day.day)


def _words(text: str, *, today: date) -> date | None:
    from dateparser import parse

    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": datetime.combine(today, time(12)),  # naive: dateparser's own zone rules
        "REQUIRE_PARTS": ["day"],
    }
    try:
        found = parse(text, languages=["ru", "en"], settings=settings)
    except (ValueError, OverflowError):
        return None
    return None if found is None else found.date()
