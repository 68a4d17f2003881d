"""Inquiries over real HTTP, on a clock the test moves: every /start is recorded, a questionnaire left
for `intake.abandoned_after` reaches a manager as an unfinished lead (once), the person finishing later
completes that same deal, and a cancel is kept without a lead.

The scheduler is driven as in tests/e2e/test_deadlines.py: the test moves the `FixedClock` and lets a
sweep run at that time, then waits for the outbox to drain before counting what people got.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.settings import Settings
from storage.engine import create_engine

from .bot_api_people import FakeUser
from .bot_api_server import FakeBotApi
from .conftest import CLOCK_START, MANAGER, FixedClock, RunningBot, count, make_settings

START = CLOCK_START
ABANDONED_AFTER = timedelta(minutes=30)  # the shipped `intake.abandoned_after`
JUST_AFTER = timedelta(seconds=1)
NEW_LEAD = "назначена на вас"  # the new-lead notice (the stage is called "Новая заявка" too)
CONFIRMATION = "Ваша заявка №"
IDLE_TIMERS = "select count(*) from timers where kind = 'inquiry_idle'"


@pytest.fixture
def bot_settings(api: FakeBotApi, tmp_path: Path) -> Settings:
    return make_settings(api, tmp_path / "voronka.db", scheduler_tick=0.1)


async def settled(bot: RunningBot) -> None:
    """A sweep has run at the clock's time and everything it had to say has been sent."""
    assert bot.app is not None
    await bot.app.scheduler.sweep()
    await bot.eventually("select count(*) from outbox where state in ('pending', 'sending')", 0)


async def at(bot: RunningBot, clock: FixedClock, moment: timedelta) -> None:
    """The clock moved to START + `moment`, and a sweep run there."""
    clock.at = START + moment
    await settled(bot)


async def inquiry(bot: RunningBot, inquiry_id: int) -> dict[str, Any]:
    engine = create_engine(bot.settings.database_url)
    try:
        async with engine.connect() as connection:
            row = (
                await connection.execute(text("select * from inquiries where id = :id"), {"id": inquiry_id})
            ).one()
    finally:
        await engine.dispose()
    found = dict(row._mapping)
    if isinstance(found["answers"], str):
        found["answers"] = json.loads(found["answers"])
    return found


async def events(bot: RunningBot, deal_id: int) -> list[tuple[str, dict[str, Any]]]:
    engine = create_engine(bot.settings.database_url)
    try:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    text("select kind, data from deal_events where deal_id = :id order by id"),
                    {"id": deal_id},
                )
            ).all()
    finally:
        await engine.dispose()
    return [(kind, json.loads(data) if isinstance(data, str) else dict(data or {})) for kind, data in rows]


async def left_at_question_two(person: FakeUser) -> None:
    await person.send("/start src_instagram")
    await person.expect("Вопрос 1 из 4")
    await person.send("Нужен сайт для кофейни")
    await person.expect("Вопрос 2 из 4")


