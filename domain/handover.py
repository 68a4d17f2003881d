"""Use case: a deal changes hands, and both people hear about it."""

from __future__ import annotations

from datetime import datetime

from domain.contact_reminders import restart_contact_steps
from domain.crm_config import CrmConfig
from domain.deadlines import deadline
from domain.deal_access import ActionResult, Refused, deal_action, load_for_action, record
from domain.deal_rules import MAX_REASON_LENGTH, DealError, check_text
from domain.models import Deal, EventKind, Notice, Staff, Timer
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork
from domain.timer_kinds import TAKE_SLA as TAKE_SLA_TIMER


@deal_action
async def hand_over(
    uow: UnitOfWork, config: CrmConfig, *, deal_id: int, staff: Staff | None, to_id: int, reason: str,
    version: int | None = None, now: datetime,
) -> ActionResult:  # fmt: skip
    """The owner, a supervisor or an admin gives an open deal to another active manager, saying why.

    A deal that was in work stays in work with the new owner; a lead nobody had taken stays to be
    taken (by the new owner, on the take-into-work deadline already running, or on a fresh one when that
    one has passed: whoever gets a late lead is watched like a new one). The new owner gets the card with
    a "handed over" mark; the previous owner is told, unless they did it themselves. `version`: the card
    the press came from (a lead taken meanwhile is then refused as stale, not asked a reason). Commits.
    """
    deal = await load_for_action(uow, deal_id=deal_id, staff=staff, version=version, taken=False)
    if not deal.is_open:
        raise Refused(DealError.CLOSED, deal)
    if deal.is_test:
        raise Refused(DealError.TEST_DEAL, deal)
    target = await uow.staff.get(to_id)
    if target is None or not target.is_manager:
        raise Refused(DealError.BAD_TARGET, deal)
    if deal.manager_id == to_id:
        raise Refused(DealError.SAME_OWNER, deal)
    # Assigning a lead nobody works yet (unsorted, or not taken in time) needs no why; taking a deal
    # someone works from them does.
    if deal.taken_at is not None and (error := check_text(reason, limit=MAX_REASON_LENGTH)):
        raise Refused(error, deal)
    assert staff is not None and deal.id is not None
    previous = deal.manager_id
    deal.manager_id, deal.assigned_at = to_id, now
    if deal.taken_at is not None:
        deal.taken_at = now
    elif deal.take_due_at is None or deal.take_due_at <= now:
        deal.take_due_at = deadline(config, now, config.intake.take_sla)
        await uow.timers.cancel(subject_id=deal.id, kinds=(TAKE_SLA_TIMER,))
        await uow.timers.add(Timer(TAKE_SLA_TIMER, deal.id, deal.take_due_at))
    await restart_contact_steps(uow, config, deal, now=now)
    await uow.deals.save(deal)
    reason = reason.strip()
    event = {"from": previous, "to": to_id, "reason": reason}
    await record(uow, deal, EventKind.REASSIGNED, actor=staff, now=now, data=event)
    data = {"deal_id": deal.id, "from": previous, "by": staff.telegram_id, "to": to_id, "reason": reason}
    await uow.outbox.add(Notice(to_id, NoticeKind.DEAL_HANDED_OVER, data, target.locale), now=now)
    if previous is not None and previous != staff.telegram_id:
        old = await uow.staff.get(previous)
        if old is not None and old.active:
            await uow.outbox.add(Notice(previous, NoticeKind.DEAL_TAKEN_AWAY, data, old.locale), now=now)
    await uow.commit()
    return ActionResult(deal)


async def handover_candidates(uow: UnitOfWork, deal: Deal) -> list[tuple[Staff, int]]:
    """Managers a deal could go to, with their open-deal load, least loaded first. Ends its read."""
    managers = [m for m in await uow.staff.active() if m.is_manager and m.telegram_id != deal.manager_id]
    loads = await uow.deals.open_counts()
    await uow.rollback()
    ranked = sorted(managers, key=lambda m: (loads.get(m.telegram_id, 0), m.name, m.telegram_id))
    return [(m, loads.get(m.telegram_id, 0)) for m in ranked]
