"""aiogram FSM storage in our own database, so a conversation survives a restart without Redis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey

from bot.clock import Clock
from storage.fsm_repository import FsmRepository


class DatabaseStorage(BaseStorage):
    def __init__(self, repository: FsmRepository, clock: Clock) -> None:
        self._repository = repository
        self._clock = clock
        self._keys = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._repository.store(
            self._keys.build(key), now=self._clock.now(), state=value, keep_data=True
        )

    async def get_state(self, key: StorageKey) -> str | None:
        state, _ = await self._repository.load(self._keys.build(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._repository.store(
            self._keys.build(key), now=self._clock.now(), data=dict(data), keep_state=True
        )

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _, data = await self._repository.load(self._keys.build(key))
        return data

    async def close(self) -> None:
        """The engine is disposed of by the app."""
