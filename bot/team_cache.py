"""The team and the unreachable chats, cached in memory so an ordinary update reads nothing for them.

The roster is read again after any commit of this process that changed it (the unit of work says so),
and at least every `TTL_S` seconds, which is how a change made by another process reaches this one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable

from domain.models import Staff
from storage.roster import Roster

TTL_S = 5.0


class TeamCache:
    def __init__(self, read: Callable[[], Awaitable[Roster]], *, ttl_s: float = TTL_S) -> None:
        self._read = read
        self._ttl_s = ttl_s
        self._roster: Roster | None = None
        self._read_at = 0.0
        self._generation = 0  # bumped by `forget`: a read that began before it is not trusted
        self._reading = asyncio.Lock()

    def forget(self) -> None:
        """The roster changed: the next look reads it again."""
        self._generation += 1
        self._roster = None

    async def staff(self, telegram_id: int) -> Staff | None:
        """The staff row of this person (removed people too; `active` says), as a copy of its own."""
        member = (await self._current()).staff.get(telegram_id)
        return dataclasses.replace(member) if member is not None else None

    async def empty(self) -> bool:
        """Nobody on the team holds a role (none named in the environment, nobody invited and still there)."""
        return not any(member.active and member.roles for member in (await self._current()).staff.values())

    async def unreachable(self, chat_id: int) -> bool:
        return chat_id in (await self._current()).unreachable

    async def _current(self) -> Roster:
        roster = self._roster
        if roster is not None and time.monotonic() - self._read_at < self._ttl_s:
            return roster
        async with self._reading:  # many updates at once after a change: one read serves them all
            if self._roster is not None and time.monotonic() - self._read_at < self._ttl_s:
                return self._roster
            generation, started = self._generation, time.monotonic()
            roster = await self._read()
            if generation == self._generation:  # nothing changed while it was read
                self._roster, self._read_at = roster, started
            return roster
