"""What `/metrics` reads from the database at scrape time (README.md, "Health and metrics"): the work
waiting (the inbox's updates not handled yet, the outbox's notices due and not sent, the timers due),
its oldest item, and the leads by channel. Read here rather than counted in memory, they are the same
from every worker process and survive restarts.

The waiting work is one statement of scalar subqueries, each a range of an index
(tests/integration/test_operations_figures.py reads the plans): `ix_inbox_state_id`,
`ix_outbox_state_next`, the timers' partial `ix_timers_pending_next_try`. So a scrape costs as much as
there is work waiting, not as much as the tables hold. Counting leads reads the whole deals table (no
index has `channel` first), which is why the metrics read it less often (bot/observability/
database_figures.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.inbox_repository import PENDING as INBOX_PENDING
from storage.inbox_repository import SET_ASIDE
from storage.outbox_repository import PENDING as OUTBOX_PENDING
from storage.outbox_repository import SENDING
from storage.tables import REAL_DEAL, DealRow, InboxRow, OutboxRow, TimerRow
from storage.timer_repository import PENDING_ONLY


@dataclass(frozen=True)
class Backlog:
    waiting: int
    oldest: datetime | None  # when the oldest waiting item came (inbox) or fell due (outbox, timers)


@dataclass(frozen=True)
class WaitingWork:
    inbox: Backlog  # updates stored and not handled yet
    inbox_set_aside: int  # updates that kept failing, kept for a person to look at
    outbox: Backlog  # notices due and not sent (a sender's lease run out counts as due)
    timers: Backlog  # timers due and not fired


class OperationsFigures:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def ping(self) -> None:
        """A trivial read: raises while the database cannot be reached."""
        async with self._sessions() as session:
            await session.execute(select(1))

    async def waiting_work(self, *, now: datetime) -> WaitingWork:
        async with self._sessions() as session:
            row = (await session.execute(waiting_work_query(now=now))).one()
        return WaitingWork(
            inbox=Backlog(row.inbox_waiting, row.inbox_oldest),
            inbox_set_aside=row.inbox_set_aside,
            outbox=Backlog(row.outbox_waiting, row.outbox_oldest),
            timers=Backlog(row.timers_waiting, row.timers_oldest),
        )

    async def leads_by_channel(self) -> dict[str, int]:
        """Deals created, by the channel their lead came through (telegram, site); a staff member's
        /preview is no lead."""
        async with self._sessions() as session:
            rows = (await session.execute(leads_query())).all()
        return {str(channel): int(leads) for channel, leads in rows}


def waiting_work_query(*, now: datetime) -> Select[Any]:
    inbox_pending = InboxRow.state == INBOX_PENDING
    outbox_due = (OutboxRow.state.in_((OUTBOX_PENDING, SENDING)), OutboxRow.next_attempt_at <= now)
    timers_due = (PENDING_ONLY, TimerRow.next_try_at <= now)
    return select(
        select(func.count()).select_from(InboxRow).where(inbox_pending).scalar_subquery().label("inbox_waiting"),
        # Telegram numbers updates in the order it has them: the lowest pending one came first, and the
        # index gives it without visiting the others.
        select(InboxRow.received_at).where(inbox_pending).order_by(InboxRow.update_id).limit(1)
        .scalar_subquery().label("inbox_oldest"),
        select(func.count()).select_from(InboxRow).where(InboxRow.state == SET_ASIDE).scalar_subquery()
        .label("inbox_set_aside"),
        select(func.count()).select_from(OutboxRow).where(*outbox_due).scalar_subquery().label("outbox_waiting"),
        select(func.min(OutboxRow.next_attempt_at)).where(*outbox_due).scalar_subquery().label("outbox_oldest"),
        select(func.count()).select_from(TimerRow).where(*timers_due).scalar_subquery().label("timers_waiting"),
        select(func.min(TimerRow.next_try_at)).where(*timers_due).scalar_subquery().label("timers_oldest"),
    )  # fmt: skip


def leads_query() -> Select[str, int]:
    return select(DealRow.channel, func.count()).where(REAL_DEAL).group_by(DealRow.channel)
