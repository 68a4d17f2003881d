"""What a prospect sees of the questionnaire, and what each answer costs in Bot API calls: a typed answer
gets the next question as one message, a button answer turns its own message into the next question, and
Back and Cancel wait on a reply keyboard for the whole questionnaire."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.settings import Settings
from domain.crm_config import CrmConfig

from .bot_api_people import FakeUser, button_texts
from .bot_api_server import ApiCall, FakeBotApi
from .conftest import RunningBot, around_the_clock

NAV = ["« Назад", "✖ Отмена"]
BUDGET = ["до 100 тыс. ₽", "100–500 тыс. ₽", "больше 500 тыс. ₽", "пока не знаю"]
TIMING = ["в ближайшие дни", "в течение месяца", "позже", "просто присматриваюсь"]


async def calls_for(person: FakeUser, api: FakeBotApi, since: int) -> list[str]:
    """The Bot API methods called for this person from call #since until the bot was done with their latest
    update. A person's updates are handled one at a time, so a forged button pressed now is handled after
    it, and gets nothing but an answerCallbackQuery: that answer marks the end."""
    query = await person.press_data("ia:forged", person.last_message()["message_id"])
    end = await api.wait_index(answer_to(query), since=since)
    return [
        call.method
        for call in api.calls[since:end]
        if call.params.get("chat_id") == person.chat_id or call.method == "answerCallbackQuery"
    ]


def answer_to(query: dict[str, Any]) -> Callable[[ApiCall], bool]:
    """Whether a call is the bot's answerCallbackQuery to this press."""
    return lambda call: (
        call.method == "answerCallbackQuery" and call.params.get("callback_query_id") == query["id"]
    )


async def at_question_two(person: FakeUser) -> dict[str, Any]:
    await person.send("/start")
    await person.expect("Вопрос 1 из 4")
    await person.send("Сайт")
    return await person.expect("Вопрос 2 из 4")


def callback_data(view: dict[str, Any], text: str) -> str:
    """The callback data of a button as it was drawn on `view` (an older drawing of a message, say)."""
    rows = view["params"]["reply_markup"]["inline_keyboard"]
    return str(next(b["callback_data"] for row in rows for b in row if b["text"] == text))


def on_screen(api: FakeBotApi, person: FakeUser, message_id: int) -> dict[str, Any]:
    """A bot message as the person's chat shows it now, edits applied."""
    message = api.find_message(person.chat_id, message_id)
    assert message is not None
    return message


def has_live_buttons(api: FakeBotApi, person: FakeUser, message_id: int) -> bool:
    return bool(button_texts(on_screen(api, person, message_id).get("reply_markup")))


