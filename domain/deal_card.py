"""The deal card's read model: the deal, its contact, the latest history and who is who in it, and what
intake recorded when the deal was opened (a returning client, a possible duplicate, a questionnaire left
unfinished), read from its CREATED event once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.contact_merge import current_contact
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
    duplicate: Duplicate | None = None  # intake found another contact that looks like this one
    unfinished: bool = False  # a lead made of a questionnaire left half-way, not finished since
    other_open: tuple[int, ...] = ()  # the client's other open deals (two contacts merged)


@dataclass(frozen=True)
class Returning:
    """Recorded when the deal was opened (its CREATED event's `returning_from`): the client's earlier
    deal and its manager, then."""

    deal_id: int
    manager_id: int
    name: str  # the manager's name, "" when unknown


@dataclass(frozen=True)
class Duplicate:
    """Recorded when the deal was opened (its CREATED event's `duplicate_of`, `domain.duplicates`): the
    latest deal of a contact that looked like this one, and why; with that deal and contact as they
    are now."""

    deal_id: int
    by: str  # domain.duplicates.LookalikeBy: "phone" or "name_digits"
    deal: Deal | None  # the other deal now: who may open it
    contact: Contact | None  # the other contact now (the one it was merged into, if it was)
    merged: bool  # the two contacts are one now

    @property
    def mergeable(self) -> bool:
        return not self.merged and self.contact is not None and self.contact.merged_into is None


async def deal_card(uow: UnitOfWork, deal_id: int, *, history: int = CARD_HISTORY) -> DealCard | None:
    deal = await uow.deals.get(deal_id)
    if deal is None:
        return None
    contact = await uow.contacts.get(deal.contact_id)
    assert contact is not None, "a deal always has its contact"
    manager = await uow.staff.get(deal.manager_id) if deal.manager_id is not None else None
    recent = await uow.events.latest(deal_id, limit=history) if history else []
    names = await staff_names(uow, recent)
    client_deals = await uow.deals.for_contact(deal.contact_id)
    rewarm = not deal.is_open and can_rewarm(deal, client_deals)
    other_open = tuple(d.id for d in client_deals if d.is_open and d.id is not None and d.id != deal.id)
    created = await _created_data(uow, deal_id)
    unfinished = created.get("unfinished") is True and not await uow.deals.has_event(
        deal_id, EventKind.QUESTIONNAIRE_FINISHED
    )
    return DealCard(
        deal, contact, manager, recent, names, rewarm, await _returning(uow, created),
        await _duplicate(uow, contact, created), unfinished, other_open,
    )  # fmt: skip


async def _created_data(uow: UnitOfWork, deal_id: int) -> dict[str, Any]:
    """What intake recorded in the deal's first event, CREATED (empty for a deal without one)."""
    first = await uow.events.next_to(deal_id, 0, forward=True, limit=1)
    return first[0].data if first and first[0].kind is EventKind.CREATED else {}


async def _returning(uow: UnitOfWork, created: dict[str, Any]) -> Returning | None:
    """Who worked with the client before this deal (`returning_from`)."""
    earlier = created.get("returning_from")
    if not isinstance(earlier, dict):
        return None
    earlier_deal, manager_id = earlier.get("deal_id"), earlier.get("manager")
    if not isinstance(earlier_deal, int) or not isinstance(manager_id, int):
        return None
    manager = await uow.staff.get(manager_id)
    return Returning(earlier_deal, manager_id, manager.name if manager is not None else "")


async def _duplicate(uow: UnitOfWork, contact: Contact, created: dict[str, Any]) -> Duplicate | None:
    """The lookalike contact's deal (`duplicate_of`), and whether the two contacts were merged since."""
    lookalike = created.get("duplicate_of")
    if not isinstance(lookalike, dict):
        return None
    deal_id, contact_id, by = lookalike.get("deal_id"), lookalike.get("contact_id"), lookalike.get("by")
    if not isinstance(deal_id, int) or not isinstance(contact_id, int) or not isinstance(by, str):
        return None
    other = await current_contact(uow, await uow.contacts.get(contact_id))
    this = await current_contact(uow, contact)
    merged = other is not None and this is not None and other.id == this.id
    return Duplicate(deal_id, by, await uow.deals.get(deal_id), other, merged)


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
