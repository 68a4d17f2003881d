"""Next contacts, when their time comes: remind the owner; `overdue_after` later, still not done, tell the
owner it is overdue; `escalate_after` later, tell the supervisors. Each step checks that the contact it
is about is still the one planned (not done, not re-planned, the deal not closed) before it says a word.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain import timer_kinds
from domain.alert_relevance import contact_still_planned
from domain.audience import overseers_of, owner_of, recipients_for, tell
from domain.crm_config import CrmConfig
from domain.deadlines import deadline, record_breach, same_moment
from domain.models import BreachKind, Deal, Timer
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork
from domain.sleeping_clients import wake_client


async def remind_contact(
    uow: UnitOfWork, config: CrmConfig, timer: Timer, *, now: datetime, late: bool
) -> str:
    deal = await uow.deals.get(timer.subject_id)
    if deal is None or not same_moment(deal.next_contact_at, timer.due_at):
        return "stale"
    data: dict[str, object] = {"due": timer.due_at.isoformat(), "late": late}
    fresh = True
    if not deal.is_open:  # a sleeping client: they come back as a deal
        closed_id = deal.id
        deal, fresh = await wake_client(uow, config, deal, due=timer.due_at, now=now)
        data["woken_from"] = closed_id
    assert deal.id is not None
    data["deal_id"] = deal.id
    if not fresh:
        # The client already has an open deal with its own plan: say the planned moment came, and no more.
        data["has_deal"] = True
    else:
        await arm_contact_chain(uow, config, deal, timer.due_at, reminded=now)
    await tell(uow, await recipients_for(uow, deal), NoticeKind.CONTACT_REMINDER, data, now=now)
    return "reminded"


async def arm_contact_chain(
    uow: UnitOfWork, config: CrmConfig, deal: Deal, due: datetime, *, reminded: datetime
) -> None:
    """The overdue and escalation steps of a contact due at `due`, in working time after the reminder
    went out: at its time, or later when the bot was down then (the manager is not called late for a
    reminder they got a minute ago)."""
    assert deal.id is not None
    start = max(due, reminded)
    payload = {"due": due.isoformat(), "reminded": reminded.isoformat()}
    reminders = config.reminders
    for kind, after in (
        (timer_kinds.CONTACT_OVERDUE, reminders.overdue_after),
        (timer_kinds.CONTACT_ESCALATE, reminders.escalate_after),
    ):
        await uow.timers.add(Timer(kind, deal.id, deadline(config, start, after), payload=dict(payload)))


async def _still_planned(uow: UnitOfWork, timer: Timer) -> tuple[Deal, datetime] | None:
    deal = await uow.deals.get(timer.subject_id)
    due = datetime.fromisoformat(str(timer.payload.get("due")))
    if deal is None or not contact_still_planned(deal, due):
        return None
    return deal, due


async def restart_contact_steps(uow: UnitOfWork, config: CrmConfig, deal: Deal, *, now: datetime) -> None:
    """The deal changed hands after its reminder went out: the overdue and escalation steps still to
    come count from now, so the new owner is not called late for a contact they only just got."""
    assert deal.id is not None
    steps = {
        timer_kinds.CONTACT_OVERDUE: config.reminders.overdue_after,
        timer_kinds.CONTACT_ESCALATE: config.reminders.escalate_after,
    }
    waiting = [t for t in await uow.timers.pending_for(deal.id) if t.kind in steps]
    if not waiting:
        return
    await uow.timers.cancel(subject_id=deal.id, kinds=tuple(t.kind for t in waiting))
    for timer in waiting:
        due = deadline(config, now, steps[timer.kind])
        await uow.timers.add(Timer(timer.kind, deal.id, due, payload=dict(timer.payload)))


# Telegram has not yet delivered what the owner was sent (the reminder, most likely): look again then.
RECHECK = timedelta(minutes=1)


async def _owner_not_yet_told(uow: UnitOfWork, deal: Deal, timer: Timer, *, now: datetime) -> bool:
    """The owner's reminder (or anything queued for them by then) is still on its way (Telegram was
    away): nobody is called late for a reminder they have not got. The step comes back a minute later.
    Only what was queued by the time of the reminder counts: a notice queued a moment ago is not a
    reason to hold the step back."""
    owner = await owner_of(uow, deal)
    reminded = datetime.fromisoformat(str(timer.payload.get("reminded", timer.due_at.isoformat())))
    if owner is None or not await uow.outbox.waiting_for(owner.telegram_id, queued_by=reminded):
        return False
    await uow.timers.add(Timer(timer.kind, timer.subject_id, now + RECHECK, payload=dict(timer.payload)))
    return True


async def contact_overdue(
    uow: UnitOfWork, config: CrmConfig, timer: Timer, *, now: datetime, late: bool
) -> str:
    found = await _still_planned(uow, timer)
    if found is None:
        return "stale"
    deal, due = found
    if await _owner_not_yet_told(uow, deal, timer, now=now):
        return "deferred"
    await record_breach(uow, deal, BreachKind.CONTACT, due=due, now=now)
    data = {"deal_id": deal.id, "due": due.isoformat(), "late": late}
    await tell(uow, await recipients_for(uow, deal), NoticeKind.CONTACT_OVERDUE, data, now=now)
    return "overdue"


async def contact_escalate(
    uow: UnitOfWork, config: CrmConfig, timer: Timer, *, now: datetime, late: bool
) -> str:
    found = await _still_planned(uow, timer)
    if found is None:
        return "stale"
    deal, due = found
    if await _owner_not_yet_told(uow, deal, timer, now=now):
        return "deferred"
    owner = await owner_of(uow, deal)  # none: unsorted, or its manager left the team meanwhile
    data = {"deal_id": deal.id, "due": due.isoformat(), "late": late, "manager": deal.manager_id}
    await tell(uow, await overseers_of(uow, deal, besides=owner), NoticeKind.CONTACT_ESCALATED, data, now=now)
    return "escalated"
