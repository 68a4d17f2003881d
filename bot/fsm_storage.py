"""aiogram FSM storage in our own database, so a conversation survives a restart without Redis.

While an update is handled, state is read and written through that update's unit of work: read once,
written by its commit together with everything else the update changed and the record that it was
handled (one write transaction for an ordinary answer). Outside an update each call is a short
transaction of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey

from bot.clock import Clock
from bot.middlewares import CURRENT_UNIT_OF_WORK
from storage.fsm_repository import FsmRepository, SqlConversations


class DatabaseStorage(BaseStorage):
    def __init__(self, repository: FsmRepository, clock: Clock) -> None:
        self._repository = repository
        self._clock = clock
        self._keys = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._rows().store(self._keys.build(key), now=self._clock.now(), state=value, keep_data=True)

    async def get_state(self, key: StorageKey) -> str | None:
        state, _ = await self._rows().load(self._keys.build(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._rows().store(
            self._keys.build(key), now=self._clock.now(), data=dict(data), keep_state=True
        )

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _, data = await self._rows().load(self._keys.build(key))
        return data

    async def close(self) -> None:
        """The engine is disposed of by the app."""

    def _rows(self) -> SqlConversations | FsmRepository:
        uow = CURRENT_UNIT_OF_WORK.get()
        return uow.conversations if uow is not None else self._repository
