"""With REDIS_URL set, conversation state lives in Redis and still survives a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.crm_config import CrmConfig
from tests.redis_server import empty_redis

from .bot_api_server import FakeBotApi
from .conftest import RunningBot, make_settings


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    async with empty_redis() as url:
        yield url


async def test_a_restart_in_the_middle_loses_nothing_with_state_in_redis(
    api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig, redis_url: str
) -> None:
    settings = make_settings(api, tmp_path / "voronka.db", redis_url=redis_url)
    running = RunningBot(api, settings, crm_config)
    app = await running.start()
    try:
        assert type(app.dispatcher.storage.inner).__name__ == "RedisStorage"  # type: ignore[attr-defined]
        anna = api.user(801, first_name="Анна")
        await anna.send("/start src_redis")
        await anna.expect("Вопрос 1 из 4")
        await anna.send("Сайт")
        await anna.expect("Вопрос 2 из 4")
        await running.restart()
        await anna.press("100–500 тыс. ₽")
        await anna.expect("Вопрос 3 из 4")
        await anna.press("позже")
        await anna.expect("Вопрос 4 из 4")
        await anna.send("+79160000801")
        done = await anna.expect("Ваша заявка №1 принята")
        assert "Сайт" in done["text"] and "100–500 тыс. ₽" in done["text"]
        assert await running.scalar("select count(*) from fsm_states") == 0
    finally:
        await running.stop()


async def test_connections_dropped_by_redis_are_reopened_without_losing_the_answer(
    api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig, redis_url: str
) -> None:
    from redis.asyncio import Redis

    settings = make_settings(api, tmp_path / "voronka.db", redis_url=redis_url)
    running = RunningBot(api, settings, crm_config)
    await running.start()
    admin = Redis.from_url(redis_url)
    try:
        boris = api.user(802, first_name="Борис")
        await boris.send("/start")
        await boris.expect("Вопрос 1 из 4")
        # What a Redis restart does to the bot's pooled connections: the server closes every one of them.
        killed = await admin.client_kill_filter(_type="normal", skipme=True)
        assert killed >= 1
        await boris.send("Сайт")
        await boris.expect("Вопрос 2 из 4")
        assert not [m for m in api.sent_to(802) if "что-то пошло не так" in m.get("text", "")]
    finally:
        await admin.aclose()
        await running.stop()


async def test_three_hundred_prospects_at_once_are_all_answered_with_state_in_redis(
    api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig, redis_url: str
) -> None:
    """More people at once than the bot handles at once, or Redis connections it pools: they queue,
    none is told "something went wrong"."""
    import asyncio

    settings = make_settings(api, tmp_path / "voronka.db", redis_url=redis_url)
    running = RunningBot(api, settings, crm_config)
    await running.start()
    try:
        people = [api.user(10_000 + n, first_name=f"Гость{n}") for n in range(300)]
        await asyncio.gather(*(person.send("/start") for person in people))
        await asyncio.gather(*(person.expect("Вопрос 1 из 4", timeout=60) for person in people))
        await asyncio.gather(*(person.send("Сайт") for person in people))
        await asyncio.gather(*(person.expect("Вопрос 2 из 4", timeout=60) for person in people))
        errors = [c for c in api.calls if "что-то пошло не так" in (c.message or {}).get("text", "")]
        assert errors == []
    finally:
        await running.stop()
