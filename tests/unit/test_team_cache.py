"""The roster is read once for many updates, again after a change, and never kept stale."""

from __future__ import annotations

import asyncio

from bot.team_cache import TeamCache
from domain.models import Role, Staff
from storage.roster import Roster


class Reads:
    def __init__(self) -> None:
        self.count = 0
        self.name = "Олег"
        self.gate: asyncio.Event | None = None

    async def __call__(self) -> Roster:
        self.count += 1
        name = self.name
        if self.gate is not None:
            await self.gate.wait()
        staff = Staff(telegram_id=1, roles=frozenset({Role.MANAGER}), name=name)
        return Roster({1: staff}, frozenset({99}))


async def test_many_lookups_read_the_roster_once() -> None:
    reads = Reads()
    team = TeamCache(reads, ttl_s=3600)
    found = await asyncio.gather(*(team.staff(1) for _ in range(20)), team.unreachable(99), team.staff(2))
    assert reads.count == 1
    assert found[-2] is True and found[-1] is None


async def test_a_change_is_seen_by_the_next_lookup() -> None:
    reads = Reads()
    team = TeamCache(reads, ttl_s=3600)
    assert (await team.staff(1)).name == "Олег"  # type: ignore[union-attr]
    reads.name = "Олег Петров"
    team.forget()
    assert (await team.staff(1)).name == "Олег Петров"  # type: ignore[union-attr]


async def test_a_read_that_began_before_a_change_is_not_kept() -> None:
    reads = Reads()
    reads.gate = asyncio.Event()
    team = TeamCache(reads, ttl_s=3600)
    first = asyncio.create_task(team.staff(1))
    await asyncio.sleep(0)
    reads.name = "Олег Петров"  # the change commits while the old read is still on its way
    team.forget()
    reads.gate.set()
    assert (await first).name == "Олег"  # type: ignore[union-attr]
    assert (await team.staff(1)).name == "Олег Петров"  # type: ignore[union-attr]
    assert reads.count == 2


async def test_what_a_handler_changes_on_its_copy_does_not_change_the_roster() -> None:
    team = TeamCache(Reads(), ttl_s=3600)
    copy = await team.staff(1)
    assert copy is not None
    copy.on_duty = False
    assert (await team.staff(1)).on_duty is True  # type: ignore[union-attr]


async def test_the_roster_is_read_again_once_it_is_older_than_its_ttl() -> None:
    reads = Reads()
    team = TeamCache(reads, ttl_s=0)
    await team.staff(1)
    await team.staff(1)
    assert reads.count == 2
