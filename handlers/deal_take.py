"""The "Take" button on a lead's card."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from domain.crm_config import CrmConfig
from domain.models import Staff
from domain.ports import UnitOfWork
from domain.taking import TakeOutcome, take_deal
from handlers.callbacks import DealAction
from handlers.card_display import read_card, redraw_pressed, render, send_card
from handlers.i18n import Texts

logger = logging.getLogger(__name__)

FROM_LIST = "l"  # the `arg` of a Take button under a list of leads rather than on a card


async def on_deal_take(
    callback: CallbackQuery,
    callback_data: DealAction,
    staff: Staff | None,
    uow: UnitOfWork,
    t: Texts,
    config: CrmConfig,
    now: datetime,
    bot: Bot,
) -> None:
    result = await take_deal(
        uow,
        deal_id=callback_data.deal_id,
        staff=staff,
        now=now,
        managers_take_unsorted=config.deals.managers_see_unsorted,
    )
    if result.outcome is TakeOutcome.NOT_ALLOWED:
        logger.warning(
            "refused: user %s pressed Take on deal %s", callback.from_user.id, callback_data.deal_id
        )
        await callback.answer(t("take-not-allowed"), show_alert=True)
        return
    # A plain-text alert: the name goes as it is, not HTML-escaped.
    other = result.other.name if result.other and result.other.name else t("someone")
    await callback.answer(
        t(f"take-{result.outcome.value.replace('_', '-')}", id=callback_data.deal_id, other=other),
        show_alert=result.outcome is not TakeOutcome.TAKEN,
    )
    mine = result.outcome in (TakeOutcome.TAKEN, TakeOutcome.ALREADY_YOURS)
    if callback_data.arg == FROM_LIST:
        # Pressed in a list of leads: the list stays for the others; the card comes as its own message.
        if mine:
            await send_card(
                bot,
                chat_id=callback.from_user.id,
                uow=uow,
                deal_id=callback_data.deal_id,
                config=config,
                t=t,
                staff=staff,
                now=now,
            )
        return
    if mine or (staff is not None and staff.oversees):
        await redraw_pressed(
            callback, bot, uow=uow, deal_id=callback_data.deal_id, config=config, t=t, staff=staff, now=now
        )
    elif isinstance(callback.message, Message):
        # Someone else's deal now: the card shows who has it, and no button to press again.
        card = await read_card(uow, callback_data.deal_id)
        if card is None:
            return
        text, _ = render(card, config, t, staff, now)
        with contextlib.suppress(TelegramBadRequest):
            await callback.message.edit_text(text, reply_markup=None)


def build_router() -> Router:
    router = Router(name="deal_take")
    router.callback_query.register(on_deal_take, DealAction.filter(F.action == "take"))
    return router
