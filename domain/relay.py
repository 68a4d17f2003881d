"""Use case: a prospect writes after the questionnaire; the message joins the deal and reaches its manager."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.flood import Flood
from domain.intake import IncomingMessage, record_incoming
from domain.ports import UnitOfWork

__all__ = ["Flood", "IncomingMessage", "Relayed", "relay_prospect_message"]


@dataclass(frozen=True)
class Relayed:
    deal_id: int
    flood: Flood = Flood.NONE  # past the flood limit the message is kept and only counted for the manager


async def relay_prospect_message(
    uow: UnitOfWork, message: IncomingMessage, *, now: datetime, flood_limit: int | None = None
) -> Relayed | None:
    """Store the message in the history of the prospect's deal and queue it to whoever works the deal.

    Returns the deal and whether the client writes past `flood_limit` messages a minute, or None when
    the person has no deal yet (they are asked to fill the form). The open deal wins; with every deal
    closed the latest one takes it, so nothing is lost. Commits.
    """
    deal = await uow.deals.latest_for_chat(message.chat_id)
    if deal is None:
        contact = await uow.contacts.by_telegram_id(message.telegram_id)
        if contact is not None and contact.id is not None:
            deals = await uow.deals.for_contact(contact.id)
            deal = max(deals, key=lambda d: (d.is_open, d.created_at), default=None)
    if deal is None or deal.id is None:
        await uow.rollback()  # end the read before the caller talks to anything else
        return None
    flood = await record_incoming(uow, deal, message, now=now, flood_limit=flood_limit)
    await uow.commit()
    return Relayed(deal.id, flood)
