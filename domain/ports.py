"""What the domain needs from storage, as Protocols. `storage/` implements them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from domain.list_pages import Position, Segment, StageCount
from domain.models import (
    Breach,
    BreachKind,
    Channel,
    ChatMessage,
    Contact,
    Deal,
    DealEvent,
    EventKind,
    Inquiry,
    InquiryState,
    Invite,
    Notice,
    Staff,
    Timer,
)
from domain.reports.exported import ExportedDeal
from domain.reports.funnel_rows import InquiryCount, LeadCount, QuestionnaireCounts, ReachCount, StayTimes
from domain.reports.scope import ReportScope
from domain.reports.team_rows import (
    ClientLosses,
    LossCount,
    LossRun,
    ManagerCounts,
    SpeedFill,
    SpeedGap,
    Speeds,
)
from domain.tallies import ClosedTally, Tally


class ConcurrentChange(Exception):
    """`DealRepository.save`: the deal was changed and committed by someone else since it was read."""


class StaffRepository(Protocol):
    async def get(self, telegram_id: int) -> Staff | None: ...
    async def add(self, staff: Staff) -> None: ...
    async def save(self, staff: Staff) -> None: ...
    async def active(self) -> list[Staff]: ...
    async def active_for_assignment(self) -> list[Staff]:
        """The active team, held until the commit, so that loads read next are not raced by another
        assignment (without it two leads at once could both go to a manager at the limit)."""
        ...


class ContactRepository(Protocol):
    async def get(self, contact_id: int) -> Contact | None: ...
    async def by_telegram_id(self, telegram_id: int) -> Contact | None: ...
    async def by_phone(self, phone: str) -> Contact | None: ...
    async def by_email(self, email: str) -> Contact | None: ...
    async def with_phone(self, phone: str, *, besides: int) -> Contact | None:
        """Another contact (not `besides`, not merged away) with this phone."""
        ...

    async def with_name_and_digits(self, name: str, digits: str, *, besides: int) -> Contact | None:
        """Another contact (not `besides`, not merged away) with the same name (as search keys) whose
        phone ends in `digits`."""
        ...

    async def get_many(self, contact_ids: set[int]) -> dict[int, Contact]: ...
    async def lock(self, contact_ids: set[int]) -> dict[int, Contact]:
        """These contacts as committed now, held until the commit (a merge: two supervisors merging the
        same contacts at once wait for each other, and the second sees what the first did)."""
        ...

    async def add(self, contact: Contact) -> Contact: ...
    async def save(self, contact: Contact) -> None: ...


class DealRepository(Protocol):
    async def get(self, deal_id: int) -> Deal | None: ...
    async def add(self, deal: Deal) -> Deal: ...
    async def save(self, deal: Deal) -> None:
        """Write the deal back and bump its version, only if it is still at the version it was read at;
        else raise `ConcurrentChange` (two people acting at once: the later one acted on a stale view)."""
        ...

    async def for_contact(self, contact_id: int) -> list[Deal]: ...
    async def move_to_contact(self, from_contact: int, to_contact: int) -> list[int]:
        """Every deal of `from_contact` becomes `to_contact`'s (a merge), keeping its chat, messages and
        history; each one's version moves on, so cards drawn before are stale. The deals moved."""
        ...

    async def has_event(self, deal_id: int, kind: EventKind) -> bool:
        """Whether the deal's history holds an event of this kind."""
        ...

    async def latest_for_chat(self, chat_id: int) -> Deal | None: ...
    async def delete_test(self, deal_id: int) -> None:
        """Delete a test deal (/preview) and everything of it: history, messages, timers, stage stays,
        breaches, notices not yet sent, message links, inquiries; its contact blanked when it has no
        other deal. Its row stays, blank and found by nothing (`get` gives None), so that its number is
        never given to another deal. A deal that is not a test deal is left alone."""
        ...

    async def test_deal_ids(self, manager_id: int) -> list[int]:
        """The test deals this staff member made, open or closed (not the deleted ones)."""
        ...

    async def open_counts(self) -> dict[int, int]:
        """Open deals per manager id; test deals (/preview) are no load."""
        ...

    async def unsorted_count(self) -> int: ...
    async def claim_take(self, deal_id: int, manager_id: int, *, version: int, now: datetime) -> bool:
        """Atomically make `manager_id` the taker of the deal, if nobody has taken it yet and nothing
        changed it since it was read at `version` (it was not handed over or sent back to the queue).

        True when this call won. Two managers pressing "Take" at once: exactly one gets True.
        """
        ...

    async def open_deals(self, *, manager_id: int | None) -> list[Deal]:
        """Open deals of one manager, or of everybody when `manager_id` is None."""
        ...

    async def stage_counts(
        self, *, manager_id: int | None, now: datetime, viewer: int | None = None
    ) -> list[StageCount]:
        """Open deals (one manager's, or everybody's when None) per pipeline and stage, each split into
        overdue (next contact before `now`), planned (at `now` or later) and unplanned (none). Test deals
        only of `manager_id`, or of `viewer` in everybody's."""
        ...

    async def segment(
        self, segment: Segment, *, manager_id: int | None, now: datetime | None, start: Position | None,
        forward: bool, limit: int, viewer: int | None = None,
    ) -> list[Deal]:  # fmt: skip
        """Up to `limit` open deals of one segment of a list (see `domain.list_pages`), in its order:
        the first ones after `start` going `forward` (from the segment's beginning when None), else the
        last ones before it (from its end). Only `manager_id`'s deals when given; `now` splits overdue
        from planned; test deals only of `manager_id`, or of `viewer` in everybody's (never in the queue)."""
        ...

    async def count_before(
        self, segment: Segment, position: Position, *, manager_id: int | None, now: datetime | None,
        viewer: int | None = None,
    ) -> int:  # fmt: skip
        """How many deals of the segment come before `position` in its order."""
        ...

    async def search(
        self,
        *,
        deal_id: int | None,
        phone: str | None,
        name: str | None,
        manager_id: int | None,
        limit: int,
        viewer: int | None = None,
    ) -> list[Deal]:
        """Deals with this number, or a contact with this phone, or whose contact's name or username
        holds `name` (compared as `domain.search_keys.search_key` forms): open first, then newest. Only
        `manager_id`'s when given; test deals (/preview) only of `manager_id`, or of `viewer`."""
        ...

    async def created_tally(self, since: datetime, until: datetime, *, now: datetime, limit: int) -> Tally:
        """Target leads created in [since, until); the worst: those still open and not taken, by how long
        they have waited by `now` (whole seconds), longest first, then by number."""
        ...

    async def overdue_tally(self, *, contact_by: datetime, now: datetime, limit: int) -> Tally:
        """Open deals whose next contact is at `contact_by` or earlier; the worst by whole seconds since
        the next contact by `now`, longest first, then by number."""
        ...

    async def closed_tally(self, since: datetime, until: datetime, *, limit: int) -> ClosedTally:
        """Deals closed in [since, until): won ones (all) and lost ones (target leads only)."""
        ...


