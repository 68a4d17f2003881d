"""Buttons that move a deal: the next stage or one from the list, won, lost with a reason, and a lost
client sent to rewarming."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.types import CallbackQuery
from dateutil.relativedelta import relativedelta

from domain.deal_rules import DealError
from domain.deal_stages import lose_deal, move_stage, win_deal
from domain.next_contact_time import local_time
from handlers.common.callbacks import DealAction
from handlers.common.states import DealInput
from handlers.desk.desk import Desk, with_desk
from handlers.desk.prompts import ask
from handlers.desk.rewarming import rewarm

REWARM_MONTHS = {"1m": 1, "3m": 3}
REWARM_HOUR = 10  # a rewarm call is planned for the morning, team time


async def on_stage_move(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """ "Next stage" or a stage from the list. A stage that needs an amount or a note asks for it first."""
    stage, deal_id = callback_data.arg, callback_data.deal_id
    result = await move_stage(
        desk.uow,
        desk.config,
        deal_id=deal_id,
        staff=desk.staff,
        version=callback_data.v,
        stage=stage,
        now=desk.now,
    )
    if result.error in (DealError.NEEDS_AMOUNT, DealError.NEEDS_NOTE):
        await callback.answer()
        needs_amount = result.error is DealError.NEEDS_AMOUNT
        key = "ask-stage-amount" if needs_amount else "ask-stage-note"
        await ask(
            callback,
            desk.state,
            DealInput.amount if needs_amount else DealInput.note,
            deal_id=deal_id,
            t=desk.t,
            prompt=desk.t(key, stage=desk.stage_name(result.deal, stage)),
            purpose="stage",
            stage=stage,
        )
        return
    ok = desk.t("done-stage", stage=desk.stage_name(result.deal, stage))
    await desk.answer_result(callback, result, ok=ok, action="stage")


async def on_won(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """Won with the amount the deal has ("wonok"), or another one typed ("wonamt")."""
    if callback_data.action == "wonamt":
        if await desk.checked(callback, callback_data) is not None:
            await callback.answer()
            await ask(
                callback,
                desk.state,
                DealInput.amount,
                deal_id=callback_data.deal_id,
                t=desk.t,
                prompt=desk.t("ask-won-amount"),
                purpose="won",
            )
        return
    card = await desk.checked(callback, callback_data)
    if card is None:
        return
    result = await win_deal(
        desk.uow,
        desk.config,
        deal_id=callback_data.deal_id,
        staff=desk.staff,
        version=callback_data.v,
        amount=card.deal.amount,
        now=desk.now,
    )
    await desk.answer_result(callback, result, ok=desk.t("done-won"), action="won")


async def on_loss_reason(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """A reason from the list closes the deal as lost; "other" first asks for the manager's words."""
    if callback_data.arg == "other":
        if await desk.checked(callback, callback_data) is not None:
            await callback.answer()
            await ask(
                callback,
                desk.state,
                DealInput.loss_reason,
                deal_id=callback_data.deal_id,
                t=desk.t,
                prompt=desk.t("ask-loss-reason"),
            )
        return
    result = await lose_deal(
        desk.uow,
        desk.config,
        deal_id=callback_data.deal_id,
        staff=desk.staff,
        version=callback_data.v,
        reason=callback_data.arg,
        now=desk.now,
    )
    await desk.answer_result(callback, result, ok=desk.t("done-lost"), action="lost")


async def on_rewarm_quick(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """In a month or in three: the next contact of the rewarm deal, at 10:00 team time that day."""
    months = REWARM_MONTHS.get(callback_data.arg)
    if months is None:
        await desk.refuse(callback, "button-outdated", deal_id=callback_data.deal_id, action="rw")
        return
    # In a month or three, on a working day (a month from Thursday may be a Saturday), at 10:00.
    today = desk.now.astimezone(ZoneInfo(desk.config.timezone)).date()
    day = desk.config.calendar().working_day_from(today + relativedelta(months=months))
    at = local_time(day, time(REWARM_HOUR), timezone=desk.config.timezone)
    message = callback.message
    card = (callback.from_user.id, message.message_id) if message is not None else None
    await rewarm(callback, callback_data.deal_id, at, desk=desk, card=card)


def build_router() -> Router:
    router = with_desk(Router(name="deal_moves"))
    register = router.callback_query.register
    register(on_stage_move, DealAction.filter(F.action.in_({"next", "stage"})))
    register(on_won, DealAction.filter(F.action.in_({"wonok", "wonamt"})))
    register(on_loss_reason, DealAction.filter(F.action == "reason"))
    register(on_rewarm_quick, DealAction.filter(F.action == "rw"))
    return router