async def test_a_questionnaire_left_at_question_two_reaches_a_manager_once_and_finishing_completes_it(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    anna = api.user(701, first_name="Анна", username="anna_k")
    oleg = api.user(MANAGER, first_name="Олег")
    await left_at_question_two(anna)
    started = await inquiry(bot, 1)
    assert (started["state"], started["step"], started["answers"]) == (
        "open", 1, {"need": "Нужен сайт для кофейни"}
    )  # fmt: skip
    assert (started["telegram_id"], started["chat_id"], started["name"]) == (701, 701, "Анна")
    assert (started["username"], started["locale"], started["source"]) == ("anna_k", "ru", "instagram")
    since = api.mark()

    await at(bot, clock, ABANDONED_AFTER - JUST_AFTER)  # not yet
    assert await bot.scalar("select count(*) from deals") == 0

    await at(bot, clock, ABANDONED_AFTER + JUST_AFTER)
    card = await oleg.expect(NEW_LEAD)
    assert "Сделка №1" in card["text"] and "Нужен сайт для кофейни" in card["text"]
    left = await inquiry(bot, 1)
    assert (left["state"], left["deal_id"], left["step"]) == ("abandoned", 1, 1)
    created = [data for kind, data in await events(bot, 1) if kind == "created"]
    assert created == [{**created[0], "unfinished": True}]  # the card reads "questionnaire not finished"
    assert await bot.scalar("select manager_id from deals where id = 1") == MANAGER
    assert count(api, since, anna.chat_id, CONFIRMATION) == 0  # they have not finished: nothing to confirm

    await at(bot, clock, 3 * ABANDONED_AFTER)  # later sweeps make nothing more
    await at(bot, clock, 10 * ABANDONED_AFTER)
    assert await bot.scalar("select count(*) from deals") == 1
    assert count(api, since, MANAGER, NEW_LEAD) == 1
    assert await bot.scalar(f"{IDLE_TIMERS} and state = 'pending'") == 0

    # Anna comes back and answers the rest: the same deal, complete, and her confirmation.
    await anna.press("до 100 тыс. ₽")
    await anna.expect("Вопрос 3 из 4")
    await anna.press("позже")
    await anna.expect("Вопрос 4 из 4")
    await anna.send("+7 916 555-07-01")
    done = await anna.expect(CONFIRMATION)
    assert "Ваша заявка №1 принята" in done["text"] and "+7 916 555-07-01" in done["text"]
    told = await oleg.expect("Клиент дозаполнил анкету")
    assert "сделке №1" in told["text"] and "+7 916 555-07-01" in told["text"]  # the card, now complete
    assert await bot.scalar("select count(*) from deals") == 1
    answers = await bot.scalar("select answers from deals where id = 1")
    answers = json.loads(answers) if isinstance(answers, str) else answers
    assert set(answers) == {"need", "budget", "timing", "phone"}
    kinds = [kind for kind, _ in await events(bot, 1)]
    assert kinds.count("questionnaire_finished") == 1 and "request_repeated" not in kinds
    finished = await inquiry(bot, 1)
    assert (finished["state"], finished["deal_id"], finished["step"]) == ("finished", 1, 4)
    assert count(api, since, MANAGER, NEW_LEAD) == 1


async def test_each_answer_moves_the_moment_a_questionnaire_counts_as_left(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    boris = api.user(702, first_name="Борис")
    oleg = api.user(MANAGER, first_name="Олег")
    await boris.send("/start")
    await boris.expect("Вопрос 1 из 4")
    clock.at = START + timedelta(minutes=20)
    await boris.send("Интернет-магазин")
    await boris.expect("Вопрос 2 из 4")

    await at(bot, clock, ABANDONED_AFTER + JUST_AFTER)  # thirty minutes from the start, ten from the answer
    assert await bot.scalar("select count(*) from deals") == 0
    assert (await inquiry(bot, 1))["state"] == "open"
    due = await bot.scalar("select due_at from timers where kind = 'inquiry_idle' and state = 'pending'")
    assert str(due).startswith("2026-11-25 08:50")  # thirty minutes from the answer

    await at(bot, clock, timedelta(minutes=50) - JUST_AFTER)
    assert await bot.scalar("select count(*) from deals") == 0
    await at(bot, clock, timedelta(minutes=50) + JUST_AFTER)
    await oleg.expect(NEW_LEAD)
    assert (await inquiry(bot, 1))["state"] == "abandoned"


async def test_a_cancel_is_kept_as_a_cancel_and_makes_no_lead(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    vera = api.user(703, first_name="Вера")
    await left_at_question_two(vera)
    clock.at = START + timedelta(minutes=5)
    await vera.press_reply_button("✖ Отмена")
    await vera.expect("Анкета отменена")
    await at(bot, clock, 3 * ABANDONED_AFTER)
    assert await bot.scalar("select count(*) from deals") == 0
    cancelled = await inquiry(bot, 1)
    assert (cancelled["state"], cancelled["deal_id"], cancelled["step"]) == ("cancelled", None, 1)
    assert str(cancelled["ended_at"]).startswith("2026-11-25 08:05")
    assert await bot.scalar(f"{IDLE_TIMERS} and state = 'cancelled'") == 1  # it ended with the inquiry


async def test_starting_over_ends_the_old_inquiry_and_the_new_one_is_watched(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    gleb = api.user(704, first_name="Глеб")
    oleg = api.user(MANAGER, first_name="Олег")
    await left_at_question_two(gleb)
    clock.at = START + timedelta(minutes=10)
    await gleb.send("/start")
    await gleb.expect("Продолжим с того же места или начнём заново?")
    await gleb.press("Начать заново")
    await gleb.expect("Вопрос 1 из 4")
    await gleb.send("Логотип")
    await gleb.expect("Вопрос 2 из 4")
    first, second = await inquiry(bot, 1), await inquiry(bot, 2)
    assert (first["state"], second["state"], second["answers"]) == ("restarted", "open", {"need": "Логотип"})

    await at(bot, clock, timedelta(minutes=40) + JUST_AFTER)
    card = await oleg.expect(NEW_LEAD)
    assert "Логотип" in card["text"]
    assert await bot.scalar("select count(*) from deals") == 1
    assert ((await inquiry(bot, 1))["state"], (await inquiry(bot, 2))["state"]) == ("restarted", "abandoned")


async def test_a_left_questionnaire_then_cancelled_keeps_its_lead(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    dina = api.user(705, first_name="Дина")
    oleg = api.user(MANAGER, first_name="Олег")
    await left_at_question_two(dina)
    await at(bot, clock, ABANDONED_AFTER + JUST_AFTER)
    await oleg.expect(NEW_LEAD)
    await dina.press_reply_button("✖ Отмена")
    said = await dina.expect("Ваши ответы уже у менеджера")
    assert said["params"]["reply_markup"] == {"remove_keyboard": True}
    assert await bot.scalar("select status from deals where id = 1") == "open"
    assert (await inquiry(bot, 1))["state"] == "abandoned"
    await dina.send("Здравствуйте, я передумала, перезвоните")  # now an ordinary message to her manager
    relayed = await oleg.expect("Здравствуйте, я передумала")
    assert "№1" in relayed["text"]


async def test_someone_who_wrote_first_and_left_reaches_a_manager_with_their_message(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    egor = api.user(706, first_name="Егор")
    oleg = api.user(MANAGER, first_name="Олег")
    await egor.send("Сколько стоит сайт?")
    await egor.expect("Вопрос 1 из 4")
    assert (await inquiry(bot, 1))["wrote_first"] in (True, 1)
    await at(bot, clock, ABANDONED_AFTER + JUST_AFTER)
    await oleg.expect(NEW_LEAD)
    await oleg.expect("Сколько стоит сайт?")  # the message itself, relayed like any later one
    assert await bot.scalar("select count(*) from messages where deal_id = 1") == 1

    # Finishing later completes the deal; the message is not recorded a second time.
    await egor.send("Сайт-визитка")
    await egor.expect("Вопрос 2 из 4")
    await egor.press("до 100 тыс. ₽")
    await egor.expect("Вопрос 3 из 4")
    await egor.press("позже")
    await egor.expect("Вопрос 4 из 4")
    await egor.send("+7 916 555-07-06")
    await egor.expect("Ваша заявка №1 принята")
    assert await bot.scalar("select count(*) from deals") == 1
    assert await bot.scalar("select count(*) from messages where deal_id = 1") == 1


async def test_a_questionnaire_begun_before_inquiries_were_recorded_goes_on_and_is_recorded(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    """Its conversation holds no inquiry id (as one begun before this version): nothing breaks, and its
    inquiry is recorded at its next answer, watched from then."""
    zoya = api.user(707, first_name="Зоя")
    oleg = api.user(MANAGER, first_name="Олег")
    await left_at_question_two(zoya)
    await bot.stop()
    engine = create_engine(bot.settings.database_url)
    try:
        async with engine.begin() as connection:
            data = await connection.scalar(text("select data from fsm_states where state is not null"))
            data = json.loads(data) if isinstance(data, str) else dict(data)
            data.pop("inquiry")
            await connection.execute(
                text("update fsm_states set data = :data where state is not null"), {"data": json.dumps(data)}
            )
            await connection.execute(text("delete from timers"))
            await connection.execute(text("delete from inquiries"))
    finally:
        await engine.dispose()
    await bot.start()

    await zoya.press("до 100 тыс. ₽")
    await zoya.expect("Вопрос 3 из 4")
    recorded = await bot.scalar("select count(*) from inquiries where state = 'open' and step = 2")
    assert recorded == 1
    await at(bot, clock, ABANDONED_AFTER + JUST_AFTER)
    card = await oleg.expect(NEW_LEAD)
    assert "до 100 тыс. ₽" in card["text"]


async def test_words_that_answer_no_question_after_the_lead_was_made_reach_its_manager(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    """The manager wrote to the person who left; their reply is no answer to the question on screen
    (a choice), so it goes to the manager instead of being only asked again."""
    zhanna = api.user(708, first_name="Жанна")
    oleg = api.user(MANAGER, first_name="Олег")
    await left_at_question_two(zhanna)
    await at(bot, clock, ABANDONED_AFTER + JUST_AFTER)
    await oleg.expect(NEW_LEAD)
    await zhanna.send("Да, перезвоните мне после обеда")
    await zhanna.expect("Передали ваше сообщение менеджеру")
    relayed = await oleg.expect("перезвоните мне после обеда")
    assert "№1" in relayed["text"]
    assert await bot.scalar("select count(*) from messages where deal_id = 1") == 1
    since = api.mark()
    await zhanna.send_sticker()  # a second message in the same burst: passed on (joined to the relay)
    await bot.eventually("select count(*) from messages where deal_id = 1", 2)
    assert count(api, since, zhanna.id, "Передали ваше сообщение менеджеру") == 0
    await zhanna.press("до 100 тыс. ₽")  # the questionnaire itself goes on
    await zhanna.expect("Вопрос 3 из 4")


async def test_a_wrong_answer_of_a_questionnaire_that_is_no_lead_is_only_asked_again(
    api: FakeBotApi, bot: RunningBot
) -> None:
    ilya = api.user(709, first_name="Илья")
    await left_at_question_two(ilya)
    await ilya.send("Не знаю пока")
    again = await ilya.expect("Выберите, пожалуйста, один из вариантов")
    assert "Вопрос 2 из 4" in again["text"]
    assert await bot.scalar("select count(*) from messages") == 0
