"""One update at a time per person (aiogram's event isolation), in this process, without keeping a lock
for everyone who ever wrote.

aiogram's SimpleEventIsolation (3.31.0) keeps one asyncio.Lock per person forever ("TODO: Unused locks
cleaner is needed" in its source): memory that grows with every prospect a campaign brings. Here a lock
lives only while someone holds or waits for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Hashable
from contextlib import asynccontextmanager

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey


class PerPersonIsolation(BaseEventIsolation):
    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}  # key -> (lock, holders and waiters)

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            held, users = self._locks.get(key, (None, 0))
            if held is lock:  # (gone when the bot closed meanwhile: nothing to count down)
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    async def close(self) -> None:
        self._locks.clear()
