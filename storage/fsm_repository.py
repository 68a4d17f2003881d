"""Conversation state rows for the bot's database-backed FSM storage (the aiogram side is in bot/)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.tables import FsmStateRow


class FsmRepository:
    """Each call is its own short transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def load(self, key: str) -> tuple[str | None, dict[str, Any]]:
        async with self._sessions() as session:
            row = await session.scalar(select(FsmStateRow).where(FsmStateRow.key == key))
            found = (row.state, dict(row.data)) if row else (None, {})
            await session.rollback()
            return found

    async def store(
        self, key: str, *, now: datetime, state: str | None = None, data: dict[str, Any] | None = None,
        keep_state: bool = False, keep_data: bool = False,
    ) -> None:  # fmt: skip
        async with self._sessions() as session:
            row = await session.get(FsmStateRow, key)
            new_state = row.state if keep_state and row else (None if keep_state else state)
            new_data = dict(row.data) if keep_data and row else ({} if keep_data else dict(data or {}))
            if new_state is None and not new_data:
                if row is not None:
                    await session.execute(delete(FsmStateRow).where(FsmStateRow.key == key))
            elif row is None:
                session.add(FsmStateRow(key=key, state=new_state, data=new_data, updated_at=now))
            else:
                row.state, row.data, row.updated_at = new_state, new_data, now
            await session.commit()
