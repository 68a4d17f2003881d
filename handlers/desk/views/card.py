"""The deal card: everything about a deal in one message, with the buttons to work it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.crm_config import CrmConfig
from domain.deal_card import DealCard
from domain.deal_rules import NON_TARGET_REASON
from domain.models import DealStatus
from domain.phone import display_phone
from handlers.common.answers import answers_block
from handlers.common.formatting import (
    ANSWER_PREVIEW,
    TELEGRAM_TEXT_LIMIT,
    channel_label,
    clip,
    deal_numbers,
    esc,
    local_time,
    moment,
    money,
    source_label,
    stage_label,
    time_span,
    visible_length,
)
from handlers.common.i18n import Texts
from handlers.desk.views.history import ENTRY_ON_CARD, history_line

TEMPERATURE_MARK = {"hot": "🔥", "warm": "🌤", "cold": "❄️"}
NAME_LIMIT = 100
EMAIL_LIMIT = 100
CARD_LIMITS = ((ANSWER_PREVIEW, ENTRY_ON_CARD), (120, 60), (40, 30))  # (each answer, each history entry)


def deal_card_text(
    card: DealCard, config: CrmConfig, t: Texts, *, viewer_id: int | None = None, now: datetime | None = None
) -> str:
    """The card as `viewer_id` sees it: their own name reads as "you". `now` adds how long the deal has
    been in its stage and whether its next contact is overdue."""
    deal, contact = card.deal, card.contact
    tz = ZoneInfo(config.timezone)
    pipeline = config.pipeline(deal.pipeline)
    who = esc(clip(contact.name, NAME_LIMIT)) + (f" (@{esc(contact.username)})" if contact.username else "")
    head = [
        t(
            "card-title",
            id=deal.id,
            mark=TEMPERATURE_MARK[deal.temperature.value],
            temperature=t(f"temperature-{deal.temperature.value}"),
        ),
        *([t("card-test")] if deal.is_test else []),  # a /preview's: said plainly, before anything else
        "",
        t("card-contact", who=who),
        t("card-phone", phone=phone_text(contact.phone)) if contact.phone else t("card-no-phone"),
        *([t("card-email", email=esc(clip(contact.email, EMAIL_LIMIT)))] if contact.email else []),
        t(
            "card-origin",
            source=esc(source_label(config, deal.source, t.locale, t)),
            channel=esc(channel_label(deal.channel, t)),
        ),
        *_returning_line(card, t, viewer_id),
        *_intake_marks(card, t),
    ]
    stage_line = t(
        "card-stage",
        stage=esc(stage_label(config, deal.pipeline, deal.stage, t.locale)),
        pipeline=esc(pipeline.name[t.locale]),
    )
    if now is not None and deal.is_open and now - deal.stage_entered_at >= timedelta(minutes=1):
        stage_line += t("card-in-stage-for", duration=time_span(now - deal.stage_entered_at, t))
    body = [stage_line]
    if deal.amount is not None:
        body.append(t("card-amount", amount=money(deal.amount, config, t.locale)))
    body += _status_lines(card, config, t, viewer_id, tz, now)
    if deal.is_open and deal.next_contact_at is not None:
        due = now is not None and deal.next_contact_at <= now
        # Overdue when the overdue alert says so (`reminders.overdue_after` of working time later);
        # until then it is simply due: the reminder and the card must not disagree.
        overdue_at = config.calendar().add(deal.next_contact_at, config.reminders.overdue_after)
        overdue = now is not None and overdue_at <= now
        at = moment(deal.next_contact_at, config, t.locale, now=now or deal.stage_entered_at)
        key = (
            "card-next-contact-overdue"
            if overdue
            else "card-next-contact-due"
            if due
            else "card-next-contact"
        )
        body.append(t(key, at=at))
    elif deal.is_open and deal.taken_at is not None:
        body.append(t("card-no-next-contact"))
    # Long answers and history entries are what can make a card too long for one message: they are cut
    # shorter until it fits (whole in the database and on the history pages).
    text = ""
    for answer_limit, entry_limit in CARD_LIMITS:
        answers = answers_block(config, deal.answers, t.locale, with_phone=False, preview=answer_limit)
        tail = ["", t("card-history")] if card.recent else []
        tail += [
            "• " + history_line(e, card.names, config, t, pipeline=deal.pipeline, limit=entry_limit)
            for e in card.recent
        ]
        text = "\n".join([*head, "", *([answers, ""] if answers else []), *body, *tail])
        if visible_length(text) <= TELEGRAM_TEXT_LIMIT:
            break
    return text


def _status_lines(
    card: DealCard, config: CrmConfig, t: Texts, viewer_id: int | None, tz: ZoneInfo, now: datetime | None
) -> list[str]:
    deal = card.deal
    if not deal.is_open:  # the stage line already says won or lost: who worked it, and why it was lost
        lines = [t("card-owner", owner=_owner(card, t, viewer_id))] if deal.manager_id else []
        if deal.status is DealStatus.LOST:
            # "Other" is only a bucket for reports: the manager's own words say more.
            other = deal.loss_reason == "other" and deal.loss_note
            reason = (
                esc(clip(deal.loss_note or "", 300))
                if other
                else loss_reason_text(deal.loss_reason, config, t)
            )
            if deal.loss_note and not other:
                reason += f": {esc(clip(deal.loss_note, 300))}"
            lines.append(t("card-lost-reason", reason=reason))
        if deal.next_contact_at is not None:  # the client comes back as a new deal then
            lines.append(t("card-come-back", at=local_time(deal.next_contact_at, tz)))
        return lines
    if deal.taken_at is not None:
        return [t("card-taken", owner=_owner(card, t, viewer_id), at=local_time(deal.taken_at, tz))]
    lines = (
        [t("card-assigned", owner=_owner(card, t, viewer_id))] if deal.manager_id else [t("card-unsorted")]
    )
    if deal.take_due_at is not None:
        late = now is not None and now >= deal.take_due_at
        lines.append(t("card-take-overdue" if late else "card-take-due", at=local_time(deal.take_due_at, tz)))
    return lines


def phone_text(phone: str) -> str:
    """The phone in full international form, as plain text: Telegram's apps make such a number a
    tap-to-call link themselves. A `tel:` link cannot be written: Telegram keeps only http(s), tg and ton
    links in a message and drops any other silently, so the number would lose its tap."""
    return esc(display_phone(phone))


def _intake_marks(card: DealCard, t: Texts) -> list[str]:
    """What intake noticed: a questionnaire left unfinished, a contact that looks like another one (or
    was merged with it since), other open deals of the same client."""
    lines = [t("card-unfinished")] if card.unfinished else []
    twin = card.duplicate
    if twin is not None and twin.merged:
        lines.append(t("card-duplicate-merged", id=twin.deal_id))
    elif twin is not None:
        by = "phone" if twin.by == "phone" else "name-digits"
        lines.append(t(f"card-duplicate-{by}", id=twin.deal_id))
    if card.other_open:
        lines.append(t("card-other-open", count=len(card.other_open), ids=deal_numbers(card.other_open, t)))
    return lines


def _returning_line(card: DealCard, t: Texts, viewer_id: int | None) -> list[str]:
    """A returning client's deal says who worked with them before: the viewer themselves, or a colleague."""
    earlier = card.returning
    if earlier is None:
        return []
    if earlier.manager_id == viewer_id:
        return [t("card-returning-you")]
    name = esc(clip(earlier.name, NAME_LIMIT)) if earlier.name else t("owner-unknown", id=earlier.manager_id)
    return [t("card-returning", name=name)]


def _owner(card: DealCard, t: Texts, viewer_id: int | None) -> str:
    if card.deal.manager_id is not None and card.deal.manager_id == viewer_id:
        return t("owner-you")
    if card.manager is not None and card.manager.name:
        return esc(card.manager.name)
    return t("owner-unknown", id=card.deal.manager_id or 0)


def loss_reason_text(key: str | None, config: CrmConfig, t: Texts) -> str:
    """A loss reason in the reader's language: a configured one, or the one intake gives junk."""
    if key == NON_TARGET_REASON:
        return t("loss-reason-non-target")
    reason = config.loss_reason(key or "")
    return esc(reason.text[t.locale]) if reason else esc(key or "—")
