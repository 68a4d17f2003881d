"""Use cases of the conversation between a client and their manager through the bot, both ways: the
client's messages after the questionnaire join the deal and reach whoever works it; the manager's
replies are copied to the client, signed with the company's name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.deal_access import ActionResult, Refused, deal_action, load_for_action, record
from domain.deal_rules import DealError
from domain.flood import Flood
from domain.intake import IncomingMessage, record_incoming
from domain.models import ChatMessage, Direction, EventKind, Notice, Staff
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork
from domain.working_time import BusinessCalendar

__all__ = [
    "Flood", "IncomingMessage", "OutgoingMessage", "Relayed", "linked_deal", "relay_prospect_message",
    "reply_to_prospect",
]  # fmt: skip


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
    uow: UnitOfWork, *, deal_id: int, staff: Staff | None, message: OutgoingMessage, now: datetime,
    calendar: BusinessCalendar | None = None,
) -> ActionResult:  # fmt: skip
    """Queue the manager's message to the client of the deal and keep it in the history. Commits.

    Open or closed, a deal's client can be answered: a lost client writing later deserves an answer.
    The deal's first reply is kept for the reports, once, with the working time from the lead's arrival
    by the team's `calendar` (without it the start-up fill, `domain.reports.speed_fill`, writes that).
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
    work_s = None if calendar is None else calendar.working_seconds(deal.created_at, now)
    await uow.team_figures.record_first_reply(deal.id, at=now, work_s=work_s)
    data = {
        "deal_id": deal.id,
        "kind": message.kind,
        "text": message.text,
        "from_chat_id": message.chat_id,
        "message_id": message.message_id,
    }
    await uow.outbox.add(
        Notice(deal.chat_id, NoticeKind.MANAGER_REPLY, data, contact.locale if contact else None), now=now
    )
    await uow.commit()
    return ActionResult(deal)


async def linked_deal(uow: UnitOfWork, *, chat_id: int, message_id: int) -> int | None:
    """The deal a message the bot sent a staff member stands for (a relayed client message). Ends its read."""
    deal_id = await uow.links.deal_for(chat_id=chat_id, message_id=message_id)
    await uow.rollback()
    return deal_id
