"""Notices about the team, rendered at send time: someone joined by your invite, someone was removed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram.methods import SendMessage, TelegramMethod

from domain.crm_config import CrmConfig
from domain.models import Role
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork
from handlers.common.formatting import deal_numbers, esc, staff_name
from handlers.common.i18n import Texts

TEAM_NOTICES: frozenset[NoticeKind] = frozenset(
    {NoticeKind.INVITE_USED, NoticeKind.STAFF_REMOVED, NoticeKind.YOU_WERE_REMOVED}
)


async def render_team_notice(
    kind: NoticeKind, data: dict[str, Any], *, chat_id: int, uow: UnitOfWork, config: CrmConfig, t: Texts,
    now: datetime,
) -> list[TelegramMethod[Any]]:  # fmt: skip
    """The calls that deliver one team notice (see `domain.team_management`)."""
    member = await uow.staff.get(int(data["staff_id"]))
    await uow.rollback()
    name = esc(staff_name(member, t) if member else t("owner-unknown", id=data["staff_id"]))
    if kind == NoticeKind.YOU_WERE_REMOVED:
        company = esc(config.company.name[t.locale])
        return [SendMessage(chat_id=chat_id, text=t("notice-you-were-removed", company=company))]
    if kind == NoticeKind.INVITE_USED:
        role = t(f"role-{Role(data['role']).value}")
        handle = f" (@{esc(member.username)})" if member and member.username else ""
        return [SendMessage(chat_id=chat_id, text=t("notice-invite-used", name=name + handle, role=role))]
    if kind == NoticeKind.STAFF_REMOVED:
        deal_ids = [int(i) for i in data.get("deal_ids", [])]
        lines = [t("notice-staff-removed", name=name)]
        if deal_ids:
            lines.append(t("team-removed-deals", count=len(deal_ids), ids=deal_numbers(deal_ids, t)))
        else:
            lines.append(t("team-removed-no-deals"))
        return [SendMessage(chat_id=chat_id, text="\n".join(lines))]
    raise LookupError(f"not a team notice: {kind}")
