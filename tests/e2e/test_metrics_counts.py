"""What the bot counts as it works (bot/observability/metrics.py): each update's kind, outcome and time
in bot/inbox.py, and each Bot API request's method and result at the session (telegram_calls.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from prometheus_client import REGISTRY

from bot import inbox as inbox_module
from bot.observability.telegram_calls import TelegramCalls
from domain.crm_config import CrmConfig

from .bot_api_server import FakeBotApi
from .conftest import TOKEN, RunningBot, around_the_clock, make_settings
from .test_inbox import GONE_WRONG, _Boom


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def until(name: str, expected: float, **labels: str) -> None:
    """The counter reaches `expected` (it is counted once the handler has returned, after its reply)."""
    for _ in range(500):
        if sample(name, **labels) >= expected:
            break
        await asyncio.sleep(0.01)
    assert sample(name, **labels) == expected


async def test_the_inbox_counts_each_try_by_kind_and_outcome_and_times_it(
    api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox_module, "BUG_PAUSES_S", (0.0,))
    handled = sample("voronka_updates_total", kind="message", outcome="handled")
    failed = sample("voronka_updates_total", kind="message", outcome="failed")
    set_aside = sample("voronka_updates_total", kind="message", outcome="set_aside")
    pressed = sample("voronka_updates_total", kind="callback_query", outcome="handled")
    timed = sample("voronka_update_handling_seconds_count", kind="message")
    running = RunningBot(api, make_settings(api, tmp_path / "voronka.db"), around_the_clock(crm_config))
    app = await running.start()
    app.dispatcher.message.outer_middleware(_Boom())
    try:
        client = api.user(812, first_name="Клиент")
        await client.send("/start")
        await client.expect("Вопрос 1 из 4")
        await until("voronka_updates_total", handled + 1, kind="message", outcome="handled")
        await client.send("Сайт")
        await client.expect("Вопрос 2 из 4")
        await client.press("пока не знаю")
        await client.expect("Вопрос 3 из 4")
        await until("voronka_updates_total", handled + 2, kind="message", outcome="handled")
        await until("voronka_updates_total", pressed + 1, kind="callback_query", outcome="handled")

        await client.send("boom")  # a bug: tried three times, then set aside
        await client.expect(GONE_WRONG, timeout=10)
        await until("voronka_updates_total", set_aside + 1, kind="message", outcome="set_aside")
        assert sample("voronka_updates_total", kind="message", outcome="failed") == failed + 2
        assert sample("voronka_update_handling_seconds_count", kind="message") == timed + 5
        assert sample("voronka_update_handling_seconds_bucket", kind="message", le="+Inf") == timed + 5
    finally:
        await running.stop()


async def test_the_session_counts_an_ok_send_a_429_and_a_refusal_by_method(api: FakeBotApi) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.url))
    session.middleware(TelegramCalls())
    bot = Bot(TOKEN, session=session)

    def counts() -> dict[str, float]:
        return {
            result: sample("voronka_telegram_requests_total", method="sendMessage", result=result)
            for result in ("ok", "429", "forbidden")
        } | {"too_many": sample("voronka_telegram_429_total", method="sendMessage")}

    before: dict[str, Any] = counts()
    try:
        await bot.send_message(5, "first")
        api.fail("sendMessage", times=1, error_code=429, retry_after=3)
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(5, "refused")
        api.block(6)
        with pytest.raises(TelegramForbiddenError):
            await bot.send_message(6, "blocked")
        await bot.send_message(5, "second")
    finally:
        await bot.session.close()
    after = counts()
    assert {key: after[key] - before[key] for key in after} == {
        "ok": 2,
        "429": 1,
        "forbidden": 1,
        "too_many": 1,
    }
