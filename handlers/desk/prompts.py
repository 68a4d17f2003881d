"""Asking a staff member to type something a deal action needs, and remembering what it was for."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardRemove

from handlers.common.i18n import Texts
from handlers.common.pending_input import forget_input
from handlers.common.states import PROMPTS, IntakeForm
from handlers.desk.views.keyboards import cancel_keyboard


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
    if await state.get_state() in IntakeForm.__all_states_names__:
        # Their /preview is over: what they type next is for the deal, not an answer. Its keyboard goes.
        await callback.bot.send_message(
            callback.from_user.id, t("preview-interrupted"), reply_markup=ReplyKeyboardRemove()
        )
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
