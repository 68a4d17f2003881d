"""Take-into-work and stage deadlines, when they run out: alert, once, and record the breach."""

from __future__ import annotations

from datetime import datetime

from domain import timer_kinds
from domain.alert_relevance import still_in_stage, still_untaken
from domain.audience import overseers_of, owner_and_overseers, owner_of, tell
from domain.crm_config import CrmConfig
from domain.deadlines import record_breach
from domain.models import BreachKind, Timer
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork


async def take_breached(
    uow: UnitOfWork, config: CrmConfig, timer: Timer, *, now: datetime, late: bool
) -> str:
    """A lead nobody took in `intake.take_sla`: the supervisors get it with buttons to assign it, and the
    manager it was given to is reminded once more (a test deal's maker, whatever their role, alone)."""
    deal = await uow.deals.get(timer.subject_id)
    if deal is None or not still_untaken(deal):
        return "stale"
    await record_breach(uow, deal, BreachKind.TAKE, due=timer.due_at, now=now)
    data = {"deal_id": deal.id, "due": timer.due_at.isoformat(), "late": late, "manager": deal.manager_id}
    assigned = await owner_of(uow, deal)
    told = await tell(
        uow, await overseers_of(uow, deal, besides=assigned), NoticeKind.TAKE_OVERDUE, data, now=now
    )
    # A test deal's maker hears of it whatever their role: nobody else does (domain/audience.py).
    if assigned is not None and (assigned.is_manager or deal.is_test):
        told += await tell(uow, [assigned], NoticeKind.TAKE_REMINDER, data, now=now)
    return "alerted" if told else "nobody"


async def stage_breached(
    uow: UnitOfWork, config: CrmConfig, timer: Timer, *, now: datetime, late: bool
) -> str:
    """A deal stayed in a stage past its `sla`: the owner and the supervisors are told, once per visit.

    A lead nobody has taken yet is recorded but not announced now: its take-into-work deadline, which
    runs for every untaken lead, is what the supervisors hear about. The check comes back at that
    deadline: a lead taken by then, and still in the stage, is announced then."""
    deal = await uow.deals.get(timer.subject_id)
    entered = datetime.fromisoformat(str(timer.payload.get("entered")))
    stage = str(timer.payload.get("stage"))
    if deal is None or not still_in_stage(deal, stage, entered):
        return "stale"
    if not timer.payload.get("recorded"):
        await record_breach(uow, deal, BreachKind.STAGE, due=timer.due_at, now=now)
    if deal.taken_at is None:
        if deal.take_due_at is not None and deal.take_due_at > now:
            payload = {**timer.payload, "recorded": True, "sla_due": timer.due_at.isoformat()}
            await uow.timers.add(
                Timer(timer_kinds.STAGE_SLA, timer.subject_id, deal.take_due_at, payload=payload)
            )
            return "deferred"
        return "recorded"
    people = await owner_and_overseers(uow, deal)
    due = (
        datetime.fromisoformat(str(timer.payload["sla_due"])) if "sla_due" in timer.payload else timer.due_at
    )
    data = {
        "deal_id": deal.id, "due": due.isoformat(), "late": late, "stage": stage,
        "entered": entered.isoformat(), "manager": deal.manager_id,
    }  # fmt: skip
    await tell(uow, people, NoticeKind.STAGE_OVERDUE, data, now=now)
    return "alerted"
