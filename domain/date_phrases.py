"""The day a manager means by "через месяц", "через 3 рабочих дня", "в конце декабря", "next week".

`handlers.common.date_input` reads a typed next-contact time; it asks here first, with the clock time
already taken off, and gives dateparser only what is not read here. dateparser has no notion of working
days, nor of the beginning, middle or end of a month, and puts a month named without a day ("декабрь")
on the 1st or on today's day number, as its settings say; so these phrases are read by the regular
expressions below, on the team's `BusinessCalendar`, and the month arithmetic is `dateutil.relativedelta`'s.

What each phrase means (Russian word forms and English alike; a number in digits or in words up to
twelve, "a"/"an" for one):

- "через N месяцев/лет", "in N months/years", "N months from now", "через полгода": the same day number
  N months on, the month's last day when it is shorter (31 January + 1 month = 28 February). Exactly that
  day, even a day off: the handler names days off and offers the next working day.
- "через N рабочих дней", "in N working/business days": the N-th working day after today.
- "в декабре", "in December": the first working day of the next December to come; in December itself,
  the next working day (if one is left in it). "в начале/середине/конце декабря", "early/mid/end of
  December": its first working day, the 15th or the next working day after it, its last working day;
  the next such day to come. A year may follow: "в январе 2027", "в январе следующего года".
- "в начале/середине/конце месяца", "beginning/middle/end of the month": next month's first working day;
  this month's 15th (working) while ahead, else next month's; this month's last working day while ahead,
  else next month's. "в следующем месяце", "next month": next month's first working day, and "в конце
  следующего месяца" its last. "в этом месяце", "this month": the next working day, if one is left.
- "на следующей неделе", "next week": the first working day from next Monday.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta

from domain.working_time import BusinessCalendar

Part = Literal["start", "middle", "end"]

_MAX_COUNT = 999  # "через 99999 рабочих дней" is a typo; counting it out day by day would be slow

_NUMBER_WORDS = {
    word: number
    for number, words in enumerate(
        (
            "один одну одна a an one", "два две two", "три three", "четыре four", "пять five",
            "шесть six", "семь seven", "восемь eight", "девять nine", "десять ten",
            "одиннадцать eleven", "двенадцать twelve",
        ),
        start=1,
    )
    for word in words.split()
}  # fmt: skip
_NUMBER = rf"\d{{1,3}}|{'|'.join(_NUMBER_WORDS)}"
_RELATIVE = re.compile(
    rf"(?:(?P<count>{_NUMBER})\s+)?(?:"
    r"(?P<months>месяц(?:а|ев)?|months?)|(?P<years>год(?:а)?|лет|years?)"
    r"|(?P<working>рабоч(?:ий|их)\s+(?:день|дня|дней)|(?:working|business)\s+days?|workdays?)"
    r"|(?P<half>пол\s?года|half\s+(?:a\s+)?year))"
)
# "через месяц", "in a month", "after 2 years", "a month from now", "год спустя"
_AHEAD = re.compile(
    r"(?:через|in|after)\s+(?P<span>.+)|(?:in\s+)?(?P<span_before>.+?)\s+(?:from\s+now|later|спустя)"
)

_NEXT_WEEK = re.compile(
    r"(?:на\s+)?(?:следующей|будущей|след\.?)\s*неделе|следующая\s+неделя|(?:the\s+)?next\s+week"
)

_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        (
            "январь января январе january jan", "февраль февраля феврале february feb",
            "март марта марте march mar", "апрель апреля апреле april apr", "май мая мае may",
            "июнь июня июне june jun", "июль июля июле july jul", "август августа августе august aug",
            "сентябрь сентября сентябре september sep sept", "октябрь октября октябре october oct",
            "ноябрь ноября ноябре november nov", "декабрь декабря декабре december dec",
        ),
        start=1,
    )
    for name in names.split()
}  # fmt: skip
_THIS_MONTH = frozenset(("месяца", "этого месяца", "текущего месяца", "month", "this month"))
_THIS_MONTH_ALONE = frozenset(("этом месяце", "текущем месяце", "this month"))  # "в этом месяце"
_NEXT_MONTH = frozenset(
    ("следующего месяца", "следующем месяце", "следующий месяц", "будущем месяце", "next month")
)
_PARTS: dict[str, Part] = {
    **dict.fromkeys(("начало", "начале", "начала", "beginning", "start", "early"), "start"),
    **dict.fromkeys(("середина", "середине", "середины", "middle", "mid"), "middle"),
    **dict.fromkeys(("конец", "конце", "конца", "концу", "end", "late"), "end"),
}
_MONTH_PHRASE = re.compile(
    r"(?:(?:в|во|до|к|at|in|by|on|towards?)\s+)?(?:the\s+)?"
    rf"(?:(?P<part>{'|'.join(_PARTS)})(?:\s+of(?:\s+the)?)?[\s-]+)?"
    r"(?P<anchor>[a-zа-яё]+(?:\s+месяц[аеь]?|\s+month)?)"
    r"(?:\s+(?:of\s+)?(?:(?P<year>20\d\d)(?:\s*(?:года|год|г))?"
    r"|(?P<which_year>следующего|будущего|этого|текущего|next|this)\s+(?:года|year)))?"
)


def phrase_day(text: str, *, today: date, calendar: BusinessCalendar) -> date | None:
    """The local day `text` names (see the module docstring), counted from the team's `today` on its
    `calendar`; None when `text` is not one of these phrases, or names no time (a clock time is read by
    the caller, so it must be taken off first)."""
    text = " ".join(text.lower().split())
    if _NEXT_WEEK.fullmatch(text):
        return calendar.working_day_from(today + timedelta(days=7 - today.weekday()))
    ahead = _AHEAD.fullmatch(text)
    if ahead and (day := _ahead(ahead["span"] or ahead["span_before"], today=today, calendar=calendar)):
        return day  # else "in December" may still be a month's
    if match := _MONTH_PHRASE.fullmatch(text):
        return _in_month(match, today=today, calendar=calendar)
    return None


def _ahead(span: str, *, today: date, calendar: BusinessCalendar) -> date | None:
    if not (match := _RELATIVE.fullmatch(span)):
        return None
    word = match["count"] or "1"
    count = int(word) if word.isdigit() else _NUMBER_WORDS[word]
    if not 1 <= count <= _MAX_COUNT or (match["half"] and match["count"]):
        return None  # "через 0 месяцев", "через 2 полгода"
    if match["working"]:
        return calendar.add_working_days(today, count)
    months = 6 if match["half"] else count if match["months"] else 12 * count
    day: date = today + relativedelta(months=months)  # the month's last day when it is shorter
    return day


def _in_month(match: re.Match[str], *, today: date, calendar: BusinessCalendar) -> date | None:
    anchor, which = match["anchor"], _PARTS.get(match["part"] or "")
    year_named = bool(match["year"] or match["which_year"])
    this_month = today.replace(day=1)
    next_month: date = this_month + relativedelta(months=1)
    if anchor in _MONTH_NAMES:
        month = _MONTH_NAMES[anchor]
        if year_named:  # that month, even when past: check_when says so
            first = fallback = date(_year(match, today), month, 1)
        else:  # the next such month to come
            first = date(today.year + (month < today.month), month, 1)
            fallback = first.replace(year=first.year + 1)
        return _ahead_of(today, first, which, calendar) or _part_of(fallback, which or "start", calendar)
    if year_named:
        return None  # "в конце месяца 2027" is no phrase
    if anchor in _NEXT_MONTH:
        return _part_of(next_month, which or "start", calendar)
    if which is None:  # "в этом месяце": the next working day; none left in it is no day this month
        if anchor not in _THIS_MONTH_ALONE:
            return None
        return _ahead_of(today, this_month, None, calendar)
    if anchor not in _THIS_MONTH:
        return None
    if which == "start":  # the start of this month has passed: the next one is meant
        return _part_of(next_month, which, calendar)
    return _ahead_of(today, this_month, which, calendar) or _part_of(next_month, which, calendar)


def _year(match: re.Match[str], today: date) -> int:
    if match["year"]:
        return int(match["year"])
    return today.year + 1 if match["which_year"] in ("следующего", "будущего", "next") else today.year


def _ahead_of(today: date, first: date, which: Part | None, calendar: BusinessCalendar) -> date | None:
    """The day `which` part of the month starting `first` means, if it is after `today`; None if not.
    The month itself ("в ноябре" in November) is its next working day after today, while one is left."""
    if which is None and (first.year, first.month) == (today.year, today.month):
        day = calendar.add_working_days(today, 1)
        return day if day.month == first.month else None
    day = _part_of(first, which or "start", calendar)
    return day if day > today else None


def _part_of(first: date, which: Part, calendar: BusinessCalendar) -> date:
    """The first working day of the month starting `first`, the 15th (or the next working day after it),
    or its last working day."""
    if which == "start":
        return calendar.working_day_from(first)
    if which == "middle":
        return calendar.working_day_from(first.replace(day=15))
    last: date = first + relativedelta(day=31)  # relativedelta stops at the month's last day
    for back in range(last.day):
        if not calendar.is_day_off(day := last - timedelta(days=back)):
            return day
    return calendar.working_day_from(last)  # not one working day in the month: the first after it
