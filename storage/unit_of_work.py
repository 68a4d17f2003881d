"""The unit of work: one transaction over every repository; rolls back unless told to commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.ports import (
    BreachRepository,
    ContactRepository,
    DealRepository,
    EventRepository,
    InviteRepository,
    MessageLinkRepository,
    MessageRepository,
    Outbox,
    StaffRepository,
    TimerRepository,
    UnreachableRepository,
)
from storage.breach_repository import SqlBreachRepository, SqlUnreachableRepository
from storage.contact_repository import SqlContactRepository
from storage.deal_repository import SqlDealRepository
from storage.history_repository import SqlEventRepository, SqlMessageRepository
from storage.outbox_repository import SqlOutbox
from storage.staff_repository import SqlStaffRepository
from storage.tables import ProcessedUpdateRow
from storage.team_repository import SqlInviteRepository, SqlMessageLinkRepository
from storage.timer_repository import SqlTimerRepository


class SqlUnitOfWork:
    """Implements `domain.ports.UnitOfWork`.

    `after_commit` is called after a commit that wrote to the outbox (the notifier is woken up), and
    `after_timers` after one that wrote timers (the scheduler looks again when the next one is due).
    `mark_update()` makes the next commit also record a Telegram update as handled, in the same
    transaction as its effects: a crash before the commit means the update is handled again, and a
    concurrent second delivery fails on the primary key and rolls back whole.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        after_commit: Callable[[], None] | None = None,
        after_timers: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._after_commit = after_commit
        self._after_timers = after_timers
        self._session: AsyncSession | None = None
        self._pending_update: tuple[int, datetime] | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        session = self._session = self._sessions()
        self.staff: StaffRepository = SqlStaffRepository(session)
        self.contacts: ContactRepository = SqlContactRepository(session)
        self.deals: DealRepository = SqlDealRepository(session)
        self.events: EventRepository = SqlEventRepository(session)
        self.messages: MessageRepository = SqlMessageRepository(session)
        self._timers = SqlTimerRepository(session)
        self.timers: TimerRepository = self._timers
        self.breaches: BreachRepository = SqlBreachRepository(session)
        self.unreachable: UnreachableRepository = SqlUnreachableRepository(session)
        self.invites: InviteRepository = SqlInviteRepository(session)
        self.links: MessageLinkRepository = SqlMessageLinkRepository(session)
        self._outbox = SqlOutbox(session)
        self.outbox: Outbox = self._outbox
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self._require_session()
        try:
            await session.rollback()
        finally:
            await session.close()
            self._session = None

    def mark_update(self, update_id: int, *, now: datetime) -> None:
        self._pending_update = (update_id, now)

    async def update_seen(self, update_id: int) -> bool:
        """Whether this update was handled already. Ends the transaction it reads in."""
        session = self._require_session()
        found = await session.scalar(
            select(ProcessedUpdateRow.update_id).where(ProcessedUpdateRow.update_id == update_id)
        )
        await session.rollback()
        return found is not None

    @property
    def in_transaction(self) -> bool:
        return self._session is not None and self._session.in_transaction()

    @property
    def has_update_to_mark(self) -> bool:
        return self._pending_update is not None

    async def commit(self) -> None:
        session = self._require_session()
        if self._pending_update is not None:
            update_id, at = self._pending_update
            session.add(ProcessedUpdateRow(update_id=update_id, at=at))
            self._pending_update = None
        await session.commit()
        if self._outbox.written:
            self._outbox.written = False
            if self._after_commit is not None:
                self._after_commit()
        if self._timers.written:
            self._timers.written = False
            if self._after_timers is not None:
                self._after_timers()

    async def rollback(self) -> None:
        await self._require_session().rollback()
        self._outbox.written = False
        self._timers.written = False

    def _require_session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside `async with`")
        return self._session
