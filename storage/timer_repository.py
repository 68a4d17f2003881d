"""Timers: written by use cases, claimed and fired once by the scheduler.

Every write keeps `next_try_at` equal to coalesce(retry_at, due_at): the scheduler's questions (what is
due, when is the next one) are then one range of the partial index `ix_timers_pending_next_try`
(storage/tables.py says why a column rather than an expression index).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.models import Timer
from storage.tables import TimerRow

PENDING, FIRED, CANCELLED, FAILED = "pending", "fired", "cancelled", "failed"
# The partial index's own predicate, spelled as the index spells it: a bound parameter would not let the
# planners prove that only pending timers are asked for, and they would pass the index by.
PENDING_ONLY = text("timers.state = 'pending'")


def _timer(row: TimerRow) -> Timer:
    return Timer(row.kind, row.subject_id, row.due_at, row.state, dict(row.payload), row.id, row.key)


def _row(timer: Timer) -> TimerRow:
    return TimerRow(
        kind=timer.kind, subject_id=timer.subject_id, due_at=timer.due_at, state=timer.state,
        payload=dict(timer.payload), key=timer.key, late=False, attempts=0, next_try_at=timer.due_at,
    )  # fmt: skip


class SqlTimerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.written = False  # the unit of work tells the scheduler after the commit

    async def add(self, timer: Timer) -> None:
        self._session.add(_row(timer))
        await self._session.flush()
        self.written = True

    async def add_once(self, timer: Timer) -> bool:
        assert timer.key is not None, "add_once needs a key"
        if await self._session.scalar(select(TimerRow.id).where(TimerRow.key == timer.key)) is not None:
            return False
        try:
            async with self._session.begin_nested():  # another process may add the same key meanwhile
                self._session.add(_row(timer))
        except IntegrityError:
            return False
        self.written = True
        return True

    async def cancel(self, *, subject_id: int, kinds: tuple[str, ...]) -> int:
        result = await self._session.execute(
            update(TimerRow)
            .where(TimerRow.subject_id == subject_id, TimerRow.kind.in_(kinds), TimerRow.state == PENDING)
            .values(state=CANCELLED, key=None)  # a cancelled timer does not hold its key
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def pending_for(self, subject_id: int) -> list[Timer]:
        rows = await self._session.scalars(
            select(TimerRow)
            .where(TimerRow.subject_id == subject_id, TimerRow.state == PENDING)
            .order_by(TimerRow.due_at)
        )
        return [_timer(r) for r in rows]

    async def pending_of_kind(self, kind: str) -> list[Timer]:
        rows = await self._session.scalars(
            select(TimerRow).where(TimerRow.kind == kind, TimerRow.state == PENDING).order_by(TimerRow.due_at)
        )
        return [_timer(r) for r in rows]

    async def claim(self, timer_id: int, *, now: datetime, late_before: datetime) -> Timer | None:
        # PostgreSQL: a row another process is firing is locked; skip it rather than wait (it is theirs,
        # or pending again if they fail). SQLite lets one writer in at a time, so the lock is moot there.
        locked = await self._session.scalar(
            select(TimerRow.id)
            .where(TimerRow.id == timer_id, TimerRow.state == PENDING)
            .with_for_update(skip_locked=True)
        )
        if locked is None:
            return None
        # The conditional UPDATE is the claim itself: it finds the row still pending, or changes nothing.
        row = (
            await self._session.execute(
                update(TimerRow)
                .where(TimerRow.id == timer_id, TimerRow.state == PENDING)
                .values(state=FIRED, fired_at=now, late=TimerRow.due_at < late_before)
                .returning(TimerRow)
                .execution_options(synchronize_session=False)
            )
        ).scalar_one_or_none()
        return None if row is None else _timer(row)


class TimerQueue:
    """The scheduler's side: what is due, when the next one is, and failed firings put off."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def due(self, *, now: datetime, limit: int) -> list[int]:
        """Ids of pending timers due by `now` (or, after a failed firing, by their retry time), earliest
        first; claiming happens as each is fired."""
        async with self._sessions() as session:
            rows = await session.scalars(due_query(now=now, limit=limit))
            return list(rows)

    async def next_due_at(self) -> datetime | None:
        """When the earliest pending timer may be fired; None when none is pending."""
        async with self._sessions() as session:
            return await session.scalar(next_due_query())

    async def put_off(
        self, timer_id: int, *, after: timedelta, now: datetime, error: str, give_up: int
    ) -> None:
        """A firing failed (a bug, the database): try it again later, or give up after `give_up` tries
        so one bad timer never blocks the rest."""
        async with self._sessions() as session:
            row = await session.scalar(
                select(TimerRow).where(TimerRow.id == timer_id, TimerRow.state == PENDING).with_for_update()
            )
            if row is None:  # fired by another process meanwhile, or cancelled: nothing to put off
                return
            row.attempts += 1
            row.error = error[:1000]
            if row.attempts >= give_up:
                row.state, row.key = FAILED, None
            else:
                row.retry_at = row.next_try_at = now + after
            await session.commit()


def due_query(*, now: datetime, limit: int) -> Select[int]:
    """`TimerQueue.due`'s statement (tests/integration/test_query_plans.py reads its plan)."""
    return (
        select(TimerRow.id)
        .where(PENDING_ONLY, TimerRow.next_try_at <= now)
        .order_by(TimerRow.next_try_at, TimerRow.id)
        .limit(limit)
    )


def next_due_query() -> Select[datetime]:
    return select(TimerRow.next_try_at).where(PENDING_ONLY).order_by(TimerRow.next_try_at).limit(1)
