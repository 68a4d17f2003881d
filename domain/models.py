"""The CRM's entities as plain dataclasses: what repositories return and take."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.notice_kinds import NoticeKind


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"


class ContactStatus(StrEnum):
    """«Активные» and «Архив» of the seeds; the unsorted queue is a property of deals, not contacts."""

    ACTIVE = "active"
    ARCHIVED = "archived"


class DealStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class Channel(StrEnum):
    """Where a lead came from, beside its source tag (README.md, "Channels and sources")."""

    TELEGRAM = "telegram"  # the questionnaire in the bot
    SITE = "site"  # a website form, posted to the intake endpoint


class InquiryState(StrEnum):
    """How far an inquiry got (README.md, "Inquiries")."""

    OPEN = "open"  # the questionnaire is being answered
    FINISHED = "finished"  # every question answered: a lead
    ABANDONED = "abandoned"  # left unfinished for `intake.abandoned_after`: a lead marked unfinished
    CANCELLED = "cancelled"  # the person cancelled; a lead only when they had written to us first
    # The person started over (/start again, the restart button): a new inquiry goes on in its place, so
    # this one is neither a cancel nor a lost lead.
    RESTARTED = "restarted"


class Temperature(StrEnum):
    COLD = "cold"
    WARM = "warm"
    HOT = "hot"


class EventKind(StrEnum):
    CREATED = "created"
    REQUEST_REPEATED = "request_repeated"
    ASSIGNED = "assigned"
    QUEUED = "queued"
    TAKEN = "taken"
    ARCHIVED = "archived"
    MESSAGE_IN = "message_in"
    MESSAGE_OUT = "message_out"
    STAGE_CHANGED = "stage_changed"
    NOTE = "note"
    NEXT_CONTACT_SET = "next_contact_set"
    WON = "won"
    LOST = "lost"
    REWARMED = "rewarmed"  # a lost deal's client was moved to the rewarm pipeline (data: the new deal)
    REASSIGNED = "reassigned"
    UNASSIGNED = "unassigned"  # its manager left the team: back to the unsorted queue
    CONTACT_DONE = "contact_done"  # the planned contact happened (data: the result in the manager's words)
    DEADLINE_MISSED = "deadline_missed"  # a take, stage or contact deadline passed (data: kind, due, late)
    REOPENED = "reopened"  # a sleeping client's next contact fell due: a new deal (data: the new deal)
    QUESTIONNAIRE_FINISHED = "questionnaire_finished"  # a lead made of an abandoned one: now answered
    CONTACTS_MERGED = "contacts_merged"  # a supervisor merged two contacts (data: from, into, deals moved)


class NoteKind(StrEnum):
    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    OTHER = "other"


@dataclass
class Staff:
    telegram_id: int
    roles: frozenset[Role]
    name: str = ""
    username: str | None = None
    locale: str | None = None
    on_duty: bool = True
    active: bool = True
    last_assigned_at: datetime | None = None
    max_open_deals: int | None = None  # their own load norm; None: the team's (`distribution.max_open_deals`)

    def has(self, role: Role) -> bool:
        return self.active and role in self.roles

    @property
    def is_manager(self) -> bool:
        return self.has(Role.MANAGER)

    @property
    def oversees(self) -> bool:
        """Supervisors and admins see and act on every deal."""
        return self.has(Role.SUPERVISOR) or self.has(Role.ADMIN)


@dataclass
class Contact:
    id: int | None
    telegram_id: int | None
    name: str
    username: str | None = None
    phone: str | None = None
    locale: str | None = None
    status: ContactStatus = ContactStatus.ACTIVE
    created_at: datetime | None = None
    email: str | None = None
    merged_into: int | None = None  # merged by a supervisor into that contact: kept, no longer used
    is_test: bool = False  # a test deal's (/preview): its own contact, found by no lookup, deleted with it


@dataclass
class Inquiry:
    """A questionnaire begun (or a web form received) and how far it got, lead or not."""

    channel: Channel
    started_at: datetime
    telegram_id: int | None = None
    chat_id: int | None = None
    name: str = ""
    username: str | None = None
    locale: str | None = None
    source: str | None = None
    state: InquiryState = InquiryState.OPEN
    step: int = 0  # questions answered
    answers: dict[str, str] = field(default_factory=dict)
    wrote_first: bool = False  # the person wrote to us before the questions began
    updated_at: datetime | None = None
    ended_at: datetime | None = None
    deal_id: int | None = None
    external_id: str | None = None  # a web form's own id of the submission: posted twice, one inquiry
    is_test: bool = False  # a staff member's /preview: no lead of the team's, counted nowhere
    id: int | None = None


@dataclass
class Deal:
    id: int | None
    contact_id: int
    pipeline: str
    stage: str
    status: DealStatus
    chat_id: int | None
    source: str | None
    answers: dict[str, str]
    temperature: Temperature
    target: bool
    created_at: datetime
    stage_entered_at: datetime
    manager_id: int | None = None
    assigned_at: datetime | None = None
    taken_at: datetime | None = None
    take_due_at: datetime | None = None
    closed_at: datetime | None = None
    loss_reason: str | None = None
    loss_note: str | None = None  # the manager's own words, required for the reason "other"
    amount: int | None = None  # whole units of the team's currency
    next_contact_at: datetime | None = None
    version: int = 1
    channel: Channel = Channel.TELEGRAM
    # Made by a staff member's /preview (README.md, "First run"): `manager_id` is who previewed. Only they
    # hear of it; distribution, lists of others, the digest and reports leave it out; it can be deleted.
    is_test: bool = False

    @property
    def is_open(self) -> bool:
        return self.status is DealStatus.OPEN

    @property
    def untaken(self) -> bool:
        """An open lead nobody has taken into work yet (it may already be assigned to a manager)."""
        return self.is_open and self.taken_at is None


@dataclass
class DealEvent:
    deal_id: int
    kind: EventKind
    at: datetime
    actor_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


@dataclass
class ChatMessage:
    """One message of the communication history with a prospect."""

    deal_id: int
    direction: Direction
    kind: str
    at: datetime
    text: str | None = None
    chat_id: int | None = None
    telegram_message_id: int | None = None
    author_id: int | None = None
    id: int | None = None


@dataclass
class Timer:
    """Something due at a moment (README.md, "Reminders, deadlines and alerts"): the scheduler fires it once,
    at `due_at` or, after downtime, late. `key`, when given, is unique over all timers ever written (one
    digest per day)."""

    kind: str
    subject_id: int
    due_at: datetime
    state: str = "pending"
    payload: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    key: str | None = None


class BreachKind(StrEnum):
    TAKE = "take"  # a new lead was not taken into work in time
    STAGE = "stage"  # a deal stayed in a stage longer than the stage's sla
    CONTACT = "contact"  # a planned contact was not done `reminders.overdue_after` after its time


@dataclass
class Breach:
    """A deadline that passed, kept for the digest and reports. `resolved_at` is when the thing was
    finally done (taken, stage left, contact made); how late = resolved (or now) minus `due_at`."""

    kind: BreachKind
    deal_id: int
    manager_id: int | None
    pipeline: str
    stage: str
    due_at: datetime
    detected_at: datetime
    resolved_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class Notice:
    """Something to tell a person outside the current reply; sent by the notifier via the outbox.

    `kind` names a view that renders it in the recipient's language at send time; `data` holds ids and
    values the view needs (never text meant for people, except what a prospect wrote).
    """

    chat_id: int
    kind: NoticeKind
    data: dict[str, Any] = field(default_factory=dict)
    locale: str | None = None


@dataclass
class Invite:
    """A one-time link that makes whoever opens it a member of the team with `role`."""

    token: str
    role: Role
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None
