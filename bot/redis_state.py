"""Conversation state in Redis (REDIS_URL), each person's state read once per update.

Handlers ask for the state and its data several times while they handle one update (a filter, the
handler, the step that asks the next question): each would be a Redis round trip. Within an update
(the unit of work in hand marks it) a read is remembered and a write updates what is remembered and
goes to Redis at once, as before, so other processes see it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any
from weakref import WeakKeyDictionary

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from aiogram.fsm.storage.redis import RedisStorage

from bot.middlewares import CURRENT_UNIT_OF_WORK
from storage.unit_of_work import SqlUnitOfWork

_UNREAD = object()


class RememberingRedisStorage(BaseStorage):
    def __init__(self, redis_storage: RedisStorage) -> None:
        self.inner = redis_storage
        self.redis = redis_storage.redis
        self._memos: WeakKeyDictionary[SqlUnitOfWork, dict[tuple[StorageKey, str], Any]] = WeakKeyDictionary()

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self.inner.set_state(key, state)
        self._remember(key, "state", state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        memo = self._memo()
        if memo is not None and (state := memo.get((key, "state"), _UNREAD)) is not _UNREAD:
            return state  # type: ignore[no-any-return]
        state = await self.inner.get_state(key)
        self._remember(key, "state", state)
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self.inner.set_data(key, data)
        self._remember(key, "data", copy.deepcopy(dict(data)))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        memo = self._memo()
        if memo is not None and (data := memo.get((key, "data"), _UNREAD)) is not _UNREAD:
            return copy.deepcopy(data)
        data = await self.inner.get_data(key)
        self._remember(key, "data", copy.deepcopy(data))
        return data

    async def close(self) -> None:
        await self.inner.close()

    def _memo(self) -> dict[tuple[StorageKey, str], Any] | None:
        uow = CURRENT_UNIT_OF_WORK.get()
        if uow is None:
            return None
        return self._memos.setdefault(uow, {})

    def _remember(self, key: StorageKey, part: str, value: Any) -> None:
        memo = self._memo()
        if memo is not None:
            memo[(key, part)] = value
