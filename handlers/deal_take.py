"""The "Take" button on a lead's card."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from domain.crm_config import CrmConfig
from domain.models import Staff
from domain.overview import deal_card
from domain.ports import UnitOfWork
from domain.taking import TakeOutcome, take_deal
from handlers.callbacks import DealAction
from handlers.i18n import Texts
from handlers.views.deal_card import deal_card_keyboard, deal_card_text

logger = logging.getLogger(__name__)


async def on_deal_take(
    callback: CallbackQuery, callback_data: DealAction, staff: Staff | None, uow: UnitOfWork, t: Texts,
    config: CrmConfig, now: datetime,
) -> None:  # fmt: skip
    result = await take_deal(uow, deal_id=callback_data.deal_id, staff=staff, now=now)
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
    if mine or (staff is not None and staff.oversees):
        await _redraw(callback, uow, t, config, callback_data.deal_id)
    elif isinstance(callback.message, Message):
        # Someone else's deal: no card for them, just no button to press again.
        with contextlib.suppress(TelegramBadRequest):
            await callback.message.edit_reply_markup(reply_markup=None)


async def _redraw(
    callback: CallbackQuery, uow: UnitOfWork, t: Texts, config: CrmConfig, deal_id: int
) -> None:
    """Show the card as it is now, in place of the one whose button was pressed (or, when that message
    cannot be edited, as a new message)."""
    card = await deal_card(uow, deal_id)
    await uow.rollback()
    if card is None or not isinstance(callback.message, Message):
        return
    text = deal_card_text(card, config, t, viewer_id=callback.from_user.id)
    markup = deal_card_keyboard(card, t)
    try:
        await callback.message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        if "not modified" in str(error):
            return
        logger.info("card %s could not be edited in place (%s); sending it anew", deal_id, error)
        await callback.message.answer(text, reply_markup=markup)


def build_router() -> Router:
    router = Router(name="deal_take")
    router.callback_query.register(on_deal_take, DealAction.filter(F.action == "take"))
    return router
