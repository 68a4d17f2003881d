"""Use cases: move a deal through its pipeline, win it, lose it, send a lost client to rewarming."""

from __future__ import annotations

from datetime import datetime

from domain import timer_kinds
from domain.crm_config import CrmConfig
from domain.deadlines import arm_stage_deadline, stop_clocks
from domain.deal_access import ActionResult, Refused, deal_action, load_for_action, record
from domain.deal_opening import follow_up_deal
from domain.deal_rules import (
    REWARM_PIPELINE,
    DealError,
    check_amount,
    check_loss,
    check_move,
    check_rewarm,
    check_win,
    closing_stage,
    missing_for,
)
from domain.models import Deal, DealStatus, EventKind, Staff, Timer
from domain.ports import UnitOfWork


@deal_action
async def move_stage(
    uow: UnitOfWork,
    config: CrmConfig,
    *,
    deal_id: int,
    staff: Staff | None,
    version: int | None,
    stage: str,
    amount: int | None = None,
    note: str | None = None,
    now: datetime,
) -> ActionResult:
    """Move an open deal to another open stage. A stage that requires an amount or a note refuses with
    NEEDS_AMOUNT / NEEDS_NOTE until it is given. Commits when moved."""
    deal = await load_for_action(uow, deal_id=deal_id, staff=staff, version=version)
    pipeline = config.pipeline(deal.pipeline)
    if error := check_move(pipeline, deal, stage):
        raise Refused(error, deal)
    target = pipeline.stage(stage)
    assert target is not None
    if error := missing_for(target, deal, amount=amount, note=note):
        raise Refused(error, deal)
    if amount is not None and (error := check_amount(amount)):
        raise Refused(error, deal)
    previous = deal.stage
    if amount is not None:
        deal.amount = amount
    deal.stage, deal.stage_entered_at = stage, now
    await stop_clocks(uow, deal_id, timer_kinds.STAGE_BOUND, now=now)
    await arm_stage_deadline(uow, config, deal)
    await uow.deals.save(deal)
    await uow.stage_visits.enter(deal_id, deal.pipeline, stage, now)
    data: dict[str, object] = {"from": previous, "to": stage}
    if amount is not None:
        data["amount"] = amount
    if note:
        data["note"] = note.strip()
    await record(uow, deal, EventKind.STAGE_CHANGED, actor=staff, now=now, data=data)
    await uow.commit()
    return ActionResult(deal)


@deal_action
async def win_deal(
    uow: UnitOfWork,
    config: CrmConfig,
    *,
    deal_id: int,
    staff: Staff | None,
    version: int | None,
    amount: int | None,
    now: datetime,
) -> ActionResult:
    """Close the deal as won with its final amount. Commits when closed."""
    deal = await load_for_action(uow, deal_id=deal_id, staff=staff, version=version)
    pipeline = config.pipeline(deal.pipeline)
    if error := check_win(pipeline, deal, amount=amount):
        raise Refused(error, deal)
    previous = deal.stage
    deal.amount = amount
    await _close(uow, deal, stage=closing_stage(pipeline, won=True).key, status=DealStatus.WON, now=now)
    await record(uow, deal, EventKind.WON, actor=staff, now=now, data={"from": previous, "amount": amount})
    await uow.commit()
    return ActionResult(deal)


@deal_action
async def lose_deal(
    uow: UnitOfWork,
    config: CrmConfig,
    *,
    deal_id: int,
    staff: Staff | None,
    version: int | None,
    reason: str,
    note: str | None = None,
    now: datetime,
) -> ActionResult:
    """Close the deal as lost with a configured reason ("other" needs the manager's words). Commits."""
    deal = await load_for_action(uow, deal_id=deal_id, staff=staff, version=version)
    if error := check_loss(config, deal, reason=reason, note=note):
        raise Refused(error, deal)
    previous = deal.stage
    deal.loss_reason = reason
    deal.loss_note = note.strip() if note and note.strip() else None
    pipeline = config.pipeline(deal.pipeline)
    await _close(uow, deal, stage=closing_stage(pipeline, won=False).key, status=DealStatus.LOST, now=now)
    data: dict[str, object] = {"from": previous, "reason": reason}
    if deal.loss_note:
        data["note"] = deal.loss_note
    await record(uow, deal, EventKind.LOST, actor=staff, now=now, data=data)
    await uow.commit()
    return ActionResult(deal)


