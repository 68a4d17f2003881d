"""With state in Redis, one update reads a person's state once, and its writes go to Redis with its commit
(a rollback drops them), as state kept in the database does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

from aiogram.fsm.storage.base import StateType, StorageKey
from aiogram.fsm.storage.redis import RedisStorage

from bot.middlewares import CURRENT_UNIT_OF_WORK
from bot.redis_state import RememberingRedisStorage
from storage.unit_of_work import SqlUnitOfWork


class Redis:
    """What the bot asks of aiogram's RedisStorage, counted."""

    redis = None

    def __init__(self) -> None:
        self.state: str | None = "Form:one"
        self.data: dict[str, Any] = {"q": 1}
        self.calls: list[str] = []

    async def get_state(self, key: StorageKey) -> str | None:
        self.calls.append("get_state")
        return self.state

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        self.calls.append("set_state")
        self.state = state if isinstance(state, str | None) else state.state

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        self.calls.append("get_data")
        return dict(self.data)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        self.calls.append("set_data")
        self.data = dict(data)


KEY = StorageKey(bot_id=1, chat_id=5, user_id=5)


class UnitOfWork:
    """What the storage asks of the update's unit of work: run its writes after the commit, or drop them."""

    def __init__(self) -> None:
        self.hooks: list[tuple[Callable[[], Awaitable[None]], Callable[[], None]]] = []

    def after_this_commit(self, write: Callable[[], Awaitable[None]], *, dropped: Callable[[], None]) -> None:
        self.hooks.append((write, dropped))

    async def commit(self) -> None:
        hooks, self.hooks = self.hooks, []
        for write, _ in hooks:
            await write()

    def rollback(self) -> None:
        hooks, self.hooks = self.hooks, []
        for _, dropped in hooks:
            dropped()


async def test_an_update_reads_each_part_once_and_writes_with_its_commit() -> None:
    redis, uow = Redis(), UnitOfWork()
    storage = RememberingRedisStorage(cast(RedisStorage, redis))
    token = CURRENT_UNIT_OF_WORK.set(cast(SqlUnitOfWork, uow))  # the update in hand
    try:
        assert await storage.get_state(KEY) == "Form:one"
        assert await storage.get_state(KEY) == "Form:one"
        data = await storage.get_data(KEY)
        data["q"] = 99  # a handler's copy: changing it changes nothing stored
        assert await storage.update_data(KEY, {"r": 2}) == {"q": 1, "r": 2}
        assert await storage.get_data(KEY) == {"q": 1, "r": 2}
        await storage.set_state(KEY, None)
        assert await storage.get_state(KEY) is None
        assert redis.calls == ["get_state", "get_data"]  # nothing written before the commit
        await uow.commit()
    finally:
        CURRENT_UNIT_OF_WORK.reset(token)
    assert redis.calls == ["get_state", "get_data", "set_data", "set_state"]
    assert (redis.state, redis.data) == (None, {"q": 1, "r": 2})


async def test_a_rolled_back_update_writes_nothing_and_forgets_what_it_wrote() -> None:
    redis, uow = Redis(), UnitOfWork()
    storage = RememberingRedisStorage(cast(RedisStorage, redis))
    token = CURRENT_UNIT_OF_WORK.set(cast(SqlUnitOfWork, uow))
    try:
        await storage.set_state(KEY, None)  # the questionnaire's end: cleared, then the lead fails to save
        uow.rollback()
        assert await storage.get_state(KEY) == "Form:one"
    finally:
        CURRENT_UNIT_OF_WORK.reset(token)
    assert redis.calls == ["get_state"] and redis.state == "Form:one"


async def test_outside_an_update_every_read_goes_to_redis() -> None:
    redis = Redis()
    storage = RememberingRedisStorage(cast(RedisStorage, redis))
    await storage.get_state(KEY)
    redis.state = "Form:two"  # another process moved the conversation on
    assert await storage.get_state(KEY) == "Form:two"
