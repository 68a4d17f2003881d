"""The outbox: written inside a unit of work, drained by the notifier in transactions of its own."""

from __future__ import annotations

from collections.abc import Collection, Iterable
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
    """One notice to send; with `followers`, the notices of the same kind that waited right behind it
    for the same chat, claimed with it to go out as one merged message."""

    id: int
    chat_id: int
    kind: str
    data: dict[str, Any]
    locale: str | None
    attempts: int
    leased_until: datetime | None = None
    followers: tuple[OutboxItem, ...] = ()

    @property
    def ids(self) -> list[int]:
        return [self.id, *(f.id for f in self.followers)]

    @property
    def group(self) -> list[OutboxItem]:
        return [self, *self.followers]


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

    async def claim_due(
        self, *, now: datetime, lease: timedelta, limit: int = 50, merging: Collection[str] = (),
        merge_from: int = 5, max_merged: int = 200,
    ) -> list[OutboxItem]:  # fmt: skip
        """Due items, at most one per chat: the oldest one not yet settled. A chat's messages so keep
        their order across batches, retries, processes and restarts (a later one never overtakes an
        earlier one that is waiting for a retry or leased by a sender).

        A head whose kind is in `merging` is claimed with the due items of the same kind that wait right
        behind it in its chat (up to `max_merged`), as its `followers`, when there are at least
        `merge_from` of them in all: many new leads or alerts for one person go out as one message
        rather than one a second (a few go one by one, each with its own buttons)."""
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
                    head = _item(row, now + lease)
                    if row.kind in merging:
                        followers = await _claim_followers(
                            session, head, now=now, limit=max_merged, at_least=merge_from - 1
                        )
                        head = replace(head, followers=followers)
                    claimed.append(head)
            await session.commit()
            return claimed

    async def renew(self, item: OutboxItem, *, now: datetime, lease: timedelta) -> OutboxItem | None:
        """Just before an item is sent: its lease starts afresh, if it is still this sender's (nobody
        claimed it after the lease ran out). So a lease covers one send, not a whole batch, and can be
        short: an item whose sender died mid-send holds its chat back only that long. Of a merged
        group, the followers still this sender's stay with it; the head must be."""
        until = now + lease
        async with self._sessions() as session:
            renewed = set(
                await session.scalars(
                    update(OutboxRow)
                    .where(
                        OutboxRow.id.in_(item.ids),
                        OutboxRow.state == SENDING,
                        OutboxRow.next_attempt_at == item.leased_until,
                    )
                    .values(next_attempt_at=until)
                    .returning(OutboxRow.id)
                    .execution_options(synchronize_session=False)
                )
            )
            await session.commit()
        if item.id not in renewed:
            return None
        followers = tuple(replace(f, leased_until=until) for f in item.followers if f.id in renewed)
        return replace(item, leased_until=until, followers=followers)

    async def release(self, item_ids: Iterable[int], *, now: datetime) -> None:
        """Give back claimed items that were not started (the bot is stopping): due again at once."""
        await self._set(item_ids, state=PENDING, next_attempt_at=now, error="released at shutdown")

    async def mark_sent(self, item_ids: int | Iterable[int], *, now: datetime) -> None:
        await self._set(item_ids, state=SENT, sent_at=now, error=None)

    async def retry_at(self, item_ids: int | Iterable[int], *, at: datetime, error: str) -> None:
        await self._set(item_ids, state=PENDING, next_attempt_at=at, error=error[:1000])

    async def mark_failed(self, item_ids: int | Iterable[int], *, error: str) -> None:
        await self._set(item_ids, state=FAILED, error=error[:1000])

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

    async def _set(self, item_ids: int | Iterable[int], **values: Any) -> None:
        ids = [item_ids] if isinstance(item_ids, int) else list(item_ids)
        if not ids:
            return
        async with self._sessions() as session:
            await session.execute(update(OutboxRow).where(OutboxRow.id.in_(ids)).values(**values))
            await session.commit()


def _item(row: OutboxRow, leased_until: datetime) -> OutboxItem:
    return OutboxItem(
        row.id, row.chat_id, row.kind, dict(row.data), row.locale, row.attempts + 1, leased_until
    )


async def _claim_followers(
    session: AsyncSession, head: OutboxItem, *, now: datetime, limit: int, at_least: int
) -> tuple[OutboxItem, ...]:
    """The due items of the head's kind right behind it in its chat, up to the first of another kind
    (merging across it would reorder the chat), leased with the head; none unless `at_least` wait."""
    assert head.leased_until is not None
    rows = (
        await session.scalars(
            select(OutboxRow)
            .where(OutboxRow.chat_id == head.chat_id, OutboxRow.id > head.id)
            .where(OutboxRow.state.in_((PENDING, SENDING)))
            .order_by(OutboxRow.id)
            .limit(limit)
        )
    ).all()
    run = []
    for row in rows:
        if row.kind != head.kind or row.state != PENDING or row.next_attempt_at > now:
            break
        run.append(row)
    if not run or len(run) < at_least:
        return ()
    await session.execute(
        update(OutboxRow)
        .where(OutboxRow.id.in_([r.id for r in run]), OutboxRow.state == PENDING)
        .values(state=SENDING, next_attempt_at=head.leased_until, attempts=OutboxRow.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return tuple(_item(row, head.leased_until) for row in run)
