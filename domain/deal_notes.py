"""Use cases: note what happened with a client, and plan the next contact."""

from __future__ import annotations

from datetime import datetime

from domain import timer_kinds
from domain.deal_access import ActionResult, Refused, deal_action, load_for_action, record
from domain.deal_rules import DealError, check_text
from domain.models import EventKind, NoteKind, Staff, Timer
from domain.ports import UnitOfWork


@deal_action
async def add_note(
    uow: UnitOfWork, *, deal_id: int, staff: Staff | None, kind: NoteKind, text: str, now: datetime
) -> ActionResult:
    """A call, a meeting, an email or anything else, in the manager's words. Commits."""
    deal = await load_for_action(uow, deal_id=deal_id, staff=staff, version=None)
    if error := check_text(text):
        raise Refused(error, deal)
    await record(
        uow, deal, EventKind.NOTE, actor=staff, now=now, data={"kind": kind.value, "text": text.strip()}
    )
    await uow.commit()
    return ActionResult(deal)


@deal_action
async def plan_next_contact(
    uow: UnitOfWork, *, deal_id: int, staff: Staff | None, version: int | None, at: datetime, now: datetime
) -> ActionResult:
    """Set the one next contact of an open deal, replacing any planned before. It must be in the future.

    Stored as a timer (the scheduler reminds the owner at `at`) and shown on the card. Commits.
    """
    deal = await load_for_action(uow, deal_id=deal_id, staff=staff, version=version)
    if not deal.is_open:
        raise Refused(DealError.CLOSED, deal)
    if at <= now:
        raise Refused(DealError.IN_PAST, deal)
    assert deal.id is not None
    await uow.timers.cancel(subject_id=deal.id, kinds=(timer_kinds.NEXT_CONTACT,))
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
