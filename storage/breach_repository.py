"""Breached deadlines: recorded once per deal, kind and due time, counted for the digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Breach, BreachKind
from domain.tallies import Tally
from storage.deal_tallies import moment, tally
from storage.elapsed import whole_seconds
from storage.tables import BreachRow


class SqlBreachRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, breach: Breach) -> None:
        self._session.add(
            BreachRow(
                kind=breach.kind.value, deal_id=breach.deal_id, manager_id=breach.manager_id,
                pipeline=breach.pipeline, stage=breach.stage, due_at=breach.due_at,
                detected_at=breach.detected_at, resolved_at=breach.resolved_at,
            )
        )  # fmt: skip
        await self._session.flush()

    async def resolve(self, *, deal_id: int, kinds: tuple[BreachKind, ...], now: datetime) -> None:
        await self._session.execute(
            update(BreachRow)
            .where(
                BreachRow.deal_id == deal_id,
                BreachRow.kind.in_([k.value for k in kinds]),
                BreachRow.resolved_at.is_(None),
            )
            .values(resolved_at=now)
            .execution_options(synchronize_session=False)
        )

    async def tally(
        self, kind: BreachKind, since: datetime, until: datetime, *, now: datetime, limit: int
    ) -> Tally:
        detected = [
            BreachRow.kind == kind.value, BreachRow.detected_at >= since, BreachRow.detected_at < until
        ]  # fmt: skip
        late = whole_seconds(func.coalesce(BreachRow.resolved_at, moment(now)), BreachRow.due_at)
        return await tally(
            self._session, detected, worst=(late, detected), limit=limit, id_column=BreachRow.deal_id
        )
