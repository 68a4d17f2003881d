"""Use case: an update that kept failing was set aside; the supervisors hear it once."""

from __future__ import annotations

from datetime import datetime

from domain.audience import supervisors, tell
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork


async def tell_update_set_aside(
    uow: UnitOfWork, *, update_id: int, kind: str, chat_id: int | None, now: datetime
) -> int:
    """Queue the notice (the update's kind and chat, never its content) in the caller's transaction.
    Returns how many were told."""
    data = {"update_id": update_id, "kind": kind, "chat_id": chat_id}
    return await tell(uow, await supervisors(uow), NoticeKind.UPDATE_SET_ASIDE, data, now=now)
