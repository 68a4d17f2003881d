"""Merging two contacts from a deal card: the question, with both contacts and what happens to the deals."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from domain.contact_merge import MergePlan
from domain.models import Contact
from domain.phone import display_phone
from handlers.common.callbacks import DealAction
from handlers.common.formatting import clip, deal_numbers, esc
from handlers.common.i18n import Texts

NAME_LIMIT = 60
MERGE_PAIR = "."  # the arg of the "yes" button: "<merged away>.<kept>", the two contacts asked about


def merge_question(plan: MergePlan, t: Texts) -> str:
    """ "Merge Борис (#12) into Анна (#7)?": who is who, which deals move, and that nothing is deleted."""
    merged, kept = _name(plan.merged), _name(plan.kept)
    lines = [
        t("merge-question-title"),
        "",
        _contact_line(plan.merged, t),
        t("merge-question-into", contact=_contact_line(plan.kept, t)),
        "",
        t("merge-question-deals", ids=deal_numbers(plan.moving, t), kept=kept, count=len(plan.moving))
        if plan.moving
        else t("merge-question-no-deals", merged=merged),
        t("merge-question-kept", merged=merged, kept=kept),
    ]
    return "\n".join(lines)


def _name(contact: Contact) -> str:
    return esc(clip(contact.name, NAME_LIMIT))


def _contact_line(contact: Contact, t: Texts) -> str:
    details = [
        esc(display_phone(contact.phone)) if contact.phone else "",
        f"@{esc(contact.username)}" if contact.username else "",
        esc(clip(contact.email, NAME_LIMIT)) if contact.email else "",
    ]
    shown = ", ".join(d for d in details if d)
    return t("merge-contact", name=_name(contact), id=contact.id or 0, details=shown or "—")


def merge_pair_arg(plan: MergePlan) -> str:
    return f"{plan.merged.id}{MERGE_PAIR}{plan.kept.id}"


def merge_pair_of(arg: str) -> tuple[int, int] | None:
    """The two contacts a "yes" button names; None for a forged or broken one."""
    first, dot, second = arg.partition(MERGE_PAIR)
    if not dot or not all(part.isascii() and part.isdigit() and len(part) <= 18 for part in (first, second)):
        return None
    return int(first), int(second)


def merge_keyboard(deal_id: int, plan: MergePlan, t: Texts) -> InlineKeyboardMarkup:
    yes = DealAction(action="mergeok", deal_id=deal_id, v=0, arg=merge_pair_arg(plan)).pack()
    no = DealAction(action="mergeno", deal_id=deal_id, v=0).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=t("btn-merge-yes"), callback_data=yes),
                InlineKeyboardButton(text=t("btn-merge-no"), callback_data=no),
            ]
        ]
    )
