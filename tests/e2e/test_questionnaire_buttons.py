"""Buttons pressed late, twice, from an earlier run, or while "carry on or start over?" is asked, and a
question Telegram would not show: nothing is sent twice, and no answer is lost or taken for another."""

from __future__ import annotations

from typing import Any

import pytest

from bot import flood_guard, inbox

from .bot_api_people import FakeUser, button_texts
from .bot_api_server import FakeBotApi
from .conftest import RunningBot
from .test_questionnaire_screen import (
    BUDGET,
    TIMING,
    answer_to,
    at_question_two,
    callback_data,
    calls_for,
    has_live_buttons,
    on_screen,
)


def button_data(message: dict[str, Any], text: str) -> str:
    rows = message["reply_markup"]["inline_keyboard"]
    return str(next(b["callback_data"] for row in rows for b in row if b["text"] == text))


async def answer_the_rest(person: FakeUser) -> dict[str, Any]:
    """From question 3 to the confirmation."""
    await person.press("позже")
    await person.expect("Вопрос 4 из 4")
    await person.send("+7 916 123-45-67")
    return await person.expect("Ваша заявка №1 принята")


async def test_an_option_pressed_after_its_question_moved_on_changes_and_sends_nothing(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(907, first_name="Анна")
    question_two = await at_question_two(anna)
    await anna.press("до 100 тыс. ₽")
    moved = await anna.expect("Вопрос 3 из 4")
    since = api.mark()
    # The same message now asks question 3; a client that had not redrawn it yet still shows question 2.
    await anna.press_data(callback_data(question_two, "больше 500 тыс. ₽"), question_two["message_id"])
    assert "уже позади" in (await anna.answer_of_callback())["text"]
    assert await calls_for(anna, api, since) == ["answerCallbackQuery"]
    assert on_screen(api, anna, moved["message_id"])["text"] == moved["text"]
    done = await answer_the_rest(anna)
    assert "до 100 тыс. ₽" in done["text"] and "больше 500" not in done["text"]


async def test_an_option_from_an_earlier_run_is_out_of_date_even_on_the_same_question(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(908, first_name="Анна")
    old_question_two = await at_question_two(anna)
    await anna.send("отмена")
    await anna.expect("Анкета отменена")
    await at_question_two(anna)
    since = api.mark()
    await anna.press_data(callback_data(old_question_two, "до 100 тыс. ₽"), old_question_two["message_id"])
    assert "уже позади" in (await anna.answer_of_callback())["text"]
    assert await calls_for(anna, api, since) == ["answerCallbackQuery"]


async def test_a_button_pressed_twice_quickly_answers_once(api: FakeBotApi, running: RunningBot) -> None:
    anna = api.user(909, first_name="Анна")
    question_two = await at_question_two(anna)
    data = callback_data(question_two, "до 100 тыс. ₽")
    since = api.mark()
    presses = [await anna.press_data(data, question_two["message_id"]) for _ in range(2)]
    answers = [await api.wait_for(answer_to(press), since=since) for press in presses]
    assert answers[0].params.get("text") is None and "уже позади" in answers[1].params["text"]
    assert await calls_for(anna, api, since) == [
        "answerCallbackQuery",
        "editMessageText",
        "answerCallbackQuery",
    ]
    await anna.press("позже")
    await anna.expect("Вопрос 4 из 4")  # question 3 was asked once and is answered now


async def test_carry_on_turns_its_prompt_into_the_current_question(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(910, first_name="Анна")
    question_two = await at_question_two(anna)
    await anna.send("/start")
    prompt = await anna.expect("Продолжим с того же места")
    since = api.mark()
    await anna.press("Продолжить")
    assert await calls_for(anna, api, since) == [
        "answerCallbackQuery",
        "editMessageReplyMarkup",  # the question's earlier message gives its buttons up
        "editMessageText",
    ]
    asking = on_screen(api, anna, prompt["message_id"])
    assert "Вопрос 2 из 4" in asking["text"]
    assert button_texts(asking.get("reply_markup")) == BUDGET
    assert not has_live_buttons(api, anna, question_two["message_id"])


async def test_an_option_pressed_while_carry_on_or_start_over_is_asked_carries_on(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(911, first_name="Анна")
    question_two = await at_question_two(anna)
    await anna.send("/start")
    first_prompt = await anna.expect("Продолжим с того же места")
    await anna.send("/start")  # asked twice: only the newer prompt keeps its buttons
    prompt = await anna.expect("Продолжим с того же места")
    if prompt["message_id"] == first_prompt["message_id"]:  # that was the first one losing its buttons
        prompt = await anna.expect("Продолжим с того же места")
    carry_on = button_data(prompt, "Продолжить")
    assert not has_live_buttons(api, anna, first_prompt["message_id"])
    await anna.press("100–500 тыс. ₽", message=api.find_message(anna.chat_id, question_two["message_id"]))
    await anna.expect("Вопрос 3 из 4")
    assert not has_live_buttons(api, anna, prompt["message_id"])  # answered: the prompt's question is gone
    # The prompt's button pressed anyway (a client that had not redrawn yet): nothing happens twice.
    await anna.press_data(carry_on, prompt["message_id"])
    assert "уже позади" in (await anna.answer_of_callback())["text"]


async def test_a_passing_telegram_fault_on_the_next_question_costs_the_answer_nothing(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(911, first_name="Анна")
    await at_question_two(anna)
    api.fail("editMessageText", times=3, error_code=502, chat_id=anna.chat_id)  # a few seconds of 502s
    since = api.mark()
    await anna.press("до 100 тыс. ₽")
    await anna.expect("Вопрос 3 из 4", timeout=15)  # the reply was tried again until Telegram took it
    assert not any("что-то пошло не так" in str(call.params.get("text")) for call in api.calls[since:])
    assert "до 100 тыс. ₽" in (await answer_the_rest(anna))["text"]


async def test_when_the_next_question_cannot_be_shown_for_long_the_answer_is_kept_and_it_is_shown_later(
    api: FakeBotApi, running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flood_guard, "REPLY_PATIENCE_S", 1.0)  # a reply's minute of retries, shortened
    monkeypatch.setattr(inbox, "TELEGRAM_PAUSE_S", 0.05)  # and the wait before the update's next try
    anna = api.user(912, first_name="Анна")
    await at_question_two(anna)
    api.fail("editMessageText", times=2, error_code=502, chat_id=anna.chat_id)  # past the patience
    since = api.mark()
    await anna.press("до 100 тыс. ₽")
    await anna.expect("Вопрос 3 из 4")  # the update tried again: the stored answer stands, the question shows
    assert not any("что-то пошло не так" in str(call.params.get("text")) for call in api.calls[since:])
    await running.eventually("select count(*) from inbox where state <> 'done'", 0)
    assert "до 100 тыс. ₽" in (await answer_the_rest(anna))["text"]


async def test_a_question_message_telegram_will_not_edit_is_sent_anew(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(913, first_name="Анна")
    await at_question_two(anna)
    api.fail("editMessageText", times=1, error_code=400, description="Bad Request: message to edit not found")
    await anna.press("до 100 тыс. ₽")
    asked = await anna.expect("Вопрос 3 из 4")
    assert asked["method"] == "sendMessage" and asked["buttons"] == TIMING


async def test_back_and_cancel_under_a_question_sent_before_the_reply_keyboard_still_work(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(914, first_name="Анна")
    question_two = await at_question_two(anna)
    run = callback_data(question_two, "до 100 тыс. ₽").split(":")[1]
    await anna.press_data(f"in:{run}:back:1", question_two["message_id"])
    await anna.expect("Вопрос 1 из 4")
    await anna.send("Сайт")
    question_two = await anna.expect("Вопрос 2 из 4")
    await anna.press_data(f"in:{run}:cancel:1", question_two["message_id"])
    await anna.expect("Анкета отменена")
