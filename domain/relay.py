"""Use case: a prospect writes after the questionnaire; the message joins the deal and reaches its manager."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.intake import recipients_for
from domain.models import ChatMessage, Direction, Notice
from domain.ports import UnitOfWork


@dataclass(frozen=True)
class IncomingMessage:
    chat_id: int
    telegram_id: int
    message_id: int
    kind: str  # text, photo, document, voice, sticker, ...
    text: str | None  # the text or caption


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
    await uow.messages.add(
        ChatMessage(
            deal.id,
            Direction.IN,
            message.kind,
            now,
            text=message.text,
            chat_id=message.chat_id,
            telegram_message_id=message.message_id,
        )
    )
    data = {
        "deal_id": deal.id,
        "kind": message.kind,
        "text": message.text,
        "from_chat_id": message.chat_id,
        "message_id": message.message_id,
    }
    for person in await recipients_for(uow, deal):
        await uow.outbox.add(Notice(person.telegram_id, "prospect_message", data, person.locale), now=now)
    await uow.commit()
    return deal.id
