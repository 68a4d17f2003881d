"""With REDIS_URL set, conversation state lives in Redis and still survives a restart."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.crm_config import CrmConfig

from .bot_api_server import FakeBotApi
from .conftest import RunningBot, make_settings


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis path not tested: TEST_REDIS_URL is not set (.ci/run sets it)")
    from redis.asyncio import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    client = Redis.from_url(url)
    try:
        await client.flushdb()
    except RedisConnectionError as error:
        pytest.skip(f"Redis path not tested: no server at TEST_REDIS_URL ({error})")
    yield url
    await client.flushdb()
    await client.aclose()


async def test_a_restart_in_the_middle_loses_nothing_with_state_in_redis(
    api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig, redis_url: str
) -> None:
    settings = make_settings(api, tmp_path / "voronka.db", redis_url=redis_url)
    running = RunningBot(api, settings, crm_config)
    app = await running.start()
    try:
        assert type(app.dispatcher.storage).__name__ == "RedisStorage"
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
