"""Creating the async engine: SQLite in WAL mode by default, PostgreSQL via asyncpg at scale."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import event, util
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SQLITE_BUSY_TIMEOUT_S = 30
# Enough connections for the updates a process handles at once (bot/app.py caps them at 32, each holding
# one while it runs) plus the notifier, the scheduler and the roster's reads; beyond that a caller waits
# for a connection rather than failing. (SQLite's connections are threads of aiosqlite's: cheap.)
POOL_SIZE = 10
POOL_OVERFLOW = 40
POOL_TIMEOUT_S = 30
# Connections are checked before use ("pre-ping": one round trip, ~0.1 ms on a local network, per
# transaction) so that a database restart or a connection killed by a proxy's idle timeout costs no
# update an error; they are also renewed every half hour, before typical idle timeouts cut them.
PG_POOL_RECYCLE_S = 1800
# Statements that change something (or open a savepoint, which needs a transaction): SQLite begins the
# write transaction IMMEDIATE just before the first of them.
_WRITES = frozenset(("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "SAVEPOINT"))
_HOLDS_WRITER = "voronka_holds_writer"
# SQLAlchemy's bridge from its sync events back to the event loop (named await_only before 2.1).
_await = getattr(util, "await_", None) or util.await_only


def create_engine(url: str) -> AsyncEngine:
    """An engine for `url`; for a file SQLite database the directory is created first.

    SQLite runs in WAL mode, where readers never block the writer nor each other. A transaction starts
    as a plain read (each statement sees the latest committed data, like PostgreSQL's READ COMMITTED)
    and becomes a write transaction with `BEGIN IMMEDIATE` just before its first change, or before a
    `SELECT ... FOR UPDATE` (a read meant for writing, such as a claim): that waits for the write lock
    (busy timeout) instead of failing with SQLITE_BUSY when another connection wrote since the read
    began, and a transaction that only reads never takes the write lock at all.

    Within the process, writers queue on an asyncio lock before they ask SQLite: SQLite's own wait for
    a busy lock sleeps in growing steps (up to 100 ms) and retries, so at a peak dozens of handlers would
    sleep through locks long released (it was most of the bot's time at 100 prospects at once). Queued
    here, each writer starts the moment the one before it commits.
    """
    parsed = make_url(url)
    if not parsed.get_backend_name().startswith("sqlite"):
        return create_async_engine(
            url, pool_pre_ping=True, pool_recycle=PG_POOL_RECYCLE_S, pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW, pool_timeout=POOL_TIMEOUT_S,
        )  # fmt: skip
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW, pool_timeout=POOL_TIMEOUT_S,
    )  # fmt: skip
    _make_sqlite_transactional(engine)
    return engine


def _make_sqlite_transactional(engine: AsyncEngine) -> None:
    # After SQLAlchemy's SQLite dialect docs ("Serializable isolation / Savepoints / Transactional
    # DDL"): take transaction control away from the driver and begin explicitly, here only once a
    # statement is about to write.
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

    writer = asyncio.Lock()

    @event.listens_for(sync_engine, "before_cursor_execute")
    def _begin_before_first_write(
        connection: Any, cursor: Any, statement: str, _parameters: Any, context: Any, _many: bool
    ) -> None:
        if _first_word(statement) not in _WRITES and not _locks_rows(context):
            return
        fairy = connection.connection
        if _in_transaction(fairy.dbapi_connection):
            return
        if not fairy.info.get(_HOLDS_WRITER):
            if writer.locked():  # as long as SQLite would wait for the lock, and failing the same way
                _await(asyncio.wait_for(writer.acquire(), SQLITE_BUSY_TIMEOUT_S))
            else:
                _await(writer.acquire())  # free: taken at once
            fairy.info[_HOLDS_WRITER] = True
        cursor.execute("BEGIN IMMEDIATE")

    def _release(info: dict[Any, Any]) -> None:
        if info.pop(_HOLDS_WRITER, False):
            writer.release()

    # The transaction ends (commit, rollback), or its connection goes back to the pool or away without
    # one (a cancelled task, an invalidated connection): the next writer may go.
    for name in ("commit", "rollback"):
        event.listen(sync_engine, name, lambda connection: _release(connection.connection.info))
    for name in ("checkin", "invalidate", "soft_invalidate", "close"):
        event.listen(sync_engine.pool, name, lambda _dbapi, record, *_: _release(record.info))


def _first_word(statement: str) -> str:
    return statement.lstrip()[:9].split(None, 1)[0].upper() if statement.strip() else ""


def _locks_rows(context: Any) -> bool:
    """A SELECT ... FOR UPDATE: SQLite has no row locks and drops the clause, but the caller means to
    write what it reads (a claim), so the write transaction begins before the read."""
    compiled = getattr(context, "compiled", None)
    statement = getattr(compiled, "statement", None)
    return getattr(statement, "_for_update_arg", None) is not None


def _in_transaction(dbapi_connection: Any) -> bool:
    """Whether SQLite has a transaction open on this connection (aiosqlite's adapter wraps the
    sqlite3 connection; its `in_transaction` reads sqlite3_get_autocommit, no I/O)."""
    return bool(dbapi_connection._connection.in_transaction)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
