"""The deal card: everything about a deal in one message, with its buttons."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from domain.crm_config import CrmConfig
from domain.models import DealStatus
from domain.overview import DealCard
from domain.phone import display_phone
from handlers.callbacks import DealAction
from handlers.i18n import Texts
from handlers.views.formatting import esc, local_time
from handlers.views.questionnaire import answers_block

TEMPERATURE_MARK = {"hot": "🔥", "warm": "🌤", "cold": "❄️"}


def deal_card_text(card: DealCard, config: CrmConfig, t: Texts, *, viewer_id: int | None = None) -> str:
    """The card as `viewer_id` sees it: their own name reads as "you"."""
    deal, contact = card.deal, card.contact
    tz = ZoneInfo(config.timezone)
    pipeline = config.pipeline(deal.pipeline)
    stage = pipeline.stage(deal.stage)
    who = esc(contact.name) + (f" (@{esc(contact.username)})" if contact.username else "")
    lines = [
        t(
            "card-title",
            id=deal.id,
            mark=TEMPERATURE_MARK[deal.temperature.value],
            temperature=t(f"temperature-{deal.temperature.value}"),
        ),
        "",
        t("card-contact", who=who),
        t("card-phone", phone=esc(display_phone(contact.phone))) if contact.phone else t("card-no-phone"),
        t("card-source", source=esc(deal.source or t("source-direct"))),
        "",
        answers_block(config, deal.answers, t.locale, with_phone=False),
        "",
        t(
            "card-stage",
            stage=esc(stage.name[t.locale] if stage else deal.stage),
            pipeline=esc(pipeline.name[t.locale]),
        ),
    ]
    if deal.status is not DealStatus.OPEN:
        lines.append(t("card-closed", status=deal.status.value))
    elif deal.taken_at is not None:
        lines.append(t("card-taken", owner=_owner(card, t, viewer_id), at=local_time(deal.taken_at, tz)))
    elif deal.manager_id is not None:
        lines.append(t("card-assigned", owner=_owner(card, t, viewer_id)))
        if deal.take_due_at is not None:
            lines.append(t("card-take-due", at=local_time(deal.take_due_at, tz)))
    else:
        lines.append(t("card-unsorted"))
        if deal.take_due_at is not None:
            lines.append(t("card-take-due", at=local_time(deal.take_due_at, tz)))
    return "\n".join(lines)


def _owner(card: DealCard, t: Texts, viewer_id: int | None) -> str:
    if card.deal.manager_id is not None and card.deal.manager_id == viewer_id:
        return t("owner-you")
    if card.manager is not None and card.manager.name:
        return esc(card.manager.name)
    return t("owner-unknown", id=card.deal.manager_id or 0)


def deal_card_keyboard(card: DealCard, t: Texts) -> InlineKeyboardMarkup | None:
    deal = card.deal
    assert deal.id is not None
    if deal.is_open and deal.taken_at is None:
        data = DealAction(action="take", deal_id=deal.id, v=deal.version).pack()
        return InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text=t("btn-take"), callback_data=data)]]
        )
    return None
