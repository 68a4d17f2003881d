"""The deal card's read model: the deal, its contact, the latest history and who is who in it."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.deal_rules import can_rewarm
from domain.models import Contact, Deal, DealEvent, Staff
from domain.ports import UnitOfWork

CARD_HISTORY = 3


@dataclass(frozen=True)
class DealCard:
    """Everything a deal card shows, read in one go."""

    deal: Deal
    contact: Contact
    manager: Staff | None
    recent: list[DealEvent] = field(default_factory=list)  # the last entries of its history, oldest first
    names: dict[int, str] = field(default_factory=dict)  # staff named in `recent`
    rewarm_allowed: bool = False  # lost, and the client has never been through the rewarm pipeline


async def deal_card(uow: UnitOfWork, deal_id: int, *, history: int = CARD_HISTORY) -> DealCard | None:
    deal = await uow.deals.get(deal_id)
    if deal is None:
        return None
    contact = await uow.contacts.get(deal.contact_id)
    assert contact is not None, "a deal always has its contact"
    manager = await uow.staff.get(deal.manager_id) if deal.manager_id is not None else None
    recent = await uow.events.latest(deal_id, limit=history) if history else []
    names = await staff_names(uow, recent)
    rewarm = not deal.is_open and can_rewarm(deal, await uow.deals.for_contact(deal.contact_id))
    return DealCard(deal, contact, manager, recent, names, rewarm)


async def staff_names(uow: UnitOfWork, events: list[DealEvent]) -> dict[int, str]:
    """Names of the people the events mention: who acted, from whom / to whom a deal went, whose
    deadline was missed."""
    ids: set[int] = set()
    for event in events:
        ids |= {
            i
            for i in (event.actor_id, event.data.get("from"), event.data.get("to"), event.data.get("manager"))
            if isinstance(i, int)
        }
    names: dict[int, str] = {}
    for staff_id in sorted(ids):
        member = await uow.staff.get(staff_id)
        if member is not None and member.name:
            names[staff_id] = member.name
    return names
