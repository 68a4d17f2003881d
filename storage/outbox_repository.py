"""The outbox as a unit of work writes it: a notice queued with the change that causes it, a client's
messages joined into the relay still waiting, a deal's chatter raised before its next notice. The
notifier drains it through `storage/outbox_queue.py`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Notice
from domain.notice_kinds import NoticeKind
from domain.outbox_turns import CHATTER, NORMAL, deal_of, priority_of
from domain.relay_batches import merged_relay
from storage.tables import OutboxRow

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
_RELAY = NoticeKind.PROSPECT_MESSAGE  # a client's messages, batched (see `add_relay`)
_RELAY_COLUMNS = (
    *(OutboxRow.id, OutboxRow.kind, OutboxRow.state, OutboxRow.attempts),
    *(OutboxRow.next_attempt_at, OutboxRow.created_at, OutboxRow.data),
)


class SqlOutbox:
    """The unit of work's side: add a notice in the same transaction as the change that caused it."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.written = False

    async def add(self, notice: Notice, *, now: datetime) -> None:
        priority, deal_id = priority_of(notice.kind), deal_of(notice.data)
        if priority == NORMAL and deal_id is not None:
            await self._raise_chatter(notice.chat_id, deal_id, now=now)
        await self._insert(notice, dict(notice.data), now=now, due=now)

    async def add_relay(self, notice: Notice, *, now: datetime, every: timedelta) -> None:
        """See `domain.ports.Outbox.add_relay`. The deal's latest notice for the chat is locked
        (PostgreSQL; SQLite's write lock serialises) and joined only if it is a relay still pending and
        never claimed, with a compare-and-set on its state and due time: a sender claiming it at that
        moment either wins (the message goes into a new relay) or waits for this transaction."""
        deal_id = deal_of(notice.data)
        assert deal_id is not None, "a relay names its deal"
        latest = (
            await self._session.execute(
                select(*_RELAY_COLUMNS)
                .where(OutboxRow.chat_id == notice.chat_id, OutboxRow.deal_id == deal_id)
                .order_by(OutboxRow.id.desc())
                .limit(1)
                .with_for_update()
            )
        ).first()
        if latest is not None and latest.kind == _RELAY and latest.state == PENDING and latest.attempts == 0:
            merged = merged_relay(latest.data, notice.data)
            if merged is not None:
                joined = await self._session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == latest.id, OutboxRow.state == PENDING, OutboxRow.attempts == 0)
                    .where(OutboxRow.next_attempt_at == latest.next_attempt_at)
                    .values(data=merged)
                    .execution_options(synchronize_session=False)
                )
                if joined.rowcount == 1:  # type: ignore[attr-defined]
                    self.written = True
                    return
        previous = (
            latest
            if latest is not None and latest.kind == _RELAY
            else await self._last_relay(notice.chat_id, deal_id)
        )
        due = now
        if previous is not None:
            turn = previous.data.get("_turn")
            last_turn = datetime.fromisoformat(turn) if isinstance(turn, str) else previous.created_at
            due = max(now, last_turn + every)
        await self._insert(notice, {**notice.data, "_turn": due.isoformat()}, now=now, due=due)

    async def _last_relay(self, chat_id: int, deal_id: int) -> Any:
        return (
            await self._session.execute(
                select(OutboxRow.created_at, OutboxRow.data)
                .where(OutboxRow.chat_id == chat_id, OutboxRow.deal_id == deal_id, OutboxRow.kind == _RELAY)
                .order_by(OutboxRow.id.desc())
                .limit(1)
            )
        ).first()

    async def _raise_chatter(self, chat_id: int, deal_id: int, *, now: datetime) -> None:
        """A normal notice about the deal is coming: the deal's chatter waiting for the chat goes at
        normal priority (before it, as before), and a relay held for batching is due now (it must not
        hold back the normal notices of other deals behind it)."""
        mine = (
            OutboxRow.chat_id == chat_id,
            OutboxRow.deal_id == deal_id,
            OutboxRow.priority == CHATTER,
            OutboxRow.state.in_((PENDING, SENDING)),
        )
        await self._session.execute(
            update(OutboxRow)
            .where(
                *mine, OutboxRow.state == PENDING, OutboxRow.attempts == 0, OutboxRow.next_attempt_at > now
            )
            .values(next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        await self._session.execute(
            update(OutboxRow)
            .where(*mine)
            .values(priority=NORMAL)
            .execution_options(synchronize_session=False)
        )

    async def _insert(self, notice: Notice, data: dict[str, Any], *, now: datetime, due: datetime) -> None:
        self._session.add(
            OutboxRow(
                chat_id=notice.chat_id,
                kind=notice.kind,
                priority=priority_of(notice.kind),
                deal_id=deal_of(notice.data),
                data=data,
                locale=notice.locale,
                state=PENDING,
                attempts=0,
                next_attempt_at=due,
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
