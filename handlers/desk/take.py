"""The "Take" button on a lead's card."""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from domain.deal_access import may_view
from domain.taking import TakeOutcome, take_deal
from handlers.common.callbacks import FROM_LIST, DealAction
from handlers.desk.desk import Desk, read_card, render, with_desk


async def on_deal_take(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    deal_id, t = callback_data.deal_id, desk.t
    result = await take_deal(
        desk.uow, deal_id=deal_id, staff=desk.staff, now=desk.now,
        managers_take_unsorted=desk.config.deals.managers_see_unsorted, calendar=desk.config.calendar(),
    )  # fmt: skip
    if result.outcome is TakeOutcome.NOT_ALLOWED:
        await desk.refuse(callback, "take-not-allowed", deal_id=deal_id, action="take")
        return
    # A plain-text alert: the name goes as it is, not HTML-escaped.
    other = result.other.name if result.other and result.other.name else t("someone")
    await callback.answer(
        t(f"take-{result.outcome.value.replace('_', '-')}", id=deal_id, other=other),
        show_alert=result.outcome is not TakeOutcome.TAKEN,
    )
    mine = result.outcome in (TakeOutcome.TAKEN, TakeOutcome.ALREADY_YOURS)
    if callback_data.arg == FROM_LIST:
        # Pressed in a list of leads: the list stays for the others; the card comes as its own message.
        if mine:
            await desk.send_card(deal_id)
        return
    if mine or (desk.staff is not None and desk.staff.oversees):
        await desk.redraw_pressed(callback, deal_id)
        return
    if result.outcome in (TakeOutcome.TAKEN_BY_OTHER, TakeOutcome.ASSIGNED_TO_OTHER):
        desk.log_refusal(callback.from_user.id, "pressed take", deal_id, result.outcome.value)
    if isinstance(callback.message, Message):
        # Someone else's deal now: no button to press again. Only what the presser may see is drawn (a
        # colleague's deal is not theirs to read, even by a forged button); else the message stays as it was.
        card = await read_card(desk.uow, deal_id)
        if card is not None and may_view(desk.staff, card.deal, desk.config):
            text, _ = render(card, desk.config, t, desk.staff, desk.now)
            with contextlib.suppress(TelegramBadRequest):
                await callback.message.edit_text(text, reply_markup=None)
            return
        with contextlib.suppress(TelegramBadRequest):
            await callback.message.edit_reply_markup(reply_markup=None)


def build_router() -> Router:
    router = with_desk(Router(name="deal_take"))
    router.callback_query.register(on_deal_take, DealAction.filter(F.action == "take"))
    return router
