"""Question messages on the prospect's screen: sending one, turning one into the next question, closing
one, so that only the newest question keeps live buttons.

The conversation data's `qm` is the message whose buttons are live (None when the question on screen has
none) and `qm_from` the first question it asked: button answers turn a message into the next question,
and the answers given in it are acknowledged at its top.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup

from domain.crm_config import CrmConfig
from handlers.common.i18n import Texts
from handlers.prospect.views.questionnaire import acknowledgement, question_message

logger = logging.getLogger(__name__)

QM, QM_FROM = "qm", "qm_from"


async def send_question(
    bot: Bot, chat_id: int, index: int, t: Texts, config: CrmConfig, state: FSMContext,
    *, run: str, header: str | None = None,
) -> None:  # fmt: skip
    text, markup = question_message(config, index, t, run=run, header=header)
    sent = await bot.send_message(chat_id, text, reply_markup=markup)
    live = sent.message_id if isinstance(markup, InlineKeyboardMarkup) else None
    await state.update_data({QM: live, QM_FROM: index})


async def edit_into_question(
    bot: Bot, chat_id: int, message_id: int, index: int, t: Texts, config: CrmConfig, state: FSMContext,
    *, run: str, first: int, header: str | None = None,
) -> bool:  # fmt: skip
    """Turn a message into question `index` (one that needs no reply keyboard: the one on screen stays).
    False when Telegram refuses: the person deleted the message, or it is too old to edit."""
    text, markup = question_message(config, index, t, run=run, header=header)
    buttons = markup if isinstance(markup, InlineKeyboardMarkup) else None
    try:
        await bot.edit_message_text(text=text, chat_id=chat_id, message_id=message_id, reply_markup=buttons)
    except TelegramBadRequest as error:
        logger.info(
            "question message %s in chat %s not edited (%s): sending it anew", message_id, chat_id, error
        )
        return False
    await state.update_data({QM: message_id if buttons else None, QM_FROM: first})
    return True


async def close_answered(
    bot: Bot, chat_id: int, message_id: int | None, index: int, t: Texts, config: CrmConfig,
    data: dict[str, Any],
) -> None:  # fmt: skip
    """Question `index` is answered and the next step shown: its message keeps the answers given in it
    instead of its buttons. Only looks, so a failure is logged, never the person's problem."""
    if message_id is None:
        return
    first = first_asked_in(message_id, index, data)
    said = acknowledgement(config, data["answers"], t, first=first, stop=index + 1)
    try:
        if said:
            await bot.edit_message_text(text=said, chat_id=chat_id, message_id=message_id, reply_markup=None)
        else:
            await strip_buttons(bot, chat_id, message_id)
    except TelegramAPIError as error:
        logger.warning("answered question %s in chat %s kept its buttons: %s", message_id, chat_id, error)


def first_asked_in(message_id: int, index: int, data: dict[str, Any]) -> int:
    """The first question the message asked: earlier ones when button answers turned it into the next."""
    if message_id == data.get(QM):
        return min(int(data.get(QM_FROM, index)), index)
    return index


async def strip_buttons(bot: Bot, chat_id: int, message_id: int | None) -> None:
    if message_id is None:
        return
    with contextlib.suppress(TelegramBadRequest):  # already without buttons, or deleted by the person
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)
