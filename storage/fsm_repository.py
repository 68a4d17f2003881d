"""Conversation state rows for the bot's database-backed FSM storage (the aiogram side is in bot/).

While an update is handled, its conversation state is read and written through its unit of work
(`SqlConversations`): read once, changed in memory, and written by the unit of work's next commit,
together with what the update changed and the record that it was handled. Outside an update (a test,
a tool) `FsmRepository` reads and writes in short transactions of its own.

What was committed is also kept in memory (`ConversationCache`), so the next update of the same person
does not read it again. That is right because state in the database serves one process: several
processes keep it in Redis instead (REDIS_URL), which is also what serialises a person's updates
across them.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.tables import Base, FsmStateRow

# Statements on the table itself (SQLAlchemy Core), not through the ORM: they run on every update, and
# the ORM's bookkeeping for them cost a third of a millisecond each.
_STATES = Base.metadata.tables[FsmStateRow.__tablename__]


class ConversationCache:
    """The committed state of the conversations this process saw lately, newest last."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[str | None, dict[str, Any], bool]] = OrderedDict()

    def get(self, key: str) -> tuple[str | None, dict[str, Any], bool] | None:
        """(state, data, stored): the caller must copy `data` before changing it."""
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: str, state: str | None, data: dict[str, Any], *, stored: bool) -> None:
        self._entries[key] = (state, data, stored)
        self._entries.move_to_end(key)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)


@dataclass
class _Conversation:
    state: str | None
    data: dict[str, Any]
    stored: bool  # a row exists in the database (as of the last read or write)
    dirty: bool = False
    updated_at: datetime | None = None


class SqlConversations:
    """The unit of work's side: conversation state read and written in its transaction.

    A change stays in memory until the unit of work commits, and survives a rollback that only ended a
    read (use cases end their reads that way), so it is written by whichever commit comes next: the
    use case's, or the one that records the update as handled. A failed update commits nothing, so
    the conversation stays where it was before it.
    """

    def __init__(self, session: AsyncSession, cache: ConversationCache | None = None) -> None:
        self._session = session
        self._cache = cache
        self._known: dict[str, _Conversation] = {}

    @property
    def dirty(self) -> bool:
        return any(c.dirty for c in self._known.values())

    async def load(self, key: str) -> tuple[str | None, dict[str, Any]]:
        conversation = await self._get(key)
        return conversation.state, copy.deepcopy(conversation.data)

    async def store(
        self, key: str, *, now: datetime, state: str | None = None, data: dict[str, Any] | None = None,
        keep_state: bool = False, keep_data: bool = False,
    ) -> None:  # fmt: skip
        conversation = await self._get(key)
        if not keep_state:
            conversation.state = state
        if not keep_data:
            conversation.data = copy.deepcopy(dict(data or {}))
        conversation.dirty, conversation.updated_at = True, now

    async def flush(self) -> None:
        """Write what changed (the unit of work calls this just before it commits)."""
        for key, conversation in self._known.items():
            if not conversation.dirty:
                continue
            empty = conversation.state is None and not conversation.data
            values = {"state": conversation.state, "data": conversation.data}
            if empty and conversation.stored:
                await self._session.execute(delete(_STATES).where(_STATES.c.key == key))
            elif not empty and conversation.stored:
                await self._session.execute(
                    update(_STATES)
                    .where(_STATES.c.key == key)
                    .values(**values, updated_at=conversation.updated_at)
                )
            elif not empty:
                await self._session.execute(
                    insert(_STATES).values(key=key, **values, updated_at=conversation.updated_at)
                )

    def committed(self) -> None:
        """The flushed changes are in the database now."""
        for key, conversation in self._known.items():
            if conversation.dirty:
                conversation.stored = conversation.state is not None or bool(conversation.data)
                conversation.dirty = False
                if self._cache is not None:
                    data = copy.deepcopy(conversation.data)
                    self._cache.put(key, conversation.state, data, stored=conversation.stored)

    async def _get(self, key: str) -> _Conversation:
        conversation = self._known.get(key)
        if conversation is not None:
            return conversation
        cached = self._cache.get(key) if self._cache is not None else None
        if cached is not None:
            state, data, stored = cached
            conversation = _Conversation(state, copy.deepcopy(data), stored=stored)
        else:
            query = select(_STATES.c.state, _STATES.c.data).where(_STATES.c.key == key)
            row = (await self._session.execute(query)).first()
            state, data = (row.state, dict(row.data)) if row else (None, {})
            conversation = _Conversation(state, data, stored=row is not None)
            if self._cache is not None:
                self._cache.put(key, state, copy.deepcopy(data), stored=row is not None)
        self._known[key] = conversation
        return conversation


class FsmRepository:
    """Outside an update's unit of work (aiogram reads the state before the bot's middlewares run):
    from the cache of committed states when it has the conversation, else in a short transaction."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], cache: ConversationCache | None = None
    ) -> None:
        self._sessions = sessions
        self._cache = cache

    async def load(self, key: str) -> tuple[str | None, dict[str, Any]]:
        cached = self._cache.get(key) if self._cache is not None else None
        if cached is not None:
            return cached[0], copy.deepcopy(cached[1])
        async with self._sessions() as session:
            return await SqlConversations(session, self._cache).load(key)

    async def store(
        self, key: str, *, now: datetime, state: str | None = None, data: dict[str, Any] | None = None,
        keep_state: bool = False, keep_data: bool = False,
    ) -> None:  # fmt: skip
        async with self._sessions() as session:
            conversations = SqlConversations(session, self._cache)
            await conversations.store(
                key, now=now, state=state, data=data, keep_state=keep_state, keep_data=keep_data
            )
            await conversations.flush()
            await session.commit()
            conversations.committed()
