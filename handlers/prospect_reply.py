"""A manager replies (Telegram's "Reply") to a client's message the bot passed on: it goes to the client."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import F, Router
from aiogram.enums import ContentType
from aiogram.filters import StateFilter
from aiogram.types import Message

from domain.models import Staff
from domain.ports import UnitOfWork
from domain.prospect_chat import OutgoingMessage, reply_to_prospect
from handlers.deal_input import REPLYABLE
from handlers.filters import IsStaff
from handlers.i18n import Texts

logger = logging.getLogger(__name__)


async def on_reply_to_relayed(
    message: Message, staff: Staff | None, uow: UnitOfWork, t: Texts, now: datetime
) -> None:
    assert message.reply_to_message is not None
    deal_id = await uow.links.deal_for(
        chat_id=message.chat.id, message_id=message.reply_to_message.message_id
    )
    await uow.rollback()
    if deal_id is None:
        await message.answer(t("reply-not-linked"))
        return
    if message.content_type not in REPLYABLE:
        await message.answer(t("input-cannot-send"))
        return
    outgoing = OutgoingMessage(
        chat_id=message.chat.id,
        message_id=message.message_id,
        kind=ContentType(message.content_type).value,
        text=message.text or message.caption,
    )
    result = await reply_to_prospect(uow, deal_id=deal_id, staff=staff, message=outgoing, now=now)
    if result.error is not None:
        logger.warning(
            "refused: user %s replied on deal %s (%s)", message.chat.id, deal_id, result.error.value
        )
        await message.answer(t(f"deal-error-{result.error.value.replace('_', '-')}"))
        return
    await message.answer(t("done-reply"))


def build_router() -> Router:
    router = Router(name="prospect_reply")
    router.message.filter(IsStaff(), StateFilter(None))
    router.message.register(on_reply_to_relayed, F.reply_to_message.from_user.is_bot, ~F.text.startswith("/"))
    return router
