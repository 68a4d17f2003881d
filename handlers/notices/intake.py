"""The person's confirmation that their request is in, queued with the lead (domain/intake.py) and
rendered at send time, in their language, with the phone keyboard taken away."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import ReplyKeyboardRemove

from domain.crm_config import CrmConfig
from domain.intake import IntakeOutcome
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork
from handlers.common.answers import answers_block
from handlers.common.i18n import Texts
from handlers.prospect.views.questionnaire import when_we_reply

INTAKE_NOTICES: frozenset[NoticeKind] = frozenset({NoticeKind.REQUEST_RECEIVED})


async def render_intake_notice(
    kind: NoticeKind, data: dict[str, Any], *, chat_id: int, uow: UnitOfWork, config: CrmConfig, t: Texts,
    now: datetime,
) -> list[TelegramMethod[Any]]:  # fmt: skip
    """What the person reads once the questionnaire is saved: the request number, what they answered,
    and when to expect the manager (said from when they sent it, however late this goes out). A
    questionnaire finished after it had become a lead (`COMPLETED`) is confirmed as a new one: the person
    never had a number."""
    if data.get("cancelled"):
        text = t("intake-cancelled-message-kept")
    else:
        summary = answers_block(config, dict(data.get("answers") or {}), t.locale)
        outcome, deal_id = IntakeOutcome(str(data["outcome"])), int(data["deal_id"])
        if outcome is IntakeOutcome.ARCHIVED:
            text = t("intake-done-archived", summary=summary)
        elif outcome is IntakeOutcome.APPENDED:
            text = t("intake-done-appended", id=deal_id, summary=summary)
        else:
            sent_at, due = (datetime.fromisoformat(str(data[key])) for key in ("at", "reply_due"))
            text = t(
                "intake-done",
                id=deal_id,
                summary=summary,
                when=when_we_reply(config, now=sent_at, reply_due=due, t=t),
            )
    return [SendMessage(chat_id=chat_id, text=text, reply_markup=ReplyKeyboardRemove())]
