"""Limits shared by several bot processes through Redis (README.md, "Several workers"): the outbox's pace
(bot/shared_pacing.py) and the flood guard's 429 holds (bot/flood_guard.py). Each "process" here is an
object with its own Redis connection, as a worker would have."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import SendMessage

from bot.flood_guard import FloodGuard, RedisHolds
from bot.shared_pacing import SharedPacer
from tests.redis_server import empty_redis

pytestmark = pytest.mark.redis


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    async with empty_redis() as url:
        yield url


@pytest.fixture
async def workers(redis_url: str) -> AsyncIterator[list[Any]]:
    """Two Redis clients, one per pretend worker."""
    from redis.asyncio import Redis

    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    yield clients
    for client in clients:
        await client.aclose()


def prefix() -> str:
    return f"test-pace:{{{uuid.uuid4().hex[:8]}}}"  # keys of this test alone


def most_in_one_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    return max(sum(1 for later in times[i:] if later < start + window) for i, start in enumerate(times))


async def test_two_workers_together_keep_the_overall_limit_and_no_two_waiters_take_the_last_place(
    workers: list[Any],
) -> None:
    keys = prefix()
    pacers = [SharedPacer(client, overall_per_second=10, key_prefix=keys) for client in workers]
    started: list[float] = []

    async def send(pacer: SharedPacer, chat_id: int) -> None:
        async with pacer.turn(chat_id):
            started.append(time.time())  # the Redis server's clock is this machine's wall clock

    await asyncio.gather(*(send(pacers[n % 2], 500 + n) for n in range(25)))
    assert len(started) == 25
    assert most_in_one_window(started) == 10  # each alone would have let 20 through in one second


async def test_one_chat_gets_one_message_a_second_whichever_worker_sends_it(workers: list[Any]) -> None:
    keys = prefix()
    pacers = [SharedPacer(client, key_prefix=keys) for client in workers]
    started: list[float] = []

    async def send(pacer: SharedPacer) -> None:
        async with pacer.turn(7):
            started.append(time.time())

    await asyncio.gather(send(pacers[0]), send(pacers[1]), send(pacers[0]))
    assert most_in_one_window(started) == 1


async def test_a_send_counts_from_when_it_ended(workers: list[Any]) -> None:
    keys = prefix()
    pacer = SharedPacer(workers[0], key_prefix=keys)
    async with pacer.turn(7):
        began = await workers[1].zrange(f"{keys}:chat:7", 0, -1, withscores=True)
        ended_ms = time.time() * 1000
    settled = await workers[1].zrange(f"{keys}:chat:7", 0, -1, withscores=True)
    assert len(began) == len(settled) == 1
    assert settled[0][1] >= ended_ms > began[0][1]
    assert 0 < await workers[1].pttl(f"{keys}:chat:7") <= 2000  # forgotten once its window is past


async def test_with_redis_away_the_outbox_is_paced_in_memory_and_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from redis.asyncio import Redis

    away = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)  # nothing listens there
    pacer = SharedPacer(away, private_per_second=50)
    with caplog.at_level(logging.WARNING, logger="bot.shared_pacing"):
        for chat_id in (7, 8, 7):
            async with pacer.turn(chat_id):
                pass
    warnings = [r for r in caplog.records if r.name == "bot.shared_pacing"]
    assert len(warnings) == 1 and "paced by this process alone" in warnings[0].getMessage()
    await away.aclose()


class Telegram:
    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes, self.calls = list(outcomes), []  # type: ignore[var-annotated]

    async def __call__(self, bot: Any, method: SendMessage) -> Any:
        self.calls.append(int(method.chat_id))
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        return "ok"


async def test_a_chat_on_hold_in_one_worker_is_on_hold_in_all(workers: list[Any]) -> None:
    keys = f"test-hold:{uuid.uuid4().hex[:8]}:"
    first, second = (FloodGuard(RedisHolds(client, key_prefix=keys)) for client in workers)
    to_five, to_six = SendMessage(chat_id=5, text="a"), SendMessage(chat_id=6, text="b")
    telegram = Telegram(TelegramRetryAfter(method=to_five, message="Too Many Requests", retry_after=30))
    with pytest.raises(TelegramRetryAfter):
        await first(telegram, None, to_five)  # type: ignore[arg-type]
    with pytest.raises(TelegramRetryAfter) as held:
        await second(telegram, None, to_five)  # type: ignore[arg-type]
    assert held.value.retry_after > 5
    answer: Any = await second(telegram, None, to_six)  # type: ignore[arg-type]
    assert answer == "ok"
    assert telegram.calls == [5, 6]  # the second worker never asked Telegram about chat 5

    await RedisHolds(workers[1], key_prefix=keys).hold(5, 2)  # a shorter hold never shortens a longer one
    assert 25_000 < await workers[0].pttl(f"{keys}5") <= 30_000


async def test_with_redis_away_holds_stay_in_memory(caplog: pytest.LogCaptureFixture) -> None:
    from redis.asyncio import Redis

    away = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    guard, to_five = FloodGuard(RedisHolds(away)), SendMessage(chat_id=5, text="a")
    telegram = Telegram(TelegramRetryAfter(method=to_five, message="Too Many Requests", retry_after=30))
    with caplog.at_level(logging.WARNING, logger="bot.flood_guard"):
        with pytest.raises(TelegramRetryAfter):
            await guard(telegram, None, to_five)  # type: ignore[arg-type]
        with pytest.raises(TelegramRetryAfter):
            await guard(telegram, None, to_five)  # type: ignore[arg-type]
    assert telegram.calls == [5]
    assert sum("kept by this process alone" in r.getMessage() for r in caplog.records) == 1
    await away.aclose()
