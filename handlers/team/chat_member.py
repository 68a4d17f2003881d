"""A person blocks the bot, or comes back: Telegram says so with a `my_chat_member` update. A block is
recorded and the team told once (`domain.unreachable`); coming back clears it."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import F, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.types import ChatMemberUpdated

from domain.ports import UnitOfWork
from domain.unreachable import note_back, note_blocked

logger = logging.getLogger(__name__)


async def on_bot_blocked(event: ChatMemberUpdated, uow: UnitOfWork, now: datetime) -> None:
    if await note_blocked(uow, event.chat.id, reason="blocked the bot", now=now):
        logger.info("chat %s blocked the bot", event.chat.id)


async def on_bot_unblocked(event: ChatMemberUpdated, uow: UnitOfWork) -> None:
    if await note_back(uow, event.chat.id):
        logger.info("chat %s unblocked the bot", event.chat.id)


def build_router() -> Router:
    router = Router(name="chat_member")
    router.my_chat_member.filter(F.chat.type == ChatType.PRIVATE)
    router.my_chat_member.register(on_bot_blocked, F.new_chat_member.status == ChatMemberStatus.KICKED)
    router.my_chat_member.register(on_bot_unblocked, F.new_chat_member.status == ChatMemberStatus.MEMBER)
    return router
