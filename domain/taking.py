"""Use case: a manager presses "Take" on a lead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.deadlines import stop_clocks
from domain.models import Deal, DealEvent, EventKind, Notice, Staff
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork
from domain.timer_kinds import TAKE_SLA as TAKE_SLA_TIMER
from domain.working_time import BusinessCalendar


class TakeOutcome(StrEnum):
    TAKEN = "taken"
    ALREADY_YOURS = "already_yours"
    TAKEN_BY_OTHER = "taken_by_other"
    ASSIGNED_TO_OTHER = "assigned_to_other"
    CLOSED = "closed"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True)
class TakeResult:
    outcome: TakeOutcome
    deal: Deal | None = None
    other: Staff | None = None


async def take_deal(
    uow: UnitOfWork, *, deal_id: int, staff: Staff | None, now: datetime, managers_take_unsorted: bool = True,
    calendar: BusinessCalendar | None = None,
) -> TakeResult:  # fmt: skip
    """Make `staff` the one working the deal. Commits when taken; otherwise ends its read.

    A manager takes a lead assigned to them, and an unsorted one when `managers_take_unsorted` (the
    config's `deals.managers_see_unsorted`); a supervisor or admin takes any lead not yet taken. The
    claim is atomic, so of two people pressing at once exactly one wins. With the team's `calendar` the
    working time from the lead's arrival to this take is written for the reports; without it the start-up
    fill (`domain.reports.speed_fill`) writes it.
    """
    for _ in range(2):  # once more when the deal changed hands between reading it and claiming it
        result = await _take(
            uow, deal_id=deal_id, staff=staff, now=now, unsorted_too=managers_take_unsorted, calendar=calendar
        )
        if result is not None:
            break
        await uow.rollback()
    if result is None:  # it kept changing: say it is someone else's for now; the card shows the rest
        result = TakeResult(TakeOutcome.TAKEN_BY_OTHER, await uow.deals.get(deal_id))
    await uow.rollback()
    return result


async def _take(
    uow: UnitOfWork, *, deal_id: int, staff: Staff | None, now: datetime, unsorted_too: bool,
    calendar: BusinessCalendar | None,
) -> TakeResult | None:  # fmt: skip
    """The outcome, or None when the claim lost to a change that left the lead still untaken."""
    if staff is not None:  # as they are now: removed from the team a moment ago counts
        staff = await uow.staff.get(staff.telegram_id)
    if staff is None or not (staff.is_manager or staff.oversees):
        return TakeResult(TakeOutcome.NOT_ALLOWED)
    deal = await uow.deals.get(deal_id)
    if deal is None:
        return TakeResult(TakeOutcome.NOT_FOUND)
    if not deal.is_open:
        return TakeResult(TakeOutcome.CLOSED, deal)
    if deal.manager_id is None and deal.taken_at is None and not staff.oversees and not unsorted_too:
        return TakeResult(TakeOutcome.NOT_ALLOWED, deal)
    if deal.taken_at is None and deal.manager_id not in (None, staff.telegram_id) and not staff.oversees:
        return TakeResult(TakeOutcome.ASSIGNED_TO_OTHER, deal, await _staff(uow, deal.manager_id))
    if deal.taken_at is None and await uow.deals.claim_take(
        deal_id, staff.telegram_id, version=deal.version, now=now
    ):
        await uow.events.add(
            DealEvent(
                deal_id, EventKind.TAKEN, now, actor_id=staff.telegram_id, data={"from": deal.manager_id}
            )
        )
        await stop_clocks(uow, deal_id, (TAKE_SLA_TIMER,), now=now)
        if calendar is not None:  # the first take only: a lead sent back to the queue keeps its first speed
            await uow.team_figures.record_take(deal_id, work_s=calendar.working_seconds(deal.created_at, now))
        if deal.manager_id != staff.telegram_id:
            staff.last_assigned_at = now
            await uow.staff.save(staff)
        if deal.manager_id not in (None, staff.telegram_id):
            # A supervisor took a lead assigned to someone else: that someone must not keep waiting on it.
            previous = await uow.staff.get(deal.manager_id)
            if previous is not None and previous.active:
                notice = Notice(
                    previous.telegram_id, NoticeKind.LEAD_TAKEN_OVER, {"deal_id": deal_id}, previous.locale
                )
                await uow.outbox.add(notice, now=now)
        await uow.commit()
        return TakeResult(TakeOutcome.TAKEN, await uow.deals.get(deal_id))
    current = await uow.deals.get(deal_id)
    assert current is not None
    if current.untaken:
        return None  # handed over or sent back to the queue meanwhile: look again
    if current.manager_id == staff.telegram_id:
        return TakeResult(TakeOutcome.ALREADY_YOURS, current)
    return TakeResult(TakeOutcome.TAKEN_BY_OTHER, current, await _staff(uow, current.manager_id))


async def _staff(uow: UnitOfWork, telegram_id: int | None) -> Staff | None:
    return None if telegram_id is None else await uow.staff.get(telegram_id)
