"""🗑 Deleting a test deal, from its card (README.md, "First run"): the card turns into the question,
"yes" deletes the deal and everything of it, "no" brings the card back. Only a test deal, and only for
whoever made it or an admin; a second press, or a press on an old card, is told the deal is gone.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from domain.preview_deals import DeleteOutcome, delete_refusal, delete_test_deal
from handlers.common.callbacks import DealAction
from handlers.desk.desk import Desk, with_desk
from handlers.desk.views.keyboards import test_delete_keyboard

logger = logging.getLogger(__name__)


def _refusal(outcome: DeleteOutcome) -> str:
    return f"test-delete-{outcome.value.replace('_', '-')}"


async def on_delete(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """ "Delete the test deal": asks first, in place of the card."""
    deal = await desk.uow.deals.get(callback_data.deal_id)
    await desk.uow.rollback()
    refusal = delete_refusal(desk.staff, deal)
    if refusal is not None or deal is None:
        await desk.refuse(callback, _refusal(refusal or DeleteOutcome.GONE), deal_id=callback_data.deal_id,
                          action="tdel")  # fmt: skip
        return
    await callback.answer()
    await _show(
        callback, desk, desk.t("test-delete-question", id=deal.id), test_delete_keyboard(deal, desk.t)
    )


async def on_delete_confirmed(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """ "Yes, delete": the deal and everything of it go; the card says so, without buttons."""
    deal_id = callback_data.deal_id
    outcome = await delete_test_deal(desk.uow, staff=desk.staff, deal_id=deal_id)
    if outcome is not DeleteOutcome.DELETED:
        await desk.refuse(callback, _refusal(outcome), deal_id=deal_id, action="tdelok")
        if outcome is DeleteOutcome.GONE:
            await desk.drop_buttons(callback)
        return
    logger.info("user %s deleted test deal %s", callback.from_user.id, deal_id)
    await callback.answer(desk.t("test-deleted-toast"))
    await _show(callback, desk, desk.t("test-deleted", id=deal_id), None)


async def _show(callback: CallbackQuery, desk: Desk, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as error:  # too old to edit, or pressed twice
            if "not modified" in str(error):
                return
    await desk.bot.send_message(callback.from_user.id, text, reply_markup=markup)


def build_router() -> Router:
    # No staff filter: anyone pressing a forged button hears why not, and nothing is deleted.
    router = with_desk(Router(name="preview_deals"))
    router.callback_query.register(on_delete, DealAction.filter(F.action == "tdel"))
    router.callback_query.register(on_delete_confirmed, DealAction.filter(F.action == "tdelok"))
    return router
