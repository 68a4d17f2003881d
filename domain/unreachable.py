"""People the bot cannot reach: they blocked it. Recorded once, the team told once, forgotten when the
person comes back (unblocks the bot), so a later block is told again."""

from __future__ import annotations

from datetime import datetime

from domain.audience import owner_of, supervisors, tell
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork


async def note_blocked(
    uow: UnitOfWork, chat_id: int, *, reason: str, never_started: bool = False, now: datetime
) -> bool:
    """Record that `chat_id` blocked the bot (or, `never_started`, has not opened it yet); tell the
    supervisors (and, for a client, the manager of their deal) the first time. Commits. True when this
    was news."""
    if not await uow.unreachable.add(chat_id, reason=reason, now=now):
        await uow.rollback()
        return False
    member = await uow.staff.get(chat_id)
    data: dict[str, object] = {"chat_id": chat_id, "staff": member is not None and member.active}
    if never_started:
        data["never_started"] = True
    people = [p for p in await supervisors(uow) if p.telegram_id != chat_id]
    if not data["staff"]:
        contact = await uow.contacts.by_telegram_id(chat_id)
        if contact is None:  # nobody we know: nothing to tell anyone
            await uow.commit()
            return True
        data["contact_id"] = contact.id
        deal = await uow.deals.latest_for_chat(chat_id)
        if deal is not None:
            data["deal_id"] = deal.id
            owner = await owner_of(uow, deal)
            if owner is not None and all(p.telegram_id != owner.telegram_id for p in people):
                people.append(owner)
    await tell(uow, people, NoticeKind.PERSON_BLOCKED, data, now=now)
    await uow.commit()
    return True


async def note_back(uow: UnitOfWork, chat_id: int) -> bool:
    """The person can be written to again. Commits. True when they had been recorded as blocking."""
    removed = await uow.unreachable.remove(chat_id)
    await uow.commit()
    return removed