class EventRepository(Protocol):
    async def add(self, event: DealEvent) -> None: ...
    async def for_deal(self, deal_id: int, *, limit: int = 50) -> list[DealEvent]: ...
    async def latest(self, deal_id: int, *, limit: int) -> list[DealEvent]:
        """The newest `limit` events of a deal, oldest first."""
        ...

    async def next_to(self, deal_id: int, event_id: int, *, forward: bool, limit: int) -> list[DealEvent]:
        """Up to `limit` events of a deal next to `event_id`, oldest first: the first ones after it
        (`forward`), or the last ones before it."""
        ...

    async def count_around(self, deal_id: int, *, first_id: int, last_id: int) -> tuple[int, int]:
        """How many events of a deal come before `first_id`, and how many after `last_id`."""
        ...


class InquiryRepository(Protocol):
    """Every questionnaire begun and every web form received (README.md, "Inquiries and unfinished
    questionnaires")."""

    async def add(self, inquiry: Inquiry) -> Inquiry: ...
    async def get(self, inquiry_id: int) -> Inquiry | None: ...
    async def by_external_id(self, channel: Channel, external_id: str) -> Inquiry | None:
        """The web form with this id of its sender's, received before (posted twice, it is one)."""
        ...

    async def save(self, inquiry: Inquiry, *, was: InquiryState) -> None:
        """Write the inquiry back, if it is still in the state `was` it was read in; else raise
        `ConcurrentChange` (its timer made it a lead while its person finished it, say: the later one
        acted on a stale view, rolls back and is tried again)."""
        ...

    async def progress(self, inquiry_id: int, *, step: int, answers: dict[str, str], at: datetime) -> None:
        """The questionnaire moved on (an answer given, or taken back): its step, answers and `updated_at`
        written with one UPDATE and no read, its state left as it is (the answer path's cost,
        domain/inquiries.py)."""
        ...

    async def for_deal(self, deal_id: int) -> list[Inquiry]: ...


