"""Counting what one update costs the database: SQL statements and transactions, read off SQLAlchemy's
engine events, and Redis commands, read off the client. Each is put down to the update being handled
(a context variable set around ``Dispatcher.feed_update``) or to background work (the notifier, the
scheduler), which the update may have caused but does not wait for.

A transaction is a *write* when it executed INSERT, UPDATE or DELETE, *read-only* when it executed
only reads, and *empty* when it executed nothing (on SQLite it still took the write lock: every
transaction begins IMMEDIATE, see storage/engine.py). Transaction control (BEGIN, COMMIT, PRAGMA...)
is not counted as a statement.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

UPDATE = "update"
BACKGROUND = "background"
_handling: ContextVar[bool] = ContextVar("bench_handling_update", default=False)
_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA|SET\s)", re.IGNORECASE)
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE)\b", re.IGNORECASE)
_WRITE_IN_CTE = re.compile(r"\b(INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\b", re.IGNORECASE)


@dataclass
class Tally:
    statements: int = 0
    writes: int = 0  # transactions that wrote
    reads: int = 0  # transactions that only read
    empty: int = 0  # transactions that executed nothing
    redis: int = 0  # Redis commands

    @property
    def transactions(self) -> int:
        return self.writes + self.reads + self.empty

    def minus(self, earlier: Tally) -> Tally:
        return Tally(*(getattr(self, f.name) - getattr(earlier, f.name) for f in fields(self)))

    def copy(self) -> Tally:
        return Tally(*(getattr(self, f.name) for f in fields(self)))


@dataclass
class _Open:
    owner: str
    statements: int = 0
    wrote: bool = False


class StatementCounter:
    def __init__(self, engine: AsyncEngine) -> None:
        self.tallies = {UPDATE: Tally(), BACKGROUND: Tally()}
        self.in_flight = 0  # updates being handled right now
        self.last_activity = time.monotonic()
        self._open: dict[int, _Open] = {}
        sync = engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._statement)
        event.listen(sync, "begin", self._begin)
        event.listen(sync, "commit", self._end)
        event.listen(sync, "rollback", self._end)

    def snapshot(self) -> dict[str, Tally]:
        return {owner: tally.copy() for owner, tally in self.tallies.items()}

    def watch_updates(self, dispatcher: Any) -> None:
        """Mark everything done inside ``dispatcher.feed_update`` as the update's."""
        original = dispatcher.feed_update

        async def feed_update(bot: Any, update: Any, **kwargs: Any) -> Any:
            token = _handling.set(True)
            self.in_flight += 1
            try:
                return await original(bot, update, **kwargs)
            finally:
                self.in_flight -= 1
                self.last_activity = time.monotonic()
                _handling.reset(token)

        dispatcher.feed_update = feed_update

    def watch_redis(self, client: Any) -> None:
        """Count the commands of a redis.asyncio client (aiogram's Redis storage and its locks)."""
        original: Callable[..., Any] = client.execute_command

        async def execute_command(*args: Any, **kwargs: Any) -> Any:
            self._owner_tally().redis += 1
            self.last_activity = time.monotonic()
            return await original(*args, **kwargs)

        client.execute_command = execute_command

    async def settle(self, *, quiet: float = 0.3, at_most: float = 5.0) -> None:
        """Wait until no update is being handled and nothing touched the database for ``quiet`` s."""
        give_up = time.monotonic() + at_most
        while time.monotonic() < give_up:
            if self.in_flight == 0 and time.monotonic() - self.last_activity >= quiet:
                return
            await asyncio.sleep(0.05)

    def _owner(self) -> str:
        return UPDATE if _handling.get() else BACKGROUND

    def _owner_tally(self) -> Tally:
        return self.tallies[self._owner()]

    def _begin(self, connection: Any) -> None:
        self._open[id(connection)] = _Open(self._owner())

    def _statement(self, connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.last_activity = time.monotonic()
        if _CONTROL.match(statement):
            return
        self._owner_tally().statements += 1
        if (open_ := self._open.get(id(connection))) is not None:
            open_.statements += 1
            upper = statement.lstrip()[:6].upper()
            open_.wrote |= bool(_WRITE.match(statement)) or (
                upper == "WITH" and bool(_WRITE_IN_CTE.search(statement))
            )

    def _end(self, connection: Any) -> None:
        open_ = self._open.pop(id(connection), None)
        if open_ is None:
            return
        tally = self.tallies[open_.owner]
        if open_.statements == 0:
            tally.empty += 1
        elif open_.wrote:
            tally.writes += 1
        else:
            tally.reads += 1
