"""A manager works a deal from the card alone: stages, won and lost, rewarming, notes, history, and the
card always redrawn in place."""

from __future__ import annotations

from typing import Any

from .bot_api_people import FakeUser, button_texts
from .bot_api_server import FakeBotApi
from .conftest import MANAGER, SUPERVISOR, RunningBot
from .test_intake import answer_everything_in_russian


async def taken_lead(api: FakeBotApi, prospect_id: int) -> tuple[FakeUser, FakeUser, dict[str, Any]]:
    """A prospect's finished questionnaire, taken by the manager; returns the card as redrawn."""
    anna, manager = api.user(prospect_id, first_name="Анна"), api.user(MANAGER, first_name="Олег")
    await answer_everything_in_russian(anna)
    await manager.expect("Новая заявка")
    await manager.press("✅ Взять в работу")
    card = await manager.expect("В работе: вы")
    return anna, manager, card


async def open_menu(manager: FakeUser, button: str) -> dict[str, Any]:
    """Press a card button that swaps the card's buttons for a menu; returns the card with the menu."""
    await manager.press(button)
    return await manager.next_message()


def data_of(view: dict[str, Any], text: str) -> str:
    """The callback data of a button as it was drawn on `view` (an older drawing of a card, say)."""
    rows = view["reply_markup"]["inline_keyboard"]
    return str(next(b["callback_data"] for row in rows for b in row if b["text"] == text))


async def test_a_deal_goes_through_every_stage_to_won_on_one_card(
    api: FakeBotApi, running: RunningBot
) -> None:
    _, manager, card = await taken_lead(api, 701)
    card_id = card["message_id"]
    assert "Следующий контакт не запланирован" in card["text"]

    await manager.press("➡️ Квалификация")
    assert (await manager.answer_of_callback())["text"] == "Сделка на этапе «Квалификация» ✓"
    moved = await manager.expect("Этап: Квалификация")
    assert moved["method"] == "editMessageText" and moved["message_id"] == card_id

    await manager.press("➡️ КП отправлено")  # this stage needs an amount
    await manager.expect("укажите сумму сделки")
    await manager.send("сто тысяч")
    await manager.expect("Не понял сумму")
    await manager.send("150 000 руб.")
    await manager.expect("Сделка на этапе «КП отправлено» ✓")
    card = await manager.expect("Сумма: 150\u00a0000 ₽")
    assert card["message_id"] == card_id and "Этап: КП отправлено" in card["text"]

    await manager.press("➡️ Переговоры")
    await manager.expect("Этап: Переговоры")
    await manager.press("➡️ Счёт выставлен")  # needs an amount too, and the deal has one
    card = await manager.expect("Этап: Счёт выставлен")
    assert "➡️" not in " ".join(card["buttons"]), "the last open stage has no next one"

    await open_menu(manager, "🏆 Успешно")
    await manager.press("✅ Успешно: 150\u00a0000 ₽")
    assert "успешно закрыта" in (await manager.answer_of_callback())["text"]
    card = await manager.expect("Этап: Успешно")
    assert card["message_id"] == card_id and "Ответственный: вы" in card["text"]
    assert "🏆 Успешно" not in card["buttons"] and "📜 История" in card["buttons"]

    assert await running.scalar("select status from deals where id = 1") == "won"
    assert await running.scalar("select amount from deals where id = 1") == 150000
    kinds = await running.scalar(
        "select group_concat(kind, ',') from (select kind from deal_events where deal_id = 1 order by id)"
    )
    assert kinds.endswith("taken,stage_changed,stage_changed,stage_changed,stage_changed,won")
    assert (
        await running.scalar(
            "select count(*) from deal_events"
            " where deal_id = 1 and actor_id is null and kind = 'stage_changed'"
        )
        == 0
    )


async def test_won_straight_from_the_first_stage_is_not_offered(api: FakeBotApi, running: RunningBot) -> None:
    _, manager, card = await taken_lead(api, 702)
    assert "🏆 Успешно" not in card["buttons"]
    forged = data_of(card, "✖ Отказ").replace("d:lost:", "d:won:")
    await manager.press_data(forged, card["message_id"])
    assert "с первого этапа" in (await manager.answer_of_callback())["text"]
    assert await running.scalar("select status from deals where id = 1") == "open"


