"""The daily digest to supervisors: what came in, what waits, what was late, what was won and lost since
the last one, each with a count and the worst cases. One digest per working day at `reminders.digest_at`
(team time); it is a timer like any other, keyed by its date, so it is sent once even by several
processes, and once (late) after downtime however many days were missed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain import timer_kinds
from domain.alerts import supervisors, tell
from domain.crm_config import CrmConfig
from domain.deadlines import same_moment
from domain.models import Breach, BreachKind, Deal, DealStatus, Timer
from domain.next_contact_time import local_time
from domain.ports import UnitOfWork

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


def compose_digest(
    config: CrmConfig, *, since: datetime, now: datetime, created: list[Deal], unsorted: list[Deal],
    unsorted_count: int, breaches: list[Breach], open_deals: list[Deal], closed: list[Deal],
) -> Digest:  # fmt: skip
    """The digest of the window [since, now) from what storage gave; pure."""

    def seconds(span: timedelta) -> int:
        return max(int(span.total_seconds()), 0)

    def worst(cases: list[tuple[int, int]]) -> Section:
        ranked = sorted(cases, key=lambda case: (-case[1], case[0]))
        return Section(len(cases), tuple(ranked[:WORST]))

    def breached(kind: BreachKind) -> Section:
        return worst(
            [(b.deal_id, seconds((b.resolved_at or now) - b.due_at)) for b in breaches if b.kind is kind]
        )

    calendar = config.calendar()
    overdue_after = config.reminders.overdue_after
    new = [d for d in created if d.target]
    waiting = [(_id(d), seconds(now - d.created_at)) for d in new if d.is_open and d.taken_at is None]
    overdue = [
        (_id(d), seconds(now - d.next_contact_at))
        for d in open_deals
        if d.next_contact_at is not None and calendar.add(d.next_contact_at, overdue_after) <= now
    ]
    won = [d for d in closed if d.status is DealStatus.WON]
    lost = [d for d in closed if d.status is DealStatus.LOST and d.target]
    reasons = Counter(d.loss_reason or "other" for d in lost)
    return Digest(
        since=since,
        until=now,
        new=Section(len(new), worst(waiting).cases),
        unsorted=Section(
            unsorted_count, tuple((_id(d), seconds(now - d.created_at)) for d in unsorted[:WORST])
        ),
        taken_late=breached(BreachKind.TAKE),
        overdue=worst(overdue),
        stage=breached(BreachKind.STAGE),
        won=worst([(_id(d), d.amount or 0) for d in won]),
        won_amount=sum(d.amount or 0 for d in won),
        lost=Section(len(lost), worst([(_id(d), d.amount) for d in lost if d.amount]).cases),
        lost_reasons=tuple(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
    )


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
    digest = compose_digest(
        config, since=since, now=now, created=await uow.deals.created_between(since, now),
        unsorted=await uow.deals.unsorted(limit=WORST), unsorted_count=await uow.deals.unsorted_count(),
        breaches=await uow.breaches.detected_between(since, now),
        open_deals=await uow.deals.open_deals(manager_id=None),
        closed=await uow.deals.closed_between(since, now),
    )  # fmt: skip
    told = await tell(uow, await supervisors(uow), "digest", {**digest.as_data(), "late": late}, now=now)
    await _plan(uow, config, next_digest_at(config, now), since=now)
    return "sent" if told else "nobody"
