"""Where the bot under test keeps its data during one measured run: SQLite, PostgreSQL, PostgreSQL with
Redis for conversation state. Each run gets a fresh database (a new SQLite file, a new PostgreSQL
database dropped afterwards, Redis database flushed before and after), so runs never see each other's
leads.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

NAMES = ("sqlite", "postgres", "redis")  # "redis" is PostgreSQL + Redis, as the issue measured it
LABELS = {"sqlite": "sqlite", "postgres": "postgres", "redis": "postgres+redis"}
DEFAULT_PG = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DEFAULT_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
_numbers = itertools.count(1)


def label(backend: str | None) -> str:
    """How a run is named in the tables (None: the echo bot)."""
    return LABELS[backend] if backend else "echo"


@dataclass(frozen=True)
class Servers:
    """The PostgreSQL server (an admin URL; databases are made beside it; ``postgresql+asyncpg://`` is
    taken too) and the Redis database."""

    pg: str = DEFAULT_PG
    redis: str = DEFAULT_REDIS

    def __post_init__(self) -> None:
        object.__setattr__(self, "pg", self.pg.replace("postgresql+asyncpg://", "postgresql://", 1))

    async def missing(self, backend: str) -> str | None:
        """Why ``backend`` cannot run here (a server down), or None."""
        if backend in ("postgres", "redis") and not await _pg_up(self.pg):
            return f"PostgreSQL at {_where(self.pg)} is unreachable"
        if backend == "redis" and not await _redis_up(self.redis):
            return f"Redis at {_where(self.redis)} is unreachable"
        return None

    @asynccontextmanager
    async def database(self, backend: str, workdir: Path) -> AsyncIterator[dict[str, str]]:
        """Env vars (DATABASE_URL, REDIS_URL) of a fresh database for one run; cleaned up after."""
        if backend == "sqlite":
            yield {"DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'voronka.db'}", "REDIS_URL": ""}
            return
        name = f"bench_{os.getpid()}_{next(_numbers)}"
        await _pg_execute(self.pg, f'CREATE DATABASE "{name}"')
        env = {"DATABASE_URL": _async_url(self.pg, name), "REDIS_URL": ""}
        if backend == "redis":
            await _redis_flush(self.redis)
            env["REDIS_URL"] = self.redis
        try:
            yield env
        finally:
            if backend == "redis":
                await _redis_flush(self.redis)
            await _pg_execute(self.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


def _async_url(admin: str, database: str) -> str:
    parts = urlsplit(admin)
    return f"postgresql+asyncpg://{parts.netloc}/{database}"


async def _pg_execute(admin: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _pg_up(admin: str) -> bool:
    try:
        await asyncio.wait_for(_pg_execute(admin, "SELECT 1"), timeout=3)
    except Exception:  # refused, timed out, a login refused, no driver: not usable for the bench
        return False
    return True


async def _redis_flush(url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=3)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


async def _redis_up(url: str) -> bool:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return bool(await client.ping())
    except Exception:
        return False
    finally:
        await client.aclose()
