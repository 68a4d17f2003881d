"""Who may delete a test deal (/preview), and what its card says and offers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.crm_config import CrmConfig
from domain.deal_card import DealCard
from domain.models import Contact, Deal, DealStatus, Role, Staff, Temperature
from domain.preview_deals import DeleteOutcome, delete_refusal
from handlers.common.i18n import Translator
from handlers.desk.views.card import deal_card_text
from handlers.desk.views.keyboards import deal_card_keyboard
from tests.conftest import FIXED_NOW

MAKER = Staff(101, frozenset({Role.MANAGER}), name="Oleg")
COLLEAGUE = Staff(102, frozenset({Role.MANAGER}), name="Ivan")
SUPERVISOR = Staff(201, frozenset({Role.SUPERVISOR}), name="Irina")
ADMIN = Staff(301, frozenset({Role.ADMIN}), name="Anna")


def made(*, is_test: bool = True) -> Deal:
    return Deal(
        id=7, contact_id=1, pipeline="sales", stage="qualified", status=DealStatus.OPEN, chat_id=101,
        source=None, answers={}, temperature=Temperature.HOT, target=True, created_at=FIXED_NOW,
        stage_entered_at=FIXED_NOW, manager_id=MAKER.telegram_id, taken_at=FIXED_NOW, is_test=is_test,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("who", "deal", "refusal"),
    [
        (MAKER, made(), None),
        (ADMIN, made(), None),
        (COLLEAGUE, made(), DeleteOutcome.NOT_ALLOWED),
        (SUPERVISOR, made(), DeleteOutcome.NOT_ALLOWED),
        (replace(MAKER, active=False), made(), DeleteOutcome.NOT_ALLOWED),
        (None, made(), DeleteOutcome.NOT_ALLOWED),
        (MAKER, made(is_test=False), DeleteOutcome.NOT_TEST),
        (ADMIN, made(is_test=False), DeleteOutcome.NOT_TEST),
        (MAKER, None, DeleteOutcome.GONE),
    ],
)
def test_only_a_test_deal_and_only_by_its_maker_or_an_admin(
    who: Staff | None, deal: Deal | None, refusal: DeleteOutcome | None
) -> None:
    assert delete_refusal(who, deal) is refusal


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_a_test_deals_card_says_so_offers_delete_and_no_hand_over(crm_config: CrmConfig, locale: str) -> None:
    t = Translator().bind(locale)
    card = DealCard(made(), Contact(1, None, "Oleg"), MAKER)
    text = deal_card_text(card, crm_config, t, viewer_id=MAKER.telegram_id, now=FIXED_NOW)
    assert text.splitlines()[1].startswith("🧪 <b>")
    mine = deal_card_keyboard(card, t, viewer=MAKER, config=crm_config)
    assert mine is not None
    buttons = [b.text for row in mine.inline_keyboard for b in row]
    assert t("btn-test-delete") in buttons and t("btn-hand-over") not in buttons
    colleague = deal_card_keyboard(card, t, viewer=SUPERVISOR, config=crm_config)
    assert colleague is not None and t("btn-test-delete") not in [
        b.text for row in colleague.inline_keyboard for b in row
    ]
    real = DealCard(made(is_test=False), Contact(1, None, "Oleg"), MAKER)
    assert "🧪" not in deal_card_text(real, crm_config, t, viewer_id=MAKER.telegram_id, now=FIXED_NOW)
    real_buttons = deal_card_keyboard(real, t, viewer=MAKER, config=crm_config)
    assert real_buttons is not None
    flat = [b.text for row in real_buttons.inline_keyboard for b in row]
    assert t("btn-test-delete") not in flat and t("btn-hand-over") in flat