class InviteRepository(Protocol):
    async def add(self, invite: Invite) -> None: ...
    async def get(self, token: str) -> Invite | None: ...
    async def claim(self, token: str, *, user_id: int, now: datetime) -> bool:
        """Atomically mark the invite used by `user_id`, if it is unused and not expired."""
        ...


class MessageLinkRepository(Protocol):
    """Which deal a message sent to a staff member belongs to (so replying to it reaches the deal)."""

    async def add(self, *, chat_id: int, message_id: int, deal_id: int, at: datetime) -> None: ...
    async def deal_for(self, *, chat_id: int, message_id: int) -> int | None: ...


class MessageRepository(Protocol):
    async def add(self, message: ChatMessage) -> None: ...
    async def for_deal(self, deal_id: int, *, limit: int = 50) -> list[ChatMessage]: ...
    async def count_in_since(self, deal_id: int, *, since: datetime) -> int:
        """How many messages the client wrote in the deal at `since` or later (the flood limit)."""
        ...


class TimerRepository(Protocol):
    async def add(self, timer: Timer) -> None: ...
    async def add_once(self, timer: Timer) -> bool:
        """Add a timer with a `key`, unless one with that key was ever written; True when added."""
        ...

    async def cancel(self, *, subject_id: int, kinds: tuple[str, ...]) -> int: ...
    async def pending_for(self, subject_id: int) -> list[Timer]: ...
    async def pending_of_kind(self, kind: str) -> list[Timer]: ...
    async def claim(self, timer_id: int, *, now: datetime, late_before: datetime) -> Timer | None:
        """Mark a pending timer fired (late when due before `late_before`), if it still is pending; None
        when it is not (fired or being fired by another process, cancelled). The mark commits with the
        unit of work, so a crash before the commit leaves the timer pending, and two processes claiming
        at once get it once (one holds the row; the other passes over it)."""
        ...


class BreachRepository(Protocol):
    async def add(self, breach: Breach) -> None: ...
    async def resolve(self, *, deal_id: int, kinds: tuple[BreachKind, ...], now: datetime) -> None:
        """The late thing was done now: open breaches of these kinds get `resolved_at`."""
        ...

    async def tally(
        self, kind: BreachKind, since: datetime, until: datetime, *, now: datetime, limit: int
    ) -> Tally:
        """Breaches of `kind` detected in [since, until); the worst by whole seconds late (until resolved,
        or until `now` while not), latest first, then by deal number; the cases are (deal id, seconds)."""
        ...


class UnreachableRepository(Protocol):
    """Chats the bot cannot write to (the person blocked it): recorded once, forgotten when they come back."""

    async def add(self, chat_id: int, *, reason: str, now: datetime) -> bool:
        """True when this chat was not recorded yet (so the team is told once)."""
        ...

    async def remove(self, chat_id: int) -> bool: ...
    async def contains(self, chat_id: int) -> bool: ...
    async def among(self, chat_ids: Iterable[int]) -> set[int]:
        """Which of these chats are recorded, read at once (a whole team in one query)."""
        ...


class Outbox(Protocol):
    async def add(self, notice: Notice, *, now: datetime) -> None: ...
    async def add_relay(self, notice: Notice, *, now: datetime, every: timedelta) -> None:
        """Queue a client's message to a staff member (see `domain.relay_batches`): joined to the relay
        of the same deal still waiting for that chat, untouched by a sender; else a new relay, due no
        sooner than `every` after the previous one of the deal."""
        ...

    async def waiting_for(self, chat_id: int, *, queued_by: datetime) -> bool:
        """Whether something queued for this chat by `queued_by` is still undelivered."""
        ...


class StageVisitRepository(Protocol):
    """Every stay of a deal in a stage (README.md, "Reports"): written wherever a deal enters a stage.
    A new deal's first stay is written by `DealRepository.add`."""

    async def enter(self, deal_id: int, pipeline: str, stage: str, at: datetime) -> None:
        """The deal enters `stage` at `at`: its open stay ends then (left_at = at) and a new one begins."""
        ...


