"""Waiting for the Bot API at start (bot/telegram_reach.py), against a fake `getMe`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any, cast

import pytest
from aiogram.exceptions import TelegramNetworkError, TelegramNotFound, TelegramUnauthorizedError
from aiogram.methods import GetMe
from aiogram.types import User
from aiogram.utils.backoff import BackoffConfig

from bot.start_failure import BotApiRefused
from bot.telegram_reach import TelegramReach, reach_telegram

URL = "http://127.0.0.1:9"
TOKEN = "123456:SECRET-token"
QUICK = BackoffConfig(min_delay=0.001, max_delay=0.002, factor=1.5, jitter=0.0)
ME = User(id=42, is_bot=True, first_name="Voronka", username="voronka_bot")


class FakeBot:
    """`get_me` answers from a script: an exception is raised, anything else returned; past the script
    it hangs (a Bot API that accepted the connection and says nothing)."""

    def __init__(self, script: list[Any]) -> None:
        self._script: Iterator[Any] = iter(script)
        self.asked = 0
        self.hanging = asyncio.Event()
        self.answered = asyncio.Event()  # set once a call has ended (raised or returned)

    async def get_me(self) -> User:
        self.asked += 1
        step = next(self._script, None)
        if step is None:
            self.hanging.set()
            await asyncio.Event().wait()
        self.answered.set()
        if isinstance(step, BaseException):
            raise step
        return cast(User, step)


def away() -> TelegramNetworkError:
    return TelegramNetworkError(GetMe(), f"HTTP Client says - cannot connect to {URL}/bot{TOKEN}/getMe")


def make_reach(stop: asyncio.Event) -> TelegramReach:
    return TelegramReach(api_url=URL, token=TOKEN, stop=stop, backoff=QUICK)


async def test_an_unreachable_bot_api_is_asked_again_with_one_warning_naming_it_and_one_line_when_it_answers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = FakeBot([away(), away(), away(), ME])
    with caplog.at_level(logging.INFO, logger="bot.telegram_reach"):
        me = await reach_telegram(bot, make_reach(asyncio.Event()), api_url=URL)  # type: ignore[arg-type]
    assert me == ME and bot.asked == 4
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and URL in warnings[0] and "until it answers" in warnings[0]
    assert TOKEN not in caplog.text and "<BOT_TOKEN>" in warnings[0]
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert infos == [f"Telegram answers at {URL}: this is @voronka_bot (id 42)"]
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_bot_api_that_answers_at_once_is_not_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.telegram_reach"):
        me = await reach_telegram(FakeBot([ME]), make_reach(asyncio.Event()), api_url=URL)  # type: ignore[arg-type]
    assert me == ME
    assert [r.levelno for r in caplog.records] == [logging.INFO]


async def test_a_stop_while_waiting_ends_the_wait_with_none() -> None:
    stop = asyncio.Event()
    bot = FakeBot([away()] * 1000)
    reach = TelegramReach(api_url=URL, token=TOKEN, stop=stop, backoff=BackoffConfig(60, 61, 1.5, 0))
    waiting = asyncio.create_task(reach_telegram(bot, reach, api_url=URL))  # type: ignore[arg-type]
    await asyncio.wait_for(bot.answered.wait(), timeout=5)  # failed: the wait before the next is a minute
    stop.set()
    assert await asyncio.wait_for(waiting, timeout=5) is None
    assert bot.asked == 1


async def test_a_stop_while_a_call_hangs_cancels_it_and_ends_the_wait() -> None:
    stop = asyncio.Event()
    bot = FakeBot([])
    waiting = asyncio.create_task(reach_telegram(bot, make_reach(stop), api_url=URL))  # type: ignore[arg-type]
    await asyncio.wait_for(bot.hanging.wait(), timeout=5)
    stop.set()
    assert await asyncio.wait_for(waiting, timeout=5) is None


async def test_a_stop_before_the_first_call_asks_nothing() -> None:
    stop = asyncio.Event()
    stop.set()
    bot = FakeBot([ME])
    assert await reach_telegram(bot, make_reach(stop), api_url=URL) is None  # type: ignore[arg-type]
    assert bot.asked == 0


async def test_a_refused_token_is_not_waited_for() -> None:
    bot = FakeBot([away(), TelegramUnauthorizedError(GetMe(), "Unauthorized"), ME])
    with pytest.raises(
        BotApiRefused, match=r"^the token was refused by Telegram \(401 Unauthorized\): check BOT_TOKEN"
    ):
        await reach_telegram(bot, make_reach(asyncio.Event()), api_url=URL)  # type: ignore[arg-type]
    assert bot.asked == 2


async def test_a_404_to_get_me_names_the_url_and_the_token_to_check() -> None:
    bot = FakeBot([TelegramNotFound(GetMe(), "Not Found")])
    with pytest.raises(
        BotApiRefused, match="answered 404 Not Found to getMe: check TELEGRAM_API_URL"
    ) as refused:
        await reach_telegram(bot, make_reach(asyncio.Event()), api_url=URL)  # type: ignore[arg-type]
    assert URL in str(refused.value)


async def test_a_fault_of_ours_is_not_taken_for_an_outage() -> None:
    bot = FakeBot([ValueError("a bug")])
    with pytest.raises(ValueError, match="a bug"):
        await reach_telegram(bot, make_reach(asyncio.Event()), api_url=URL)  # type: ignore[arg-type]
    assert bot.asked == 1
