"""A client who writes a lot: their messages reach the manager as a few merged relays, a new lead from
someone else is not held up behind them, and past the flood limit the manager gets a count."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.settings import Settings
from domain.crm_config import CrmConfig

from .bot_api_server import FakeBotApi
from .conftest import MANAGER, FixedClock, RunningBot, around_the_clock
from .test_delivery_faults import let_time_run
from .test_intake import answer_everything_in_russian

UNSETTLED = "select count(*) from outbox where state in ('pending', 'sending')"
HISTORY = "select count(*) from messages where deal_id = 1 and direction = 'in'"
CHATTER_WAITING = "select count(*) from outbox where kind = 'prospect_message' and state = 'pending'"


def with_flood_limit(config: CrmConfig, limit: int) -> CrmConfig:
    config = around_the_clock(config)
    return config.model_copy(update={"intake": config.intake.model_copy(update={"flood_limit": limit})})


@pytest.fixture
async def chatty(
    api: FakeBotApi, bot_settings: Settings, crm_config: CrmConfig, clock: FixedClock
) -> AsyncIterator[RunningBot]:
    """The bot on the fixed clock, with a flood limit high enough for 200 messages a minute."""
    running = RunningBot(api, bot_settings, with_flood_limit(crm_config, 500), clock=clock)
    await running.start()
    yield running
    await running.stop()


def relayed_lines(api: FakeBotApi, name: str) -> tuple[list[str], list[int]]:
    """The client's words as the manager got them in relays (below each header), and the indexes of
    the calls that carried them."""
    lines: list[str] = []
    calls: list[int] = []
    in_relay = False
    for index, call in enumerate(api.calls):
        if call.method != "sendMessage" or call.failed or call.params.get("chat_id") != MANAGER:
            continue
        text = (call.message or {}).get("text", "")
        if text.startswith(f"💬 {name}"):
            in_relay = True
            lines += text.splitlines()[2:]
        elif in_relay and not text.startswith(("🆕", "Новая")) and "Сделка №" not in text:
            lines += text.splitlines()  # the rest of a relay cut at 4096 characters
        else:
            in_relay = False
            continue
        calls.append(index)
    return lines, calls


async def test_a_new_lead_goes_before_200_messages_of_a_chatty_client_and_nothing_is_lost(
    api: FakeBotApi, chatty: RunningBot, clock: FixedClock
) -> None:
    anna, boris, manager = (
        api.user(651, first_name="Анна"),
        api.user(652, first_name="Борис"),
        api.user(MANAGER),
    )
    await answer_everything_in_russian(anna)
    await manager.expect("Новая заявка")
    for n in range(200):
        await anna.send(f"Сообщение {n}")
    await chatty.eventually(HISTORY, 200, timeout=60)  # every message is in the deal's history
    # Boris's lead comes while Anna's words still wait for the manager: it goes first all the same.
    await answer_everything_in_russian(boris, phone="79161234568")
    card = await manager.expect("Новая заявка")
    assert "№2" in card["text"]
    assert await chatty.scalar(CHATTER_WAITING) >= 1
    card_index = max(i for i, c in enumerate(api.calls) if c.message and "№2" in c.message.get("text", ""))

    await let_time_run(chatty, clock, UNSETTLED, 0)
    lines, calls = relayed_lines(api, "Анна")
    assert lines == [f"Сообщение {n}" for n in range(200)]  # all of them, once each, in order
    assert len(calls) <= 6  # merged: a few relays (a long one cut in two), not 200 messages
    assert calls[-1] > card_index  # the lead did not wait for the chatter to finish
    relays = await chatty.scalar("select count(*) from outbox where kind = 'prospect_message'")
    assert relays <= 4


async def test_a_client_past_the_flood_limit_is_asked_once_to_slow_down_and_the_manager_gets_a_count(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    """The shipped limit: 20 messages a minute."""
    anna, manager = api.user(653, first_name="Анна"), api.user(MANAGER)
    await answer_everything_in_russian(anna)
    await manager.expect("Новая заявка")
    for n in range(30):
        await anna.send(f"Вопрос {n}")
    await bot.eventually(HISTORY, 30, timeout=30)  # kept, every one
    await let_time_run(bot, clock, UNSETTLED, 0)
    told = [m for m in api.sent_to(anna.chat_id) if "Вы пишете очень быстро" in (m.get("text") or "")]
    assert len(told) == 1
    lines, _ = relayed_lines(api, "Анна")
    words = [line for line in lines if line.startswith("Вопрос")]
    assert words == [f"Вопрос {n}" for n in range(20)]
    assert any("…и ещё 10 сообщений — смотрите историю сделки" in line for line in lines)
    note = next(m for m in api.sent_to(MANAGER) if "и ещё 10 сообщений" in (m.get("text") or ""))
    assert note["reply_markup"]["inline_keyboard"][0][0]["text"] == "💬 Ответить"
    await manager.press("📜 История", message=note)
    history = await manager.expect("Вопрос 29")
    assert "Вопрос 20" in history["text"]

    # A minute later the flood is over: the next message is relayed as itself, nobody is told again.
    clock.at += timedelta(minutes=2)
    await anna.send("Спасибо!")
    await manager.expect("Спасибо!")
    told = [m for m in api.sent_to(anna.chat_id) if "Вы пишете очень быстро" in (m.get("text") or "")]
    assert len(told) == 1
