"""aiogram FSM storage in our own database, so a conversation survives a restart without Redis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey

from bot.clock import Clock
from bot.middlewares import CURRENT_UNIT_OF_WORK
from storage.fsm_repository import FsmRepository


class TransactionOpenError(RuntimeError):
    """Conversation state touched while the handler's unit of work holds a transaction."""


class DatabaseStorage(BaseStorage):
    """Each call is a short transaction of its own. It refuses to run while the current update's unit of
    work has a transaction open: on SQLite that transaction holds the write lock, and this call would wait
    for it until the busy timeout (the handler waiting on itself). Failing loudly at once turns that into
    a bug the tests catch. Use cases end their transactions before returning, so handlers never see it."""

    def __init__(self, repository: FsmRepository, clock: Clock) -> None:
        self._repository = repository
        self._clock = clock
        self._keys = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        _refuse_inside_a_transaction()
        value = state.state if isinstance(state, State) else state
        await self._repository.store(
            self._keys.build(key), now=self._clock.now(), state=value, keep_data=True
        )

    async def get_state(self, key: StorageKey) -> str | None:
        _refuse_inside_a_transaction()
        state, _ = await self._repository.load(self._keys.build(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        _refuse_inside_a_transaction()
        await self._repository.store(
            self._keys.build(key), now=self._clock.now(), data=dict(data), keep_state=True
        )

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _refuse_inside_a_transaction()
        _, data = await self._repository.load(self._keys.build(key))
        return data

    async def close(self) -> None:
        """The engine is disposed of by the app."""


def _refuse_inside_a_transaction() -> None:
    uow = CURRENT_UNIT_OF_WORK.get()
    if uow is not None and uow.in_transaction:
        raise TransactionOpenError("conversation state used while the unit of work holds a transaction")
