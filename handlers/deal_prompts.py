"""Asking a staff member to type something a deal action needs, and remembering what it was for."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from handlers.i18n import Texts
from handlers.states import PROMPTS
from handlers.views.deal_keyboards import cancel_keyboard

logger = logging.getLogger(__name__)


async def ask(
    callback: CallbackQuery,
    state: FSMContext,
    waiting_for: State,
    *,
    deal_id: int | None,
    t: Texts,
    prompt: str,
    keep_card: bool = True,
    keyboard: InlineKeyboardMarkup | None = None,
    **extra: Any,
) -> None:
    """Send `prompt` with a Cancel button and wait for the answer in `waiting_for`.

    The pressed card (unless `keep_card` is false: the button was on a relayed message, not a card) is
    remembered, so it is redrawn in place once the answer has done its work.
    """
    assert deal_id is not None and callback.bot is not None
    card = callback.message if keep_card and isinstance(callback.message, Message) else None
    await forget_input(callback.bot, callback.from_user.id, state)  # one question at a time
    # The question first: if it cannot be sent, nothing waits for an answer nobody was asked for.
    markup = keyboard or cancel_keyboard(deal_id, t)
    asked = await callback.bot.send_message(callback.from_user.id, prompt, reply_markup=markup)
    await state.set_state(waiting_for)
    await state.set_data(
        {
            "deal_id": deal_id,
            "card_chat": card.chat.id if card else None,
            "card_message": card.message_id if card else None,
            PROMPTS: [asked.message_id],  # their buttons go once the answer is in
            **extra,
        }
    )


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
