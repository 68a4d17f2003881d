"""The chats the bot cannot write to (blocked, deleted), so nobody waits on a message that cannot go."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.parameter_batches import batches
from storage.tables import UnreachableChatRow


class SqlUnreachableRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, chat_id: int, *, reason: str, now: datetime) -> bool:
        if await self.contains(chat_id):
            return False
        try:
            async with self._session.begin_nested():  # two senders hitting the same block at once
                self._session.add(UnreachableChatRow(chat_id=chat_id, since=now, reason=reason[:500]))
        except IntegrityError:
            return False
        return True

    async def remove(self, chat_id: int) -> bool:
        result = await self._session.execute(
            delete(UnreachableChatRow).where(UnreachableChatRow.chat_id == chat_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def contains(self, chat_id: int) -> bool:
        found = await self._session.scalar(
            select(UnreachableChatRow.chat_id).where(UnreachableChatRow.chat_id == chat_id)
        )
        return found is not None

    async def among(self, chat_ids: Iterable[int]) -> set[int]:
        found: set[int] = set()
        for ids in batches(set(chat_ids)):
            found.update(
                await self._session.scalars(
                    select(UnreachableChatRow.chat_id).where(UnreachableChatRow.chat_id.in_(ids))
                )
            )
        return found
