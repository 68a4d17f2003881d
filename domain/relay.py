"""Use case: a prospect writes after the questionnaire; the message joins the deal and reaches its manager."""

from __future__ import annotations

from datetime import datetime

from domain.intake import IncomingMessage, record_incoming
from domain.ports import UnitOfWork

__all__ = ["IncomingMessage", "relay_prospect_message"]


async def relay_prospect_message(uow: UnitOfWork, message: IncomingMessage, *, now: datetime) -> int | None:
    """Store the message in the history of the prospect's deal and queue it to whoever works the deal.

    Returns the deal id, or None when the person has no deal yet (they are asked to fill the form).
    The open deal wins; with every deal closed the latest one takes it, so nothing is lost. Commits.
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
    await record_incoming(uow, deal, message, now=now)
    await uow.commit()
    return deal.id
