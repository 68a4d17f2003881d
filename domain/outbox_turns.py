"""Whose turn it is in a chat's queue of notices: relayed client messages ("chatter") wait behind
everything else (a new lead, a deadline alert), but a deal's notices keep their order.

The outbox orders a chat's notices by (priority, id). When a normal notice for deal D is queued, D's
chatter still waiting for that chat is raised to normal first (see `storage/outbox_repository.py`), so a
deal's later notice is never sent before its earlier one, while a chatty client never holds back
another client's new lead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.notice_kinds import NoticeKind

NORMAL, CHATTER = 0, 1
CHATTER_KINDS = frozenset({NoticeKind.PROSPECT_MESSAGE})


def priority_of(kind: NoticeKind | str) -> int:
    return CHATTER if kind in CHATTER_KINDS else NORMAL


def deal_of(data: Mapping[str, Any]) -> int | None:
    """The deal a notice is about, when it names one."""
    deal_id = data.get("deal_id")
    if isinstance(deal_id, bool):
        return None
    if isinstance(deal_id, int):
        return deal_id
    if isinstance(deal_id, str) and deal_id.isdigit():
        return int(deal_id)
    return None
