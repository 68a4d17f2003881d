"""The card's lines about the client and where they came from: the phone to call with a tap, the email,
the channel and the source by name, no "Reply" for a client without a chat, a questionnaire left
unfinished, a possible duplicate with the buttons each viewer may use."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from aiogram.types import InlineKeyboardMarkup

from domain.crm_config import CrmConfig, Source
from domain.deal_card import DealCard, Duplicate
from domain.models import Channel, Contact, Deal, DealEvent, DealStatus, EventKind, Role, Staff, Temperature
from handlers.common.formatting import TELEGRAM_TEXT_LIMIT, visible_length
from handlers.common.i18n import Translator
from handlers.desk.views.card import deal_card_text
from handlers.desk.views.keyboards import deal_card_keyboard
from handlers.desk.views.merge import merge_pair_of
from tests.conftest import FIXED_NOW

RU, EN = Translator().bind("ru"), Translator().bind("en")
OWNER, COLLEAGUE, SUPERVISOR = 101, 102, 201
HOSTILE = "<b>&amp; «Рога & копыта» <i>" * 80
TAG = re.compile(r"</?([a-z]+)[^>]*>")
BROKEN_ENTITY = re.compile(r"&(?!amp;|lt;|gt;|quot;|#\d+;)")


def staff(telegram_id: int, role: Role) -> Staff:
    return Staff(telegram_id, frozenset({role}), name=f"id{telegram_id}")


def deal(deal_id: int = 7, *, chat_id: int | None = 500, channel: str = "telegram", **fields: Any) -> Deal:
    values: dict[str, Any] = dict(
        id=deal_id, contact_id=1, pipeline="sales", stage="qualified", status=DealStatus.OPEN,
        chat_id=chat_id, source="instagram", answers={}, temperature=Temperature.WARM, target=True,
        created_at=FIXED_NOW, stage_entered_at=FIXED_NOW, manager_id=OWNER, taken_at=FIXED_NOW,
        channel=Channel(channel),
    )  # fmt: skip
    values.update(fields)
    return Deal(**values)


def card(the_deal: Deal | None = None, **fields: Any) -> DealCard:
    contact = Contact(1, 500, "Анна", "anna", "+79161234567", email="anna@example.com")
    return DealCard(the_deal or deal(), fields.pop("contact", contact), None, **fields)


def buttons(markup: InlineKeyboardMarkup | None) -> list[str]:
    return [b.text for row in (markup.inline_keyboard if markup else []) for b in row]


def test_the_phone_is_written_in_full_for_telegram_to_make_it_a_call_and_the_email_is_shown(
    crm_config: CrmConfig,
) -> None:
    text = deal_card_text(card(), crm_config, RU, viewer_id=OWNER, now=FIXED_NOW)
    assert "📱 +7 916 123-45-67" in text
    assert "tel:" not in text  # Telegram drops links other than http(s), tg and ton, and the tap with them
    assert "✉️ anna@example.com" in text


def test_a_phone_that_is_not_e164_is_shown_escaped(crm_config: CrmConfig) -> None:
    odd = Contact(1, 500, "Анна", phone='12"><b>3')
    text = deal_card_text(card(contact=odd), crm_config, RU, now=FIXED_NOW)
    assert '12"&gt;&lt;b&gt;3' in text


def test_a_client_without_phone_or_email_gets_neither_line(crm_config: CrmConfig) -> None:
    text = deal_card_text(card(contact=Contact(1, 500, "Анна")), crm_config, RU, now=FIXED_NOW)
    assert "телефон не указан" in text and "✉️" not in text and "tel:" not in text


@pytest.mark.parametrize(
    ("channel", "source", "ru", "en"),
    [
        ("telegram", "instagram", "Источник: Инстаграм · канал: Telegram",
         "Source: Instagram · channel: Telegram"),
        ("site", "yandex", "Источник: yandex · канал: сайт", "Source: yandex · channel: website"),
        ("site", None, "Источник: напрямую · канал: сайт", "Source: direct · channel: website"),
    ],
)  # fmt: skip
def test_the_channel_stands_beside_the_source_named_as_configured(
    crm_config: CrmConfig, channel: str, source: str | None, ru: str, en: str
) -> None:
    named = Source(key="instagram", name={"ru": "Инстаграм", "en": "Instagram"})
    config = crm_config.model_copy(update={"sources": [named]})
    shown = card(deal(channel=channel, source=source, chat_id=None if channel == "site" else 500))
    assert ru in deal_card_text(shown, config, RU, now=FIXED_NOW)
    assert en in deal_card_text(shown, config, EN, now=FIXED_NOW)


@pytest.mark.parametrize("status", [DealStatus.OPEN, DealStatus.LOST])
def test_a_web_lead_has_no_reply_button_a_telegram_one_has(crm_config: CrmConfig, status: DealStatus) -> None:
    closed: dict[str, Any] = (
        {"closed_at": FIXED_NOW, "loss_reason": "no_need"} if status is DealStatus.LOST else {}
    )
    owner = staff(OWNER, Role.MANAGER)
    web = card(deal(chat_id=None, channel="site", status=status, **closed))
    chat = card(deal(status=status, **closed))
    for viewer in (owner, None):
        assert "💬 Ответить" not in buttons(deal_card_keyboard(web, RU, viewer=viewer, config=crm_config))
        assert "💬 Ответить" in buttons(deal_card_keyboard(chat, RU, viewer=viewer, config=crm_config))
    assert "📜 История" in buttons(deal_card_keyboard(web, RU, viewer=owner, config=crm_config))


def test_an_unfinished_questionnaire_is_marked(crm_config: CrmConfig) -> None:
    assert "Анкета заполнена не до конца" in deal_card_text(
        card(unfinished=True), crm_config, RU, now=FIXED_NOW
    )
    assert "Questionnaire not finished" in deal_card_text(
        card(unfinished=True), crm_config, EN, now=FIXED_NOW
    )
    assert "Анкета" not in deal_card_text(card(), crm_config, RU, now=FIXED_NOW)


def twin(by: str = "phone", *, other_owner: int | None = COLLEAGUE, merged: bool = False) -> Duplicate:
    other = deal(3, manager_id=other_owner, contact_id=2)
    return Duplicate(3, by, other, Contact(2, None, "Анна К."), merged)


@pytest.mark.parametrize(
    ("by", "ru", "en"),
    [
        ("phone", "Возможный дубль сделки №3: тот же телефон", "Possible duplicate of deal #3: same phone"),
        ("name_digits", "Возможный дубль сделки №3: то же имя и похожий телефон",
         "Possible duplicate of deal #3: same name and phone digits"),
    ],
)  # fmt: skip
def test_a_possible_duplicate_is_named_with_why(crm_config: CrmConfig, by: str, ru: str, en: str) -> None:
    flagged = card(duplicate=twin(by))
    assert ru in deal_card_text(flagged, crm_config, RU, now=FIXED_NOW)
    assert en in deal_card_text(flagged, crm_config, EN, now=FIXED_NOW)


def test_a_supervisor_may_open_the_other_deal_and_merge(crm_config: CrmConfig) -> None:
    supervisor = staff(SUPERVISOR, Role.SUPERVISOR)
    shown = buttons(deal_card_keyboard(card(duplicate=twin()), RU, viewer=supervisor, config=crm_config))
    assert shown[-2:] == ["📇 Сделка №3", "🔗 Объединить контакты"]
    admin = staff(SUPERVISOR, Role.ADMIN)
    assert "🔗 Объединить контакты" in buttons(deal_card_keyboard(card(duplicate=twin()), RU, viewer=admin))


def test_a_manager_never_gets_merge_and_opens_the_other_deal_only_when_it_is_theirs(
    crm_config: CrmConfig,
) -> None:
    owner = staff(OWNER, Role.MANAGER)
    colleague_s = buttons(deal_card_keyboard(card(duplicate=twin()), RU, viewer=owner, config=crm_config))
    assert "📇 Сделка №3" not in colleague_s and "🔗 Объединить контакты" not in colleague_s
    own = buttons(
        deal_card_keyboard(card(duplicate=twin(other_owner=OWNER)), RU, viewer=owner, config=crm_config)
    )
    assert "📇 Сделка №3" in own and "🔗 Объединить контакты" not in own
    # An unsorted lead is open to managers while they may take from the queue.
    queued = buttons(
        deal_card_keyboard(card(duplicate=twin(other_owner=None)), RU, viewer=owner, config=crm_config)
    )
    assert "📇 Сделка №3" in queued


def test_a_card_sent_as_a_notice_has_no_duplicate_buttons(crm_config: CrmConfig) -> None:
    shown = buttons(deal_card_keyboard(card(duplicate=twin()), RU, config=crm_config))
    assert "📇 Сделка №3" not in shown and "🔗 Объединить контакты" not in shown


def test_after_the_merge_the_card_says_so_and_offers_no_merge(crm_config: CrmConfig) -> None:
    merged = card(duplicate=twin(merged=True), other_open=(3,))
    text = deal_card_text(merged, crm_config, RU, now=FIXED_NOW)
    assert "🔗 Контакты объединены: это тот же клиент, что в сделке №3" in text
    assert "Возможный дубль" not in text
    assert "📂 У клиента есть другая открытая сделка: №3" in text
    shown = buttons(
        deal_card_keyboard(merged, RU, viewer=staff(SUPERVISOR, Role.SUPERVISOR), config=crm_config)
    )
    assert "📇 Сделка №3" in shown and "🔗 Объединить контакты" not in shown
    assert "other open deals: #3, #4" in deal_card_text(
        replace(merged, other_open=(3, 4)), crm_config, EN, now=FIXED_NOW
    )


def test_an_untaken_lead_offers_merge_beside_take(crm_config: CrmConfig) -> None:
    lead = card(deal(taken_at=None, manager_id=None), duplicate=twin())
    shown = buttons(
        deal_card_keyboard(lead, RU, viewer=staff(SUPERVISOR, Role.SUPERVISOR), config=crm_config)
    )
    assert shown[0] == "✅ Взять в работу" and "🔗 Объединить контакты" in shown


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_every_new_line_at_once_still_fits_one_message_and_keeps_markup_whole(
    crm_config: CrmConfig, locale: str
) -> None:
    t = Translator().bind(locale)
    answers = {q.key: HOSTILE for q in crm_config.intake.questions if q.kind.value == "text"}
    long_deal = deal(answers=answers, source=HOSTILE[:60], next_contact_at=FIXED_NOW - timedelta(hours=1))
    contact = Contact(1, 500, HOSTILE, "anna", "+79161234567", email=HOSTILE[:254])
    recent = [DealEvent(7, EventKind.NOTE, FIXED_NOW, OWNER, {"kind": "call", "text": HOSTILE})] * 3
    full = DealCard(
        long_deal, contact, Staff(OWNER, frozenset(), name=HOSTILE), recent, {OWNER: HOSTILE},
        duplicate=twin(), unfinished=True, other_open=tuple(range(100, 140)),
    )  # fmt: skip
    text = deal_card_text(full, crm_config, t, viewer_id=OWNER, now=FIXED_NOW)
    assert visible_length(text) <= TELEGRAM_TEXT_LIMIT
    tags = TAG.findall(text)
    assert not BROKEN_ENTITY.search(text) and set(tags) <= {"b", "i"}
    assert tags.count("b") % 2 == 0
    assert "+7 916 123-45-67" in text


@pytest.mark.parametrize(
    ("arg", "pair"),
    [("12.7", (12, 7)), ("1.2", (1, 2)), ("", None), ("12", None), ("a.7", None), ("1.2.3", None),
     ("-1.2", None), ("١.٢", None), ("9" * 19 + ".1", None)],
)  # fmt: skip
def test_a_merge_button_names_two_contacts_or_is_not_read(arg: str, pair: tuple[int, int] | None) -> None:
    assert merge_pair_of(arg) == pair
