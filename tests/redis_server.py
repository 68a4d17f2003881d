"""The tests' Redis server: TEST_REDIS_URL (`.ci/run` sets it), emptied before and after a test that
uses it, or the test skipped saying why."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest


@asynccontextmanager
async def empty_redis(*, what: str = "Redis path", db: int | None = None) -> AsyncIterator[str]:
    """The URL of an emptied Redis database: TEST_REDIS_URL's own, or database `db` on that server.
    Skips the test, naming `what`, when there is no server."""
    from redis.asyncio import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip(f"{what} not tested: TEST_REDIS_URL is not set (.ci/run sets it)")
    if db is not None:
        url = urlunsplit(urlsplit(url)._replace(path=f"/{db}"))
    client = Redis.from_url(url)
    try:
        await client.flushdb()
    except RedisConnectionError as error:
        pytest.skip(f"{what} not tested: no server at TEST_REDIS_URL ({error})")
    finally:
        await client.aclose()
    yield url
    client = Redis.from_url(url)  # a fresh connection: a test may have had the server drop the old ones
    try:
        await client.flushdb()
    finally:
        await client.aclose()
