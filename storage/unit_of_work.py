"""The unit of work: one transaction over every repository; rolls back unless told to commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from types import TracebackType

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.ports import (
    BreachRepository,
    ContactRepository,
    DealRepository,
    EventRepository,
    ExportRows,
    FunnelFigures,
    InquiryRepository,
    InviteRepository,
    MessageLinkRepository,
    MessageRepository,
    Outbox,
    StaffRepository,
    StageVisitRepository,
    TeamFigures,
    TimerRepository,
    UnreachableRepository,
)
from storage.breach_repository import SqlBreachRepository
from storage.contact_repository import SqlContactRepository
from storage.deal_repository import SqlDealRepository
from storage.fsm_repository import ConversationCache, SqlConversations
from storage.history_repository import SqlEventRepository, SqlMessageRepository
from storage.inbox_repository import set_aside_statement
from storage.inquiry_repository import SqlInquiryRepository
from storage.message_link_repository import SqlMessageLinkRepository
from storage.outbox_repository import SqlOutbox
from storage.reports.export_rows import SqlExportRows
from storage.reports.funnel_figures import SqlFunnelFigures
from storage.reports.stage_visit_repository import SqlStageVisitRepository
from storage.reports.team_figures import SqlTeamFigures
from storage.staff_repository import SqlInviteRepository, SqlStaffRepository
from storage.tables import Base, InboxRow
from storage.timer_repository import SqlTimerRepository
from storage.unreachable_repository import SqlUnreachableRepository

# Read and written on every update: Core statements, without the ORM's bookkeeping.
_INBOX = Base.metadata.tables[InboxRow.__tablename__]
PENDING, DONE = "pending", "done"


class SqlUnitOfWork:
    """Implements `domain.ports.UnitOfWork`.

    `after_commit` is called after a commit that wrote to the outbox (the notifier is woken up),
    `after_timers` after one that wrote timers (the scheduler looks again when the next one is due),
    and `after_team` after one that changed the team or who cannot be written to (the bot's cached
    roster is read again). `conversations` keeps committed conversation state in memory (one process
    with state in the database; see storage/fsm_repository.py).

    `mark_update()` makes the next commit also mark a Telegram update done in the inbox, in the same
    transaction as its effects and its conversation state: a crash before the commit means the update
    is handled again, and a concurrent second handling finds it done and rolls back whole.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        after_commit: Callable[[], None] | None = None,
        after_timers: Callable[[], None] | None = None,
        after_team: Callable[[], None] | None = None,
        conversations: ConversationCache | None = None,
    ) -> None:
        self._sessions = sessions
        self._conversation_cache = conversations
        self._after_commit = after_commit
        self._after_timers = after_timers
        self._after_team = after_team
        # Writes kept outside the database (conversation state in Redis, bot/redis_state.py) that follow
        # the next commit, or are dropped by a rollback: (write, drop).
        self._after_this_commit: list[tuple[Callable[[], Awaitable[None]], Callable[[], None]]] = []
        self._session: AsyncSession | None = None
        self._pending_update: tuple[int, datetime, bool] | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        session = self._session = self._sessions()
        self._staff = SqlStaffRepository(session)
        self.staff: StaffRepository = self._staff
        self.contacts: ContactRepository = SqlContactRepository(session)
        self.deals: DealRepository = SqlDealRepository(session)
        self.events: EventRepository = SqlEventRepository(session)
        self.messages: MessageRepository = SqlMessageRepository(session)
        self._timers = SqlTimerRepository(session)
        self.timers: TimerRepository = self._timers
        self.breaches: BreachRepository = SqlBreachRepository(session)
        self._unreachable = _WatchedUnreachable(session)
        self.unreachable: UnreachableRepository = self._unreachable
        self.invites: InviteRepository = SqlInviteRepository(session)
        self.inquiries: InquiryRepository = SqlInquiryRepository(session)
        self.links: MessageLinkRepository = SqlMessageLinkRepository(session)
        self.stage_visits: StageVisitRepository = SqlStageVisitRepository(session)
        self.funnel_figures: FunnelFigures = SqlFunnelFigures(session)
        self.team_figures: TeamFigures = SqlTeamFigures(session)
        self.export_rows: ExportRows = SqlExportRows(session)
        self._outbox = SqlOutbox(session)
        self.outbox: Outbox = self._outbox
        self.conversations = SqlConversations(session, self._conversation_cache)
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
            self._forget_writes()

    def mark_update(self, update_id: int, *, now: datetime, stored: bool = False) -> None:
        """`stored`: the update was taken from the inbox, pending (else it gets a done row of its own)."""
        self._pending_update = (update_id, now, stored)

    async def set_aside_update(self, update_id: int, *, now: datetime, error: str) -> None:
        """In this transaction: the update goes out of the way of those behind it (see
        storage/inbox_repository.py)."""
        await self._require_session().execute(set_aside_statement(update_id, now=now, error=error))

    async def update_seen(self, update_id: int) -> bool:
        """Whether this update was handled already, or set aside (a plain read: on SQLite it takes no
        lock)."""
        session = self._require_session()
        state = await session.scalar(select(_INBOX.c.state).where(_INBOX.c.update_id == update_id))
        return state is not None and state != PENDING

    @property
    def has_writes_to_commit(self) -> bool:
        """The update is not recorded as handled yet, or its conversation state changed since the last
        commit: the update's end must commit."""
        return self._pending_update is not None or self.conversations.dirty or bool(self._after_this_commit)

    async def commit(self, *, update_done: bool = True) -> None:
        """Commit; the update marked for this unit of work is marked done with it, unless `update_done`
        is False (a handler saving a step before it replies: the update stays pending, so a crash before
        the reply has the update handled again, and the handler finds the step already taken)."""
        session = self._require_session()
        await self.conversations.flush()
        if self._pending_update is not None and update_done:
            await self._mark_done(session, *self._pending_update)
            self._pending_update = None
        await session.commit()
        self.conversations.committed()
        hooks, self._after_this_commit = self._after_this_commit, []
        for write, _ in hooks:
            await write()
        for written, callback in (
            (self._outbox.written, self._after_commit),
            (self._timers.written, self._after_timers),
            (self._staff.written or self._unreachable.written, self._after_team),
        ):
            if written and callback is not None:
                callback()
        self._forget_writes()

    @staticmethod
    async def _mark_done(session: AsyncSession, update_id: int, at: datetime, stored: bool) -> None:
        """The inbox row goes from pending to done; an update fed without the inbox (a test, the bench)
        gets a done row. Done already (handled meanwhile by another process): nothing is committed."""
        marked = await session.execute(
            update(_INBOX)
            .where(_INBOX.c.update_id == update_id, _INBOX.c.state == PENDING)
            .values(state=DONE, handled_at=at, payload=None, leased_until=None)
        )
        if marked.rowcount == 0:  # type: ignore[attr-defined]
            if stored:
                await session.rollback()
                raise UpdateHandledElsewhere(update_id)
            await session.execute(  # a second one of these fails on the primary key and rolls back
                insert(_INBOX).values(
                    update_id=update_id, kind="unknown", state=DONE, attempts=0, received_at=at, handled_at=at
                )
            )

    async def rollback(self) -> None:
        await self._require_session().rollback()
        self._forget_writes()

    def after_this_commit(self, write: Callable[[], Awaitable[None]], *, dropped: Callable[[], None]) -> None:
        """`write` runs once, right after the next commit; `dropped` instead when the unit of work rolls
        back or ends first. For state kept outside the database, so that it follows the commit."""
        self._after_this_commit.append((write, dropped))

    def _forget_writes(self) -> None:
        hooks, self._after_this_commit = self._after_this_commit, []
        for _, dropped in hooks:
            dropped()
        self._outbox.written = self._timers.written = False
        self._staff.written = self._unreachable.written = False

    def _require_session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside `async with`")
        return self._session


class UpdateHandledElsewhere(Exception):
    """The update was marked done (or set aside) by another handling while this one ran: this one's
    effects were rolled back."""


class _WatchedUnreachable(SqlUnreachableRepository):
    """Remembers whether this unit of work changed who cannot be written to, so its commit can tell
    the bot's cached roster to read it again."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self.written = False

    async def add(self, chat_id: int, *, reason: str, now: datetime) -> bool:
        added = await super().add(chat_id, reason=reason, now=now)
        self.written = self.written or added
        return added

    async def remove(self, chat_id: int) -> bool:
        removed = await super().remove(chat_id)
        self.written = self.written or removed
        return removed
