"""A prospect goes through the questionnaire over real HTTP, and a manager gets the lead."""

from __future__ import annotations

from typing import Any

from .bot_api_people import FakeUser
from .bot_api_server import FakeBotApi
from .conftest import MANAGER, SUPERVISOR, RunningBot


async def answer_everything_in_russian(
    anna: FakeUser, *, source: str = "src_instagram", phone: str = "79161234567"
) -> dict[str, Any]:
    await anna.send(f"/start {source}")
    await anna.expect(f"Здравствуйте, {anna.first_name}!")
    await anna.expect("Вопрос 1 из 4")
    await anna.send("Нужен сайт для кофейни")
    await anna.expect("Вопрос 2 из 4")
    await anna.press("больше 500 тыс. ₽")
    await anna.expect("Вопрос 3 из 4")
    await anna.press("в ближайшие дни")
    await anna.expect("Вопрос 4 из 4")
    await anna.send_contact(phone)
    return await anna.expect("Ваша заявка №")


async def test_a_prospect_completes_the_questionnaire_in_russian_and_the_manager_takes_the_lead(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(501, first_name="Анна", username="anna_k", language_code="ru")
    manager = api.user(MANAGER, first_name="Олег", language_code="ru")
    done = await answer_everything_in_russian(anna)
    assert "Ваша заявка №1 принята" in done["text"]
    assert "Бюджет: больше 500 тыс. ₽" in done["text"]
    assert "+7 916 123-45-67" in done["text"]
    assert "в течение 15 минут" in done["text"]
    assert done["params"]["reply_markup"] == {"remove_keyboard": True}

    card = await manager.expect("Новая заявка")
    for shown in (
        "Сделка №1",
        "горячий",
        "Анна",
        "@anna_k",
        "+7 916 123-45-67",
        "instagram",
        "Нужен сайт для кофейни",
        "в ближайшие дни",
        "Новая заявка (Продажи)",
        "Взять в работу до",
    ):
        assert shown in card["text"], shown
    await manager.press("✅ Взять в работу")
    answer = await manager.answer_of_callback()
    assert "Сделка №1 ваша" in answer["text"]
    edited = await manager.expect("В работе: вы")
    assert edited["method"] == "editMessageText" and "✅ Взять в работу" not in edited["buttons"]
    assert "➡️ Квалификация" in edited["buttons"]  # the card now offers working the deal


async def test_a_prospect_completes_the_questionnaire_in_english(
    api: FakeBotApi, running: RunningBot
) -> None:
    john = api.user(502, first_name="John", language_code="en")
    manager = api.user(MANAGER, first_name="Oleg", language_code="en")
    await manager.send("/start")  # the bot learns the manager's language when they first write
    await manager.expect("you are on the team: manager")
    await john.send("/start")
    await john.expect("Hello, John!")
    await john.expect("Question 1 of 4")
    await john.send("A mobile app")
    await john.expect("Question 2 of 4")
    await john.press("100k–500k ₽")
    await john.expect("Question 3 of 4")
    await john.press("within a month")
    await john.expect("Question 4 of 4")
    await john.send("+44 20 7946 0958")
    done = await john.expect("Your request #1 is in")
    assert "within 15 minutes" in done["text"] and "Budget: 100k–500k ₽" in done["text"]
    card = await manager.expect("New lead")
    assert "warm" in card["text"] and "Source: direct" in card["text"] and "+44 20 7946 0958" in card["text"]


async def test_every_bad_answer_is_re_asked_politely_and_loses_nothing(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(503, first_name="Анна")
    await anna.send("/start")
    await anna.expect("Вопрос 1 из 4")
    await anna.send_sticker()
    await anna.expect("жду ответ текстом")
    await anna.send("x" * 1500)
    await anna.expect("Слишком длинный ответ")
    await anna.send("   ")
    await anna.expect("Ответ пустой")
    await anna.send("Ремонт офиса")
    await anna.expect("Вопрос 2 из 4")
    await anna.send("миллион долларов")
    await anna.expect("Выберите, пожалуйста, один из вариантов")
    await anna.send("2")  # the second option, typed
    await anna.expect("Вопрос 3 из 4")
    await anna.send_photo()  # at a choice, the way to answer is a button: said so
    await anna.expect("Выберите, пожалуйста, один из вариантов кнопкой ниже")
    await anna.press("позже")
    await anna.expect("Вопрос 4 из 4")
    await anna.send("12345")
    await anna.expect("Не получилось распознать номер")
    await anna.send_voice()
    await anna.expect("жду ответ текстом")
    await anna.send("8 (916) 765-43-21")
    done = await anna.expect("Ваша заявка №1 принята")
    assert (
        "Ремонт офиса" in done["text"]
        and "100–500 тыс. ₽" in done["text"]
        and "+7 916 765-43-21" in done["text"]
    )


async def test_back_goes_to_the_previous_question_and_cancel_stops(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(504, first_name="Анна")
    await anna.send("/start")
    await anna.expect("Вопрос 1 из 4")
    await anna.send("Сайт")
    await anna.expect("Вопрос 2 из 4")
    await anna.press_reply_button("« Назад")
    await anna.expect("Вопрос 1 из 4")
    await anna.send("Сайт и логотип")
    await anna.expect("Вопрос 2 из 4")
    await anna.press("до 100 тыс. ₽")
    await anna.expect("Вопрос 3 из 4")
    await anna.press("позже")
    await anna.expect("Вопрос 4 из 4")
    await anna.press_reply_button("« Назад")
    going_back = await anna.expect("вернёмся к предыдущему вопросу")
    assert going_back["buttons"] == ["« Назад", "✖ Отмена"]  # the phone's keyboard gives way to them
    await anna.expect("Вопрос 3 из 4")
    await anna.press("в течение месяца")
    await anna.expect("Вопрос 4 из 4")
    await anna.press_reply_button("✖ Отмена")
    cancelled = await anna.expect("Анкета отменена")
    assert cancelled["params"]["reply_markup"] == {"remove_keyboard": True}
    assert await running.scalar("select count(*) from deals") == 0


async def test_a_stale_button_from_an_earlier_question_changes_nothing(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(505, first_name="Анна")
    await anna.send("/start")
    await anna.expect("Вопрос 1 из 4")
    await anna.send("Сайт")
    question_two = await anna.expect("Вопрос 2 из 4")
    await anna.press("до 100 тыс. ₽")
    await anna.expect("Вопрос 3 из 4")
    stale = api.find_message(anna.chat_id, question_two["message_id"])
    assert stale is not None
    first_option = question_two["params"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    run = first_option.split(":")[1]  # the questionnaire run's token, as the real button carries it
    await anna.press_data(f"ia:{run}:1:large", question_two["message_id"])
    assert "уже позади" in (await anna.answer_of_callback())["text"]
    await anna.press("в течение месяца")  # the questionnaire carries on from question 3
    await anna.expect("Вопрос 4 из 4")
    await anna.send("+7 916 123-45-67")
    await anna.expect("заявка №1 принята")
    card = await running.scalar("select answers from deals where id = 1")
    assert "small" in str(card) and "large" not in str(card)  # the stale press changed nothing


async def test_start_in_the_middle_asks_whether_to_carry_on_or_start_over(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(506, first_name="Анна")
    await anna.send("/start")
    await anna.expect("Вопрос 1 из 4")
    await anna.send("Сайт")
    await anna.expect("Вопрос 2 из 4")
    await anna.send("/start src_vk")
    await anna.expect("Продолжим с того же места или начнём заново?")
    await anna.press("Продолжить")
    await anna.expect("Вопрос 2 из 4")
    await anna.send("/start src_vk")
    await anna.expect("Продолжим с того же места")
    await anna.press("Начать заново")
    await anna.expect("Вопрос 1 из 4")
    await anna.send("Лендинг")
    await anna.expect("Вопрос 2 из 4")
    await anna.press("пока не знаю")
    await anna.expect("Вопрос 3 из 4")
    await anna.press("позже")
    await anna.expect("Вопрос 4 из 4")
    await anna.send("+79160000006")
    await anna.expect("Ваша заявка №1 принята")
    assert await running.scalar("select source from deals") == "vk"


async def test_a_restart_in_the_middle_of_the_questionnaire_loses_nothing(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(507, first_name="Анна")
    await anna.send("/start src_site")
    await anna.expect("Вопрос 1 из 4")
    await anna.send("Интернет-магазин")
    await anna.expect("Вопрос 2 из 4")
    await anna.press("100–500 тыс. ₽")
    await anna.expect("Вопрос 3 из 4")
    await running.restart()
    await anna.press("в ближайшие дни")
    await anna.expect("Вопрос 4 из 4")
    await anna.send_contact("+79160000007")
    done = await anna.expect("Ваша заявка №1 принята")
    assert "Интернет-магазин" in done["text"] and "100–500 тыс. ₽" in done["text"]
    assert await running.scalar("select source from deals") == "site"


async def test_a_second_questionnaire_makes_no_duplicate_and_the_manager_is_told(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(508, first_name="Анна")
    manager = api.user(MANAGER)
    await answer_everything_in_russian(anna)
    await manager.expect("Новая заявка")
    await anna.send("/start")
    await anna.expect("Вопрос 1 из 4")
    await anna.send("Ещё нужен логотип")
    await anna.expect("Вопрос 2 из 4")
    await anna.press("до 100 тыс. ₽")
    await anna.expect("Вопрос 3 из 4")
    await anna.press("позже")
    await anna.expect("Вопрос 4 из 4")
    await anna.send_contact("79161234567")
    done = await anna.expect("добавили это к вашей заявке №1")
    assert "Ещё нужен логотип" in done["text"]
    notice = await manager.expect("Клиент снова оставил заявку")
    assert "Сделка №1" in notice["text"]
    assert await running.scalar("select count(*) from deals") == 1


async def test_with_no_manager_the_supervisor_is_told_and_can_take_the_lead(
    api: FakeBotApi, running: RunningBot
) -> None:
    manager, supervisor = api.user(MANAGER), api.user(SUPERVISOR, first_name="Ирина")
    await manager.send("/start")
    await manager.expect("вы в команде: менеджер")
    async with running.app.unit_of_work() as uow:  # type: ignore[union-attr]
        staff = await uow.staff.get(MANAGER)
        assert staff is not None
        staff.on_duty = False
        await uow.staff.save(staff)
        await uow.commit()
    anna = api.user(509, first_name="Анна")
    await answer_everything_in_russian(anna)
    alert = await supervisor.expect("ждёт в неразобранном")
    assert "Неразобранное" in alert["text"] and "Анна" in alert["text"]
    await supervisor.press("✅ Взять в работу")
    await supervisor.expect("В работе: вы")


async def test_a_prospect_forging_a_take_button_is_refused(api: FakeBotApi, running: RunningBot) -> None:
    anna, manager = api.user(510, first_name="Анна"), api.user(MANAGER)
    done = await answer_everything_in_russian(anna)
    await manager.expect("Новая заявка")
    await anna.press_data("d:take:1:1:", done["message_id"])
    assert "для сотрудников" in (await anna.answer_of_callback())["text"]
    assert await running.scalar("select taken_at from deals where id = 1") is None


async def test_staff_get_their_menu_not_the_questionnaire(api: FakeBotApi, running: RunningBot) -> None:
    manager = api.user(MANAGER, first_name="Олег")
    await manager.send("/start")
    menu = await manager.expect("Олег, вы в команде: менеджер")
    assert "У вас 0 открытых сделок" in menu["text"] and "Вопрос" not in menu["text"]


async def test_messages_in_a_group_are_not_taken_for_leads(api: FakeBotApi, running: RunningBot) -> None:
    group = api.user(-100500, first_name="Чат отдела")
    await group.send("/start")
    await group.send("Всем привет")
    person = api.user(511, first_name="Анна")
    await person.send("/start")
    await person.expect("Вопрос 1 из 4")
    assert api.sent_to(-100500) == []
    assert await running.scalar("select count(*) from contacts") == 0
