"""How many web leads a minute one source may post (`intake.web_leads_per_minute`; README.md, "Leads
from the website"): a moving window per source tag, kept in memory, or in Redis when REDIS_URL is set so
that every bot process counts against the same limit."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

logger = logging.getLogger(__name__)

KEY_PREFIX = "voronka-web-leads"
NO_SOURCE = "-"  # the key of leads posted without a source tag (a tag never is a lone dash)
REDIS_TIMEOUT_S = 2.0
SAY_EVERY_S = 60.0


class LeadRate:
    """`admit(source)`: None when the lead may go in, else the seconds until the source may post again.
    Redis failing does not stop leads: the limit is a guard against a flood, and a lead refused for it
    would be an inquiry lost; the log says so once a minute."""

    def __init__(self, per_minute: int, *, redis_url: str | None = None) -> None:
        self._item = RateLimitItemPerMinute(per_minute)
        self._pool: Any = None
        if redis_url:
            from redis.asyncio import ConnectionPool

            self._pool = ConnectionPool.from_url(
                redis_url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
            )
            storage: MemoryStorage | RedisStorage = RedisStorage(
                "async+redis://", implementation="redispy", key_prefix=KEY_PREFIX, connection_pool=self._pool
            )
        else:
            storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(storage)
        self._said_at = -SAY_EVERY_S

    async def admit(self, source: str | None) -> int | None:
        key = source or NO_SOURCE
        try:
            if await self._limiter.hit(self._item, key):
                return None
            stats = await self._limiter.get_window_stats(self._item, key)
        except Exception as error:
            if time.monotonic() - self._said_at >= SAY_EVERY_S:
                self._said_at = time.monotonic()
                logger.warning("web leads are not rate-limited now: the limiter failed (%s)", error)
            return None
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
