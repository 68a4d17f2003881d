"""Rendering outbox notices into Bot API calls, in the recipient's language, at send time.

Rendering at send time means a card queued while Telegram was unreachable shows the deal as it is
when it finally arrives, not as it was.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram.methods import SendMessage, TelegramMethod

from domain.crm_config import CrmConfig
from domain.deal_card import DealCard, deal_card
from domain.ports import UnitOfWork
from domain.staff_accounts import team_member
from handlers.common.answers import answers_block
from handlers.common.formatting import esc
from handlers.common.i18n import Texts
from handlers.desk.views.card_message import header_and_card
from handlers.desk.views.keyboards import deal_card_keyboard
from handlers.notices.deadlines import DEADLINE_NOTICES, render_deadline_notice
from handlers.notices.digest import DIGEST_NOTICES, render_digest_notice
from handlers.notices.intake import INTAKE_NOTICES, render_request_received
from handlers.notices.relay import relay_one, render_relay
from handlers.notices.team import TEAM_NOTICES, render_team_notice

# Notices whose delivered message stands for its deal: a staff member replying to it writes to the client.
LINKED = frozenset({"prospect_message"})


class UnknownNotice(LookupError):
    pass


async def render_notice(
    kind: str,
    data: dict[str, Any],
    *,
    chat_id: int,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    now: datetime,
) -> list[TelegramMethod[Any]]:
    """The calls that deliver one notice; an empty list when there is nothing left to say.

    Relayed client messages carry a "Reply" button, and the notifier links them to their deal so that
    replying to them also reaches the client (see `LINKED`).
    """
    if kind in INTAKE_NOTICES:
        return render_request_received(data, chat_id=chat_id, config=config, t=t)
    if kind in TEAM_NOTICES:
        return await render_team_notice(kind, data, chat_id=chat_id, uow=uow, config=config, t=t)
    if kind in DEADLINE_NOTICES or kind in DIGEST_NOTICES:
        render = render_deadline_notice if kind in DEADLINE_NOTICES else render_digest_notice
        return await render(kind, data, chat_id=chat_id, uow=uow, config=config, t=t, now=now)
    card = await deal_card(uow, int(data["deal_id"]))
    await uow.rollback()
    if card is None:
        return []
    if kind == "prospect_message":
        header_key = "relay-header-edited" if data.get("edited") else "relay-header"
        return render_relay(chat_id, t(header_key, name=esc(card.contact.name), id=card.deal.id), data, t)
    if kind == "manager_reply":
        return relay_one(chat_id, t("reply-header", company=esc(config.company.name[t.locale])), data)
    if kind == "lead_taken_over":
        by = esc(card.manager.name) if card.manager and card.manager.name else t("owner-unknown", id=0)
        return [SendMessage(chat_id=chat_id, text=t("notice-lead-taken-over", id=card.deal.id, by=by))]
    if kind in ("deal_handed_over", "deal_taken_away"):

        async def who(key: str) -> str:
            staff_id = data.get(key)
            if not isinstance(staff_id, int):
                return t("history-nobody")
            member = await team_member(uow, staff_id)
            return esc(member.name) if member and member.name else t("owner-unknown", id=staff_id)

        args = {
            "id": card.deal.id,
            "old": await who("from"),
            "new": await who("to"),
            "by": await who("by"),
            "reason": esc(data.get("reason", "")),
        }
        # A lead nobody worked yet changes hands without a reason asked: none is shown.
        no_reason = not str(data.get("reason", "")).strip()
        if kind == "deal_taken_away":
            key = "notice-lead-reassigned-away" if no_reason else "notice-deal-taken-away"
            return [SendMessage(chat_id=chat_id, text=t(key, **args))]
        if data.get("from") is None:
            key = "notice-deal-assigned"
        elif no_reason:
            key = "notice-lead-reassigned"
        else:
            by_owner = data.get("by") == data.get("from")
            key = "notice-deal-handed-over-by-owner" if by_owner else "notice-deal-handed-over"
        header = t(key, **args)
        return _with_card(chat_id, header, card, config, t, now)
    headers = {
        "new_lead": "notice-new-lead",
        "unsorted_lead": "notice-unsorted-lead",
        "request_repeated": "notice-request-repeated",
    }
    if kind not in headers:
        raise UnknownNotice(kind)
    text = t(headers[kind], id=card.deal.id)
    if kind == "request_repeated" and data.get("answers"):
        # What the client said now; the card below still shows the answers the deal started with.
        text += "\n" + answers_block(config, dict(data["answers"]), t.locale)
    return _with_card(chat_id, text, card, config, t, now)


def _with_card(
    chat_id: int, header: str, card: DealCard, config: CrmConfig, t: Texts, now: datetime | None
) -> list[TelegramMethod[Any]]:
    """The header above the card, with the card's own buttons."""
    markup = deal_card_keyboard(card, t, config=config)
    return header_and_card(chat_id, header, card, config, t, now=now, markup=markup)
