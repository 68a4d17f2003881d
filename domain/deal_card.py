"""The deal card's read model: the deal, its contact, the latest history and who is who in it."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.deal_rules import can_rewarm
from domain.models import Contact, Deal, DealEvent, EventKind, Staff
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
    returning: Returning | None = None  # a returning client's deal: who worked with them before


@dataclass(frozen=True)
class Returning:
    """Recorded when the deal was opened (its CREATED event's `returning_from`): the client's earlier
    deal and its manager, then."""

    deal_id: int
    manager_id: int
    name: str  # the manager's name, "" when unknown


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
    return DealCard(deal, contact, manager, recent, names, rewarm, await returning_of(uow, deal_id))


async def returning_of(uow: UnitOfWork, deal_id: int) -> Returning | None:
    """Who worked with the client before this deal, as intake recorded it in the deal's first event."""
    first = await uow.events.next_to(deal_id, 0, forward=True, limit=1)
    if not first or first[0].kind is not EventKind.CREATED:
        return None
    earlier = first[0].data.get("returning_from")
    if not isinstance(earlier, dict):
        return None
    earlier_deal, manager_id = earlier.get("deal_id"), earlier.get("manager")
    if not isinstance(earlier_deal, int) or not isinstance(manager_id, int):
        return None
    manager = await uow.staff.get(manager_id)
    return Returning(earlier_deal, manager_id, manager.name if manager is not None else "")


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
