"""Next contacts, when their time comes: remind the owner; `overdue_after` later, still not done, tell the
owner it is overdue; `escalate_after` later, tell the supervisors. Each step checks that the contact it
is about is still the one planned (not done, not re-planned, the deal not closed) before it says a word.
"""

from __future__ import annotations

from datetime import datetime

from domain import timer_kinds
from domain.alerts import owner_of, record_breach, supervisors, tell
from domain.crm_config import CrmConfig
from domain.deadlines import deadline, same_moment
from domain.intake import recipients_for
from domain.models import BreachKind, Deal, Timer
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
    await tell(uow, await recipients_for(uow, deal), "contact_reminder", data, now=now)
    return "reminded"


async def arm_contact_chain(
    uow: UnitOfWork, config: CrmConfig, deal: Deal, due: datetime, *, reminded: datetime
) -> None:
    """The overdue and escalation steps of a contact due at `due`, in working time after the reminder
    went out: at its time, or later when the bot was down then (the manager is not called late for a
    reminder they got a minute ago)."""
    assert deal.id is not None
    payload = {"due": due.isoformat()}
    start = max(due, reminded)
    reminders = config.reminders
    for kind, after in (
        (timer_kinds.CONTACT_OVERDUE, reminders.overdue_after),
        (timer_kinds.CONTACT_ESCALATE, reminders.escalate_after),
    ):
        await uow.timers.add(Timer(kind, deal.id, deadline(config, start, after), payload=dict(payload)))


async def _still_planned(uow: UnitOfWork, timer: Timer) -> tuple[Deal, datetime] | None:
    deal = await uow.deals.get(timer.subject_id)
    due = datetime.fromisoformat(str(timer.payload.get("due")))
    if deal is None or not deal.is_open or not same_moment(deal.next_contact_at, due):
        return None
    return deal, due


async def contact_overdue(
    uow: UnitOfWork, config: CrmConfig, timer: Timer, *, now: datetime, late: bool
) -> str:
    found = await _still_planned(uow, timer)
    if found is None:
        return "stale"
    deal, due = found
    await record_breach(uow, deal, BreachKind.CONTACT, due=due, now=now)
    data = {"deal_id": deal.id, "due": due.isoformat(), "late": late}
    await tell(uow, await recipients_for(uow, deal), "contact_overdue", data, now=now)
    return "overdue"


async def contact_escalate(
    uow: UnitOfWork, config: CrmConfig, timer: Timer, *, now: datetime, late: bool
) -> str:
    found = await _still_planned(uow, timer)
    if found is None:
        return "stale"
    deal, due = found
    owner = await owner_of(uow, deal)  # none: unsorted, or its manager left the team meanwhile
    data = {"deal_id": deal.id, "due": due.isoformat(), "late": late, "manager": deal.manager_id}
    await tell(uow, await supervisors(uow, besides=owner), "contact_escalated", data, now=now)
    return "escalated"
