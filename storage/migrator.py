"""Applying Alembic migrations from code (`python -m bot` does it before it starts).

A start on a database that is already up to date does not import Alembic at all: the newest revision
is read from the migration files' `revision = "..."` lines and compared with the database's
`alembic_version`. Alembic (with Mako and Pygments) costs about 11 MB and a quarter of a second at
every start otherwise, for nothing to do. A test checks that the files' head is the one Alembic sees.

Several bot processes starting at once on one PostgreSQL database (README.md, "Several workers") migrate
it once: the one that finds work to do takes a PostgreSQL advisory lock, looks again, and migrates; the
others wait on the lock, then find the database up to date. (SQLite serves one process.)
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.engine import create_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
_ASSIGNED = r"^{name}(?:\s*:[^=\n]*)?\s*=\s*(?:['\"]([^'\"]+)['\"]|None)"
_REVISION = re.compile(_ASSIGNED.format(name="revision"), re.MULTILINE)
_DOWN_REVISION = re.compile(_ASSIGNED.format(name="down_revision"), re.MULTILINE)
# The advisory lock migrations run under (PostgreSQL's locks are numbers): "voronka" in ASCII.
MIGRATION_LOCK = int.from_bytes(b"voronka", "big")


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Blocking; runs its own event loop, so call it outside one (or through `upgrade_async`)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    if revision == "head" and await current_revision(url) == head_revision():
        return
    if make_url(url).get_backend_name() != "postgresql":
        await asyncio.to_thread(upgrade, url, revision)
        return
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            # Outside a transaction: the lock is the session's, and this connection must hold no lock on
            # a table the migration alters while it waits.
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                if revision != "head" or await _revision_on(connection) != head_revision():
                    await asyncio.to_thread(upgrade, url, revision)
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
    finally:
        await engine.dispose()


def head_revision() -> str:
    """The newest migration: the one revision no other names as the one it follows."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        if (found := _REVISION.search(source)) and found.group(1):
            revisions.add(found.group(1))
        if (down := _DOWN_REVISION.search(source)) and down.group(1):
            followed.add(down.group(1))
    heads = revisions - followed
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


async def current_revision(url: str) -> str | None:
    """The revision the database is at; None for a new database (or one Alembic never touched)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await _revision_on(connection)
    finally:
        await engine.dispose()


async def _revision_on(connection: AsyncConnection) -> str | None:
    try:
        return (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except DBAPIError:  # no such table yet
        return None
