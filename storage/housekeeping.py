"""Trimming tables that only need a recent window."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.tables import ProcessedUpdateRow


async def prune_processed_updates(sessions: async_sessionmaker[AsyncSession], *, before: datetime) -> int:
    """Forget handled update ids older than `before`: Telegram redelivers an update within hours, not days."""
    async with sessions() as session:
        result = await session.execute(delete(ProcessedUpdateRow).where(ProcessedUpdateRow.at < before))
        await session.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]
