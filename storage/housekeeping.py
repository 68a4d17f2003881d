"""Trimming tables that only need a recent window."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.tables import InboxRow


async def prune_handled_updates(sessions: async_sessionmaker[AsyncSession], *, before: datetime) -> int:
    """Forget updates handled (or set aside) before `before`: Telegram redelivers an update within
    hours, not days. Pending ones stay, however old."""
    async with sessions() as session:
        result = await session.execute(
            delete(InboxRow).where(InboxRow.state != "pending", InboxRow.handled_at < before)
        )
        await session.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]
