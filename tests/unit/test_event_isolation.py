"""A person's updates are handled one at a time, and no lock outlives its use."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey

from bot.event_isolation import PerPersonIsolation, QueuedSharedIsolation


async def test_one_person_s_updates_wait_for_each_other_and_others_do_not() -> None:
    isolation = PerPersonIsolation()
    anna, boris = StorageKey(bot_id=1, chat_id=5, user_id=5), StorageKey(bot_id=1, chat_id=6, user_id=6)
    order: list[str] = []
    release = asyncio.Event()

    async def handle(key: StorageKey, name: str, *, hold: bool = False) -> None:
        async with isolation.lock(key):
            order.append(f"{name} in")
            if hold:
                await release.wait()
            order.append(f"{name} out")

    first = asyncio.create_task(handle(anna, "anna-1", hold=True))
    await asyncio.sleep(0)
    second = asyncio.create_task(handle(anna, "anna-2"))
    await handle(boris, "boris")  # not held up by Anna's update in hand
    assert order == ["anna-1 in", "boris in", "boris out"]
    release.set()
    await asyncio.gather(first, second)
    assert order[3:] == ["anna-1 out", "anna-2 in", "anna-2 out"]
    assert isolation._locks == {}  # nobody holds or waits: nothing kept


async def test_a_failing_update_gives_its_lock_back() -> None:
    isolation = PerPersonIsolation()
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    try:
        async with isolation.lock(key):
            raise RuntimeError("the handler failed")
    except RuntimeError:
        pass
    async with isolation.lock(key):  # not left locked
        pass
    assert isolation._locks == {}


async def test_an_update_still_running_when_the_bot_closes_finishes_without_error() -> None:
    isolation = PerPersonIsolation()
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    async with isolation.lock(key):
        await isolation.close()
    assert isolation._locks == {}


class PollingLock(BaseEventIsolation):
    """A stand-in for the Redis lock: records each try, and a try on a held key fails (a waiter would
    have to poll, which is what the in-process queue spares)."""

    def __init__(self) -> None:
        self.held: set[StorageKey] = set()
        self.busy_tries = 0
        self.closed = False

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        if key in self.held:
            self.busy_tries += 1
            raise AssertionError("tried a lock this process already holds")
        self.held.add(key)
        try:
            yield
        finally:
            self.held.discard(key)

    async def close(self) -> None:
        self.closed = True


async def test_with_a_shared_lock_one_person_s_updates_queue_here_and_never_find_it_busy() -> None:
    shared = PollingLock()
    isolation = QueuedSharedIsolation(shared)
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    inside: list[int] = []

    async def handle(n: int) -> None:
        async with isolation.lock(key):
            assert key in shared.held  # the shared lock keeps other processes out meanwhile
            inside.append(n)
            await asyncio.sleep(0)

    await asyncio.gather(*(handle(n) for n in range(5)))
    assert sorted(inside) == [0, 1, 2, 3, 4]
    assert shared.busy_tries == 0 and shared.held == set()
    await isolation.close()
    assert shared.closed
