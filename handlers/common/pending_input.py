"""Ending what a staff member was typing: the input state goes, and its questions lose their buttons."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.fsm.context import FSMContext

from handlers.common.states import PROMPTS

logger = logging.getLogger(__name__)


async def forget_input(bot: Bot, chat_id: int, state: FSMContext) -> dict[str, Any]:
    """End whatever the person was typing: the state goes, and the questions it asked lose their buttons
    (an old "Yes" or "Cancel" must not act on whatever is asked next). Returns what the input held."""
    data = await state.get_data()
    await state.clear()
    await drop_buttons_of(bot, chat_id, data.get(PROMPTS, []))
    return data


async def drop_buttons_of(bot: Bot, chat_id: int, message_ids: list[int]) -> None:
    """Questions that are over keep their words and lose their buttons (gone already: nothing to do).
    Cosmetic: Telegram failing here (5xx, a block, a timeout) must not stop what the person asked for;
    a button left behind does nothing harmful, it answers "no longer current"."""
    for message_id in message_ids:
        try:
            await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)
        except TelegramBadRequest:
            pass
        except TelegramAPIError as error:  # includes 5xx, 429 and network errors
            logger.info("could not take the buttons off message %s in %s: %s", message_id, chat_id, error)
