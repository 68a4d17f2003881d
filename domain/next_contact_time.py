"""When to contact a client next: the quick choices of the deal card, and the bounds of a planned time.

Managers think in the team's wall clock ("tomorrow at ten"), the database keeps UTC. Every function
here takes and returns aware datetimes; the local calendar is used only to find the day and put the
clock on it, so a DST change between now and then moves the UTC value, not the time the manager sees.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from domain.working_time import BusinessCalendar

QUICK_CODES = ("1h", "tmr", "3d", "wk")

# A day named without a clock time ("tomorrow", "25.12", the quick buttons) means the start of the
# working morning: late enough that the client is at work, early enough to leave the day for it.
DEFAULT_TIME = time(10, 0)

# A plan further ahead than this is a typo (a wrong year), not a plan.
MAX_AHEAD = timedelta(days=366 * 2)

_ROUND_TO = timedelta(minutes=5)

WhenProblem = Literal["past", "too_far"]


def quick_time(
    code: str, *, now: datetime, timezone: str, calendar: BusinessCalendar | None = None
) -> datetime:
    """The moment a quick button means, in UTC.

    "1h": an hour from now, rounded up to the next 5 minutes (a reminder at 12:05, not 12:03:17);
    "tmr": tomorrow at 10:00 team time; "3d": in three days at 10:00; "wk": Monday of the coming week
    at 10:00, never today, even on a Monday. With the team's `calendar`, a day that falls on a day off
    moves to the next working day ("tomorrow" said on a Friday is Monday). `now` must be aware. Unknown
    codes raise ValueError: they come from callback data, which the client can forge.
    """
    _require_aware(now)
    if code == "1h":
        return _round_up(now.astimezone(UTC) + timedelta(hours=1))
    today = now.astimezone(ZoneInfo(timezone)).date()
    if code == "tmr":
        day = today + timedelta(days=1)
    elif code == "3d":
        day = today + timedelta(days=3)
    elif code == "wk":
        day = today + timedelta(days=7 - today.weekday())
    else:
        raise ValueError(f"unknown quick time code {code!r}; expected one of {', '.join(QUICK_CODES)}")
    if calendar is not None:
        day = calendar.working_day_from(day)
    return local_time(day, DEFAULT_TIME, timezone=timezone)


def local_time(day: date, clock: time, *, timezone: str) -> datetime:
    """`clock` on the team's `day`, in UTC.

    A wall time that a DST change repeats takes its first occurrence, one it skips maps past the gap
    (PEP 495 `fold=0`); neither happens at working hours in any zone a team is likely to use.
    """
    return datetime.combine(day, clock, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def day_off(
    at: datetime, calendar: BusinessCalendar, *, timezone: str
) -> tuple[Literal["holiday", "weekend"], datetime] | None:
    """Whether `at` falls on the team's day off: what kind ("holiday": a public holiday or a day off moved
    by decree; "weekend") and the same clock time on the next working day. None on a working day."""
    _require_aware(at)
    local = at.astimezone(ZoneInfo(timezone))
    if not calendar.is_day_off(local.date()):
        return None
    kind: Literal["holiday", "weekend"] = "holiday" if calendar.is_holiday(local.date()) else "weekend"
    day = calendar.working_day_from(local.date())
    return kind, local_time(day, local.time().replace(tzinfo=None), timezone=timezone)


def check_when(at: datetime, *, now: datetime) -> WhenProblem | None:
    """Why `at` cannot be the next contact: "past" (now or earlier), "too_far" (beyond MAX_AHEAD);
    None when it can. The use case refuses a past time too; asking here first lets the handler
    say so before anything is written."""
    _require_aware(at)
    _require_aware(now)
    if at <= now:
        return "past"
    if at - now > MAX_AHEAD:
        return "too_far"
    return None


def _round_up(moment: datetime) -> datetime:
    """Up to the next multiple of 5 minutes, in UTC. Every zone's offset today is a whole number of
    quarter hours, so the result is on a 5-minute mark of the team's clock too."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    remainder = (moment - epoch) % _ROUND_TO
    return moment if not remainder else moment + (_ROUND_TO - remainder)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a naive datetime: times here must carry their time zone")
