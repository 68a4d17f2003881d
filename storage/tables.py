"""The database schema. Alembic migrations in `storage/migrations` must match it (a test checks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    or_,
)
from sqlalchemy import text as sql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import Id, UtcDateTime


class Base(DeclarativeBase):
    pass


class StaffRow(Base):
    __tablename__ = "staff"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    roles: Mapped[str] = mapped_column(String(64))  # comma-separated Role values
    name: Mapped[str] = mapped_column(String(256), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    on_duty: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    max_open_deals: Mapped[int | None] = mapped_column(Integer)  # own load norm; NULL: the team's


class ContactRow(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        # /find by a part of a name: on PostgreSQL a trigram index serves `LIKE '%...%'`. Migration 0004
        # builds a plain index of the same name where the pg_trgm extension cannot be created.
        Index(
            "ix_contacts_search_name", "search_name",
            postgresql_using="gin", postgresql_ops={"search_name": "gin_trgm_ops"},
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(256))
    username: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # `domain.search_keys.contact_search_key(name, username)`, written with every change of the contact.
    search_name: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(254), index=True)  # given on a website form
    # Merged by a supervisor into another contact (README.md, "Possible duplicates"): kept, never deleted.
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", name="fk_contacts_merged_into"))
    # The person of a test deal (/preview): its own row, found by no phone, email or account, deleted with it.
    is_test: Mapped[bool] = mapped_column(Boolean, server_default=false())


class DealRow(Base):
    __tablename__ = "deals"
    # The lists read pages in index order (`storage/deal_pages.py`): the funnel indexes give one stage's
    # deals by next contact, the next-contact index the overdue ones, the queue index the unsorted ones.
    # `id` ends each so that equal times still come in one order on PostgreSQL (SQLite's rowid does it).
    __table_args__ = (
        Index("ix_deals_funnel", "status", "pipeline", "stage", "next_contact_at", "id"),
        Index(
            "ix_deals_manager_funnel", "manager_id", "status", "pipeline", "stage", "next_contact_at", "id"
        ),
        Index("ix_deals_open_next_contact", "status", "next_contact_at", "id"),
        Index("ix_deals_queue", "manager_id", "status", "created_at", "id"),
        # The digest's windows (storage/deal_tallies.py): with the status first where the query fixes it,
        # or SQLite, which keeps no statistics, would rather read every deal of that status.
        Index("ix_deals_created", "created_at"),
        Index("ix_deals_status_created", "status", "created_at"),
        Index("ix_deals_status_closed", "status", "closed_at"),
        # The reports: a pipeline's deals of a period; a manager's closed deals.
        Index("ix_deals_pipeline_created", "pipeline", "created_at"),
        Index("ix_deals_manager_closed", "manager_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    pipeline: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(8))
    chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    source: Mapped[str | None] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    temperature: Mapped[str] = mapped_column(String(8))
    target: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    stage_entered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("staff.telegram_id"))
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    take_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    loss_reason: Mapped[str | None] = mapped_column(String(64))
    loss_note: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[int | None] = mapped_column(BigInteger)
    next_contact_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    channel: Mapped[str] = mapped_column(String(16), server_default="telegram")  # domain.models.Channel
    # The reports' speed figures, written when they happen: the manager's first message to the client,
    # and the working time (the team's calendar) from the lead's arrival to its take and to that message.
    first_reply_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    take_work_s: Mapped[int | None] = mapped_column(Integer)
    reply_work_s: Mapped[int | None] = mapped_column(Integer)
    # A staff member's /preview of the questionnaire (README.md, "First run"): shown to them alone, left
    # out of distribution, lists of others, the digest and every report, and deletable.
    is_test: Mapped[bool] = mapped_column(Boolean, server_default=false())


class StageVisitRow(Base):
    """One stay of a deal in a stage, from entering it to leaving it (NULL while it is there, and for a
    closed deal's last stage): the funnel's reach and the time in each stage (README.md, "Reports")."""

    __tablename__ = "stage_visits"
    __table_args__ = (
        Index("ix_stage_visits_deal", "deal_id", "entered_at"),
        Index("ix_stage_visits_stage", "pipeline", "stage", "entered_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"))
    pipeline: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(32))
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Whole seconds of the stay, written when it ends: the funnel's medians rank a stored number rather
    # than a length computed from two times per row (SQLite keeps times as text).
    seconds: Mapped[int | None] = mapped_column(BigInteger)


class InquiryRow(Base):
    """Every questionnaire begun (each /start) and every web form received, with how far it got: the
    inquiries counted before any lead (README.md, "Inquiries")."""

    __tablename__ = "inquiries"
    __table_args__ = (
        Index("ix_inquiries_person", "telegram_id", "id"),
        Index("ix_inquiries_started", "started_at"),
        Index("ix_inquiries_channel_started", "channel", "started_at"),
        # A website form posted twice (its `external_id`) is one inquiry, and one lead, whether that lead
        # is a new deal or a request added to an open one. NULLs never collide.
        UniqueConstraint("channel", "external_id", name="uq_inquiries_channel_external_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(256), default="")  # as Telegram or the form gave it
    username: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    source: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # domain.models.InquiryState
    step: Mapped[int] = mapped_column(Integer, default=0)  # questions answered
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    wrote_first: Mapped[bool] = mapped_column(Boolean, default=False)  # wrote before the questions began
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the last answer (or the start)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # finished, cancelled or abandoned
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(128))  # a web form's own id of the submission
    is_test: Mapped[bool] = mapped_column(Boolean, server_default=false())  # a /preview


class DealEventRow(Base):
    """The audit trail: who did what to a deal, when, from what to what."""

    __tablename__ = "deal_events"
    __table_args__ = (Index("ix_deal_events_deal_id", "deal_id", "id"),)  # history pages, in order

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"))
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class MessageRow(Base):
    """Communication history with the prospect, both directions."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    direction: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    author_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class TimerRow(Base):
    """A reminder or a deadline. The database, not the scheduler, is the truth for time."""

    __tablename__ = "timers"
    __table_args__ = (
        # What the scheduler asks after every sweep and timer write: the pending timers by when they may
        # fire. A stored `next_try_at` rather than an index on coalesce(retry_at, due_at): SQLite cannot
        # reflect expression indexes, so the schema check (tests/integration/test_migrations.py) could not
        # see one, and a plain column keeps the query plain on both databases. Partial: only pending
        # timers are in it, so it stays as small as the work waiting, however many timers have fired.
        # The predicate is literal SQL, and queries must spell it the same way (`PENDING_ONLY` in
        # storage/timer_repository.py): a bound parameter would not prove it to either planner.
        Index(
            "ix_timers_pending_next_try", "next_try_at", "id",
            sqlite_where=sql("state = 'pending'"), postgresql_where=sql("state = 'pending'"),
        ),
        UniqueConstraint("key", name="uq_timers_key"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(BigInteger, index=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    fired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # fired after its time (the bot was down)
    key: Mapped[str | None] = mapped_column(String(64))  # e.g. one digest per date, ever
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # failed firings (a bug, the database)
    error: Mapped[str | None] = mapped_column(Text)
    # After a failed firing: not again before this. `due_at` never moves: it is what the timer is about.
    retry_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_try_at: Mapped[datetime] = mapped_column(UtcDateTime)  # always coalesce(retry_at, due_at)


class BreachRow(Base):
    """A deadline that passed: for the digest and reports (kind, deal, manager, stage, how late)."""

    __tablename__ = "breaches"
    __table_args__ = (Index("ix_breaches_detected", "detected_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(BigInteger)
    pipeline: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class UnreachableChatRow(Base):
    """A chat the bot cannot write to: the person blocked the bot. Removed when they come back."""

    __tablename__ = "unreachable_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    since: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text)


class OutboxRow(Base):
    """What must be told to someone outside the current reply, written with the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_next", "state", "next_attempt_at"),
        # A chat's unsettled items in their turn: (priority, id), see domain/outbox_turns.py.
        Index("ix_outbox_chat_turn", "chat_id", "state", "priority", "id"),
        Index("ix_outbox_deal", "deal_id", "id"),  # a deal's notices: its relay to join, its chatter to raise
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(SmallInteger, default=0)  # 0 normal, 1 chatter (relayed messages)
    deal_id: Mapped[int | None] = mapped_column(BigInteger)  # the deal the notice is about, if any
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    locale: Mapped[str | None] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(Text)


class FsmStateRow(Base):
    """Conversation state (aiogram FSM) kept in the database so a restart loses nothing."""

    __tablename__ = "fsm_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class InboxRow(Base):
    """Every update from Telegram, stored before it is confirmed to Telegram and marked done in the same
    transaction as its handling's effects (see bot/inbox.py). `chat_id` orders a chat's updates; the
    payload is the update as Telegram sent it, kept only until it is done."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_state_id", "state", "update_id"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))  # pending, done, set_aside
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    error: Mapped[str | None] = mapped_column(String(255))  # the exception's type, never the update's text


class InviteRow(Base):
    """A one-time link into the team; used atomically (`used_at` set once)."""

    __tablename__ = "invites"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MessageLinkRow(Base):
    """Which deal a message the bot sent to a staff member belongs to, so replying to it reaches the deal."""

    __tablename__ = "message_links"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


# Every count, list and assignment that is about the team's real work leaves test deals out.
REAL_DEAL = DealRow.is_test.is_(False)
# A deleted test deal is kept as a blank row (storage/deal_repository.py `delete_test`) so that its number
# is never given again (SQLite reuses the highest id of a deleted row); a test deal always has its maker as
# manager, so a test deal without one is such a marker, and nothing reads it.
LIVE_DEAL = or_(REAL_DEAL, DealRow.manager_id.is_not(None))
REAL_INQUIRY = InquiryRow.is_test.is_(False)