async def test_lost_with_other_needs_words_and_the_client_goes_to_rewarming_once(
    api: FakeBotApi, running: RunningBot
) -> None:
    _, manager, card = await taken_lead(api, 703)
    menu = await open_menu(manager, "✖ Отказ")  # the same card, its buttons replaced by the reasons
    assert menu["message_id"] == card["message_id"]
    assert "Дорого" in menu["buttons"] and "Другое" in menu["buttons"]
    await manager.press("Другое")
    await manager.expect("Напишите причину отказа")
    await manager.send_sticker()
    await manager.expect("Здесь нужен текст")
    await manager.send("Решили делать сайт сами")
    await manager.expect("причина отказа сохранена")
    lost = await manager.expect("Причина отказа: Решили делать сайт сами")
    assert lost["message_id"] == card["message_id"] and "♻️ В прогрев" in lost["buttons"]
    assert await running.scalar("select loss_reason from deals where id = 1") == "other"

    await open_menu(manager, "♻️ В прогрев")
    await manager.press("Через 3 месяца")
    assert "сделка №2" in (await manager.answer_of_callback())["text"]
    rewarm = await manager.expect("Сделка №2 в прогреве")
    assert "Прогрев отказников" in rewarm["text"] and "Следующий контакт:" in rewarm["text"]
    assert await running.scalar("select pipeline from deals where id = 2") == "rewarm"
    assert (
        await running.scalar(
            "select count(*) from timers where subject_id = 2 and kind = 'next_contact' and state = 'pending'"
        )
        == 1
    )

    old = api.find_message(MANAGER, card["message_id"])  # the lost card, redrawn: no second rewarm offered
    assert old is not None and "♻️ В прогрев" not in button_texts(old["reply_markup"])
    await manager.press_data("d:rw:1:0:3m", card["message_id"])
    assert "уже в прогреве или был в нём" in (await manager.answer_of_callback())["text"]
    assert await running.scalar("select count(*) from deals where pipeline = 'rewarm'") == 1


async def test_a_stale_card_says_so_and_shows_the_current_one(api: FakeBotApi, running: RunningBot) -> None:
    _, manager, card = await taken_lead(api, 704)
    await manager.press_data("d:open:1:0:", card["message_id"])  # the same deal opened again, say from /deals
    copy = await manager.expect("Сделка №1")
    await manager.press("➡️ Квалификация", message=api.find_message(MANAGER, copy["message_id"]))
    await manager.expect("Этап: Квалификация")
    await manager.press(
        "➡️ Квалификация", message=api.find_message(MANAGER, card["message_id"])
    )  # the old copy
    assert "Карточка устарела" in (await manager.answer_of_callback())["text"]
    current = await manager.expect("Этап: Квалификация")
    assert current["message_id"] == card["message_id"] and "➡️ КП отправлено" in current["buttons"]
    assert await running.scalar("select count(*) from deal_events where kind = 'stage_changed'") == 1


async def test_notes_and_the_paged_history(api: FakeBotApi, running: RunningBot) -> None:
    _, manager, card = await taken_lead(api, 705)
    for number in range(12):
        prompt = await open_menu(manager, "📝 Заметка")  # asks for the words at once
        assert "Напишите заметку" in prompt["text"] and "✓ 📝 Другое" in prompt["buttons"]
        await manager.press("📞 Звонок")
        ticked = await manager.next_message()
        assert "✓ 📞 Звонок" in ticked["buttons"]
        await manager.send(f"Звонок {number}: обсудили макет")
        await manager.expect("Заметка сохранена")
        await manager.expect("Последнее в истории")  # the card redrawn with its buttons
    latest = api.find_message(MANAGER, card["message_id"])
    assert latest is not None and "Звонок 11: обсудили макет" in latest["text"]  # the card shows the latest
    await manager.press("📜 История")
    page = await manager.expect("История сделки №1")
    assert "стр. 2 из 2" in page["text"] and "Звонок 11" in page["text"]
    await manager.press("« Раньше")
    first = await manager.expect("стр. 1 из 2")
    assert first["message_id"] == page["message_id"] and "Заявка создана" in first["text"]


async def test_the_supervisor_sees_the_whole_history(api: FakeBotApi, running: RunningBot) -> None:
    _, manager, _ = await taken_lead(api, 706)
    await manager.press("➡️ Квалификация")
    await manager.expect("Этап: Квалификация")
    supervisor = api.user(SUPERVISOR, first_name="Ирина")
    await supervisor.send("/start")
    await supervisor.expect("вы в команде")
    await supervisor.press_data("d:hist:1:0:", 1, chat_id=SUPERVISOR)
    history = await supervisor.expect("История сделки №1")
    assert "Олег: этап «Новая заявка» → «Квалификация»" in history["text"]
    assert "Взята в работу: Олег" in history["text"]


async def test_a_note_typed_right_after_the_button_is_kept(api: FakeBotApi, running: RunningBot) -> None:
    _, manager, _ = await taken_lead(api, 707)
    await open_menu(manager, "📝 Заметка")
    await manager.send("Клиент просил перезвонить после обеда")
    await manager.expect("Заметка сохранена")
    card = await manager.expect("Последнее в истории")
    assert "Олег, заметка: Клиент просил перезвонить после обеда" in card["text"]
    await manager.press_data("d:notekind:1:0:call", card["message_id"])  # the kind button, pressed late
    assert "устарела" in (await manager.answer_of_callback())["text"]
    assert await running.scalar("select count(*) from deal_events where kind = 'note'") == 1
