"""The outbox's pace kept by every bot process together (REDIS_URL set; README.md, "Several workers"):
≤ 30 messages in any one second overall, ≤ 1 per second in a private chat, ≤ 20 per minute in a group,
counted once for all the workers rather than once per worker (two workers pacing alone could send 60 a
second).

The same sliding logs as bot/outbox_pacing.py, kept in Redis: one sorted set per window, a send's entry
scored by the time it counts from. A small Lua script rather than the `limits` library (which
bot/intake_rate.py uses for web leads): `limits`' moving window can say only "not now", so a waiter
would have to poll; it cannot move an entry once recorded either, and a send must count from when it
ended (see `turn`). The script checks both windows and records the send in both in one step, on the
Redis server's clock: no two processes can both see room for the last place, and their clocks need not
agree.

Redis away (a restart, a failover): the process keeps the pace alone with its in-memory windows (the
class's own, inherited) and says so once; Telegram's 429s, held by bot/flood_guard.py, cover the rest.
Sending does not stop for Redis.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from bot.outbox_pacing import OutboxPacer

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = logging.getLogger(__name__)

KEY_PREFIX = "voronka:{pace}"  # one hash tag: on a Redis Cluster every window lives on one node
REDIS_TIMEOUT_S = 1.0  # a call slower than this counts as Redis being away (the send goes on without it)
SAY_EVERY_S = 60.0
# Once Redis failed, it is left alone this long (each send would otherwise wait out the timeout first).
AWAY_RETRY_S = 5.0

# KEYS: the chat's window, the overall one. ARGV: the chat's limit and window (ms), the overall limit
# and window (ms), the send's id. Returns "0" when the send was recorded in both, else the milliseconds
# until it may be (a string: Redis turns a Lua number into an integer).
TAKE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local wait = 0
for i = 1, 2 do
  local limit, window = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i])
  if count >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], count - limit, count - limit, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now)
  end
end
if wait > 0 then
  return tostring(wait)
end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now, ARGV[5])
  redis.call('PEXPIRE', KEYS[i], math.ceil(tonumber(ARGV[2 * i])) + 1000)
end
return '0'
"""

# KEYS: the windows the send was recorded in. ARGV: the send's id, then each window (ms). The entry, if
# still there, now counts from the present (GT: never earlier; XX: a window that forgot it stays so).
SETTLE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
for i = 1, #KEYS do
  if redis.call('ZADD', KEYS[i], 'XX', 'GT', 'CH', now, ARGV[1]) == 1 then
    redis.call('PEXPIRE', KEYS[i], math.ceil(tonumber(ARGV[i + 1])) + 1000)
  end
end
return 0
"""


class SharedPacer(OutboxPacer):
    """An OutboxPacer whose windows live in Redis, shared by every process that uses the same Redis;
    its in-memory windows serve while Redis cannot be reached. Needs Redis 6.2 or newer (ZADD GT)."""

    def __init__(
        self, redis: Redis, *, overall_per_second: int = 30, private_per_second: int = 1,
        group_per_minute: int = 20, key_prefix: str = KEY_PREFIX, timeout_s: float = REDIS_TIMEOUT_S,
    ) -> None:  # fmt: skip
        super().__init__(
            overall_per_second=overall_per_second,
            private_per_second=private_per_second,
            group_per_minute=group_per_minute,
        )
        self._redis, self._prefix, self._timeout_s = redis, key_prefix, timeout_s
        self._limits = {
            "all": (overall_per_second, 1000.0),
            "private": (private_per_second, 1000.0),
            "group": (group_per_minute, 60_000.0),
        }
        self._take = redis.register_script(TAKE)
        self._settle = redis.register_script(SETTLE)
        self._me = secrets.token_hex(6)  # entries of this process: unique without asking Redis
        self._sends = itertools.count()
        self._away = False
        self._retry_at = 0.0  # monotonic: Redis is asked again from then
        self._said_at = -SAY_EVERY_S

    @asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[None]:
        """As OutboxPacer.turn, across processes: enters once one more message to this chat keeps every
        limit for all of them, counted from then and, once the send ended, from its end."""
        limit, window_ms = self._limits["private" if chat_id > 0 else "group"]
        overall, overall_ms = self._limits["all"]
        keys = [f"{self._prefix}:chat:{chat_id}", f"{self._prefix}:all"]
        send = f"{self._me}:{next(self._sends)}"
        recorded = await self._wait_turn(keys, [limit, window_ms, overall, overall_ms, send])
        if not recorded:
            async with super().turn(chat_id):
                yield
            return
        try:
            yield
        finally:
            # A settle that fails leaves the send counted from its start: the next one may then reach
            # Telegram up to one request's time early (a 429 at worst, which the flood guard holds).
            try:
                async with asyncio.timeout(self._timeout_s):
                    await self._settle(keys=keys, args=[send, window_ms, overall_ms])
            except Exception as error:
                self._redis_away(error)

    async def _wait_turn(self, keys: list[str], args: list[Any]) -> bool:
        """True once the send is recorded in Redis; False when Redis could not be asked (the caller
        paces in memory then)."""
        if self._away and time.monotonic() < self._retry_at:
            return False
        while True:
            try:
                async with asyncio.timeout(self._timeout_s):
                    wait_ms = float(await self._take(keys=keys, args=args))
            except Exception as error:  # connection refused or dropped, a timeout, a failover's READONLY
                self._redis_away(error)
                return False
            if self._away:
                self._away = False
                logger.info("the outbox is paced through Redis again")
            if wait_ms <= 0:
                return True
            await asyncio.sleep(wait_ms / 1000)

    def _redis_away(self, error: Exception) -> None:
        self._away = True
        self._retry_at = time.monotonic() + AWAY_RETRY_S
        if time.monotonic() - self._said_at >= SAY_EVERY_S:
            self._said_at = time.monotonic()
            logger.warning(
                "the outbox is paced by this process alone for now: Redis failed (%s: %s)",
                type(error).__name__, error,
            )  # fmt: skip
