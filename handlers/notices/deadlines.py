"""Reminders and deadline alerts, rendered at send time: the header says what is due or late, the card
below shows the deal as it is when the message goes out, and the buttons act on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.methods import TelegramMethod
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from domain.alert_relevance import alert_still_due, contact_still_planned, still_untaken
from domain.crm_config import CrmConfig
from domain.deal_card import DealCard, deal_card
from domain.handover import handover_candidates
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork
from domain.staff_accounts import team_member
from handlers.common.formatting import clip, esc, local_time, moment, staff_name, stage_label, time_span
from handlers.common.i18n import Texts
from handlers.desk.views.card_message import header_and_card
from handlers.desk.views.keyboards import button, deal_card_keyboard

DEADLINE_NOTICES: frozenset[NoticeKind] = frozenset(
    {
        NoticeKind.CONTACT_REMINDER,
        NoticeKind.CONTACT_OVERDUE,
        NoticeKind.CONTACT_ESCALATED,
        NoticeKind.TAKE_OVERDUE,
        NoticeKind.TAKE_REMINDER,
        NoticeKind.STAGE_OVERDUE,
    }
)
ASSIGN_CHOICES = 6  # managers offered under a "not taken" alert; the card's own menu lists them all


async def render_deadline_notice(
    kind: NoticeKind, data: dict[str, Any], *, chat_id: int, uow: UnitOfWork, config: CrmConfig, t: Texts,
    now: datetime,
) -> list[TelegramMethod[Any]]:  # fmt: skip
    card = await deal_card(uow, int(data["deal_id"]))
    due = datetime.fromisoformat(str(data["due"]))
    if card is None or not alert_still_due(kind, card.deal, data, due):  # done before it could go out
        await uow.rollback()
        return []
    deal = card.deal
    when = moment(due, config, t.locale, now=now)
    late = [t("alert-late", due=when)] if data.get("late") else []
    manager = await _manager_name(uow, data.get("manager"), t)
    if kind == NoticeKind.CONTACT_REMINDER:
        header = t("alert-contact-reminder", id=deal.id, due=when)
        if data.get("woken_from"):
            header += "\n" + t("alert-client-back", old=data["woken_from"], pipeline=esc(
                config.pipeline(deal.pipeline).name[t.locale]))  # fmt: skip
        keyboard = reminder_keyboard(card, t, due)
        if data.get("has_deal"):  # the client has an open deal with its own plan: that deal, no more
            header = t("alert-client-has-deal", id=deal.id, old=data.get("woken_from"), due=when)
            keyboard = _markup([[_open(card, t)]])
    elif kind == NoticeKind.CONTACT_OVERDUE:
        header = t("alert-contact-overdue", id=deal.id, due=when, late=time_span(now - due, t))
        keyboard = reminder_keyboard(card, t, due)
    elif kind == NoticeKind.CONTACT_ESCALATED:
        header = t(
            "alert-contact-escalated", id=deal.id, due=when, late=time_span(now - due, t), manager=manager
        )
        keyboard = _markup([[button(t("btn-hand-over"), "hand", deal)], [_open(card, t)]])
    elif kind == NoticeKind.TAKE_OVERDUE:
        waiting = time_span(now - deal.created_at, t)
        key = "alert-take-overdue-assigned" if isinstance(data.get("manager"), int) else "alert-take-overdue"
        header = t(key, id=deal.id, waiting=waiting, manager=manager)
        keyboard = await _assign_keyboard(uow, card, t) if still_untaken(deal) else None
    elif kind == NoticeKind.TAKE_REMINDER:
        # A test deal's maker alone hears of it (domain/audience.py): no supervisor was told.
        key = "alert-take-reminder-test" if deal.is_test else "alert-take-reminder"
        header = t(key, id=deal.id, waiting=time_span(now - deal.created_at, t))
        keyboard = deal_card_keyboard(card, t, config=config)
    elif kind == NoticeKind.STAGE_OVERDUE:
        stage = config.pipeline(deal.pipeline).stage(str(data.get("stage")))
        entered = datetime.fromisoformat(str(data["entered"]))
        header = t(
            "alert-stage-overdue",
            id=deal.id,
            stage=esc(stage_label(config, deal.pipeline, str(data["stage"]), t.locale)),
            limit=time_span(stage.sla, t) if stage and stage.sla else "—",
            counted="always" if config.business_hours.always else "working",
            since=local_time(entered, ZoneInfo(config.timezone)),
            manager=manager,
        )
        keyboard = _markup([[_open(card, t)]])
    else:
        raise LookupError(f"not a deadline notice: {kind}")
    await uow.rollback()
    return header_and_card(chat_id, "\n".join([*late, header]), card, config, t, now=now, markup=keyboard)


def reminder_keyboard(card: DealCard, t: Texts, due: datetime) -> InlineKeyboardMarkup | None:
    """Done (asks what came of it), later by an hour, tomorrow, the deal itself. The buttons name the
    contact (`due`, in seconds) rather than the card's version: they stay good while the deal changes in
    other ways, and do nothing once that contact was done or moved. An untaken deal (a client who came
    back while their manager was gone) gets its card's own buttons: it is to be taken first."""
    deal = card.deal
    if still_untaken(deal):
        return deal_card_keyboard(card, t)
    if not contact_still_planned(deal, due):
        return _markup([[_open(card, t)]])
    planned = str(int(due.timestamp()))
    return _markup(
        [
            [button(t("btn-contact-done"), "cdone", deal, planned, versioned=False)],
            [
                button(t("btn-remind-1h"), "rsnz", deal, f"1h-{planned}", versioned=False),
                button(t("btn-remind-tmr"), "rsnz", deal, f"tmr-{planned}", versioned=False),
            ],
            [_open(card, t)],
        ]
    )


async def _assign_keyboard(uow: UnitOfWork, card: DealCard, t: Texts) -> InlineKeyboardMarkup:
    """Who the late lead can go to at once, least loaded first; then the deal itself."""
    candidates = await handover_candidates(uow, card.deal)
    rows = []
    for member, load in candidates[:ASSIGN_CHOICES]:
        name = clip(member.name or str(member.telegram_id), 30)
        label = t("btn-assign-to", name=name, count=load, duty="" if member.on_duty else " ⏸")
        rows.append([button(label, "handto", card.deal, str(member.telegram_id))])
    return _markup([*rows, [_open(card, t)]])


def _open(card: DealCard, t: Texts) -> InlineKeyboardButton:
    return button(t("btn-open-deal"), "open", card.deal, versioned=False)


def _markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


async def _manager_name(uow: UnitOfWork, staff_id: object, t: Texts) -> str:
    if not isinstance(staff_id, int):
        return t("history-nobody")
    member = await team_member(uow, staff_id)
    return esc(staff_name(member, t)) if member else t("owner-unknown", id=staff_id)
