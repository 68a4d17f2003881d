"""A manager types when to call next, as people say it, on the team's real calendar: the bot says the day
back, names a day off and offers the next working day."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.settings import Settings
from domain.crm_config import CrmConfig

from .bot_api_people import FakeUser
from .bot_api_server import FakeBotApi
from .conftest import MANAGER, FixedClock, RunningBot
from .test_deal_work import open_menu, taken_lead

THURSDAY_MORNING = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 10:00 in Moscow, a working day


@pytest.fixture
async def office_bot(
    api: FakeBotApi, bot_settings: Settings, crm_config: CrmConfig
) -> AsyncIterator[RunningBot]:
    """The bot on the shipped config as it is (Moscow, Russian holidays), at a fixed moment."""
    running = RunningBot(api, bot_settings, crm_config, clock=FixedClock(THURSDAY_MORNING))
    await running.start()
    yield running
    await running.stop()


async def typed_date(api: FakeBotApi, prospect_id: int, words: str) -> tuple[FakeUser, dict[str, Any]]:
    """A manager with a freshly taken lead types `words` for its next contact; returns the manager and
    the bot's question back ("... Всё верно?")."""
    _, manager, _ = await taken_lead(api, prospect_id)
    await open_menu(manager, "📅 След. контакт")
    await manager.press("✏️ Ввести дату")
    await manager.send(words)
    return manager, await manager.expect("Всё верно?")


async def test_in_a_month_is_the_same_day_next_month_and_its_weekend_is_named(
    api: FakeBotApi, office_bot: RunningBot
) -> None:
    manager, confirm = await typed_date(api, 901, "через месяц")
    assert "сб, 26 дек., 10:00" in confirm["text"]  # not 1 December
    assert "Это выходной день" in confirm["text"]
    assert "📅 Перенести на пн, 28 дек., 10:00" in confirm["buttons"]
    await manager.press("✅ Да, верно", message=api.find_message(MANAGER, confirm["message_id"]))
    card = await manager.expect("В работе: вы")  # the card redrawn (the question above says the date too)
    assert "26 дек., 10:00" in card["text"]


async def test_a_sunday_is_offered_the_monday_and_one_tap_moves_it(
    api: FakeBotApi, office_bot: RunningBot
) -> None:
    manager, confirm = await typed_date(api, 902, "в воскресенье в 15:00")
    assert "вс, 29 нояб., 15:00" in confirm["text"]
    assert "Это выходной день" in confirm["text"]
    monday = "📅 Перенести на пн, 30 нояб., 15:00"
    await manager.press(monday, message=api.find_message(MANAGER, confirm["message_id"]))
    assert "пн, 30 нояб., 15:00" in (await manager.answer_of_callback())["text"]
    card = await manager.expect("В работе: вы")
    assert "30 нояб., 15:00" in card["text"]
    planned = await office_bot.scalar("select next_contact_at from deals where id = 1")
    assert str(planned).startswith("2026-11-30 12:00")  # 15:00 in Moscow, stored in UTC


async def test_working_days_skip_the_weekend_and_a_working_day_gets_no_warning(
    api: FakeBotApi, office_bot: RunningBot
) -> None:
    _, confirm = await typed_date(api, 903, "через 3 рабочих дня")
    assert "вт, 1 дек., 10:00" in confirm["text"]  # Friday, Monday, Tuesday
    assert "выходной" not in confirm["text"]
    assert not any(button.startswith("📅 Перенести") for button in confirm["buttons"])


async def test_rewarming_in_a_month_lands_on_a_working_day(api: FakeBotApi, office_bot: RunningBot) -> None:
    _, manager, _ = await taken_lead(api, 904)
    await open_menu(manager, "✖ Отказ")
    await manager.press("Дорого")
    await manager.expect("Причина отказа: Дорого")
    await open_menu(manager, "♻️ В прогрев")
    await manager.press("Через месяц")  # 26 December 2026 is a Saturday
    assert "пн, 28 дек., 10:00" in (await manager.answer_of_callback())["text"]
    planned = await office_bot.scalar("select next_contact_at from deals where id = 2")
    assert str(planned).startswith("2026-12-28 07:00")


async def test_a_confirmation_is_checked_again_when_it_is_pressed(
    api: FakeBotApi, office_bot: RunningBot
) -> None:
    """A "yes" forged (or moved) beyond the two-year limit is refused like a typed one, and nothing is
    planned; the question stays open for a real answer."""
    manager, confirm = await typed_date(api, 905, "завтра в 15:00")
    await manager.press_data("d:ncok:1:0:32503680000", confirm["message_id"])  # 1 January 3000
    assert "слишком далеко" in (await manager.answer_of_callback())["text"]
    assert await office_bot.scalar("select next_contact_at from deals where id = 1") is None
    await manager.press("✅ Да, верно", message=api.find_message(MANAGER, confirm["message_id"]))
    assert "пт, 27 нояб., 15:00" in (await manager.answer_of_callback())["text"]


async def test_a_forged_deal_id_too_big_for_the_database_is_an_outdated_button(
    api: FakeBotApi, office_bot: RunningBot
) -> None:
    _, manager, card = await taken_lead(api, 906)
    prospect = api.user(906)
    for who in (manager, prospect):
        await who.press_data("d:ncday:99999999999999999999:1:20261130", card["message_id"], chat_id=who.id)
        assert "устарела" in (await who.answer_of_callback())["text"]
