"""The outbox as the notifier drains it, in transactions of its own: the head notice of each chat claimed
under a lease (several of a mergeable kind together), renewed before each send, then marked sent, put
off or failed. What a unit of work writes into it is in `storage/outbox_repository.py`."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from domain.notice_kinds import NoticeKind, stored_kind
from domain.outbox_turns import NORMAL
from storage.outbox_repository import FAILED, PENDING, SENDING, SENT
from storage.tables import OutboxRow


@dataclass(frozen=True)
class OutboxItem:
    """One notice to send; with `followers`, the notices of the same kind that waited right behind it
    for the same chat, claimed with it to go out as one merged message."""

    id: int
    chat_id: int
    kind: NoticeKind | str  # a str only for a kind this version does not know (see `stored_kind`)
    data: dict[str, Any]
    locale: str | None
    attempts: int
    leased_until: datetime | None = None
    followers: tuple[OutboxItem, ...] = ()
    priority: int = NORMAL

    @property
    def ids(self) -> list[int]:
        return [self.id, *(f.id for f in self.followers)]

    @property
    def group(self) -> list[OutboxItem]:
        return [self, *self.followers]


def _chat_head() -> Any:
    """The row is its chat's first one not yet settled (sent or failed for good) in turn order:
    (priority, id), see domain/outbox_turns.py."""
    earlier = aliased(OutboxRow)
    return ~exists().where(
        earlier.chat_id == OutboxRow.chat_id,
        earlier.state.in_((PENDING, SENDING)),
        _before(earlier, OutboxRow.priority, OutboxRow.id),
    )


def _before(row: Any, priority: Any, row_id: Any) -> Any:
    """`row` comes before (priority, row_id) in its chat's turn order."""
    return or_(row.priority < priority, and_(row.priority == priority, row.id < row_id))


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
        """Due items, at most one per chat: the first one not yet settled in the chat's turn order,
        (priority, id): relayed client messages after every other notice, each kind in the order
        queued, and a deal's notices in their order (see domain/outbox_turns.py). A chat's messages so
        keep that order across batches, retries, processes and restarts (a later one never overtakes an
        earlier one that is waiting for a retry or leased by a sender). Normal notices are claimed
        before chatter across chats too.

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
                    .order_by(OutboxRow.priority, OutboxRow.id)
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

    async def take_back_all(self, *, now: datetime) -> int:
        """At the start of the only process (no other can hold a lease): what a killed run had claimed is
        due again at once, rather than when its lease runs out (a person waiting two minutes for their
        confirmation would send the form again). Sent twice only if Telegram had taken it already, as
        the lease running out would have sent it again too."""
        async with self._sessions() as session:
            result = await session.execute(
                update(OutboxRow)
                .where(OutboxRow.state == SENDING)
                .values(state=PENDING, next_attempt_at=now, error="taken back at start")
            )
            await session.commit()
            return int(result.rowcount)  # type: ignore[attr-defined]

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
        """When the next item can be claimed: only a chat's first unsettled item in turn order counts (a
        later one is not claimed before it, so its own due time would only wake the sender for nothing)."""
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
        row.id, row.chat_id, stored_kind(row.kind), dict(row.data), row.locale, row.attempts + 1,
        leased_until, priority=row.priority,
    )  # fmt: skip


async def _claim_followers(
    session: AsyncSession, head: OutboxItem, *, now: datetime, limit: int, at_least: int
) -> tuple[OutboxItem, ...]:
    """The due items of the head's kind right behind it in its chat's turn order, up to the first of
    another kind (merging across it would reorder the chat), leased with the head; none unless
    `at_least` wait."""
    assert head.leased_until is not None
    behind = ~_before(OutboxRow, head.priority, head.id) & (OutboxRow.id != head.id)
    rows = (
        await session.scalars(
            select(OutboxRow)
            .where(OutboxRow.chat_id == head.chat_id, behind)
            .where(OutboxRow.state.in_((PENDING, SENDING)))
            .order_by(OutboxRow.priority, OutboxRow.id)
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