async def test_a_typed_answer_to_a_text_question_is_a_single_new_message(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(901, first_name="Анна")
    await anna.send("/start")
    greeting = await anna.expect("Здравствуйте, Анна!")
    question = await anna.expect("Вопрос 1 из 4")
    assert greeting["buttons"] == NAV and question["buttons"] == NAV
    assert question["reply_markup"]["is_persistent"] is True  # a reply keyboard: nothing inline to take away
    since = api.mark()
    await anna.send("Нужен сайт")
    asked = await anna.expect("Вопрос 2 из 4")
    assert await calls_for(anna, api, since) == ["sendMessage"]
    assert asked["buttons"] == BUDGET  # the options only: Back and Cancel stay on the keyboard below


async def test_a_wrong_answer_is_asked_again_in_one_message(api: FakeBotApi, running: RunningBot) -> None:
    anna = api.user(916, first_name="Анна")
    await anna.send("/start")
    await anna.expect("Вопрос 1 из 4")
    since = api.mark()
    await anna.send_sticker()
    again = await anna.expect("жду ответ текстом")
    assert await calls_for(anna, api, since) == ["sendMessage"]
    assert "Вопрос 1 из 4" in again["text"] and again["buttons"] == NAV
    await anna.send("Сайт")
    question_two = await anna.expect("Вопрос 2 из 4")
    since = api.mark()
    await anna.send("миллион долларов")
    again = await anna.expect("Выберите, пожалуйста, один из вариантов")
    # Asked anew below the wrong answer, so the options the person sees are the only live ones.
    assert await calls_for(anna, api, since) == ["editMessageReplyMarkup", "sendMessage"]
    assert again["buttons"] == BUDGET and not has_live_buttons(api, anna, question_two["message_id"])


async def test_a_button_answer_turns_its_message_into_the_next_question_with_a_single_edit(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(902, first_name="Анна")
    question_two = await at_question_two(anna)
    since = api.mark()
    await anna.press("до 100 тыс. ₽")
    moved = await anna.expect("Вопрос 3 из 4")
    assert await calls_for(anna, api, since) == ["answerCallbackQuery", "editMessageText"]
    assert moved["message_id"] == question_two["message_id"]
    assert moved["text"].startswith("✓ Бюджет: до 100 тыс. ₽\n\nВопрос 3 из 4")
    assert moved["buttons"] == TIMING


async def test_a_button_answer_before_the_phone_question_is_acknowledged_in_place_and_the_question_sent(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(903, first_name="Анна")
    question_two = await at_question_two(anna)
    await anna.press("до 100 тыс. ₽")
    await anna.expect("Вопрос 3 из 4")
    since = api.mark()
    await anna.press("позже")
    phone_question = await anna.expect("Вопрос 4 из 4")
    assert await calls_for(anna, api, since) == ["answerCallbackQuery", "sendMessage", "editMessageText"]
    assert phone_question["buttons"] == ["📱 Отправить мой номер", *NAV]
    answered = on_screen(api, anna, question_two["message_id"])
    assert answered["text"] == "✓ Бюджет: до 100 тыс. ₽\n✓ Сроки: позже" and "reply_markup" not in answered


async def test_a_choice_answered_by_typing_keeps_the_answer_where_its_buttons_were(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(904, first_name="Анна")
    question_two = await at_question_two(anna)
    since = api.mark()
    await anna.send("2")
    await anna.expect("Вопрос 3 из 4")
    assert await calls_for(anna, api, since) == ["sendMessage", "editMessageText"]
    answered = on_screen(api, anna, question_two["message_id"])
    assert answered["text"] == "✓ Бюджет: 100–500 тыс. ₽" and "reply_markup" not in answered


async def test_back_and_cancel_work_from_the_reply_keyboard_and_typed(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(905, first_name="Анна")
    await anna.send("/start")
    await anna.expect("Вопрос 1 из 4")
    since = api.mark()
    await anna.press_reply_button("« Назад")
    first = await anna.expect("Это первый вопрос, назад некуда")
    assert "Вопрос 1 из 4" in first["text"] and first["buttons"] == NAV
    assert await calls_for(anna, api, since) == ["sendMessage"]
    await anna.send("Сайт")
    question_two = await anna.expect("Вопрос 2 из 4")
    await anna.send("назад")
    await anna.expect("Вопрос 1 из 4")
    assert not has_live_buttons(api, anna, question_two["message_id"])  # one live keyboard at a time
    await anna.send("Лендинг")
    await anna.expect("Вопрос 2 из 4")
    await anna.press("пока не знаю")
    await anna.expect("Вопрос 3 из 4")
    await anna.send("Отмена")
    cancelled = await anna.expect("Анкета отменена")
    assert cancelled["params"]["reply_markup"] == {"remove_keyboard": True}
    assert not any("inline_keyboard" in (m.get("reply_markup") or {}) for m in anna.messages())
    assert await running.scalar("select count(*) from deals") == 0


async def test_an_english_speaker_types_back_and_cancel(api: FakeBotApi, running: RunningBot) -> None:
    john = api.user(906, first_name="John", language_code="en")
    await john.send("/start")
    await john.expect("Question 1 of 4")
    await john.send("back")
    await john.expect("This is the first question")
    await john.send("A website")
    await john.expect("Question 2 of 4")
    await john.send("Cancel")
    cancelled = await john.expect("Questionnaire cancelled")
    assert cancelled["params"]["reply_markup"] == {"remove_keyboard": True}


async def test_with_the_phone_asked_first_and_a_choice_last_the_keyboards_take_turns(
    api: FakeBotApi, bot_settings: Settings, crm_config: CrmConfig
) -> None:
    by_key = {question.key: question for question in crm_config.intake.questions}
    questions = [by_key["phone"], by_key["budget"], by_key["need"], by_key["timing"]]
    intake = crm_config.intake.model_copy(update={"questions": questions})
    running = RunningBot(
        api, bot_settings, around_the_clock(crm_config.model_copy(update={"intake": intake}))
    )
    await running.start()
    try:
        anna = api.user(915, first_name="Анна")
        await anna.send("/start")
        phone_question = await anna.expect("Вопрос 1 из 4")
        assert phone_question["buttons"] == ["📱 Отправить мой номер", "✖ Отмена"]
        await anna.send_contact("79161234567")
        # A message with options cannot take the phone's keyboard away: the answer, said, does.
        said = await anna.expect("✓ Телефон: +7 916 123-45-67")
        assert said["buttons"] == NAV
        question_two = await anna.expect("Вопрос 2 из 4")
        await anna.press_reply_button("« Назад")
        again = await anna.expect("Вопрос 1 из 4")
        assert again["buttons"] == ["📱 Отправить мой номер", "✖ Отмена"]
        assert not has_live_buttons(api, anna, question_two["message_id"])
        await anna.send("+7 916 123-45-67")
        await anna.expect("Вопрос 2 из 4")
        since = api.mark()
        await anna.press("больше 500 тыс. ₽")
        text_question = await anna.expect("Вопрос 3 из 4")
        assert await calls_for(anna, api, since) == ["answerCallbackQuery", "editMessageText"]
        assert text_question["text"].startswith("✓ Бюджет: больше 500 тыс. ₽")
        assert text_question["buttons"] == []  # typed, with Back and Cancel still on the keyboard
        await anna.send("Сайт <b>для</b> кофейни")
        last = await anna.expect("Вопрос 4 из 4")
        since = api.mark()
        await anna.press("позже")
        done = await anna.expect("Ваша заявка №1 принята")
        # The confirmation goes out through the outbox, queued with the lead, while the handler closes
        # the last question: the two calls may come in either order.
        calls = await calls_for(anna, api, since)
        assert sorted(calls) == ["answerCallbackQuery", "editMessageText", "sendMessage"], calls
        assert "Сайт <b>для</b> кофейни" in done["text"]  # shown as typed, not taken for markup
        assert done["params"]["reply_markup"] == {"remove_keyboard": True}
        assert on_screen(api, anna, last["message_id"])["text"] == "✓ Сроки: позже"
    finally:
        await running.stop()
