"""The daily digest to supervisors: what came in, what waits, what was late, what was won and lost since
the last one, each with a count and the worst cases. One digest per working day at `reminders.digest_at`
(team time); it is a timer like any other, keyed by its date, so it is sent once even by several
processes, and once (late) after downtime however many days were missed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain import timer_kinds
from domain.audience import supervisors, tell
from domain.crm_config import CrmConfig
from domain.deadlines import same_moment
from domain.list_pages import Segment, SegmentKind
from domain.models import BreachKind, Deal, Timer
from domain.next_contact_time import local_time
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork
from domain.reports.losses import loss_warnings
from domain.tallies import Tally

WORST = 3  # cases named under each count
_SEARCH_DAYS = 400


@dataclass(frozen=True)
class Section:
    count: int
    cases: tuple[tuple[int, int], ...] = ()  # (deal id, seconds late or waiting; amount for won and lost)


@dataclass(frozen=True)
class Digest:
    since: datetime
    until: datetime
    new: Section
    unsorted: Section
    taken_late: Section
    overdue: Section
    stage: Section
    won: Section
    won_amount: int
    lost: Section
    lost_reasons: tuple[tuple[str, int], ...] = field(default=())
    new_by_channel: tuple[tuple[str, int], ...] = field(default=())  # the new leads by channel
    # Loss warnings (README.md, "Reports → Loss reasons"): reasons over their limit over the last 30 days
    # (reason, count, limit) of `loss_total` losses; runs of a manager's losses to one reason that ended in
    # the window (manager, reason, count); clients lost again to one reason (contact, reason, count, deal).
    loss_over: tuple[tuple[str, int, float], ...] = field(default=())
    loss_total: int = 0
    loss_runs: tuple[tuple[int, str, int], ...] = field(default=())
    clients_lost_again: tuple[tuple[int, str, int, int], ...] = field(default=())

    def as_data(self) -> dict[str, object]:
        sections = {
            name: {"count": s.count, "cases": [list(c) for c in s.cases]}
            for name, s in (("new", self.new), ("unsorted", self.unsorted), ("taken_late", self.taken_late),
                            ("overdue", self.overdue), ("stage", self.stage), ("won", self.won),
                            ("lost", self.lost))
        }  # fmt: skip
        return {
            "since": self.since.isoformat(), "until": self.until.isoformat(), **sections,
            "won_amount": self.won_amount, "lost_reasons": [list(r) for r in self.lost_reasons],
            "new_channels": [list(c) for c in self.new_by_channel],
            "loss_over": [list(r) for r in self.loss_over], "loss_total": self.loss_total,
            "loss_runs": [list(r) for r in self.loss_runs],
            "clients_lost_again": [list(c) for c in self.clients_lost_again],
        }  # fmt: skip


def next_digest_at(config: CrmConfig, after: datetime) -> datetime:
    """The first `digest_at` (team time) on a working day strictly after `after`."""
    hours, minutes = (int(part) for part in config.reminders.digest_at.split(":"))
    calendar = config.calendar()
    day = after.astimezone(ZoneInfo(config.timezone)).date()
    for offset in range(_SEARCH_DAYS):
        date = day + timedelta(days=offset)
        if calendar.is_day_off(date):
            continue
        at = local_time(date, time(hours, minutes), timezone=config.timezone)
        if at > after:
            return at
    raise ValueError("no working day in the next 400 days: the calendar has no working time")


def digest_key(config: CrmConfig, at: datetime) -> str:
    return f"digest:{at.astimezone(ZoneInfo(config.timezone)):%Y-%m-%dT%H:%M}"


async def compose_digest(uow: UnitOfWork, config: CrmConfig, *, since: datetime, now: datetime) -> Digest:
    """The digest of the window [since, now), from SQL aggregates: every count is counted by the database
    and only the worst cases come back, so its cost does not grow with the open deals.

    A deal is overdue when its next contact plus `reminders.overdue_after` of working time is `now` or
    earlier; the calendar turns that into one moment (`latest_start`) the database compares with. The
    loss warnings: `domain.reports.losses.loss_warnings`."""
    overdue_by = config.calendar().latest_start(now, config.reminders.overdue_after)
    unsorted = await uow.deals.segment(
        Segment(SegmentKind.UNSORTED), manager_id=None, now=None, start=None, forward=True, limit=WORST
    )
    new = await uow.deals.created_tally(since, now, now=now, limit=WORST)
    closed = await uow.deals.closed_tally(since, now, limit=WORST)
    warnings = await loss_warnings(uow, config, since=since, now=now)
    return Digest(
        since=since,
        until=now,
        new=Section(new.count, new.worst),
        unsorted=Section(
            await uow.deals.unsorted_count(),
            tuple((_id(d), max(int((now - d.created_at).total_seconds()), 0)) for d in unsorted),
        ),
        taken_late=await _breached(uow, BreachKind.TAKE, since, now),
        overdue=_section(await uow.deals.overdue_tally(contact_by=overdue_by, now=now, limit=WORST)),
        stage=await _breached(uow, BreachKind.STAGE, since, now),
        won=_section(closed.won),
        won_amount=closed.won_amount,
        lost=_section(closed.lost),
        lost_reasons=closed.lost_reasons,
        new_by_channel=new.split,
        loss_over=tuple((s.reason, s.count, s.limit or 0.0) for s in warnings.over),
        loss_total=warnings.total,
        loss_runs=tuple((r.manager_id or 0, r.reason, r.count) for r in warnings.runs),
        clients_lost_again=tuple(
            (c.contact_id or 0, c.reason, c.count, c.deal_ids[0]) for c in warnings.clients
        ),
    )


def _section(tally: Tally) -> Section:
    return Section(tally.count, tally.worst)


async def _breached(uow: UnitOfWork, kind: BreachKind, since: datetime, now: datetime) -> Section:
    return _section(await uow.breaches.tally(kind, since, now, now=now, limit=WORST))


def _id(deal: Deal) -> int:
    assert deal.id is not None, "a stored deal has an id"
    return deal.id


async def ensure_digest(uow: UnitOfWork, config: CrmConfig, *, now: datetime) -> bool:
    """At start: a digest is planned (the next `digest_at` on a working day), and at the time the config
    says now. Commits. True when one was planned here."""
    expected = next_digest_at(config, now)
    pending = await uow.timers.pending_of_kind(timer_kinds.DIGEST)
    if any(same_moment(t.due_at, expected) or t.due_at <= now for t in pending):
        await uow.rollback()
        return False
    since = now
    if pending:  # `digest_at` was changed: the planned one moves, and keeps the window it covers
        since = min(datetime.fromisoformat(str(t.payload.get("since", now.isoformat()))) for t in pending)
        await uow.timers.cancel(subject_id=0, kinds=(timer_kinds.DIGEST,))
    added = await _plan(uow, config, expected, since=since)
    await uow.commit()
    return added


async def _plan(uow: UnitOfWork, config: CrmConfig, at: datetime, *, since: datetime) -> bool:
    timer = Timer(timer_kinds.DIGEST, 0, at, payload={"since": since.isoformat()}, key=digest_key(config, at))
    return await uow.timers.add_once(timer)


async def send_digest(uow: UnitOfWork, config: CrmConfig, timer: Timer, *, now: datetime, late: bool) -> str:
    """Fired: the digest of everything since the last one, to each supervisor; the next one planned."""
    since = datetime.fromisoformat(str(timer.payload.get("since", (now - timedelta(days=1)).isoformat())))
    digest = await compose_digest(uow, config, since=since, now=now)
    told = await tell(
        uow, await supervisors(uow), NoticeKind.DIGEST, {**digest.as_data(), "late": late}, now=now
    )
    await _plan(uow, config, next_digest_at(config, now), since=now)
    return "sent" if told else "nobody"
