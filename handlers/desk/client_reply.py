"""A manager replies (Telegram's "Reply") to a client's message the bot passed on: it goes to that client.

Tried before any half-typed input: replying to Boris's message goes to Boris, even when "Reply" was
pressed on Anna's card a moment ago (that pending reply is dropped: the manager chose whom to answer).
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.enums import ContentType
from aiogram.filters import BaseFilter, StateFilter
from aiogram.types import Message

from domain.client_chat import OutgoingMessage, linked_deal, reply_to_prospect
from domain.ports import UnitOfWork
from handlers.common.filters import IsStaff
from handlers.common.message_kinds import REPLYABLE
from handlers.common.states import DealInput
from handlers.desk.desk import Desk, with_desk


class RepliesToClientMessage(BaseFilter):
    """The message replies to one of the bot's messages that stands for a deal; gives `linked_deal_id`."""

    async def __call__(self, message: Message, uow: UnitOfWork) -> bool | dict[str, Any]:
        replied = message.reply_to_message
        if replied is None or replied.from_user is None or not replied.from_user.is_bot:
            return False
        deal_id = await linked_deal(uow, chat_id=message.chat.id, message_id=replied.message_id)
        return {"linked_deal_id": deal_id} if deal_id is not None else False


async def on_reply_to_relayed(message: Message, linked_deal_id: int, desk: Desk) -> None:
    if await desk.state.get_state() == DealInput.reply.state:
        await desk.end_input()
    if message.content_type not in REPLYABLE:
        await message.answer(desk.t("input-cannot-send"))
        return
    outgoing = OutgoingMessage(
        chat_id=message.chat.id,
        message_id=message.message_id,
        kind=ContentType(message.content_type).value,
        text=message.text or message.caption,
    )
    result = await reply_to_prospect(
        desk.uow, deal_id=linked_deal_id, staff=desk.staff, message=outgoing, now=desk.now,
        calendar=desk.config.calendar(),
    )  # fmt: skip
    if result.error is not None:
        desk.log_refusal(message.chat.id, "replied to a relayed message", linked_deal_id, result.error.value)
        await message.answer(desk.refusal_text(result.error))
        return
    await message.answer(desk.t("done-reply"))


async def on_reply_to_other(message: Message, desk: Desk) -> None:
    """A reply to one of the bot's messages that is not a client's: say how to reach a client."""
    await message.answer(desk.t("reply-not-linked"))


def build_router() -> Router:
    router = with_desk(Router(name="prospect_reply"))
    router.message.filter(IsStaff(), ~F.text.startswith("/"))
    router.message.register(on_reply_to_relayed, RepliesToClientMessage())
    router.message.register(on_reply_to_other, StateFilter(None), F.reply_to_message.from_user.is_bot)
    return router
