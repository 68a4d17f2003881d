"""Fixtures shared by every suite: databases (SQLite always, PostgreSQL when a server can be had)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import make_url

from bot.crm_config_file import load_crm_config
from domain.crm_config import CrmConfig

FIXED_NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wednesday 11:00 in Moscow, working time


@pytest.fixture
def crm_config() -> CrmConfig:
    return load_crm_config()


def _postgres_admin_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


async def _create_database(admin_url: str) -> str:
    import asyncpg

    url = make_url(admin_url)
    name = f"voronka_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password, database=url.database
    )
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return url.set(database=name).render_as_string(hide_password=False)


async def _drop_database(admin_url: str, name: str) -> None:
    import asyncpg

    url = make_url(admin_url)
    connection = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password, database=url.database
    )
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL database from TEST_DATABASE_URL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/test.db"
        return
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip("PostgreSQL path not tested: TEST_DATABASE_URL is not set (.ci/run sets it)")
    try:
        url = asyncio.run(_create_database(admin_url))
    except OSError as error:
        pytest.skip(f"PostgreSQL path not tested: no server at TEST_DATABASE_URL ({error})")
    yield url
    asyncio.run(_drop_database(admin_url, make_url(url).database or ""))


@pytest.fixture
async def sqlite_url(tmp_path: os.PathLike[str]) -> AsyncIterator[str]:
    yield f"sqlite+aiosqlite:///{tmp_path}/test.db"
