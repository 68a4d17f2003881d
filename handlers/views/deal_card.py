"""The deal card: everything about a deal in one message, with the buttons to work it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.crm_config import CrmConfig
from domain.models import DealStatus
from domain.overview import DealCard
from domain.phone import display_phone
from handlers.i18n import Texts
from handlers.views.deal_history import ENTRY_ON_CARD, history_line, moment, money
from handlers.views.formatting import TELEGRAM_TEXT_LIMIT, clip, esc, local_time
from handlers.views.questionnaire import answers_block

TEMPERATURE_MARK = {"hot": "🔥", "warm": "🌤", "cold": "❄️"}


def deal_card_text(
    card: DealCard, config: CrmConfig, t: Texts, *, viewer_id: int | None = None, now: datetime | None = None
) -> str:
    """The card as `viewer_id` sees it: their own name reads as "you". `now` adds how long the deal has
    been in its stage and whether its next contact is overdue."""
    deal, contact = card.deal, card.contact
    tz = ZoneInfo(config.timezone)
    pipeline = config.pipeline(deal.pipeline)
    stage = pipeline.stage(deal.stage)
    who = esc(contact.name) + (f" (@{esc(contact.username)})" if contact.username else "")
    head = [
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
    ]
    answers = answers_block(config, deal.answers, t.locale, with_phone=False)
    stage_line = t(
        "card-stage",
        stage=esc(stage.name[t.locale] if stage else deal.stage),
        pipeline=esc(pipeline.name[t.locale]),
    )
    if now is not None and deal.is_open and now - deal.stage_entered_at >= timedelta(minutes=1):
        stage_line += t("card-in-stage-for", duration=time_span(now - deal.stage_entered_at, t))
    body = [stage_line]
    if deal.amount is not None:
        body.append(t("card-amount", amount=money(deal.amount, config, t.locale)))
    body += _status_lines(card, config, t, viewer_id, tz)
    if deal.is_open and deal.next_contact_at is not None:
        overdue = now is not None and deal.next_contact_at <= now
        at = moment(deal.next_contact_at, config, t.locale)
        body.append(t("card-next-contact-overdue", at=at) if overdue else t("card-next-contact", at=at))
    elif deal.is_open and deal.taken_at is not None:
        body.append(t("card-no-next-contact"))
    tail: list[str] = []
    if card.recent:
        tail = ["", t("card-history")]
        tail += [
            "• " + history_line(e, card.names, config, t, pipeline=deal.pipeline, limit=ENTRY_ON_CARD)
            for e in card.recent
        ]
    text = "\n".join([*head, "", answers, "", *body, *tail])
    if len(text) > TELEGRAM_TEXT_LIMIT:
        # Long answers are what make a card too long; the history page and the database keep them whole.
        short = clip(answers, max(200, TELEGRAM_TEXT_LIMIT - len(text) + len(answers) - 10))
        text = "\n".join([*head, "", short, "", *body, *tail])[:TELEGRAM_TEXT_LIMIT]
    return text


def time_span(span: timedelta, t: Texts) -> str:
    """How long, compactly and without declension: "3 дн. 4 ч", "2 ч 15 мин", "5 мин"."""
    minutes = max(0, int(span.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return t("span-days", count=days) + (f" {t('span-hours', count=hours)}" if hours else "")
    if hours:
        return t("span-hours", count=hours) + (f" {t('span-minutes', count=minutes)}" if minutes else "")
    return t("span-minutes", count=minutes)


def _status_lines(
    card: DealCard, config: CrmConfig, t: Texts, viewer_id: int | None, tz: ZoneInfo
) -> list[str]:
    deal = card.deal
    if deal.status is DealStatus.WON:
        return [t("card-closed", status="won")]
    if deal.status is DealStatus.LOST:
        reason = config.loss_reason(deal.loss_reason or "")
        line = t(
            "card-lost-reason", reason=esc(reason.text[t.locale]) if reason else esc(deal.loss_reason or "—")
        )
        if deal.loss_note:
            line += f": {esc(clip(deal.loss_note, 300))}"
        return [t("card-closed", status="lost"), line]
    if deal.taken_at is not None:
        return [t("card-taken", owner=_owner(card, t, viewer_id), at=local_time(deal.taken_at, tz))]
    lines = (
        [t("card-assigned", owner=_owner(card, t, viewer_id))] if deal.manager_id else [t("card-unsorted")]
    )
    if deal.take_due_at is not None:
        lines.append(t("card-take-due", at=local_time(deal.take_due_at, tz)))
    return lines


def _owner(card: DealCard, t: Texts, viewer_id: int | None) -> str:
    if card.deal.manager_id is not None and card.deal.manager_id == viewer_id:
        return t("owner-you")
    if card.manager is not None and card.manager.name:
        return esc(card.manager.name)
    return t("owner-unknown", id=card.deal.manager_id or 0)
