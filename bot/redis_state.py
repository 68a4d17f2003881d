"""Redis (REDIS_URL) as the bot's processes share it: one client per process (`shared_redis`) for the
conversation state and per-person locks (aiogram's), the outbox's pace (bot/shared_pacing.py) and the
429 holds (bot/flood_guard.py).

Conversation state in Redis, each person's state read once per update, written with the update's commit.

Handlers ask for the state and its data several times while they handle one update (a filter, the
handler, the step that asks the next question): each would be a Redis round trip. Within an update
(the unit of work in hand marks it) a read is remembered and a write updates what is remembered.

A write within an update goes to Redis right after the unit of work's next commit, and is dropped by
a rollback: the state follows the database, as it does when it is kept there (storage/fsm_repository.py,
in the same transaction). Written at once instead, a questionnaire's end (the state cleared, then the
lead committed) would lose the lead to a process killed between the two: the update, handled again,
finds no questionnaire. Written after the commit, the same kill leaves the lead saved and the state as
it was before the update, which the next message meets as a questionnaire already finished. Another
process never reads the state in between: the person's lock (aiogram's event isolation) is held until
the update's end. Writes outside an update go to Redis at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any
from weakref import WeakKeyDictionary

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseEventIsolation,
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.middlewares import CURRENT_UNIT_OF_WORK
from storage.unit_of_work import SqlUnitOfWork

logger = logging.getLogger(__name__)

LOCK_TTL_S = 10.0  # a person's lock left by a killed process frees itself this soon
LOCK_POLL_S = 0.02  # a waiter in another process looks this often (redis-py's default is 0.1 s)

_UNREAD = object()
_Parts = dict[tuple[StorageKey, str], Any]  # (a person's key, "state" or "data") -> its value


def shared_redis(url: str, *, max_connections: int, wait_s: float) -> Redis:
    """The process's Redis client. A bounded pool that makes a caller wait for a free connection
    (redis-py's default pool raises MaxConnectionsError past 100 at once, failing a campaign peak's
    updates). A pool made from a URL does not retry at all either: one connection dropped by the server
    (a Redis restart, a failover, an idle timeout) would fail the update in hand. Reconnect and retry
    instead. (The pacer and the flood guard bound their own calls with a timeout and go on without
    Redis rather than wait out these retries.) Closed with the conversation storage
    (`RememberingRedisStorage.close`)."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=wait_s,
        retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=2.0), retries=5),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=30,
    )
    return Redis(connection_pool=pool)


class RenewedRedisLocks(BaseEventIsolation):
    """A person's lock shared by the bot's processes, held while one of their updates is handled, under
    the key aiogram's RedisEventIsolation uses. That one's lock has a fixed expiry (60 s, or a handling
    longer than it loses the lock): a worker killed with a person's update in hand kept them waiting a
    minute. This one expires within LOCK_TTL_S and is renewed every third of it while held, so a killed
    worker's locks free themselves within seconds and a long handling (a reply riding out a minute of
    Telegram's 5xx) keeps its lock. (redis-py's Lock renews only when asked; aiogram does not ask.)"""

    def __init__(
        self, redis: Redis, *, key_builder: KeyBuilder | None = None, ttl_s: float = LOCK_TTL_S,
        poll_s: float = LOCK_POLL_S,
    ) -> None:  # fmt: skip
        self._redis, self._keys = redis, key_builder or DefaultKeyBuilder()
        self._ttl_s, self._poll_s = ttl_s, poll_s

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        held = self._redis.lock(
            self._keys.build(key, "lock"), timeout=self._ttl_s, sleep=self._poll_s, thread_local=False
        )
        await held.acquire()
        keeper = asyncio.create_task(self._keep(held), name="person-lock")
        try:
            yield
        finally:
            keeper.cancel()
            with contextlib.suppress(LockError, RedisConnectionError, RedisTimeoutError):
                await held.release()  # lost meanwhile (Redis away longer than the TTL): nothing to free

    async def _keep(self, held: Any) -> None:
        while True:
            await asyncio.sleep(self._ttl_s / 3)
            try:
                await held.reacquire()
            except LockError:  # expired and perhaps taken: the update goes on (its commit still guards it)
                logger.warning("a person's lock expired while their update was handled")
                return
            except Exception as error:  # Redis away for a moment: the next beat tries again
                logger.debug("could not renew a person's lock: %r", error)

    async def close(self) -> None:
        pass


class RememberingRedisStorage(BaseStorage):
    def __init__(self, redis_storage: RedisStorage) -> None:
        self.inner = redis_storage
        self.redis = redis_storage.redis
        self._memos: WeakKeyDictionary[SqlUnitOfWork, _Parts] = WeakKeyDictionary()
        self._waiting: WeakKeyDictionary[SqlUnitOfWork, _Parts] = WeakKeyDictionary()  # for their commit

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        if not self._after_commit(key, "state", value):
            await self.inner.set_state(key, value)
        self._remember(key, "state", value)

    async def get_state(self, key: StorageKey) -> str | None:
        memo = self._memo()
        if memo is not None and (state := memo.get((key, "state"), _UNREAD)) is not _UNREAD:
            return state  # type: ignore[no-any-return]
        state = await self.inner.get_state(key)
        self._remember(key, "state", state)
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        value = copy.deepcopy(dict(data))
        if not self._after_commit(key, "data", value):
            await self.inner.set_data(key, value)
        self._remember(key, "data", copy.deepcopy(value))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        memo = self._memo()
        if memo is not None and (data := memo.get((key, "data"), _UNREAD)) is not _UNREAD:
            return copy.deepcopy(data)
        data = await self.inner.get_data(key)
        self._remember(key, "data", copy.deepcopy(data))
        return data

    async def close(self) -> None:
        await self.inner.close()

    def _after_commit(self, key: StorageKey, part: str, value: Any) -> bool:
        """Keep the write for the current unit of work's next commit; False when there is none (or it
        cannot run code after a commit): the caller writes at once."""
        uow = CURRENT_UNIT_OF_WORK.get()
        hook = getattr(uow, "after_this_commit", None)
        if uow is None or hook is None:
            return False
        waiting = self._waiting.get(uow)
        if waiting is None:
            waiting = self._waiting[uow] = {}
            hook(lambda: self._write(uow), dropped=lambda: self._drop(uow))
        waiting.pop((key, part), None)
        waiting[(key, part)] = value  # the latest write of a key wins; keys keep their order
        return True

    async def _write(self, uow: SqlUnitOfWork) -> None:
        waiting = self._waiting.pop(uow, {})
        try:
            for (key, part), value in waiting.items():
                if part == "state":
                    await self.inner.set_state(key, value)
                else:
                    await self.inner.set_data(key, value)
        except Exception:
            # Committed in the database, not in Redis: the person's next message meets the state from
            # before this update (see the module's docstring). Not the update's failure any more.
            logger.warning("conversation state could not be written to Redis after its commit", exc_info=True)

    def _drop(self, uow: SqlUnitOfWork) -> None:
        """Rolled back: the waiting writes go, and so does what the memo remembered of them."""
        if self._waiting.pop(uow, None) is not None:
            self._memos.pop(uow, None)

    def _memo(self) -> _Parts | None:
        uow = CURRENT_UNIT_OF_WORK.get()
        if uow is None:
            return None
        return self._memos.setdefault(uow, {})

    def _remember(self, key: StorageKey, part: str, value: Any) -> None:
        memo = self._memo()
        if memo is not None:
            memo[(key, part)] = value
