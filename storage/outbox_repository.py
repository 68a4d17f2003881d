"""The outbox: written inside a unit of work, drained by the notifier in transactions of its own."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from domain.models import Notice
from storage.tables import OutboxRow

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


class SqlOutbox:
    """The unit of work's side: add a notice in the same transaction as the change that caused it."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.written = False

    async def add(self, notice: Notice, *, now: datetime) -> None:
        self._session.add(
            OutboxRow(
                chat_id=notice.chat_id,
                kind=notice.kind,
                data=dict(notice.data),
                locale=notice.locale,
                state=PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        await self._session.flush()
        self.written = True

    async def waiting_for(self, chat_id: int, *, queued_by: datetime) -> bool:
        found = await self._session.scalar(
            select(OutboxRow.id)
            .where(OutboxRow.chat_id == chat_id, OutboxRow.state.in_((PENDING, SENDING)))
            .where(OutboxRow.created_at <= queued_by)
            .limit(1)
        )
        return found is not None


@dataclass(frozen=True)
class OutboxItem:
    id: int
    chat_id: int
    kind: str
    data: dict[str, Any]
    locale: str | None
    attempts: int
    leased_until: datetime | None = None


def _chat_head() -> Any:
    """The row is its chat's oldest one not yet settled (sent or failed for good)."""
    earlier = aliased(OutboxRow)
    return ~exists().where(
        earlier.chat_id == OutboxRow.chat_id, earlier.id < OutboxRow.id, earlier.state.in_((PENDING, SENDING))
    )


class OutboxQueue:
    """The notifier's side. Claiming locks due rows (PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent
    senders take different rows) and moves them with a compare-and-set on `next_attempt_at`, so with
    several processes each item is sent by one; a claim is a lease, and an item whose sender died mid-send is
    claimed again when the lease runs out (the only way an item can be sent twice)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def claim_due(self, *, now: datetime, lease: timedelta, limit: int = 50) -> list[OutboxItem]:
        """Due items, at most one per chat: the oldest one not yet settled. A chat's messages so keep
        their order across batches, retries, processes and restarts (a later one never overtakes an
        earlier one that is waiting for a retry or leased by a sender)."""
        async with self._sessions() as session:
            rows = (
                await session.scalars(
                    select(OutboxRow)
                    .where(OutboxRow.state.in_((PENDING, SENDING)), OutboxRow.next_attempt_at <= now)
                    .where(_chat_head())
                    .order_by(OutboxRow.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)  # PostgreSQL; SQLite's IMMEDIATE lock serialises
                )
            ).all()
            claimed = []
            for row in rows:
                result = await session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == row.id, OutboxRow.next_attempt_at == row.next_attempt_at)
                    .where(or_(OutboxRow.state == PENDING, OutboxRow.state == SENDING))
                    .values(state=SENDING, next_attempt_at=now + lease, attempts=OutboxRow.attempts + 1)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(
                        OutboxItem(
                            row.id, row.chat_id, row.kind, dict(row.data), row.locale, row.attempts + 1,
                            now + lease,
                        )
                    )  # fmt: skip
            await session.commit()
            return claimed

    async def renew(self, item: OutboxItem, *, now: datetime, lease: timedelta) -> OutboxItem | None:
        """Just before an item is sent: its lease starts afresh, if it is still this sender's (nobody
        claimed it after the lease ran out). So a lease covers one send, not a whole batch, and can be
        short: an item whose sender died mid-send holds its chat back only that long."""
        until = now + lease
        async with self._sessions() as session:
            result = await session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.id == item.id,
                    OutboxRow.state == SENDING,
                    OutboxRow.next_attempt_at == item.leased_until,
                )
                .values(next_attempt_at=until)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return replace(item, leased_until=until)

    async def release(self, item_ids: list[int], *, now: datetime) -> None:
        """Give back claimed items that were not started (the bot is stopping): due again at once."""
        for item_id in item_ids:
            await self._set(item_id, state=PENDING, next_attempt_at=now, error="released at shutdown")

    async def mark_sent(self, item_id: int, *, now: datetime) -> None:
        await self._set(item_id, state=SENT, sent_at=now, error=None)

    async def retry_at(self, item_id: int, *, at: datetime, error: str) -> None:
        await self._set(item_id, state=PENDING, next_attempt_at=at, error=error[:1000])

    async def mark_failed(self, item_id: int, *, error: str) -> None:
        await self._set(item_id, state=FAILED, error=error[:1000])

    async def progress(self, item_id: int, *, done: int, data: dict[str, Any]) -> None:
        """Record that the first `done` parts of a multi-part notice went out (not re-sent on retry)."""
        await self._set(item_id, data={**data, "_done": done})

    async def next_due_at(self) -> datetime | None:
        """When the next item can be claimed: only a chat's oldest unsettled item counts (a later one is
        not claimed before it, so its own due time would only wake the sender for nothing)."""
        async with self._sessions() as session:
            return await session.scalar(
                select(OutboxRow.next_attempt_at)
                .where(OutboxRow.state.in_((PENDING, SENDING)), _chat_head())
                .order_by(OutboxRow.next_attempt_at)
                .limit(1)
            )

    async def _set(self, item_id: int, **values: Any) -> None:
        async with self._sessions() as session:
            await session.execute(update(OutboxRow).where(OutboxRow.id == item_id).values(**values))
            await session.commit()
