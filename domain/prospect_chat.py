"""Use case: a manager answers the client through the bot, signed with the company's name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.deal_access import ActionResult, Refused, deal_action, load_for_action, record
from domain.deal_rules import DealError
from domain.models import ChatMessage, Direction, EventKind, Notice, Staff
from domain.ports import UnitOfWork

HISTORY_SNIPPET = 500


@dataclass(frozen=True)
class OutgoingMessage:
    """What the manager wrote to the bot, to be copied to the client."""

    chat_id: int
    message_id: int
    kind: str  # text, photo, document, ...
    text: str | None  # the text or caption


@deal_action
async def reply_to_prospect(
    uow: UnitOfWork, *, deal_id: int, staff: Staff | None, message: OutgoingMessage, now: datetime
) -> ActionResult:
    """Queue the manager's message to the client of the deal and keep it in the history. Commits.

    Open or closed, a deal's client can be answered: a lost client writing later deserves an answer.
    """
    deal = await load_for_action(uow, deal_id=deal_id, staff=staff, version=None, taken=False)
    if deal.chat_id is None:
        raise Refused(DealError.NO_CHAT, deal)
    if message.kind == "text" and not (message.text and message.text.strip()):
        raise Refused(DealError.EMPTY_TEXT, deal)
    assert deal.id is not None and staff is not None and deal.chat_id is not None
    contact = await uow.contacts.get(deal.contact_id)
    await uow.messages.add(
        ChatMessage(
            deal.id,
            Direction.OUT,
            message.kind,
            now,
            text=message.text,
            chat_id=message.chat_id,
            telegram_message_id=message.message_id,
            author_id=staff.telegram_id,
        )
    )
    await record(
        uow,
        deal,
        EventKind.MESSAGE_OUT,
        actor=staff,
        now=now,
        data={"kind": message.kind, "text": (message.text or "")[:HISTORY_SNIPPET]},
    )
    data = {
        "deal_id": deal.id,
        "kind": message.kind,
        "text": message.text,
        "from_chat_id": message.chat_id,
        "message_id": message.message_id,
    }
    await uow.outbox.add(
        Notice(deal.chat_id, "manager_reply", data, contact.locale if contact else None), now=now
    )
    await uow.commit()
    return ActionResult(deal)


async def linked_deal(uow: UnitOfWork, *, chat_id: int, message_id: int) -> int | None:
    """The deal a message the bot sent a staff member stands for (a relayed client message). Ends its read."""
    deal_id = await uow.links.deal_for(chat_id=chat_id, message_id=message_id)
    await uow.rollback()
    return deal_id
