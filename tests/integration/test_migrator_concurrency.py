"""Several bot processes starting at once on one new PostgreSQL database migrate it once, and none fails
(storage/migrator.py, README.md "Several workers")."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from storage.engine import create_engine
from storage.migrator import head_revision, upgrade_async

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # one process serves SQLite
async def test_starts_at_once_migrate_a_new_database_once_and_all_go_on(database_url: str) -> None:
    await asyncio.gather(
        upgrade_async(database_url), upgrade_async(database_url), upgrade_async(database_url)
    )
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            versions = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
            held = await connection.scalar(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
            )
    finally:
        await engine.dispose()
    assert [row[0] for row in versions] == [head_revision()]
    assert held == 0  # the lock is given back
