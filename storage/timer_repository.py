from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Timer
from storage.tables import TimerRow

PENDING = "pending"
CANCELLED = "cancelled"


class SqlTimerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, timer: Timer) -> None:
        self._session.add(
            TimerRow(
                kind=timer.kind,
                subject_id=timer.subject_id,
                due_at=timer.due_at,
                state=timer.state,
                payload=dict(timer.payload),
            )
        )
        await self._session.flush()

    async def cancel(self, *, subject_id: int, kinds: tuple[str, ...]) -> int:
        result = await self._session.execute(
            update(TimerRow)
            .where(TimerRow.subject_id == subject_id, TimerRow.kind.in_(kinds), TimerRow.state == PENDING)
            .values(state=CANCELLED)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def pending_for(self, subject_id: int) -> list[Timer]:
        rows = await self._session.scalars(
            select(TimerRow)
            .where(TimerRow.subject_id == subject_id, TimerRow.state == PENDING)
            .order_by(TimerRow.due_at)
        )
        return [Timer(r.kind, r.subject_id, r.due_at, r.state, dict(r.payload), r.id) for r in rows]
