"""What the person sees never runs ahead of what is stored: an answer is committed before its question is
marked answered ("✓") or the next question is shown, and a request is confirmed from the outbox, so a bot
that dies right after saving the lead still confirms it (once) when it is back."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

from .bot_api_people import FakeUser
from .bot_api_server import ApiCall, FakeBotApi
from .conftest import MANAGER, FixedClock, RunningBot, count

CONFIRMED = "Ваша заявка №"
GONE_WRONG = "что-то пошло не так"
UNSETTLED = "select count(*) from outbox where state in ('pending', 'sending')"


def committed_answers(database: Path, chat_id: int) -> dict[str, Any] | None:
    """The person's answers as committed in the bot's database right now (None: no questionnaire)."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        row = db.execute("select data from fsm_states where key like ?", (f"fsm:%:{chat_id}:{chat_id}:%",))
        found = row.fetchone()
    return dict(json.loads(found[0]).get("answers") or {}) if found else None


async def up_to_the_phone(person: FakeUser) -> None:
    await person.send("/start")
    await person.expect("Вопрос 1 из 4")
    await person.send("Нужен сайт")
    await person.expect("Вопрос 2 из 4")
    await person.press("до 100 тыс. ₽")
    await person.expect("Вопрос 3 из 4")
    await person.press("позже")
    await person.expect("Вопрос 4 из 4")


async def test_each_answer_is_committed_before_the_screen_moves_on(
    api: FakeBotApi, running: RunningBot, tmp_path: Path
) -> None:
    database = tmp_path / "voronka.db"  # the `running` bot's database (see conftest.bot_settings)
    anna = api.user(961, first_name="Анна")
    seen: list[tuple[str, str, dict[str, Any] | None]] = []

    def look(call: ApiCall) -> None:  # called as the bot's request arrives, before it is answered
        if call.params.get("chat_id") == anna.chat_id and call.method in ("sendMessage", "editMessageText"):
            seen.append((call.method, str(call.params.get("text", "")), committed_answers(database, anna.id)))

    stop_looking = api.listen(look)
    try:
        await anna.send("/start")
        await anna.expect("Вопрос 1 из 4")
        await anna.send("Нужен сайт")  # typed: the next question is a new message
        await anna.expect("Вопрос 2 из 4")
        await anna.press("до 100 тыс. ₽")  # a button: its message becomes "✓ Бюджет ..." and question 3
        await anna.expect("Вопрос 3 из 4")
        await anna.send("3")  # a choice typed: question 4 is sent and question 3 closed with "✓ Сроки"
        await anna.expect("Вопрос 4 из 4")
        await anna.expect("✓ Сроки: позже")
    finally:
        stop_looking()

    def stored_when(method: str, text: str) -> dict[str, Any] | None:
        return next(answers for m, shown, answers in seen if m == method and text in shown)

    assert set(stored_when("sendMessage", "Вопрос 2 из 4") or {}) == {"need"}
    assert set(stored_when("editMessageText", "✓ Бюджет: до 100 тыс. ₽") or {}) == {"need", "budget"}
    assert set(stored_when("sendMessage", "Вопрос 4 из 4") or {}) == {"need", "budget", "timing"}
    assert set(stored_when("editMessageText", "✓ Сроки: позже") or {}) == {"need", "budget", "timing"}


async def test_a_bot_that_dies_between_saving_the_lead_and_confirming_it_confirms_once_back(
    api: FakeBotApi, running: RunningBot
) -> None:
    assert running.app is not None
    anna, manager = api.user(962, first_name="Анна"), api.user(MANAGER)
    await up_to_the_phone(anna)
    running.app.notifier.stop()  # from here on nothing leaves the outbox: as if the process died
    since = api.mark()
    await anna.send_contact("79165550962")
    await running.eventually("select count(*) from outbox where kind = 'request_received'", 1)
    assert await running.scalar("select count(*) from deals") == 1
    assert await running.scalar("select state from outbox where kind = 'request_received'") == "pending"
    assert count(api, since, anna.chat_id, CONFIRMED) == 0  # the handler itself sends nothing of it

    await running.restart()
    done = await anna.expect(CONFIRMED)
    assert "Ваша заявка №1 принята" in done["text"] and "+7 916 555-09-62" in done["text"]
    assert done["params"]["reply_markup"] == {"remove_keyboard": True}
    await manager.expect("Новая заявка")
    await running.eventually(UNSETTLED, 0)
    assert count(api, since, anna.chat_id, CONFIRMED) == 1
    assert count(api, since, anna.chat_id, GONE_WRONG) == 0
    assert await running.scalar("select count(*) from deals") == 1
    assert await running.scalar("select count(*) from outbox where kind = 'request_repeated'") == 0


async def test_a_confirmation_telegram_put_off_is_sent_once_after_a_restart(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    assert bot.app is not None
    anna = api.user(963, first_name="Анна")
    await up_to_the_phone(anna)
    since = api.mark()
    # Telegram holds the chat for a minute: the notifier puts the confirmation off rather than wait.
    api.fail("sendMessage", times=1, error_code=429, retry_after=60, chat_id=anna.chat_id)
    await anna.send_contact("79165550963")
    await bot.eventually(
        "select count(*) from outbox where kind = 'request_received' and state = 'pending' and attempts = 1",
        1,
    )
    assert count(api, since, anna.chat_id, CONFIRMED) == 0

    await bot.restart()  # the bot goes down with the confirmation still to send
    clock.at += timedelta(seconds=61)
    bot.app.notifier.wake()
    done = await anna.expect(CONFIRMED)
    assert "Ваша заявка №1 принята" in done["text"]
    await bot.eventually(UNSETTLED, 0)
    assert count(api, since, anna.chat_id, CONFIRMED) == 1
    assert count(api, since, anna.chat_id, GONE_WRONG) == 0
    assert await bot.scalar("select count(*) from deals") == 1
    assert await bot.scalar("select count(*) from inbox where state <> 'done'") == 0
