"""Possible duplicates: a new lead whose contact looks like another one (README.md, "Possible duplicates").

A phone typed into the questionnaire does not join the contact that has it (it could be anyone's: only
a phone Telegram vouches for does, see `domain.intake`), so the same person may end up as two contacts.
The lead is created as usual and its card names the other contact's latest deal, for a supervisor to
merge the two if they are one person (`domain.contact_merge`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from domain.models import Contact
from domain.ports import UnitOfWork

# Two phones ending in the same this many digits, on contacts of the same name, are likely one person
# typed two ways (a country code guessed wrong, a landline prefix): a subscriber number is 7 digits.
SAME_DIGITS = 7


class LookalikeBy(StrEnum):
    PHONE = "phone"  # the same phone number
    NAME_AND_DIGITS = "name_digits"  # the same name, and phones ending in the same digits


async def possible_duplicate(uow: UnitOfWork, contact: Contact) -> dict[str, Any] | None:
    """What the new deal's card says about a lookalike contact: its latest deal and why, or None.
    Stored in the deal's CREATED event (`duplicate_of`)."""
    assert contact.id is not None
    if not contact.phone:
        return None
    why = LookalikeBy.PHONE
    other = await uow.contacts.with_phone(contact.phone, besides=contact.id)
    if other is None:
        why = LookalikeBy.NAME_AND_DIGITS
        digits = "".join(ch for ch in contact.phone if ch.isdigit())[-SAME_DIGITS:]
        if len(digits) < SAME_DIGITS:
            return None
        other = await uow.contacts.with_name_and_digits(contact.name, digits, besides=contact.id)
    if other is None or other.id is None:
        return None
    deals = await uow.deals.for_contact(other.id)
    if not deals:
        return None
    latest = max(deals, key=lambda d: (d.created_at, d.id or 0))
    return {"deal_id": latest.id, "contact_id": other.id, "by": why.value}
