"""Whether a deadline alert is still worth saying: the thing it is about may have been done since it was
planned (when its timer fires) or queued (when Telegram was unreachable for a while and it goes out late).
One set of rules for both, so a timer and the message it queued never disagree."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.deadlines import same_moment
from domain.models import Deal
from domain.notice_kinds import NoticeKind


def contact_still_planned(deal: Deal, due: datetime) -> bool:
    """The contact planned for `due` is still to be made: the deal is open and it was not done or moved."""
    return deal.is_open and same_moment(deal.next_contact_at, due)


def still_in_stage(deal: Deal, stage: str | None, entered: datetime) -> bool:
    """The deal is open and still in the visit of `stage` that began at `entered`."""
    return deal.is_open and deal.stage == stage and same_moment(deal.stage_entered_at, entered)


def still_untaken(deal: Deal) -> bool:
    """The lead is open and nobody has taken it into work yet."""
    return deal.untaken


def alert_still_due(kind: NoticeKind, deal: Deal, data: Mapping[str, Any], due: datetime) -> bool:
    """The deadline alert `kind` (its notice `data`, about the moment `due`) still has something to say.
    A reminder to a client with an open deal of its own (`has_deal`) is always said; a notice of another
    kind is not an alert and is never moot."""
    if kind == NoticeKind.CONTACT_REMINDER and not data.get("has_deal"):
        return contact_still_planned(deal, due)
    if kind in (NoticeKind.TAKE_OVERDUE, NoticeKind.TAKE_REMINDER):
        return still_untaken(deal)
    if kind in (NoticeKind.CONTACT_OVERDUE, NoticeKind.CONTACT_ESCALATED):
        return contact_still_planned(deal, due)
    if kind == NoticeKind.STAGE_OVERDUE:
        return still_in_stage(deal, data.get("stage"), datetime.fromisoformat(str(data["entered"])))
    return True
