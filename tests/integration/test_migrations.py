from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url

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
    "inbox",
    "invites",
    "message_links",
}


INDEX_METHOD = (  # the access method of the /find index: gin (trigrams) or btree
    "SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
    "WHERE c.relname = 'ix_contacts_search_name'"
)


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
    await asyncio.to_thread(upgrade, database_url)
    assert await _table_names(database_url) >= TABLES
    await asyncio.to_thread(downgrade, database_url, "base")
    assert not TABLES & await _table_names(database_url)
    await asyncio.to_thread(upgrade, database_url)
    assert await _table_names(database_url) >= TABLES


async def test_the_migrations_build_exactly_the_schema_the_code_uses(database_url: str) -> None:
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


async def test_migration_0004_fills_the_new_columns_of_rows_written_before_it(database_url: str) -> None:
    """Contacts get their search key and pending timers their next try time, as the code would write them."""
    from datetime import UTC, datetime

    await asyncio.to_thread(upgrade, database_url, "0003")
    engine = create_engine(database_url)
    due, retry = datetime(2026, 11, 25, 8, tzinfo=UTC), datetime(2026, 11, 25, 9, tzinfo=UTC)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO contacts (name, username, status, created_at) "
                    "VALUES ('Фёдор  Петров', 'Fedya_P', 'active', :at), ('Анна', NULL, 'active', :at)"
                ),
                {"at": due},
            )
            await connection.execute(
                text(
                    "INSERT INTO timers (kind, subject_id, due_at, state, payload, late, attempts, retry_at) "
                    "VALUES ('reminder', 1, :due, 'pending', '{}', false, 0, NULL), "
                    "('reminder', 2, :due, 'pending', '{}', false, 1, :retry)"
                ),
                {"due": due, "retry": retry},
            )
        await asyncio.to_thread(upgrade, database_url)
        async with engine.connect() as connection:
            keys = (await connection.execute(text("SELECT search_name FROM contacts ORDER BY id"))).scalars()
            assert list(keys) == ["федор петров\nfedya_p", "анна"]
            tries = await connection.execute(
                text("SELECT next_try_at = due_at, next_try_at = retry_at FROM timers ORDER BY id")
            )
            assert [tuple(map(bool, row)) for row in tries] == [(True, False), (False, True)]
            if (
                engine.dialect.name == "postgresql"
            ):  # the trigram index, where pg_trgm can be had (it can here)
                assert await connection.scalar(text(INDEX_METHOD)) == "gin"
    finally:
        await engine.dispose()


@pytest.fixture
def url_without_extensions(database_url: str) -> Iterator[str]:
    """The PostgreSQL test database, reached as a role that may create tables but no extension."""
    import asyncpg

    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL extensions only")
    url = make_url(database_url)
    role = f"voronka_plain_{uuid.uuid4().hex[:8]}"

    async def run(*statements: str) -> None:
        connection = await asyncpg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            database=url.database,
        )
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(
        run(
            f'CREATE ROLE "{role}" LOGIN',
            f'REVOKE CREATE ON DATABASE "{url.database}" FROM PUBLIC',
            f'GRANT CONNECT ON DATABASE "{url.database}" TO "{role}"',
            f'GRANT CREATE, USAGE ON SCHEMA public TO "{role}"',
        )
    )
    yield url.set(username=role, password=None).render_as_string(hide_password=False)
    asyncio.run(run(f'REASSIGN OWNED BY "{role}" TO CURRENT_USER', f'DROP OWNED BY "{role}"'))
    asyncio.run(run(f'DROP ROLE "{role}"'))


async def test_without_the_trigram_extension_the_migrations_still_build_the_schema(
    url_without_extensions: str,
) -> None:
    """pg_trgm needs the right to create it; without it /find scans, and the schema reads the same."""
    await asyncio.to_thread(upgrade, url_without_extensions)
    assert await _schema_drift(url_without_extensions) == []
    engine = create_engine(url_without_extensions)
    try:
        async with engine.connect() as connection:
            method = await connection.scalar(text(INDEX_METHOD))
            extension = await connection.scalar(
                text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
            )
    finally:
        await engine.dispose()
    assert (method, extension) == ("btree", 0)
