"""Creating the async engine: SQLite in WAL mode by default, PostgreSQL via asyncpg at scale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SQLITE_BUSY_TIMEOUT_S = 30


def create_engine(url: str) -> AsyncEngine:
    """An engine for `url`; for a file SQLite database the directory is created first.

    SQLite runs in WAL mode (readers never block the writer) and every transaction begins IMMEDIATE:
    a deferred one that reads and then writes can fail at once with SQLITE_BUSY when another
    connection wrote in between, whereas IMMEDIATE waits for the lock (busy timeout) and then runs.
    """
    parsed = make_url(url)
    if not parsed.get_backend_name().startswith("sqlite"):
        return create_async_engine(url, pool_pre_ping=True)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    _make_sqlite_transactional(engine)
    return engine


def _make_sqlite_transactional(engine: AsyncEngine) -> None:
    # The recipe from SQLAlchemy's SQLite dialect docs ("Serializable isolation / Savepoints /
    # Transactional DDL"): take transaction control away from the driver and begin explicitly.
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()
        # SQLite's own lower() folds ASCII only; searching "иван" must find "Иван" as PostgreSQL does.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
