"""Links from messages the bot sent staff to the deals they belong to (a reply to one reaches the client)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables import MessageLinkRow


class SqlMessageLinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, *, chat_id: int, message_id: int, deal_id: int, at: datetime) -> None:
        await self._session.merge(
            MessageLinkRow(chat_id=chat_id, message_id=message_id, deal_id=deal_id, at=at)
        )
        await self._session.flush()

    async def deal_for(self, *, chat_id: int, message_id: int) -> int | None:
        return await self._session.scalar(
            select(MessageLinkRow.deal_id).where(
                MessageLinkRow.chat_id == chat_id, MessageLinkRow.message_id == message_id
            )
        )
