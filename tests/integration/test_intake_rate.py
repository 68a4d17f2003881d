"""The web leads' rate per source (bot/intake_rate.py): in memory for one process, in Redis shared by
several, and a Redis that is away lets leads through rather than losing them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bot.intake_rate import LeadRate
from tests.redis_server import empty_redis


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    async with empty_redis() as url:
        yield url


async def test_each_source_has_its_own_count_within_a_minute() -> None:
    rate = LeadRate(2)
    assert [await rate.admit("promo") for _ in range(2)] == [None, None]
    wait_s = await rate.admit("promo")
    assert wait_s is not None and 1 <= wait_s <= 60
    assert await rate.admit("vk") is None
    assert [await rate.admit(None), await rate.admit(None), await rate.admit(None) is not None] == [
        None,
        None,
        True,
    ]
    await rate.close()


async def test_processes_sharing_redis_share_the_count(redis_url: str) -> None:
    first, second = LeadRate(3, redis_url=redis_url), LeadRate(3, redis_url=redis_url)
    try:
        assert [await first.admit("promo"), await second.admit("promo"), await first.admit("promo")] == [
            None
        ] * 3
        assert await second.admit("promo") is not None
        assert await first.admit("vk") is None
    finally:
        await first.close()
        await second.close()


async def test_a_redis_that_is_away_lets_leads_through_and_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rate = LeadRate(1, redis_url="redis://127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING):
        assert [await rate.admit("promo") for _ in range(3)] == [None, None, None]
    assert caplog.text.count("not rate-limited") == 1
    await rate.close()
