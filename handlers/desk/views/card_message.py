"""A notice that is a header above a deal card: one message, or two when both would not fit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardMarkup

from domain.crm_config import CrmConfig
from domain.deal_card import DealCard
from handlers.common.formatting import TELEGRAM_TEXT_LIMIT, visible_length
from handlers.common.i18n import Texts
from handlers.desk.views.card import deal_card_text


def header_and_card(
    chat_id: int, header: str, card: DealCard, config: CrmConfig, t: Texts, *, now: datetime | None,
    markup: InlineKeyboardMarkup | None,
) -> list[TelegramMethod[Any]]:  # fmt: skip
    """The header above the card (as `chat_id` sees it) with `markup` under it; the header in a message of
    its own when both would not fit one."""
    text = deal_card_text(card, config, t, viewer_id=chat_id, now=now)
    if visible_length(header) + 2 + visible_length(text) <= TELEGRAM_TEXT_LIMIT:
        return [SendMessage(chat_id=chat_id, text=f"{header}\n\n{text}", reply_markup=markup)]
    return [
        SendMessage(chat_id=chat_id, text=header),
        SendMessage(chat_id=chat_id, text=text, reply_markup=markup),
    ]
