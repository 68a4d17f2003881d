"""Test deals: what a staff member's /preview of the questionnaire leaves (README.md, "First run").
Only a test deal can be deleted, by whoever made it (its manager) or an admin: the deal and everything
of it, and its contact when it has no other deal."""

from __future__ import annotations

from enum import StrEnum

from domain.models import Deal, Role, Staff
from domain.ports import UnitOfWork


class DeleteOutcome(StrEnum):
    DELETED = "deleted"
    GONE = "gone"  # no such deal: deleted already (a second press), or never there
    NOT_TEST = "not_test"  # a real deal is never deleted
    NOT_ALLOWED = "not_allowed"  # someone else's test deal, and not an admin


def may_delete(staff: Staff | None, deal: Deal) -> bool:
    if staff is None or not staff.active or not deal.is_test:
        return False
    return deal.manager_id == staff.telegram_id or staff.has(Role.ADMIN)


def delete_refusal(staff: Staff | None, deal: Deal | None) -> DeleteOutcome | None:
    """Why `staff` may not delete `deal`, or None when they may."""
    if deal is None:
        return DeleteOutcome.GONE
    if not deal.is_test:
        return DeleteOutcome.NOT_TEST
    return None if may_delete(staff, deal) else DeleteOutcome.NOT_ALLOWED


async def delete_test_deal(uow: UnitOfWork, *, staff: Staff | None, deal_id: int) -> DeleteOutcome:
    """Delete a test deal with its history, messages, timers, stage stays, notices not yet sent, links
    and inquiry (and its contact when that has no other deal). Commits when deleted."""
    deal = await uow.deals.get(deal_id)
    refusal = delete_refusal(staff, deal)
    if refusal is not None:
        await uow.rollback()
        return refusal
    await uow.deals.delete_test(deal_id)
    await uow.commit()
    return DeleteOutcome.DELETED
