"""The statement counter tells writes from reads and an update's work from background work."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.statement_counter import BACKGROUND, UPDATE, StatementCounter
from storage.engine import create_engine


class FakeDispatcher:
    async def feed_update(self, bot: Any, update: Any, **kwargs: Any) -> Any:
        return await kwargs["work"]()


async def test_statements_and_transactions_are_put_down_to_the_update_or_the_background(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'count.db'}")
    counter = StatementCounter(engine)
    dispatcher = FakeDispatcher()
    counter.watch_updates(dispatcher)
    try:
        async with engine.begin() as connection:  # background: one write transaction of two statements
            await connection.execute(text("CREATE TABLE t (n INTEGER)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))

        async def update_work() -> None:
            async with engine.connect() as connection:  # a read-only transaction
                await connection.execute(text("SELECT n FROM t"))
                await connection.rollback()
            async with engine.begin() as connection:  # a write transaction
                await connection.execute(text("UPDATE t SET n = 2"))
            async with engine.begin():  # nothing executed: an empty one
                pass

        await dispatcher.feed_update(None, None, work=update_work)
        await counter.settle(quiet=0.01, at_most=1)
    finally:
        await engine.dispose()
    update, background = counter.tallies[UPDATE], counter.tallies[BACKGROUND]
    assert (update.statements, update.writes, update.reads, update.empty) == (2, 1, 1, 1)
    assert (background.statements, background.writes, background.transactions) == (2, 1, 1)


async def test_redis_commands_are_counted_per_owner(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'count.db'}")
    counter = StatementCounter(engine)

    class FakeRedis:
        async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(0)
            return "OK"

    client = FakeRedis()
    counter.watch_redis(client)
    await client.execute_command("SET", "k", "v")
    await engine.dispose()
    assert counter.tallies[BACKGROUND].redis == 1 and counter.tallies[UPDATE].redis == 0
