"""Showing a deal card: drawn fresh from the database, in place of an old one or as a new message."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, Message

from domain.crm_config import CrmConfig
from domain.deal_access import may_act
from domain.models import Deal, Staff
from domain.overview import DealCard, deal_card
from domain.ports import UnitOfWork
from handlers.i18n import Texts
from handlers.views.deal_card import deal_card_text
from handlers.views.deal_keyboards import deal_card_keyboard

logger = logging.getLogger(__name__)


def may_view(staff: Staff | None, deal: Deal, config: CrmConfig) -> bool:
    """Whoever may act on a deal sees it; a manager also sees unsorted leads when they may take them."""
    if may_act(staff, deal):
        return True
    return (
        staff is not None
        and staff.is_manager
        and deal.is_open
        and deal.manager_id is None
        and config.deals.managers_see_unsorted
    )


async def read_card(uow: UnitOfWork, deal_id: int) -> DealCard | None:
    """The card as it is now; ends the read so no transaction is held while Telegram is called."""
    card = await deal_card(uow, deal_id)
    await uow.rollback()
    return card


def render(
    card: DealCard, config: CrmConfig, t: Texts, staff: Staff | None, now: datetime
) -> tuple[str, InlineKeyboardMarkup | None]:
    viewer = staff.telegram_id if staff else None
    text = deal_card_text(card, config, t, viewer_id=viewer, now=now)
    return text, deal_card_keyboard(card, t, viewer=staff, config=config)


async def redraw(
    bot: Bot,
    *,
    chat_id: int,
    message_id: int | None,
    uow: UnitOfWork,
    deal_id: int,
    config: CrmConfig,
    t: Texts,
    staff: Staff | None,
    now: datetime,
) -> None:
    """Edit the card message in place; when it cannot be edited (too old, deleted, not a card), send
    the card anew so the person always sees the deal as it is."""
    card = await read_card(uow, deal_id)
    if card is None:
        return
    text, markup = render(card, config, t, staff, now)
    if message_id is not None:
        try:
            await bot.edit_message_text(
                text=text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            )
            return
        except TelegramBadRequest as error:
            if "not modified" in str(error):
                return
            logger.info("card %s could not be edited in place (%s); sending it anew", deal_id, error)
        except TelegramAPIError as error:  # Telegram away or the person gone: the action itself is saved
            logger.warning("card %s could not be redrawn in %s: %s", deal_id, chat_id, error)
            return
    await bot.send_message(chat_id, text, reply_markup=markup)


async def send_card(
    bot: Bot,
    *,
    chat_id: int,
    uow: UnitOfWork,
    deal_id: int,
    config: CrmConfig,
    t: Texts,
    staff: Staff | None,
    now: datetime,
    header: str | None = None,
) -> Message | None:
    card = await read_card(uow, deal_id)
    if card is None:
        return None
    text, markup = render(card, config, t, staff, now)
    return await bot.send_message(chat_id, f"{header}\n\n{text}" if header else text, reply_markup=markup)
