"""Notices about one deal, rendered from the deal as it is at send time (none once it is gone): who has
it (a new lead, one nobody could be given, a request sent again, a questionnaire finished after it was
left, a lead taken over, a deal handed over), above its card; and what its client or its manager wrote,
relayed (handlers/notices/relay.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram.methods import SendMessage, TelegramMethod

from domain.crm_config import CrmConfig
from domain.deal_card import DealCard, deal_card
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork
from domain.staff_accounts import team_member
from handlers.common.answers import answers_block
from handlers.common.formatting import esc
from handlers.common.i18n import Texts
from handlers.desk.views.card_message import header_and_card
from handlers.desk.views.keyboards import deal_card_keyboard
from handlers.notices.relay import relay_one, render_relay

# The header of each notice that says no more than the deal's number above its card.
HEADERS = {
    NoticeKind.NEW_LEAD: "notice-new-lead",
    NoticeKind.UNSORTED_LEAD: "notice-unsorted-lead",
    NoticeKind.REQUEST_REPEATED: "notice-request-repeated",
    NoticeKind.QUESTIONNAIRE_FINISHED: "notice-questionnaire-finished",
}
HANDOVER_NOTICES = frozenset({NoticeKind.DEAL_HANDED_OVER, NoticeKind.DEAL_TAKEN_AWAY})
CHAT_NOTICES = frozenset({NoticeKind.PROSPECT_MESSAGE, NoticeKind.MANAGER_REPLY})
DEAL_NOTICES: frozenset[NoticeKind] = frozenset(
    {*HEADERS, *HANDOVER_NOTICES, *CHAT_NOTICES, NoticeKind.LEAD_TAKEN_OVER}
)


async def render_deal_notice(
    kind: NoticeKind, data: dict[str, Any], *, chat_id: int, uow: UnitOfWork, config: CrmConfig, t: Texts,
    now: datetime,
) -> list[TelegramMethod[Any]]:  # fmt: skip
    """The calls that deliver one notice about a deal; none when the deal is gone."""
    card = await deal_card(uow, int(data["deal_id"]))
    await uow.rollback()
    if card is None:
        return []
    if kind == NoticeKind.PROSPECT_MESSAGE:
        header_key = "relay-header-edited" if data.get("edited") else "relay-header"
        return render_relay(chat_id, t(header_key, name=esc(card.contact.name), id=card.deal.id), data, t)
    if kind == NoticeKind.MANAGER_REPLY:
        return relay_one(chat_id, t("reply-header", company=esc(config.company.name[t.locale])), data)
    if kind == NoticeKind.LEAD_TAKEN_OVER:
        by = esc(card.manager.name) if card.manager and card.manager.name else t("owner-unknown", id=0)
        return [SendMessage(chat_id=chat_id, text=t("notice-lead-taken-over", id=card.deal.id, by=by))]
    if kind in HANDOVER_NOTICES:
        return await _handover(kind, data, card, chat_id=chat_id, uow=uow, config=config, t=t, now=now)
    if kind not in HEADERS:
        raise LookupError(f"not a deal notice: {kind}")
    header = HEADERS[kind]
    if kind == NoticeKind.REQUEST_REPEATED and data.get("unfinished"):
        header = "notice-request-repeated-unfinished"  # begun again and left again (domain/inquiries.py)
    text = t(header, id=card.deal.id)
    if kind == NoticeKind.REQUEST_REPEATED and data.get("answers"):
        # What the client said now; the card below still shows the answers the deal started with. (After
        # a finished questionnaire the card itself shows the answers, now complete.)
        text += "\n" + answers_block(config, dict(data["answers"]), t.locale)
    return _with_card(chat_id, text, card, config, t, now)


async def _handover(
    kind: NoticeKind, data: dict[str, Any], card: DealCard, *, chat_id: int, uow: UnitOfWork,
    config: CrmConfig, t: Texts, now: datetime,
) -> list[TelegramMethod[Any]]:  # fmt: skip
    """To whom the deal went (with its card), or from whom it was taken (a line)."""

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
    if kind == NoticeKind.DEAL_TAKEN_AWAY:
        key = "notice-lead-reassigned-away" if no_reason else "notice-deal-taken-away"
        return [SendMessage(chat_id=chat_id, text=t(key, **args))]
    if data.get("from") is None:
        key = "notice-deal-assigned"
    elif no_reason:
        key = "notice-lead-reassigned"
    else:
        by_owner = data.get("by") == data.get("from")
        key = "notice-deal-handed-over-by-owner" if by_owner else "notice-deal-handed-over"
    return _with_card(chat_id, t(key, **args), card, config, t, now)


def _with_card(
    chat_id: int, header: str, card: DealCard, config: CrmConfig, t: Texts, now: datetime | None
) -> list[TelegramMethod[Any]]:
    """The header above the card, with the card's own buttons."""
    markup = deal_card_keyboard(card, t, config=config)
    return header_and_card(chat_id, header, card, config, t, now=now, markup=markup)
