"""Read models for staff screens."""

from __future__ import annotations

from dataclasses import dataclass

from domain.models import Contact, Deal, Staff
from domain.ports import UnitOfWork


@dataclass(frozen=True)
class StaffOverview:
    staff: Staff
    open_deals: int
    unsorted: int


async def staff_overview(uow: UnitOfWork, staff: Staff) -> StaffOverview:
    """Read-only; ends its transaction so no lock is held while the answer travels to Telegram."""
    loads = await uow.deals.open_counts()
    overview = StaffOverview(staff, loads.get(staff.telegram_id, 0), await uow.deals.unsorted_count())
    await uow.rollback()
    return overview


@dataclass(frozen=True)
class DealCard:
    """Everything a deal card shows, read in one go."""

    deal: Deal
    contact: Contact
    manager: Staff | None


async def deal_card(uow: UnitOfWork, deal_id: int) -> DealCard | None:
    deal = await uow.deals.get(deal_id)
    if deal is None:
        return None
    contact = await uow.contacts.get(deal.contact_id)
    assert contact is not None, "a deal always has its contact"
    manager = await uow.staff.get(deal.manager_id) if deal.manager_id is not None else None
    return DealCard(deal, contact, manager)
