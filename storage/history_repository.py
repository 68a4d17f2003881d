"""Deal events (the audit trail) and the communication history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import ChatMessage, DealEvent, Direction, EventKind
from storage.tables import DealEventRow, MessageRow


def _to_event(r: DealEventRow) -> DealEvent:
    return DealEvent(r.deal_id, EventKind(r.kind), r.at, r.actor_id, dict(r.data), r.id)


class SqlEventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, event: DealEvent) -> None:
        self._session.add(
            DealEventRow(
                deal_id=event.deal_id,
                kind=event.kind.value,
                actor_id=event.actor_id,
                at=event.at,
                data=dict(event.data),
            )
        )
        await self._session.flush()

    async def for_deal(self, deal_id: int, *, limit: int = 50) -> list[DealEvent]:
        rows = await self._session.scalars(
            select(DealEventRow).where(DealEventRow.deal_id == deal_id).order_by(DealEventRow.id).limit(limit)
        )
        return [_to_event(r) for r in rows]

    async def latest(self, deal_id: int, *, limit: int) -> list[DealEvent]:
        """The newest `limit` events, oldest first."""
        rows = await self._session.scalars(
            select(DealEventRow)
            .where(DealEventRow.deal_id == deal_id)
            .order_by(DealEventRow.id.desc())
            .limit(limit)
        )
        return [_to_event(r) for r in reversed(list(rows))]

    async def next_to(self, deal_id: int, event_id: int, *, forward: bool, limit: int) -> list[DealEvent]:
        """A history page by keyset on `ix_deal_events_deal_id` (deal_id, id): never the events ahead."""
        beyond = DealEventRow.id > event_id if forward else DealEventRow.id < event_id
        order = DealEventRow.id if forward else DealEventRow.id.desc()
        rows = list(
            await self._session.scalars(
                select(DealEventRow)
                .where(DealEventRow.deal_id == deal_id, beyond)
                .order_by(order)
                .limit(limit)
            )
        )
        return [_to_event(r) for r in (rows if forward else reversed(rows))]

    async def count_around(self, deal_id: int, *, first_id: int, last_id: int) -> tuple[int, int]:
        earlier = func.count().filter(DealEventRow.id < first_id)
        later = func.count().filter(DealEventRow.id > last_id)
        row = (
            await self._session.execute(select(earlier, later).where(DealEventRow.deal_id == deal_id))
        ).one()
        return int(row[0]), int(row[1])


class SqlMessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, message: ChatMessage) -> None:
        self._session.add(
            MessageRow(
                deal_id=message.deal_id,
                direction=message.direction.value,
                kind=message.kind,
                text=message.text,
                chat_id=message.chat_id,
                telegram_message_id=message.telegram_message_id,
                author_id=message.author_id,
                at=message.at,
            )
        )
        await self._session.flush()

    async def for_deal(self, deal_id: int, *, limit: int = 50) -> list[ChatMessage]:
        rows = await self._session.scalars(
            select(MessageRow).where(MessageRow.deal_id == deal_id).order_by(MessageRow.id).limit(limit)
        )
        return [
            ChatMessage(
                r.deal_id,
                Direction(r.direction),
                r.kind,
                r.at,
                r.text,
                r.chat_id,
                r.telegram_message_id,
                r.author_id,
                r.id,
            )
            for r in rows
        ]

    async def count_in_since(self, deal_id: int, *, since: datetime) -> int:
        """By the deal's index: a deal's messages are few (hundreds at most)."""
        return int(
            await self._session.scalar(
                select(func.count())
                .select_from(MessageRow)
                .where(MessageRow.deal_id == deal_id, MessageRow.direction == Direction.IN.value)
                .where(MessageRow.at >= since)
            )
            or 0
        )
