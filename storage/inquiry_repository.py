"""Inquiries: every questionnaire begun and every web form received, with how far it got."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Channel, Inquiry, InquiryState
from domain.ports import ConcurrentChange
from storage.tables import InquiryRow


def _to_inquiry(row: InquiryRow) -> Inquiry:
    return Inquiry(
        id=row.id,
        channel=Channel(row.channel),
        telegram_id=row.telegram_id,
        chat_id=row.chat_id,
        name=row.name,
        username=row.username,
        locale=row.locale,
        source=row.source,
        state=InquiryState(row.state),
        step=row.step,
        answers=dict(row.answers or {}),
        wrote_first=row.wrote_first,
        started_at=row.started_at,
        updated_at=row.updated_at,
        ended_at=row.ended_at,
        deal_id=row.deal_id,
        external_id=row.external_id,
        is_test=row.is_test,
    )


def _fill(row: InquiryRow, inquiry: Inquiry) -> None:
    row.channel, row.telegram_id, row.chat_id = inquiry.channel.value, inquiry.telegram_id, inquiry.chat_id
    row.name, row.username, row.locale = inquiry.name, inquiry.username, inquiry.locale
    row.source, row.state, row.step = inquiry.source, inquiry.state.value, inquiry.step
    row.answers, row.wrote_first = dict(inquiry.answers), inquiry.wrote_first
    row.started_at, row.updated_at = inquiry.started_at, inquiry.updated_at or inquiry.started_at
    row.ended_at, row.deal_id, row.external_id = inquiry.ended_at, inquiry.deal_id, inquiry.external_id
    row.is_test = inquiry.is_test


class SqlInquiryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, inquiry: Inquiry) -> Inquiry:
        row = InquiryRow()
        _fill(row, inquiry)
        self._session.add(row)
        await self._session.flush()
        inquiry.id = row.id
        inquiry.updated_at = row.updated_at
        return inquiry

    async def get(self, inquiry_id: int) -> Inquiry | None:
        row = await self._session.get(InquiryRow, inquiry_id, populate_existing=True)
        return _to_inquiry(row) if row else None

    async def by_external_id(self, channel: Channel, external_id: str) -> Inquiry | None:
        row = await self._session.scalar(
            select(InquiryRow).where(
                InquiryRow.channel == channel.value, InquiryRow.external_id == external_id
            )
        )
        return _to_inquiry(row) if row else None

    async def save(self, inquiry: Inquiry, *, was: InquiryState) -> None:
        """A conditional UPDATE: on PostgreSQL a concurrent writer's UPDATE waits for the first to commit,
        then finds the state moved on and matches no row; SQLite writers are serialised anyway."""
        row = InquiryRow()
        _fill(row, inquiry)
        values = {c.key: getattr(row, c.key) for c in InquiryRow.__table__.columns if c.key != "id"}
        result = await self._session.execute(
            update(InquiryRow)
            .where(InquiryRow.id == inquiry.id, InquiryRow.state == was.value)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            if await self._session.get(InquiryRow, inquiry.id) is None:
                raise LookupError(f"no inquiry {inquiry.id}")
            raise ConcurrentChange(f"inquiry {inquiry.id} is no longer {was.value}")

    async def progress(self, inquiry_id: int, *, step: int, answers: dict[str, str], at: datetime) -> None:
        await self._session.execute(
            update(InquiryRow)
            .where(InquiryRow.id == inquiry_id)
            .values(step=step, answers=dict(answers), updated_at=at)
            .execution_options(synchronize_session=False)
        )

    async def for_deal(self, deal_id: int) -> list[Inquiry]:
        rows = await self._session.scalars(
            select(InquiryRow).where(InquiryRow.deal_id == deal_id).order_by(InquiryRow.id)
        )
        return [_to_inquiry(r) for r in rows]
