"""The next contact picked on a calendar, beside the quick times and a typed date: "🗓 Calendar" in the
next-contact menu, a day, an hour. Three taps, each replacing the card's buttons in place (the card's text
stays) until the hour sets the contact and the card is redrawn.

The grid and the hours are drawn by `views/calendar.py`, which also says what each button carries. Like
every card button they carry the card's version: the grid and the hours are only shown on the card as it
is now (a stale press is refused and the card redrawn), and the hour goes to `plan_next_contact` with it.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.types import CallbackQuery

from domain.deal_card import DealCard
from domain.deal_rules import DealError, may_plan_contact
from domain.next_contact_time import MAX_AHEAD, check_when, local_time
from handlers.common.callbacks import DealAction
from handlers.desk.desk import Desk, with_desk
from handlers.desk.views.calendar import (
    contact_hours,
    day_of,
    hour_of,
    month_keyboard,
    month_of,
    time_keyboard,
)


def _today(desk: Desk) -> date:
    return desk.now.astimezone(ZoneInfo(desk.config.timezone)).date()


def _last_day(desk: Desk) -> date:
    """The last day a contact may be planned on (`MAX_AHEAD` from now, team time)."""
    return (desk.now + MAX_AHEAD).astimezone(ZoneInfo(desk.config.timezone)).date()


async def _plannable(
    callback: CallbackQuery, data: DealAction, desk: Desk, *, readable: bool
) -> DealCard | None:
    """The card as it is now, if its next contact may be planned from this press (the same deals whose
    card offers "Next contact") and the button's `arg` was `readable`; else the press is answered and
    None returned."""
    if not readable:
        await desk.refuse(callback, "button-outdated", deal_id=data.deal_id, action=data.action)
        return None
    card = await desk.checked(callback, data)
    if card is None:
        return None
    deal, error = card.deal, None
    if not may_plan_contact(deal):
        error = DealError.NON_TARGET
    elif deal.untaken:
        error = DealError.NOT_TAKEN
    if error is not None:
        await desk.refuse(callback, error, deal_id=data.deal_id, action=data.action)
        return None
    return card


async def on_month(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """ "🗓 Calendar" (this month), or ‹ › to another month within what may be planned."""
    arg, today, last_day = callback_data.arg, _today(desk), _last_day(desk)
    month = month_of(arg) if arg else today
    card = await _plannable(callback, callback_data, desk, readable=month is not None)
    if card is None or month is None:
        return
    # A grid drawn yesterday may lead to a month that is now out of range: the nearest one instead.
    month = min(max(month, today.replace(day=1)), last_day)
    calendar = desk.config.calendar()
    markup = month_keyboard(card.deal, month, today=today, last_day=last_day, calendar=calendar, t=desk.t)
    await desk.show_menu(callback, markup, hint="hint-cal-month")


async def on_day(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """A day: its hours still ahead, said to be a day off when it is one (with the next working day)."""
    day, today, last_day = day_of(callback_data.arg), _today(desk), _last_day(desk)
    card = await _plannable(callback, callback_data, desk, readable=day is not None)
    if card is None or day is None:
        return
    if day < today:
        await callback.answer(desk.t("cal-day-past"))
        return
    if day > last_day:
        await callback.answer(desk.t("cal-too-far"))
        return
    calendar, zone = desk.config.calendar(), desk.config.timezone
    hours = [
        hour
        for hour in contact_hours(calendar, day)
        if check_when(local_time(day, time(hour), timezone=zone), now=desk.now) is None
    ]
    day_off = ("holiday" if calendar.is_holiday(day) else "weekend") if calendar.is_day_off(day) else None
    offer = None
    if day_off or not hours:  # the next working day, one tap away
        offer = calendar.working_day_from(day if day_off else day + timedelta(days=1))
        offer = offer if offer <= last_day else None
    markup = time_keyboard(card.deal, day, hours=hours, day_off=day_off, offer=offer, t=desk.t)
    hint = "cal-no-hours" if not hours else "hint-cal-day-off" if day_off else "hint-cal-time"
    await desk.show_menu(callback, markup, hint=hint)


async def on_hour(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """An hour of the chosen day: the next contact, set like a quick button sets it."""
    deal_id, picked = callback_data.deal_id, hour_of(callback_data.arg)
    if picked is None or picked[1] not in contact_hours(desk.config.calendar(), picked[0]):
        await desk.refuse(callback, "button-outdated", deal_id=deal_id, action="ncat")
        return
    at = local_time(picked[0], time(picked[1]), timezone=desk.config.timezone)
    if problem := check_when(at, now=desk.now):
        why = "cal-time-past" if problem == "past" else "cal-too-far"
        await desk.refuse(callback, why, deal_id=deal_id, action="ncat")
        return
    await desk.plan_contact(callback, at, version=callback_data.v, action="ncat")


async def on_inert(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """A cell that picks nothing: a day that has passed, one too far ahead, padding and titles. Answered,
    and nothing read or changed."""
    if callback_data.action == "ncpast":
        await callback.answer(desk.t("cal-day-past"))
    elif callback_data.arg == "far":
        await callback.answer(desk.t("cal-too-far"))
    else:
        await callback.answer()


def build_router() -> Router:
    router = with_desk(Router(name="deal_calendar"))
    register = router.callback_query.register
    register(on_month, DealAction.filter(F.action == "ncal"))
    register(on_day, DealAction.filter(F.action == "ncday"))
    register(on_hour, DealAction.filter(F.action == "ncat"))
    register(on_inert, DealAction.filter(F.action.in_({"ncpast", "ncnop"})))
    return router
