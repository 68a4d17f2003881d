"""What an update's failure means for it: wait for the database, try again later, stop writing to a
person who blocked the bot, or count it towards setting the update aside (a bug)."""

from __future__ import annotations

import sqlite3
from enum import StrEnum

from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from storage.unit_of_work import UpdateHandledElsewhere


class Failure(StrEnum):
    OUTAGE = "outage"  # the database (or Redis) cannot be reached: nothing is the update's fault
    TELEGRAM = "telegram"  # Telegram failed the reply for longer than its retries: try again later
    BLOCKED = "blocked"  # the person blocked the bot: done, without another word to them
    HANDLED = "handled"  # another handling finished it meanwhile
    BUG = "bug"


def classify(error: BaseException) -> Failure:
    for cause in _chain(error):
        if isinstance(cause, UpdateHandledElsewhere):
            return Failure.HANDLED
        if isinstance(cause, TelegramForbiddenError):
            return Failure.BLOCKED
        if isinstance(cause, TelegramRetryAfter | TelegramServerError | TelegramNetworkError):
            return Failure.TELEGRAM
        if _unreachable_store(cause):
            return Failure.OUTAGE
    return Failure.BUG


# asyncpg's errors for a server that is away, shutting down or starting up (by name: asyncpg is
# optional here), and SQLite's for a file that cannot be written now.
_ASYNCPG_AWAY = {
    "AdminShutdownError", "CannotConnectNowError", "CrashShutdownError", "ConnectionDoesNotExistError",
    "ConnectionFailureError", "ClientCannotConnectError", "PostgresConnectionError", "InterfaceError",
    "TooManyConnectionsError", "ConnectionRejectionError",
}  # fmt: skip
# PostgreSQL's classes of error for a server that cannot serve now: connection exception, insufficient
# resources, operator intervention (shutting down, starting up), system error.
_POSTGRES_AWAY_CLASSES = {"08", "53", "57", "58"}
_SQLITE_AWAY = ("locked", "busy", "readonly", "read-only", "unable to open", "disk i/o")
_REDIS_AWAY = {"ConnectionError", "TimeoutError", "BusyLoadingError"}


def _unreachable_store(error: BaseException) -> bool:
    """The database or Redis is away (down, restarting, refusing, read-only, locked): a wait fixes it."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sqlite3.OperationalError):
        return any(word in str(error).lower() for word in _SQLITE_AWAY)
    if isinstance(error, DisconnectionError | PoolTimeoutError | ConnectionError | TimeoutError | OSError):
        return True
    if isinstance(error, OperationalError | InterfaceError):
        return not isinstance(error.orig, sqlite3.Error)  # SQLite's own are judged by their message
    name, module = type(error).__name__, type(error).__module__
    if module.startswith("asyncpg"):
        sqlstate = str(getattr(error, "sqlstate", "") or "")
        return (
            name in _ASYNCPG_AWAY
            or sqlstate[:2] in _POSTGRES_AWAY_CLASSES
            or "not currently accepting connections" in str(error)  # ALLOW_CONNECTIONS false
        )
    return module.startswith("redis") and name in _REDIS_AWAY


def _chain(error: BaseException) -> list[BaseException]:
    """The error, what it was raised from, and the driver's error a SQLAlchemy error wraps."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        orig = current.orig if isinstance(current, DBAPIError) else None
        current = orig if isinstance(orig, BaseException) and orig not in seen else current.__cause__
    return seen