async def _close(uow: UnitOfWork, deal: Deal, *, stage: str, status: DealStatus, now: datetime) -> None:
    assert deal.id is not None
    deal.stage, deal.stage_entered_at = stage, now
    deal.status, deal.closed_at = status, now
    deal.next_contact_at = None
    await stop_clocks(uow, deal.id, timer_kinds.DEAL_BOUND, now=now)
    await uow.deals.save(deal)
    await uow.stage_visits.enter(deal.id, deal.pipeline, stage, now)


@deal_action
async def rewarm_client(
    uow: UnitOfWork,
    config: CrmConfig,
    *,
    deal_id: int,
    staff: Staff | None,
    next_contact_at: datetime,
    now: datetime,
) -> ActionResult:
    """Open a deal in the rewarm pipeline for a lost deal's client, owned by the lost deal's manager,
    with a next contact, so the client is not forgotten. Once per client. Commits.

    `extra["new_deal_id"]` names the new deal.
    """
    deal = await load_for_action(uow, deal_id=deal_id, staff=staff, version=None)
    if error := check_rewarm(deal, await uow.deals.for_contact(deal.contact_id)):
        raise Refused(error, deal)
    if next_contact_at <= now:
        raise Refused(DealError.IN_PAST, deal)
    assert staff is not None
    owner = await _rewarm_owner(uow, deal, staff)
    deal.next_contact_at = None  # a come-back planned on the lost deal: the rewarm deal's contact replaces it
    await stop_clocks(uow, deal_id, timer_kinds.CONTACT_CHAIN, now=now)
    await uow.deals.save(deal)  # its version moves on: a second rewarm pressed at the same time is stale
    pipeline = config.pipeline(REWARM_PIPELINE)
    new = await uow.deals.add(
        follow_up_deal(
            config, pipeline, deal, owner=owner, target=deal.target, amount=deal.amount,
            next_contact_at=next_contact_at, now=now,
        )
    )  # fmt: skip
    assert new.id is not None
    await uow.timers.add(Timer(timer_kinds.NEXT_CONTACT, new.id, next_contact_at))
    await arm_stage_deadline(uow, config, new)
    if new.take_due_at is not None:  # nobody works it yet: a lead for the queue, on the usual deadline
        await uow.timers.add(Timer(timer_kinds.TAKE_SLA, new.id, new.take_due_at))
    await record(
        uow,
        new,
        EventKind.CREATED,
        actor=staff,
        now=now,
        data={"from_deal": deal.id, "pipeline": pipeline.key},
    )
    await record(
        uow, new, EventKind.NEXT_CONTACT_SET, actor=staff, now=now, data={"at": next_contact_at.isoformat()}
    )
    await record(uow, deal, EventKind.REWARMED, actor=staff, now=now, data={"new_deal": new.id})
    await uow.commit()
    return ActionResult(new, extra={"new_deal_id": new.id, "lost_deal_id": deal.id})


async def _rewarm_owner(uow: UnitOfWork, deal: Deal, staff: Staff) -> int | None:
    """Who works the rewarm deal: the lost deal's manager while they are on the team, else the manager
    who pressed the button; a supervisor who is not a manager leaves it to the unsorted queue."""
    if deal.manager_id is not None:
        manager = await uow.staff.get(deal.manager_id)
        if manager is not None and manager.is_manager:
            return manager.telegram_id
    return staff.telegram_id if staff.is_manager else None
