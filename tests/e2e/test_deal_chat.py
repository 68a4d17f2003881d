"""The manager and the client talk through the bot; the next contact is planned by button or in words."""

from __future__ import annotations

from typing import Any

from .bot_api_people import FakeUser, media
from .bot_api_server import FakeBotApi
from .conftest import MANAGER, RunningBot
from .test_deal_work import open_menu, taken_lead
from .test_intake import answer_everything_in_russian


async def test_the_manager_answers_with_a_photo_and_by_replying_to_the_relayed_message(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna, manager, _ = await taken_lead(api, 801)
    await anna.send("Здравствуйте! Можно посмотреть примеры работ?")
    relayed = await manager.expect("Можно посмотреть примеры работ?")
    assert "💬 Ответить" in relayed["buttons"]

    await manager.press("💬 Ответить")
    await manager.expect("Напишите ответ клиенту (Анна) — он придёт от имени компании «Воронка»")
    await manager.send_photo(caption="Вот кофейня, которую мы делали весной")
    await manager.expect("Отправлено клиенту ✓")
    photo = await anna.expect("Вот кофейня, которую мы делали весной")
    assert photo["method"] == "copyMessage" and photo["params"]["from_chat_id"] == MANAGER
    assert photo["params"]["caption"].startswith("💬 <b>Воронка</b>")  # the company, not the manager

    await manager.reply(relayed["message_id"], "Позвоню вам сегодня в 16:00")
    await manager.expect("Отправлено клиенту ✓")
    text = await anna.expect("Позвоню вам сегодня в 16:00")
    assert text["method"] == "sendMessage" and "Воронка" in text["text"] and "Олег" not in text["text"]

    assert await running.scalar("select count(*) from messages where deal_id = 1 and direction = 'out'") == 2
    assert await running.scalar("select count(*) from messages where deal_id = 1 and direction = 'in'") == 1
    kinds = await running.scalar(
        "select group_concat(kind, ',') from "
        "(select kind from deal_events where kind like 'message_%' order by id)"
    )
    assert kinds == "message_in,message_out,message_out"


async def test_replying_to_a_message_that_is_not_a_client_s_explains_how(
    api: FakeBotApi, running: RunningBot
) -> None:
    _, manager, card = await taken_lead(api, 802)
    await manager.reply(card["message_id"], "Это кому?")
    await manager.expect("Это сообщение не связано со сделкой")
    assert await running.scalar("select count(*) from messages where direction = 'out'") == 0


async def test_the_next_contact_by_button_then_replaced_by_typed_words(
    api: FakeBotApi, running: RunningBot
) -> None:
    _, manager, card = await taken_lead(api, 803)
    await open_menu(manager, "📅 След. контакт")
    await manager.press("Завтра в 10:00")
    assert ", 10:00 ✓" in (await manager.answer_of_callback())["text"]
    planned = await manager.expect("Следующий контакт:")
    assert planned["message_id"] == card["message_id"]

    await open_menu(manager, "📅 След. контакт")
    await manager.press("✏️ Ввести дату")
    await manager.expect("Когда связаться с клиентом?")
    await manager.send("абырвалг")
    await manager.expect("Не понял дату")
    await manager.send("вчера в 10:00")
    await manager.expect("Это время уже прошло")
    await manager.send("завтра в 15:00")
    confirm = await manager.expect("15:00. Всё верно?")
    await manager.press("✅ Да, верно", message=api.find_message(MANAGER, confirm["message_id"]))
    assert ", 15:00 ✓" in (await manager.answer_of_callback())["text"]
    card = await manager.expect("Следующий контакт:")
    assert ", 15:00" in card["text"]

    pending = await running.scalar(
        "select count(*) from timers where subject_id = 1 and kind = 'next_contact' and state = 'pending'"
    )
    replaced = await running.scalar(
        "select count(*) from timers where subject_id = 1 and kind = 'next_contact' and state = 'cancelled'"
    )
    assert (pending, replaced) == (1, 1)


async def test_an_english_speaking_manager_plans_the_next_contact_in_english(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(804, first_name="Анна")
    manager = api.user(MANAGER, first_name="Oleg", language_code="en")
    await manager.send("/start")  # the bot learns the manager's language
    await manager.expect("you are on the team")
    await answer_everything_in_russian(anna)
    await manager.expect("New lead")
    await manager.press("✅ Take it")
    await manager.expect("Taken by you")
    await open_menu(manager, "📅 Next contact")
    await manager.press("✏️ Type a date")
    await manager.expect("When should you contact the client?")
    await manager.send("in 2 hours")
    confirm = await manager.expect("Is that right?")
    await manager.press("✅ Yes, that's right", message=api.find_message(MANAGER, confirm["message_id"]))
    assert "Next contact:" in (await manager.answer_of_callback())["text"]
    card = await manager.expect("Next contact:")
    assert "overdue" not in card["text"]
    due = await running.scalar("select due_at from timers where kind = 'next_contact' and state = 'pending'")
    assert due is not None


async def test_a_command_ends_a_half_typed_reply_so_later_words_do_not_reach_the_client(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna, manager, _ = await taken_lead(api, 805)
    await manager.press("💬 Ответить")
    await manager.expect("Напишите ответ клиенту (Анна)")
    await manager.send("/deals")
    await manager.expect("Ввод прерван командой")
    await manager.send("черновик для себя")
    await manager.expect("Не понял")
    assert await running.scalar("select count(*) from messages where direction = 'out'") == 0
    assert all("черновик" not in (m.get("text") or "") for m in api.sent_to(anna.chat_id))


async def test_a_reply_to_another_client_s_message_goes_to_that_client_even_with_a_reply_pending(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna, manager, _ = await taken_lead(api, 806)
    boris = api.user(807, first_name="Борис")
    await answer_everything_in_russian(boris, phone="79161112233")
    await manager.expect("Новая заявка")
    await manager.press("✅ Взять в работу")
    await manager.expect("В работе: вы")
    await boris.send("А скидка будет?")
    from_boris = await manager.expect("А скидка будет?")

    await manager.press("💬 Ответить", message=api.find_message(MANAGER, 1))  # on Anna's card
    await manager.expect("Напишите ответ клиенту (Анна)")
    await manager.reply(from_boris["message_id"], "Борис, скидка 10%")
    await manager.expect("Отправлено клиенту ✓")
    await boris.expect("Борис, скидка 10%")
    assert all("скидка 10%" not in (m.get("text") or "") for m in api.sent_to(anna.chat_id))
    await manager.send("это уже не клиенту")  # the pending reply to Anna was dropped
    await manager.expect("Не понял")
    assert await running.scalar("select count(*) from messages where direction = 'out'") == 1


async def test_an_album_goes_to_the_client_whole_and_what_follows_stays_with_the_manager(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna, manager, _ = await taken_lead(api, 808)
    await manager.press("💬 Ответить")
    await manager.expect("Напишите ответ клиенту")
    for number in range(3):
        photo = media("photo", *api.register_file(f"album{number}", 40_000))
        content = {"photo": photo, "media_group_id": "album-1"}
        await manager._say({**content, "caption": "Три варианта логотипа"} if number == 0 else content)
    await manager.expect("Отправлено клиенту ✓")
    await running.eventually("select count(*) from messages where direction = 'out'", 3)
    await manager.send("заметка для себя")
    await manager.expect("Не понял")
    await running.eventually("select count(*) from outbox where kind = 'manager_reply' and state = 'sent'", 3)
    copies = [c for c in api.calls_of("copyMessage") if c.params.get("chat_id") == anna.chat_id]
    assert len(copies) == 3
    assert await running.scalar("select count(*) from messages where direction = 'out'") == 3


async def test_a_client_whose_name_looks_like_markup_can_still_be_answered(
    api: FakeBotApi, running: RunningBot
) -> None:
    tricky = api.user(809, first_name="<i>Анна & Co")
    manager = api.user(MANAGER, first_name="Олег")
    await answer_everything_in_russian(tricky)
    card = await manager.expect("Новая заявка")
    assert "<i>Анна & Co" in card["text"]  # shown as typed, not as markup
    await manager.press("✅ Взять в работу")
    await manager.expect("В работе: вы")
    await manager.press("💬 Ответить")
    prompt = await manager.expect("Напишите ответ клиенту (<i>Анна & Co)")
    assert prompt["method"] == "sendMessage"
    await manager.send("Здравствуйте!")
    await manager.expect("Отправлено клиенту ✓")
    await tricky.expect("Здравствуйте!")


async def open_menu_on(manager: FakeUser, api: FakeBotApi, message_id: int, button: str) -> dict[str, Any]:
    """Press a menu button on one card (of several) and return that card as it then is."""
    await manager.press(button, message=api.find_message(MANAGER, message_id))
    await manager.next_message()
    found = api.find_message(MANAGER, message_id)
    assert found is not None
    return found


async def test_an_old_question_s_buttons_do_not_act_on_what_is_typed_for_another_deal(
    api: FakeBotApi, running: RunningBot
) -> None:
    _, manager, anna_card = await taken_lead(api, 810)
    await answer_everything_in_russian(api.user(811, first_name="Борис"), phone="79163334455")
    await manager.expect("Новая заявка")
    await manager.press("✅ Взять в работу")
    boris_card = await manager.expect("В работе: вы")

    await open_menu(manager, "📅 След. контакт")  # on Boris's card, the newest
    await manager.press("✏️ Ввести дату")
    await manager.send("завтра в 15:00")
    old_confirm = await manager.expect("Всё верно?")  # Boris's date, not confirmed yet
    yes = old_confirm["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

    anna_menu = await open_menu_on(manager, api, anna_card["message_id"], "📅 След. контакт")
    await manager.press("✏️ Ввести дату", message=anna_menu)
    await manager.expect("Когда связаться")  # now typing a date for Anna's deal
    await manager.press_data(yes, old_confirm["message_id"])  # Boris's old "yes"
    assert "неактуален" in (await manager.answer_of_callback())["text"]
    await manager.send("послезавтра в 11:00")
    await manager.expect("Всё верно?")
    await manager.press("✅ Да, верно")
    await manager.expect("Следующий контакт:")
    # Anna's deal only: Boris's old question did nothing (the card's buttons go before the commit: wait)
    await running.eventually("select group_concat(subject_id) from timers where kind = 'next_contact'", "1")
    assert boris_card["message_id"] != anna_card["message_id"]


async def test_a_live_location_is_not_relayed_as_a_stream_of_corrections(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna, manager = api.user(812, first_name="Анна"), api.user(MANAGER)
    await answer_everything_in_russian(anna)
    await manager.expect("Новая заявка")
    shared = await anna._say({"location": {"latitude": 55.75, "longitude": 37.61, "live_period": 3600}})
    await manager.expect("сделка №1")  # the location itself is passed on
    for step in range(3):
        moved = {**shared, "location": {"latitude": 55.75 + step / 1000, "longitude": 37.61}, "edit_date": 1}
        await api.inject_update("edited_message", moved)
    await anna.send("Я на месте")
    await manager.expect("Я на месте")
    assert await running.scalar("select count(*) from messages where direction = 'in'") == 2


async def test_telegram_failing_to_tidy_a_question_does_not_lose_the_confirmed_date(
    api: FakeBotApi, running: RunningBot
) -> None:
    """Taking the buttons off a finished question is cosmetic: a 502 there must not stop the plan."""
    _, manager, _ = await taken_lead(api, 807)
    await open_menu(manager, "📅 След. контакт")
    await manager.press("✏️ Ввести дату")
    await manager.expect("Когда связаться с клиентом?")
    await manager.send("завтра в 15:00")
    confirm = await manager.expect("15:00. Всё верно?")
    api.fail("editMessageReplyMarkup", times=3, error_code=502)
    await manager.press("✅ Да, верно", message=api.find_message(MANAGER, confirm["message_id"]))
    assert ", 15:00 ✓" in (await manager.answer_of_callback())["text"]
    await running.eventually(
        "select count(*) from timers where subject_id = 1 and kind = 'next_contact' and state = 'pending'", 1
    )
    assert "что-то пошло не так" not in str(api.sent_to(MANAGER)[-1].get("text"))
