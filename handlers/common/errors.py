"""The last word when an update could not be handled even after its tries (bot/inbox.py sets it aside and
tells the supervisors): the person gets a polite answer rather than silence."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import Update

from handlers.common.i18n import Translator

logger = logging.getLogger(__name__)


async def apologise(bot: Bot, update: Update, translator: Translator) -> None:
    """Tell the person who sent `update` that it failed (what they sent is kept). Best effort."""
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
            await bot.send_message(update.message.chat.id, t("error-generic"))
    except Exception as error:
        logger.warning("could not tell the sender of update %s that it failed: %r", update.update_id, error)
