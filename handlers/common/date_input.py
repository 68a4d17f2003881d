"""Reading a time a manager types for the next contact: "завтра в 15:00", "25.12 10:30", "in 2 hours".

`dateparser` reads the dates and weekdays, in Russian and English. What it gets wrong for this use is
read or rewritten here first:

- durations ("через 2 часа", "30 минут", "1h30m") are added to `now` as elapsed time; dateparser adds
  them to the wall clock, an hour off across a DST change, and may read a bare "30 минут" as past;
- a clock time alone ("15:00", "в 11", "3pm") is the next such moment: today while it is ahead, else
  tomorrow (dateparser jumps to tomorrow even for a time a minute ahead);
- "12.11" is the 12th of November, not 12:11 (dateparser reads a dotted pair as a clock time), unless
  it cannot be a date ("10.30") or follows "в"/"at" ("в 10.30");
- "в 3", "в 3 часа" mean 15:00 (a bare hour from 1 to 6 is the afternoon's: nobody plans a call at
  3 a.m.), "в 7 вечера" 19:00; dateparser reads "в 3 часа" as "in 3 hours" and "в 11" not at all;
- with the team's calendar, months, years and working days ("через месяц", "через 3 рабочих дня",
  "в конце декабря", "next week") are read by `domain.date_phrases`, with any clock time after them
  read here ("через месяц в 15:00"); dateparser knows no working days and no "end of the month".

A date without a time ("завтра", "25.12", "в пятницу") means 10:00 team time
(`domain.next_contact_time.DEFAULT_TIME`). A day and month without a year that has passed this year
means next year. A time in the past ("вчера") is returned as it is: `check_when` refuses it, so the
manager hears "that is in the past" rather than "not understood". The handler says the time back
for a "yes" before anything is planned, which is what makes these guesses safe.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from domain.date_phrases import phrase_day
from domain.next_contact_time import DEFAULT_TIME, local_time

if TYPE_CHECKING:
    from dateparser.conf import Settings

    from domain.working_time import BusinessCalendar

MAX_TEXT = 100  # longer is not a time, and dateparser's cost grows with the text

_MINUTE, _HOUR = timedelta(minutes=1), timedelta(hours=1)
_UNITS = {
    **dict.fromkeys(("м", "мин", "минута", "минуты", "минут", "минуту"), _MINUTE),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), _MINUTE),
    **dict.fromkeys(("ч", "час", "часа", "часов"), _HOUR),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), _HOUR),
}
_WORD_DURATIONS = {
    "час": _HOUR, "an hour": _HOUR, "one hour": _HOUR, "полчаса": 30 * _MINUTE,
    "half an hour": 30 * _MINUTE, "полтора часа": 90 * _MINUTE,
}  # fmt: skip
_AHEAD = re.compile(r"^(?:через|in|after)\s+")
_DURATION = re.compile(r"(?:\d{1,5}\s*[^\W\d_]+\.?\s*)+")
_DURATION_PART = re.compile(r"(\d{1,5})\s*([^\W\d_]+)\.?")

_AT = r"(?:в|во|к|at|by)"
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?!\d)(?!\.\d)")
_AFTER_AT = re.compile(rf"(?:^|\s){_AT}\s*$")
# Only after "в": "через 3 дня" is three days, "в 3 дня" is 15:00.
_PART_OF_DAY = re.compile(
    r"(?<!\w)(в\s+)(\d{1,2})(?::(\d{2}))?\s*(?:час(?:а|ов)?\s+)?(утра|дня|вечера|ночи)\b"
)
# "в 11", "в 3 часа" (at three, not in three hours), "at 9"; not "at 9pm", "в 2026", "в 10:30".
_AT_HOUR = re.compile(
    rf"(?<!\w)({_AT})\s+(\d{{1,2}})(?:\s*час(?:а|ов)?\b)?(?![\d:./])(?!\s*(?:am|pm|a\.m|p\.m))"
)
# "в 25:00", "10:75": a typo, not a time to drop in silence (dateparser would keep the day, at 10:00).
_IMPOSSIBLE_CLOCK = re.compile(r"(?<![\d.:])(?:(?:2[4-9]|[3-9]\d):\d{2}|\d{1,2}:[6-9]\d)(?![\d:])")
_CLOCK = re.compile(rf"(?:{_AT}\s+)?(\d{{1,2}}):(\d{{2}})")
_CLOCK_12 = re.compile(rf"(?:{_AT}\s+)?(\d{{1,2}})(?::(\d{{2}}))?\s*(am|pm|a\.m\.?|p\.m\.?)")
# A day, then a clock time as `_normalise` leaves it: "через месяц в 15:00", "in 3 working days at 3pm".
_DAY_AND_CLOCK = re.compile(rf"(?P<day>.+?),?\s+(?P<clock>{_CLOCK.pattern}|{_CLOCK_12.pattern})")


def parse_when(
    text: str,
    *,
    now: datetime,
    timezone: str,
    languages: tuple[str, ...] = ("ru", "en"),
    calendar: BusinessCalendar | None = None,
) -> datetime | None:
    """The moment `text` names, aware in UTC; None when it names none (or is over MAX_TEXT long).

    `now` (aware) is the base of relative words; `timezone` is the team's (`CrmConfig.timezone`). With the
    team's `calendar`, the phrases of `domain.date_phrases` ("через 3 рабочих дня", "в конце месяца")
    are read too.
    """
    if now.tzinfo is None:
        raise ValueError("`now` must be aware: relative words count from a real moment")
    text = " ".join(text.split()).lower().rstrip(".,!?;")
    if not text or len(text) > MAX_TEXT or _IMPOSSIBLE_CLOCK.search(text):
        return None
    if (delta := _duration(text)) is not None:  # "in 5 minutes": on the minute, as the person will read it
        return _up_to_the_minute(now.astimezone(UTC) + delta)
    text = _normalise(text)
    if (clock := _clock(text)) is not None:
        return _next(clock, now=now, timezone=timezone)
    if calendar is not None and (at := _phrase(text, now=now, timezone=timezone, calendar=calendar)):
        return at
    return _dateparser(text, now=now, timezone=timezone, languages=languages)


def _duration(text: str) -> timedelta | None:
    """ "через 2 часа", "in 30 minutes", "30 минут", "1h30m", "полчаса"; None if `text` is not one."""
    rest = _AHEAD.sub("", text)
    if rest in _WORD_DURATIONS:
        return _WORD_DURATIONS[rest]
    if not _DURATION.fullmatch(rest):
        return None
    total = timedelta()
    for amount, unit in _DURATION_PART.findall(rest):
        if unit not in _UNITS:
            return None  # "3 дня" is a date: dateparser's, at 10:00
        total += int(amount) * _UNITS[unit]
    return total


def _normalise(text: str) -> str:
    """Rewrite what dateparser misreads into what it reads: "12.11" → "12/11", "10.30" → "10:30",
    "в 7 вечера" → "в 19:00", "в 11" → "в 11:00", "в 3" → "в 15:00"."""
    original, seen_date = text, False

    def dotted(match: re.Match[str]) -> str:
        nonlocal seen_date
        first, second = int(match[1]), int(match[2])
        as_date = 1 <= first <= 31 and 1 <= second <= 12
        as_time = first <= 23 and len(match[2]) == 2 and second <= 59
        if as_time and (not as_date or seen_date or _AFTER_AT.search(original, 0, match.start())):
            return f"{first}:{match[2]}"
        if as_date:
            seen_date = True
            return f"{first}/{second}"
        return match[0]

    text = _PART_OF_DAY.sub(_part_of_day, _DOTTED.sub(dotted, original))
    return _AT_HOUR.sub(_at_hour, text)


def _at_hour(match: re.Match[str]) -> str:
    """A bare hour is one of the working day: "в 3" is 15:00, since nobody plans a call at 3 a.m.
    (and "в 3 ночи" says so)."""
    hour = int(match[2])
    return f"{match[1]} {hour + 12 if 1 <= hour <= 6 else hour}:00"


def _part_of_day(match: re.Match[str]) -> str:
    at, hour, minute, part = match[1], int(match[2]), match[3] or "00", match[4]
    if not 1 <= hour <= 12:
        return match[0]
    if part in ("утра", "ночи"):
        hour %= 12  # 12 ночи is midnight
    elif hour < 12:
        hour += 12  # 3 дня, 7 вечера
    return f"{at}{hour}:{minute}"


def _clock(text: str) -> time | None:
    """A clock time with nothing else: "15:00", "в 11:00", "at 3pm"."""
    if match := _CLOCK.fullmatch(text):
        hour, minute = int(match[1]), int(match[2])
    elif match := _CLOCK_12.fullmatch(text):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[3].startswith("p") else 0)
    else:
        return None
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


def _phrase(text: str, *, now: datetime, timezone: str, calendar: BusinessCalendar) -> datetime | None:
    """A day of `domain.date_phrases`, at the clock time that follows it, if one does, else at 10:00."""
    day_text, clock = text, None
    if (match := _DAY_AND_CLOCK.fullmatch(text)) and (clock := _clock(match["clock"])) is not None:
        day_text = match["day"]
    day = phrase_day(day_text, today=now.astimezone(ZoneInfo(timezone)).date(), calendar=calendar)
    return None if day is None else local_time(day, clock or DEFAULT_TIME, timezone=timezone)


def _next(clock: time, *, now: datetime, timezone: str) -> datetime:
    today = now.astimezone(ZoneInfo(timezone)).date()
    moment = local_time(today, clock, timezone=timezone)
    return moment if moment > now else local_time(today + timedelta(days=1), clock, timezone=timezone)


def _dateparser(text: str, *, now: datetime, timezone: str, languages: tuple[str, ...]) -> datetime | None:
    # Imported on first use, not at start: a manager typing a date is rare next to every other update,
    # and dateparser costs 4 MB and 30 ms to import.
    from dateparser.date import DateDataParser

    zone = ZoneInfo(timezone)
    settings = _settings(timezone).replace(RELATIVE_BASE=now.astimezone(zone).replace(tzinfo=None))
    try:
        data = DateDataParser(languages=list(languages), settings=settings).get_date_data(text)
        moment: datetime | None = data.date_obj
        if moment is None:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        if data.period != "time":  # a day, a week ("через неделю"): the day is meant, at the usual hour
            return local_time(moment.astimezone(zone).date(), DEFAULT_TIME, timezone=timezone)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):  # "01.01.0001", "через 99999 лет": beyond datetime's range
        return None


@lru_cache(maxsize=8)
def _settings(timezone: str) -> Settings:
    """dateparser's settings for a team zone, built once; each call only swaps in its RELATIVE_BASE.

    The cost worth knowing is elsewhere: the first parse in a process loads the language data
    (about 0.1 s), later ones take about half a millisecond.
    """
    from dateparser.conf import Settings

    values = {
        "TIMEZONE": timezone,
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "future",  # "25.12" in December's last week is this year, in January next
        "DATE_ORDER": "DMY",
        # PREFER_DAY_OF_MONTH stays "current": "first" made "через месяц" the 1st of next month. A month
        # named alone ("декабрь 2026") is then today's day number in it, unless date_phrases reads it.
        "RETURN_TIME_AS_PERIOD": True,  # tells "25.12" (period "day") from "25.12 10:30" ("time")
    }
    return Settings().replace(mod_settings=values, **values)


def _up_to_the_minute(moment: datetime) -> datetime:
    return (
        moment
        if not (moment.second or moment.microsecond)
        else moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    )
