"""Every stay of a deal in a stage: the funnel's reach and the time in each stage (README.md, "Reports →
Funnel"). A new deal's first stay is written by `SqlDealRepository.add`; each later stage by `enter`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, literal, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.elapsed import whole_seconds
from storage.tables import StageVisitRow
from storage.types import UtcDateTime


class SqlStageVisitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enter(self, deal_id: int, pipeline: str, stage: str, at: datetime) -> None:
        """Two statements: the open stay ends, the new one begins."""
        await self._session.execute(
            update(StageVisitRow)
            .where(StageVisitRow.deal_id == deal_id, StageVisitRow.left_at.is_(None))
            .values(left_at=at, seconds=whole_seconds(literal(at, UtcDateTime), StageVisitRow.entered_at))
            .execution_options(synchronize_session=False)
        )
        await self._session.execute(
            insert(StageVisitRow).values(deal_id=deal_id, pipeline=pipeline, stage=stage, entered_at=at)
        )
