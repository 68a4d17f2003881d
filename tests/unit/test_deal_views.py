"""Cards and history pages fit one Telegram message whatever people typed, and never break markup."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from domain.crm_config import CrmConfig
from domain.deal_card import DealCard
from domain.history_pages import HistoryCursor, HistoryWindow
from domain.models import Contact, Deal, DealEvent, DealStatus, EventKind, Staff, Temperature
from handlers.common.formatting import TELEGRAM_TEXT_LIMIT, visible_length
from handlers.common.i18n import Translator
from handlers.desk.views.card import deal_card_text
from handlers.desk.views.history import history_cursor_of, history_line, history_page
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


def window(events: list[DealEvent], *, start: int | None, names: dict[int, str]) -> HistoryWindow:
    """What the read model hands over for the page of up to ten events from `start` (None: the newest)."""
    if start is None:
        return HistoryWindow(events[-10:], max(len(events) - 10, 0), 0, True, names)
    return HistoryWindow(events[start : start + 10], start, max(len(events) - start - 10, 0), False, names)


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_a_history_page_of_long_notes_fits_one_message(crm_config: CrmConfig, locale: str) -> None:
    t = Translator().bind(locale)
    events = [
        DealEvent(
            7,
            EventKind.NOTE,
            FIXED_NOW + timedelta(minutes=n),
            101,
            {"kind": "call", "text": HOSTILE},
            id=n + 1,
        )
        for n in range(25)
    ]
    for start in (0, 1, 2, None):
        page = window(events, start=start, names={101: "Олег"})
        text, _ = history_page(page, crm_config, t, deal_id=7, pipeline="sales")
        assert visible_length(text) <= TELEGRAM_TEXT_LIMIT, start
        assert well_formed(text)
        assert "Рога &amp; копыта" in text  # the notes themselves, not only their frames
    last, _ = history_page(window(events, start=None, names={}), crm_config, t, deal_id=7, pipeline="sales")
    first, _ = history_page(window(events, start=0, names={}), crm_config, t, deal_id=7, pipeline="sales")
    pages = int(first.split("\n")[0].rsplit(" ", 1)[-1])
    assert pages > 3  # long notes take more pages, each whole
    assert f"{pages} из {pages}" in last.split("\n")[0] or f"{pages} of {pages}" in last.split("\n")[0]


def test_a_note_of_two_thousand_characters_is_shown_whole(crm_config: CrmConfig) -> None:
    t = Translator().bind("ru")
    note = "слово " * 330 + "конец"
    events = [DealEvent(7, EventKind.NOTE, FIXED_NOW, 101, {"kind": "other", "text": note}, id=1)]
    text, _ = history_page(window(events, start=None, names={}), crm_config, t, deal_id=7, pipeline="sales")
    assert note in text


@pytest.mark.parametrize(
    ("start", "shown", "title", "buttons"),
    [
        (None, list(range(16, 26)), "стр. 3 из 3", ["« Раньше", "📇 Карточка сделки"]),
        (0, list(range(1, 11)), "стр. 1 из 3", ["Позже »", "📇 Карточка сделки"]),
        (10, list(range(11, 21)), "стр. 2 из 3", ["« Раньше", "Позже »", "📇 Карточка сделки"]),
    ],
)
def test_history_pages_say_where_they_are_and_lead_to_the_entries_next_to_them(
    crm_config: CrmConfig, start: int | None, shown: list[int], title: str, buttons: list[str]
) -> None:
    t = Translator().bind("ru")
    events = [
        DealEvent(7, EventKind.NOTE, FIXED_NOW, 101, {"kind": "call", "text": f"заметка {n}"}, id=n)
        for n in range(1, 26)
    ]
    text, markup = history_page(
        window(events, start=start, names={}), crm_config, t, deal_id=7, pipeline="sales"
    )
    assert title in text.split("\n")[0]
    assert [n for n in range(1, 26) if f"заметка {n}\n" in text + "\n"] == shown
    pressed = [(b.text, b.callback_data) for row in markup.inline_keyboard for b in row]
    assert [label for label, _ in pressed] == buttons
    places = {label: (data or "").rsplit(":", 1)[-1] for label, data in pressed}
    assert places.get("« Раньше", f"b{shown[0]}") == f"b{shown[0]}"
    assert places.get("Позже »", f"a{shown[-1]}") == f"a{shown[-1]}"
    assert history_cursor_of(f"b{shown[0]}") == HistoryCursor(False, shown[0])


@pytest.mark.parametrize("arg", ["0", "1", "a", "b-1", "x12", "a1e3", "b99999999999999999999", "a١٢"])
def test_a_history_button_with_a_broken_place_is_not_read(arg: str) -> None:
    assert history_cursor_of(arg) is None


def test_visible_length_counts_like_telegram() -> None:
    assert visible_length("<b>a&amp;b</b>") == 3
    assert visible_length("🔥") == 2  # UTF-16 code units


@pytest.mark.parametrize("locale", ["ru", "en"])
@pytest.mark.parametrize("kind", ["stage", "contact"])
def test_a_missed_deadline_names_its_owner_only_when_there_is_one(
    crm_config: CrmConfig, locale: str, kind: str
) -> None:
    t = Translator().bind(locale)

    def line(manager: int | None) -> str:
        data = {"kind": kind, "due": FIXED_NOW.isoformat(), "stage": "new", "manager": manager}
        event = DealEvent(7, EventKind.DEADLINE_MISSED, FIXED_NOW, None, data)
        return history_line(event, {101: "Oleg"}, crm_config, t, pipeline="sales", limit=500)

    assert line(101).endswith(" · Oleg")
    unowned = line(None)
    assert not unowned.rstrip().endswith(("·", "—", "-")) and " · —" not in unowned, unowned
