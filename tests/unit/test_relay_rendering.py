"""A relay as Bot API calls: one message as before, a burst joined, media copied together, the flood
count with the history button, and relays queued before batching."""

from __future__ import annotations

from typing import Any

from aiogram.methods import CopyMessage, CopyMessages, SendMessage

from domain.flood import Flood, flood_state
from domain.relay_batches import MAX_PARTS, merged_relay, relay_data
from handlers.common.i18n import Translator
from handlers.notices.relay import render_relay

HEADER = "💬 <b>Анна</b> · сделка №7"
t = Translator().bind("ru")


def burst(*parts: tuple[str, str | None], more: int = 0) -> dict[str, Any]:
    data = relay_data(deal_id=7, chat_id=501, message_id=1, kind=parts[0][0], text=parts[0][1])
    for n, (kind, text) in enumerate(parts[1:], start=2):
        joined = merged_relay(data, relay_data(deal_id=7, chat_id=501, message_id=n, kind=kind, text=text))
        assert joined is not None
        data = joined
    return {**data, "more": more}


def buttons(method: Any) -> list[str]:
    return [b.text for row in method.reply_markup.inline_keyboard for b in row] if method.reply_markup else []


def test_texts_are_joined_under_one_header_with_the_reply_button() -> None:
    [message] = render_relay(900, HEADER, burst(("text", "Привет"), ("text", "<b>срочно</b> & важно")), t)
    assert isinstance(message, SendMessage)
    assert message.text == f"{HEADER}\n\nПривет\n&lt;b&gt;срочно&lt;/b&gt; &amp; важно"
    assert buttons(message) == ["💬 Ответить"]


def test_a_long_burst_is_cut_only_at_telegram_s_limit() -> None:
    data = burst(*[("text", f"Строка {n} " + "х" * 90) for n in range(80)])
    methods = render_relay(900, HEADER, data, t)
    assert len(methods) == 2 and all(isinstance(m, SendMessage) for m in methods)
    assert all(len(m.text) <= 4096 for m in methods)  # type: ignore[attr-defined]
    assert buttons(methods[-1]) == ["💬 Ответить"] and buttons(methods[0]) == []


def test_media_go_together_in_the_client_s_order_between_the_texts() -> None:
    data = burst(
        ("text", "Смотрите"), ("photo", "фасад"), ("photo", None), ("sticker", None), ("text", "Ну как?")
    )
    first, copies, last = render_relay(900, HEADER, data, t)
    assert isinstance(first, SendMessage) and first.text == f"{HEADER}\n\nСмотрите"
    assert isinstance(copies, CopyMessages) and copies.message_ids == [2, 3, 4] and copies.from_chat_id == 501
    assert isinstance(last, SendMessage) and last.text == "Ну как?" and buttons(last) == ["💬 Ответить"]


def test_a_burst_of_media_alone_opens_with_the_header_which_carries_the_button() -> None:
    header, copies = render_relay(900, HEADER, burst(("photo", None), ("voice", None)), t)
    assert isinstance(header, SendMessage) and header.text == HEADER and buttons(header) == ["💬 Ответить"]
    assert isinstance(copies, CopyMessages) and copies.message_ids == [1, 2]


def test_what_the_flood_limit_held_back_is_counted_with_the_history_a_tap_away() -> None:
    [message] = render_relay(900, HEADER, burst(("text", "Раз"), ("text", "Два"), more=37), t)
    assert message.text.endswith("Два\n\n…и ещё 37 сообщений — смотрите историю сделки")  # type: ignore[attr-defined]
    assert buttons(message) == ["💬 Ответить", "📜 История"]
    only_counted = relay_data(deal_id=7, chat_id=501, message_id=5, kind="text", text="x", held_back=True)
    [alone] = render_relay(900, HEADER, only_counted, t)
    assert alone.text == f"{HEADER}\n\n…и ещё 1 сообщение — смотрите историю сделки"  # type: ignore[attr-defined]


def test_a_single_message_and_an_old_shaped_relay_render_as_before() -> None:
    [photo] = render_relay(900, HEADER, burst(("photo", "Вот пример")), t)
    assert isinstance(photo, CopyMessage) and photo.caption == f"{HEADER}\n\nВот пример"
    old = {"deal_id": 7, "kind": "sticker", "text": None, "from_chat_id": 501, "message_id": 9}
    header, copy = render_relay(900, HEADER, old, t)
    assert isinstance(header, SendMessage) and isinstance(copy, CopyMessage) and copy.message_id == 9
    assert buttons(copy) == ["💬 Ответить"]


def test_a_full_relay_or_a_correction_is_not_joined() -> None:
    full = burst(*[("text", str(n)) for n in range(MAX_PARTS)])
    assert (
        merged_relay(full, relay_data(deal_id=7, chat_id=501, message_id=999, kind="text", text="x")) is None
    )
    edit = relay_data(deal_id=7, chat_id=501, message_id=2, kind="text", text="x", edited=True)
    assert merged_relay(burst(("text", "a")), edit) is None


def test_the_flood_limit_is_told_once_when_crossed() -> None:
    assert [flood_state(n, limit=20) for n in (1, 20, 21, 22, 80)] == [
        Flood.NONE, Flood.NONE, Flood.STARTED, Flood.GOING_ON, Flood.GOING_ON,
    ]  # fmt: skip
