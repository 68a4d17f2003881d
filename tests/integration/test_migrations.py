from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.engine import create_engine
from storage.migrator import downgrade, upgrade
from storage.tables import Base

TABLES = {
    "staff",
    "contacts",
    "deals",
    "deal_events",
    "messages",
    "timers",
    "outbox",
    "fsm_states",
    "processed_updates",
    "invites",
    "message_links",
}


async def _table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def _schema_drift(url: str) -> list[object]:
    def compare(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(compare)
    finally:
        await engine.dispose()


async def test_migrations_go_up_down_and_up_again(database_url: str) -> None:
    import asyncio

    await asyncio.to_thread(upgrade, database_url)
    assert await _table_names(database_url) >= TABLES
    await asyncio.to_thread(downgrade, database_url, "base")
    assert not TABLES & await _table_names(database_url)
    await asyncio.to_thread(upgrade, database_url)
    assert await _table_names(database_url) >= TABLES


async def test_the_migrations_build_exactly_the_schema_the_code_uses(database_url: str) -> None:
    import asyncio

    await asyncio.to_thread(upgrade, database_url)
    assert await _schema_drift(database_url) == []


def test_the_head_read_from_the_migration_files_is_the_one_alembic_sees() -> None:
    from alembic.script import ScriptDirectory

    from storage.migrator import alembic_config, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def test_a_database_at_the_head_is_not_migrated_again_and_a_new_one_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage import migrator

    url = f"sqlite+aiosqlite:///{tmp_path}/fresh.db"
    assert await migrator.current_revision(url) is None
    await migrator.upgrade_async(url)
    assert await migrator.current_revision(url) == migrator.head_revision()

    def must_not_run(url: str, revision: str = "head") -> None:
        raise AssertionError("Alembic ran on a database already at the head")

    monkeypatch.setattr(migrator, "upgrade", must_not_run)
    await migrator.upgrade_async(url)
