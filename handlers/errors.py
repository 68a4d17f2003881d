"""The last line of defence: whatever fails, the person gets a polite answer and we get a log line."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import ErrorEvent

from handlers.i18n import Translator

logger = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, bot: Bot, translator: Translator) -> None:
    update = event.update
    logger.exception("update %s failed", update.update_id, exc_info=event.exception)
    user = update.message.from_user if update.message else None
    if update.callback_query:
        user = update.callback_query.from_user
    t = translator.bind(translator.pick(user.language_code if user else None))
    try:
        if update.callback_query:
            try:
                await update.callback_query.answer(t("error-generic"), show_alert=True)
            except TelegramBadRequest:  # the button was answered already: say it in the chat
                await bot.send_message(update.callback_query.from_user.id, t("error-generic"))
        elif update.message:
            await update.message.answer(t("error-generic"))
    except Exception:
        logger.exception("could not tell the user about the failure of update %s", update.update_id)


def build_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
