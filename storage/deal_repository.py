from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Deal, DealStatus, Temperature
from storage.tables import DealRow

_FIELDS = (
    "contact_id", "pipeline", "stage", "chat_id", "source", "answers", "target", "created_at",
    "stage_entered_at", "manager_id", "assigned_at", "taken_at", "take_due_at", "closed_at", "loss_reason",
)  # fmt: skip


def _to_deal(row: DealRow) -> Deal:
    return Deal(
        id=row.id,
        status=DealStatus(row.status),
        temperature=Temperature(row.temperature),
        version=row.version,
        **{name: getattr(row, name) for name in _FIELDS},
    )


def _fill(row: DealRow, deal: Deal) -> None:
    for name in _FIELDS:
        setattr(row, name, getattr(deal, name))
    row.answers = dict(deal.answers)
    row.status, row.temperature = deal.status.value, deal.temperature.value


class SqlDealRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, deal_id: int) -> Deal | None:
        row = await self._session.get(DealRow, deal_id, populate_existing=True)
        return _to_deal(row) if row else None

    async def add(self, deal: Deal) -> Deal:
        row = DealRow(version=1)
        _fill(row, deal)
        self._session.add(row)
        await self._session.flush()
        return _to_deal(row)

    async def save(self, deal: Deal) -> None:
        """Write the deal back and bump its version (a card showing an older version is stale)."""
        row = await self._session.get(DealRow, deal.id)
        if row is None:
            raise LookupError(f"no deal {deal.id}")
        _fill(row, deal)
        row.version = row.version + 1
        deal.version = row.version
        await self._session.flush()

    async def for_contact(self, contact_id: int) -> list[Deal]:
        rows = await self._session.scalars(
            select(DealRow).where(DealRow.contact_id == contact_id).order_by(DealRow.id)
        )
        return [_to_deal(r) for r in rows]

    async def latest_for_chat(self, chat_id: int) -> Deal | None:
        """The open deal talking in this chat, else the latest one."""
        row = await self._session.scalar(
            select(DealRow)
            .where(DealRow.chat_id == chat_id)
            .order_by(case((DealRow.status == DealStatus.OPEN.value, 0), else_=1), DealRow.id.desc())
            .limit(1)
        )
        return _to_deal(row) if row else None

    async def open_counts(self) -> dict[int, int]:
        rows = await self._session.execute(
            select(DealRow.manager_id, func.count())
            .where(DealRow.status == DealStatus.OPEN.value, DealRow.manager_id.is_not(None))
            .group_by(DealRow.manager_id)
        )
        return {int(manager_id): int(count) for manager_id, count in rows if manager_id is not None}

    async def unsorted_count(self) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(DealRow)
            .where(DealRow.status == DealStatus.OPEN.value, DealRow.manager_id.is_(None))
        )
        return int(count or 0)

    async def claim_take(self, deal_id: int, manager_id: int, *, now: datetime) -> bool:
        result = await self._session.execute(
            update(DealRow)
            .where(
                DealRow.id == deal_id,
                DealRow.taken_at.is_(None),
                DealRow.status == DealStatus.OPEN.value,
            )
            .values(
                taken_at=now,
                manager_id=manager_id,
                assigned_at=func.coalesce(DealRow.assigned_at, now),
                version=DealRow.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]
