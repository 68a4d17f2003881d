"""The calendar for the next contact, in place of the card's buttons: a month of days, then the hours of
the day chosen. Pure rendering: the handlers (`handlers/desk/calendar.py`) say what today is, how far
ahead one may plan and which hours are left, and these functions draw it.

Our own few buttons rather than the `aiogram-calendar` package:
- its buttons carry its own callback data (`SimpleCalendarCallback`, "simple_calendar:<act>:<year>:
  <month>:<day>"), with no room for the deal id and the card's version that every card button carries
  (`DealAction`, handlers/common/callbacks.py); so a press on an old card, or on someone else's, could not
  be checked and refused like any other card button, and the chosen day would not say for which deal;
- it knows no days off, while a manager should see the team's weekends and public holidays, with
  Russia's days off moved by decree and its working Saturdays (`BusinessCalendar.is_day_off`);
- it names months and weekdays from the server's OS locale (`calendar.different_locale`), says why a
  day cannot be picked in English whatever the reader's language, and takes the keyboard off the message
  on a pick, where ours keeps the card and puts its buttons back.

What the buttons carry (`DealAction.arg`; all versioned with the card):
  ncal   "" (this month) or "YYYYMM": the month grid
  ncday  "YYYYMMDD": the hours of that day
  ncat   "YYYYMMDDHH": that hour of that day, team time: sets the next contact
  ncpast "": a day that has passed (answered, changes nothing)
  ncnop  "" or "far": an inert cell (padding, titles, the end of the range; "far": a day beyond it)
The longest, "d:ncat:<19 digits>:<10 digits>:YYYYMMDDHH", is 48 bytes of Telegram's 64.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from babel.dates import format_date, get_day_names

from domain.models import Deal
from domain.working_time import BusinessCalendar
from handlers.common.i18n import Texts
from handlers.desk.views.keyboards import button

Button = InlineKeyboardButton
WEEK = 7
HOURS_IN_A_ROW = 4
# A team at work around the clock still calls its clients at hours people keep.
ALWAYS_HOURS = range(9, 21)

_MONTH = re.compile(r"(\d{4})(\d{2})", re.ASCII)
_DAY = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
_HOUR = re.compile(r"(\d{8})(\d{2})", re.ASCII)


def month_arg(day: date) -> str:
    return f"{day:%Y%m}"


def day_arg(day: date) -> str:
    return f"{day:%Y%m%d}"


def hour_arg(day: date, hour: int) -> str:
    return f"{day:%Y%m%d}{hour:02d}"


def month_of(arg: str) -> date | None:
    """The first day of the month a button names; None for a forged or broken one."""
    found = _MONTH.fullmatch(arg)
    return _date(int(found[1]), int(found[2]), 1) if found else None


def day_of(arg: str) -> date | None:
    found = _DAY.fullmatch(arg)
    return _date(int(found[1]), int(found[2]), int(found[3])) if found else None


def hour_of(arg: str) -> tuple[date, int] | None:
    """The day and the hour (0..23) a button names; None for a forged or broken one."""
    found = _HOUR.fullmatch(arg)
    day = day_of(found[1]) if found else None
    if found is None or day is None or int(found[2]) > 23:
        return None
    return day, int(found[2])


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def contact_hours(calendar: BusinessCalendar, day: date | None = None) -> range:
    """The whole hours offered for a contact: from the team's opening (rounded up) to an hour before its
    closing (on `day`, which closes earlier before a public holiday); 09:00 to 20:00 for a team at work
    around the clock."""
    if calendar.always:
        return ALWAYS_HOURS
    first = calendar.start.hour + (1 if calendar.start.minute else 0)
    closing = calendar.end
    if day is not None and (hours := calendar.working_hours(day)) is not None:
        closing = hours[1].astimezone(calendar.tz).time()
    last = max(first, closing.hour - 1)
    return range(first, last + 1)


def day_label(day: date, locale: str) -> str:
    """сб, 7 нояб. / Sat, 7 Nov: the day as the card says its times."""
    return format_date(day, "EEE, d MMM", locale=locale)


def _inert(deal: Deal, text: str = " ", arg: str = "") -> Button:
    return button(text, "ncnop", deal, arg)


def _day_button(deal: Deal, day: date, *, today: date, last_day: date, calendar: BusinessCalendar) -> Button:
    label = f"·{day.day}·" if calendar.is_day_off(day) else str(day.day)
    if day == today:
        label = f"[{label}]"
    if day < today:
        return button(label, "ncpast", deal)
    if day > last_day:
        return _inert(deal, label, "far")
    return button(label, "ncday", deal, day_arg(day))


def month_keyboard(
    deal: Deal, month: date, *, today: date, last_day: date, calendar: BusinessCalendar, t: Texts
) -> InlineKeyboardMarkup:
    """The days of `month` (any day of it), Monday first: days off between dots (·7·), today in brackets,
    the days before `today` and after `last_day` drawn but not for picking. ‹ and › go a month back and on
    within that range; below, the way back to the next-contact menu."""
    first = month.replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=31)).replace(day=1)
    header = [
        button("‹", "ncal", deal, month_arg(previous)) if previous >= today.replace(day=1) else _inert(deal),
        _inert(deal, format_date(first, "LLLL y", locale=t.locale)),
        button("›", "ncal", deal, month_arg(following)) if following <= last_day else _inert(deal),
    ]
    names = get_day_names("abbreviated", context="stand-alone", locale=t.locale)
    cells = [_inert(deal) for _ in range(first.weekday())]
    day = first
    while day.month == first.month:
        cells.append(_day_button(deal, day, today=today, last_day=last_day, calendar=calendar))
        day += timedelta(days=1)
    cells += [_inert(deal) for _ in range(-len(cells) % WEEK)]
    weeks = [cells[i : i + WEEK] for i in range(0, len(cells), WEEK)]
    rows = [header, [_inert(deal, names[i]) for i in range(WEEK)], *weeks]
    return InlineKeyboardMarkup(inline_keyboard=[*rows, [button(t("btn-back"), "nc", deal)]])


def time_keyboard(
    deal: Deal,
    day: date,
    *,
    hours: Sequence[int],
    day_off: str | None,
    offer: date | None,
    t: Texts,
) -> InlineKeyboardMarkup:
    """The hours left on `day` to pick from, under the day's name (and what day off it is: "weekend" or
    "holiday"); `offer`, a working day to go to instead; below, the way back to the month."""
    title = t(f"cal-day-{day_off}" if day_off else "cal-day", day=day_label(day, t.locale))
    rows = [[_inert(deal, title)]]
    picks = [button(f"{hour:02d}:00", "ncat", deal, hour_arg(day, hour)) for hour in hours]
    rows += [picks[i : i + HOURS_IN_A_ROW] for i in range(0, len(picks), HOURS_IN_A_ROW)]
    if not picks:
        rows.append([_inert(deal, t("cal-no-hours"))])
    if offer is not None:
        label = t("btn-cal-working-day", day=day_label(offer, t.locale))
        rows.append([button(label, "ncday", deal, day_arg(offer))])
    rows.append([button(t("btn-cal-month"), "ncal", deal, month_arg(day))])
    return InlineKeyboardMarkup(inline_keyboard=rows)
