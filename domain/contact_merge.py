"""Use case: a supervisor merges two contacts that are one person (README.md, "Possible duplicates and
merging contacts").

The older contact (the lower id) is kept: it has the longer history, and which one stays never depends
on which card the merge was started from. Every deal of the other one moves to it, each with its own
chat, messages and history (so a client's messages are still relayed to the deal they belong to); the
kept contact gets what it lacked (phone, email, username, language, Telegram account); the other one
stays, archived, with `merged_into` naming the kept one (`domain.intake` follows it when that person
writes again). Nothing is deleted. The merge is an event in the history of every deal of both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.models import Contact, ContactStatus, DealEvent, EventKind, Staff
from domain.ports import UnitOfWork


class MergeOutcome(StrEnum):
    MERGED = "merged"
    NOT_ALLOWED = "not_allowed"  # only supervisors and admins merge contacts
    SAME_CONTACT = "same_contact"  # a contact with itself
    NOT_FOUND = "not_found"  # no such contact (a forged button)
    # The newer one was merged away already (a double press, a stale button).
    ALREADY_MERGED = "already_merged"
    INTO_MERGED = "into_merged"  # the older one was merged away into a third contact


@dataclass(frozen=True)
class MergeResult:
    outcome: MergeOutcome
    kept: Contact | None = None
    merged: Contact | None = None
    moved: tuple[int, ...] = ()  # the deals that went from the merged contact to the kept one

    @property
    def ok(self) -> bool:
        return self.outcome is MergeOutcome.MERGED


def may_merge(staff: Staff | None) -> bool:
    """Supervisors and admins, who see every deal, merge contacts; managers do not."""
    return staff is not None and staff.oversees


def merge_order(first: int, second: int) -> tuple[int, int]:
    """(kept, merged away): the older contact, the one with the lower id, is kept."""
    return min(first, second), max(first, second)


async def current_contact(uow: UnitOfWork, contact: Contact | None) -> Contact | None:
    """The contact `contact` stands for now: itself, or the one it was merged into (merges may chain)."""
    seen: set[int] = set()
    while contact is not None and contact.merged_into is not None and contact.merged_into not in seen:
        seen.add(contact.merged_into)
        contact = await uow.contacts.get(contact.merged_into)
    return contact


@dataclass(frozen=True)
class MergePlan:
    """What a merge of two contacts would do, for the supervisor to confirm."""

    kept: Contact
    merged: Contact
    moving: tuple[int, ...]  # the merged contact's deals, which go to the kept one


async def merge_plan(uow: UnitOfWork, contact_ids: tuple[int, int]) -> MergePlan | MergeOutcome:
    """The merge the supervisor is asked to confirm, or why it cannot be done. Ends its read."""
    kept_id, merged_id = merge_order(*contact_ids)
    if kept_id == merged_id:
        await uow.rollback()
        return MergeOutcome.SAME_CONTACT
    kept, merged = await uow.contacts.get(kept_id), await uow.contacts.get(merged_id)
    refusal = _refusal(kept, merged)
    moving = [] if refusal else await uow.deals.for_contact(merged_id)
    await uow.rollback()
    if refusal is not None:
        return refusal
    assert kept is not None and merged is not None
    return MergePlan(kept, merged, tuple(d.id for d in moving if d.id is not None))


async def merge_contacts(
    uow: UnitOfWork, *, contact_ids: tuple[int, int], staff: Staff | None, now: datetime
) -> MergeResult:
    """Merge the two contacts into the older one. Commits; a refusal changes nothing.

    The contacts are locked first and read as committed, so a second press (or a second supervisor
    at the same moment) finds the first merge done and is refused with ALREADY_MERGED: one merge.
    """
    if not may_merge(staff):
        await uow.rollback()
        return MergeResult(MergeOutcome.NOT_ALLOWED)
    assert staff is not None
    kept_id, merged_id = merge_order(*contact_ids)
    if kept_id == merged_id:
        await uow.rollback()
        return MergeResult(MergeOutcome.SAME_CONTACT)
    found = await uow.contacts.lock({kept_id, merged_id})
    kept, merged = found.get(kept_id), found.get(merged_id)
    refusal = _refusal(kept, merged)
    if refusal is not None:
        await uow.rollback()
        return MergeResult(refusal, kept, merged)
    assert kept is not None and merged is not None
    staying = [d.id for d in await uow.deals.for_contact(kept_id) if d.id is not None]
    moved = await uow.deals.move_to_contact(merged_id, kept_id)
    await _join(uow, kept, merged)
    data = {
        "from_contact": merged_id, "into_contact": kept_id, "from_name": merged.name, "into_name": kept.name,
        "by": staff.telegram_id, "moved": moved,
    }  # fmt: skip
    for deal_id in sorted({*staying, *moved}):
        await uow.events.add(
            DealEvent(deal_id, EventKind.CONTACTS_MERGED, now, actor_id=staff.telegram_id, data=dict(data))
        )
    await uow.commit()
    return MergeResult(MergeOutcome.MERGED, kept, merged, tuple(moved))


def _refusal(kept: Contact | None, merged: Contact | None) -> MergeOutcome | None:
    if kept is None or merged is None:
        return MergeOutcome.NOT_FOUND
    if merged.merged_into is not None:
        return MergeOutcome.ALREADY_MERGED
    if kept.merged_into is not None:
        return MergeOutcome.INTO_MERGED
    return None


async def _join(uow: UnitOfWork, kept: Contact, merged: Contact) -> None:
    """The kept contact gets what it lacked; the merged one is archived, pointing at it."""
    telegram_id = merged.telegram_id if kept.telegram_id is None else None
    active = ContactStatus.ACTIVE in (kept.status, merged.status)  # archived only as a non-target lead
    merged.merged_into, merged.status = kept.id, ContactStatus.ARCHIVED
    if telegram_id is not None:
        # contacts.telegram_id is unique: the account leaves the merged contact before it joins the kept
        # one (both in this transaction, so nobody ever sees it on neither).
        merged.telegram_id = None
    await uow.contacts.save(merged)
    kept.telegram_id = kept.telegram_id if telegram_id is None else telegram_id
    kept.phone = kept.phone or merged.phone
    kept.email = kept.email or merged.email
    kept.username = kept.username or merged.username
    kept.locale = kept.locale or merged.locale
    if active:
        kept.status = ContactStatus.ACTIVE
    await uow.contacts.save(kept)