class FunnelFigures(Protocol):
    """SQL aggregates for the funnel and channels reports (domain/reports/funnel.py, channels.py). The
    period's deals are those created in it that pass the scope's filters; its inquiries, those begun in
    it from the scope's channel and source (with a pipeline or manager filter: those that became such
    deals)."""

    async def reach(self, scope: ReportScope, orders: Mapping[tuple[str, str], int]) -> list[ReachCount]:
        """The period's target deals, counted by pipeline, status, furthest and current open stage;
        `orders` gives each open stage's place in its pipeline, from 1, by (pipeline, stage)."""
        ...

    async def stays(self, scope: ReportScope) -> list[StayTimes]:
        """The ended stays of the period's target deals, by pipeline and stage."""
        ...

    async def questionnaire(self, scope: ReportScope, *, questions: int) -> QuestionnaireCounts:
        """The period's questionnaires (the Telegram channel's inquiries), with `questions` steps."""
        ...

    async def inquiries(self, scope: ReportScope) -> list[InquiryCount]:
        """The period's inquiries by channel and source."""
        ...

    async def leads(self, scope: ReportScope) -> list[LeadCount]:
        """The period's leads (target or not) by channel and source: deals created in it through intake;
        follow-ups (a rewarmed or reawakened client: their CREATED event names `from_deal`) are left out."""
        ...


class TeamFigures(Protocol):
    """SQL aggregates for the loss-reason and managers reports (domain/reports/losses.py, managers.py),
    and the speed figures they rest on, written when a lead is taken and first answered. A scope's
    filters (pipeline, manager, channel, source) apply to the deals counted; only target deals count."""

    async def record_take(self, deal_id: int, *, work_s: int) -> None:
        """The working seconds from the lead's arrival to its take, unless a take was measured already."""
        ...

    async def record_first_reply(self, deal_id: int, *, at: datetime, work_s: int | None) -> bool:
        """The manager's first message to the client, once: False when the deal had one already."""
        ...

    async def speed_gaps(self, *, after: int, limit: int) -> list[SpeedGap]:
        """Up to `limit` deals with an id above `after`, by id, taken or answered with no speed written."""
        ...

    async def fill_speeds(self, fills: Sequence[SpeedFill]) -> None:
        """Write the speeds missing (a None leaves its column as it is)."""
        ...

    async def loss_counts(self, scope: ReportScope) -> list[LossCount]:
        """Deals lost in the period (closed in it), by pipeline, manager and reason."""
        ...

    async def other_texts(self, scope: ReportScope, *, limit: int) -> list[tuple[int, str]]:
        """(deal id, note) of the period's losses to the reason "other", the latest `limit`, newest first."""
        ...

    async def loss_runs(self, scope: ReportScope, *, run: int) -> list[LossRun]:
        """Managers whose last `run` deals closed before the period's end were all lost to one reason."""
        ...

    async def client_losses(self, scope: ReportScope) -> list[ClientLosses]:
        """Contacts lost two times or more to one reason by the period's end, the latest in the period."""
        ...

    async def manager_counts(self, scope: ReportScope, *, contact_by: datetime) -> list[ManagerCounts]:
        """Per manager with anything to count: leads received (assigned in the period), breaches detected
        in it, deals won and lost in it, amount won; open deals now and those whose next contact is at
        `contact_by` or earlier (the last two: all their open deals, whatever the filters)."""
        ...

    async def speeds(self, scope: ReportScope) -> list[Speeds]:
        """Per manager, nearest-rank median and 90th percentile of `take_work_s` and `reply_work_s` over
        the leads created in the period, each counted for whoever first took it and first answered it."""
        ...


class ExportRows(Protocol):
    """The deals and the event log of a report's scope, in pages, for the spreadsheet export (README.md,
    "Reports → Pictures and export"). The scope's deals are those created in its period that pass its
    filters (pipeline, manager, channel, source); pages are read by id, so a deal or event written while
    the export runs neither shifts nor repeats a page."""

    async def deals(self, scope: ReportScope, *, after: int | None, limit: int) -> list[ExportedDeal]:
        """Up to `limit` of the scope's deals with an id above `after` (from the first when None), by id."""
        ...

    async def events(self, scope: ReportScope, *, after: int | None, limit: int) -> list[DealEvent]:
        """Up to `limit` events of the scope's deals with an id above `after`, by id (oldest first)."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Rolls back on exit unless `commit()` was called; repositories never commit."""

    staff: StaffRepository
    contacts: ContactRepository
    deals: DealRepository
    events: EventRepository
    messages: MessageRepository
    timers: TimerRepository
    breaches: BreachRepository
    unreachable: UnreachableRepository
    invites: InviteRepository
    inquiries: InquiryRepository
    links: MessageLinkRepository
    stage_visits: StageVisitRepository
    funnel_figures: FunnelFigures
    team_figures: TeamFigures
    export_rows: ExportRows
    outbox: Outbox

    async def commit(self, *, update_done: bool = True) -> None:
        """Commit; with `update_done` False the update being handled stays pending (see storage)."""
        ...

    async def rollback(self) -> None: ...
