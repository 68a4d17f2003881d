"""Use cases: note what happened with a client, and plan the next contact."""

from __future__ import annotations

from datetime import datetime

from domain import timer_kinds
from domain.deadlines import same_moment, stop_clocks
from domain.deal_access import ActionResult, Refused, deal_action, load_for_action, record
from domain.deal_rules import DealError, check_text, may_plan_contact
from domain.models import Deal, EventKind, NoteKind, Staff, Timer
from domain.ports import UnitOfWork

# Notes that say the client was reached: one written once the planned contact is due counts as it.
CONTACT_NOTES = (NoteKind.CALL, NoteKind.MEETING, NoteKind.EMAIL)


@deal_action
async def add_note(
    uow: UnitOfWork, *, deal_id: int, staff: Staff | None, kind: NoteKind, text: str, now: datetime
) -> ActionResult:
    """A call, a meeting, an email or anything else, in the manager's words. Commits.

    A call, meeting or email noted once the planned contact is due is that contact: it is done, and
    no overdue alert follows."""
    deal = await load_for_action(uow, deal_id=deal_id, staff=staff, version=None)
    if error := check_text(text):
        raise Refused(error, deal)
    await record(
        uow, deal, EventKind.NOTE, actor=staff, now=now, data={"kind": kind.value, "text": text.strip()}
    )
    if kind in CONTACT_NOTES and deal.next_contact_at is not None and deal.next_contact_at <= now:
        await _contact_done(uow, deal, staff=staff, now=now, data={"note": kind.value})
    await uow.commit()
    return ActionResult(deal)


@deal_action
async def complete_contact(
    uow: UnitOfWork, *, deal_id: int, staff: Staff | None, result: str, planned: datetime | None = None,
    now: datetime,
) -> ActionResult:  # fmt: skip
    """The planned contact happened: what came of it, in the manager's words. The next contact is
    then planned anew (the handler offers it). `planned` is the contact a reminder was about: if it was
    done or moved since, nothing is done (CONTACT_CHANGED). Commits."""
    deal = await load_for_action(uow, deal_id=deal_id, staff=staff, version=None)
    if deal.next_contact_at is None:
        raise Refused(DealError.NO_CONTACT_PLANNED, deal)
    if planned is not None and not same_moment(deal.next_contact_at, planned):
        raise Refused(DealError.CONTACT_CHANGED, deal)
    if error := check_text(result):
        raise Refused(error, deal)
    await _contact_done(uow, deal, staff=staff, now=now, data={"text": result.strip()})
    await uow.commit()
    return ActionResult(deal)


async def _contact_done(
    uow: UnitOfWork, deal: Deal, *, staff: Staff | None, now: datetime, data: dict[str, object]
) -> None:
    assert deal.id is not None and deal.next_contact_at is not None
    planned = deal.next_contact_at
    deal.next_contact_at = None
    await stop_clocks(uow, deal.id, timer_kinds.CONTACT_CHAIN, now=now)
    await uow.deals.save(deal)
    await record(
        uow, deal, EventKind.CONTACT_DONE, actor=staff, now=now, data={"planned": planned.isoformat(), **data}
    )


@deal_action
async def plan_next_contact(
    uow: UnitOfWork, *, deal_id: int, staff: Staff | None, version: int | None, at: datetime,
    planned: datetime | None = None, now: datetime,
) -> ActionResult:  # fmt: skip
    """Set the one next contact of a deal, replacing any planned before. It must be in the future.

    `planned`: the contact a reminder's "later" button was about; if it was done or moved since, nothing
    is done (CONTACT_CHANGED). Stored as a timer (the scheduler reminds the owner at `at`) and shown on
    the card. A closed deal
    may have one too ("call back in three months"): when it falls due, the client comes back as a new
    deal (see `domain/sleeping_clients.py`). Commits.
    """
    deal = await load_for_action(uow, deal_id=deal_id, staff=staff, version=version)
    if not may_plan_contact(deal):
        raise Refused(DealError.NON_TARGET, deal)
    if planned is not None and not same_moment(deal.next_contact_at, planned):  # a reminder's "later"
        raise Refused(DealError.CONTACT_CHANGED, deal)
    if at <= now:
        raise Refused(DealError.IN_PAST, deal)
    assert deal.id is not None
    # The planned contact's timers go; a breach it left stays open: moving a contact is not making it.
    await uow.timers.cancel(subject_id=deal.id, kinds=timer_kinds.CONTACT_CHAIN)
    # No owner in the payload: the deal may change hands before it fires; whoever owns it then is told.
    await uow.timers.add(Timer(timer_kinds.NEXT_CONTACT, deal.id, at))
    previous = deal.next_contact_at
    deal.next_contact_at = at
    await uow.deals.save(deal)
    data: dict[str, object] = {"at": at.isoformat()}
    if previous is not None:
        data["was"] = previous.isoformat()
    await record(uow, deal, EventKind.NEXT_CONTACT_SET, actor=staff, now=now, data=data)
    await uow.commit()
    return ActionResult(deal)
