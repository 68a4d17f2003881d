"""Cards and history pages fit one Telegram message whatever people typed, and never break markup."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from domain.crm_config import CrmConfig
from domain.models import Contact, Deal, DealEvent, DealStatus, EventKind, Staff, Temperature
from domain.overview import DealCard
from handlers.i18n import Translator
from handlers.views.deal_card import deal_card_text
from handlers.views.deal_history import history_page
from handlers.views.formatting import TELEGRAM_TEXT_LIMIT, visible_length
from tests.conftest import FIXED_NOW

HOSTILE = "<b>&amp; «Рога & копыта» <i>" * 80  # typed by a prospect: markup-looking, long
BROKEN_ENTITY = re.compile(r"&(?!amp;|lt;|gt;|quot;|#\d+;)")


def well_formed(text: str) -> bool:
    """Only our own tags, each closed; every & starts an entity."""
    tags = re.findall(r"</?([a-z]+)[^>]*>", text)
    return not BROKEN_ENTITY.search(text) and set(tags) <= {"b", "i"} and tags.count("b") % 2 == 0


def hostile_deal(config: CrmConfig) -> DealCard:
    answers = {q.key: HOSTILE for q in config.intake.questions if q.kind.value == "text"}
    deal = Deal(
        id=7, contact_id=1, pipeline="sales", stage="qualified", status=DealStatus.OPEN, chat_id=500,
        source=HOSTILE[:60], answers=answers, temperature=Temperature.HOT, target=True, created_at=FIXED_NOW,
        stage_entered_at=FIXED_NOW, manager_id=101, taken_at=FIXED_NOW, amount=150_000,
        next_contact_at=FIXED_NOW - timedelta(hours=1),
    )  # fmt: skip
    recent = [
        DealEvent(7, EventKind.NOTE, FIXED_NOW, 101, {"kind": "call", "text": HOSTILE}) for _ in range(3)
    ]
    contact = Contact(1, 500, HOSTILE, "anna", "+79161234567")
    return DealCard(deal, contact, Staff(101, frozenset(), name=HOSTILE), recent, {101: HOSTILE})


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_a_card_full_of_long_markup_looking_text_fits_one_message(crm_config: CrmConfig, locale: str) -> None:
    t = Translator().bind(locale)
    text = deal_card_text(hostile_deal(crm_config), crm_config, t, viewer_id=101, now=FIXED_NOW)
    assert visible_length(text) <= TELEGRAM_TEXT_LIMIT
    assert well_formed(text)
    assert "🔴" in text  # the overdue next contact is still shown


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_a_history_page_of_long_notes_fits_one_message(crm_config: CrmConfig, locale: str) -> None:
    t = Translator().bind(locale)
    events = [
        DealEvent(7, EventKind.NOTE, FIXED_NOW + timedelta(minutes=n), 101, {"kind": "call", "text": HOSTILE})
        for n in range(25)
    ]
    for page in (0, 1, 2, None):
        text, _ = history_page(events, {101: "Олег"}, crm_config, t, deal_id=7, pipeline="sales", page=page)
        assert visible_length(text) <= TELEGRAM_TEXT_LIMIT, page
        assert well_formed(text)
        assert "Рога &amp; копыта" in text  # the notes themselves, not only their frames
    last, _ = history_page(events, {}, crm_config, t, deal_id=7, pipeline="sales", page=None)
    first, _ = history_page(events, {}, crm_config, t, deal_id=7, pipeline="sales", page=0)
    pages = int(first.split("\n")[0].rsplit(" ", 1)[-1])
    assert pages > 3  # long notes take more pages, each whole
    assert f"{pages} из {pages}" in last.split("\n")[0] or f"{pages} of {pages}" in last.split("\n")[0]


def test_a_note_of_two_thousand_characters_is_shown_whole(crm_config: CrmConfig) -> None:
    t = Translator().bind("ru")
    note = "слово " * 330 + "конец"
    events = [DealEvent(7, EventKind.NOTE, FIXED_NOW, 101, {"kind": "other", "text": note})]
    text, _ = history_page(events, {}, crm_config, t, deal_id=7, pipeline="sales", page=None)
    assert note in text


def test_visible_length_counts_like_telegram() -> None:
    assert visible_length("<b>a&amp;b</b>") == 3
    assert visible_length("🔥") == 2  # UTF-16 code units
