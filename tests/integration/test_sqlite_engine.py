from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from bot.clock import SystemClock
from bot.fsm_storage import DatabaseStorage
from storage.engine import create_engine, session_factory
from storage.fsm_repository import FsmRepository
from storage.migrator import upgrade_async


async def test_the_default_sqlite_database_is_created_in_wal_mode_with_its_directory(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/nested/data/voronka.db"
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
    finally:
        await engine.dispose()
    assert (tmp_path / "nested" / "data" / "voronka.db").exists()


async def test_conversation_state_round_trips_through_the_database(tmp_path: Path) -> None:
    from aiogram.fsm.storage.base import StorageKey

    url = f"sqlite+aiosqlite:///{tmp_path}/fsm.db"
    await upgrade_async(url)
    engine = create_engine(url)
    storage = DatabaseStorage(FsmRepository(session_factory(engine)), SystemClock())
    key = StorageKey(bot_id=1, chat_id=10, user_id=10)
    try:
        await storage.set_state(key, "IntakeForm:answering")
        await storage.set_data(key, {"q": 2, "answers": {"need": "Сайт"}})
        assert await storage.get_state(key) == "IntakeForm:answering"
        assert await storage.update_data(key, {"q": 3}) == {"q": 3, "answers": {"need": "Сайт"}}
        await storage.set_state(key, None)
        assert await storage.get_data(key) == {"q": 3, "answers": {"need": "Сайт"}}
        await storage.set_data(key, {})
        assert (await storage.get_state(key), await storage.get_data(key)) == (None, {})
        async with engine.connect() as connection:
            assert (await connection.execute(text("select count(*) from fsm_states"))).scalar() == 0
    finally:
        await engine.dispose()


async def test_conversation_state_changed_in_an_update_is_written_by_its_commit_alone(tmp_path: Path) -> None:
    """Inside an update the state is read once and written with everything else the update commits;
    an update that fails (rolls back, never commits) leaves the conversation where it was."""
    from aiogram.fsm.storage.base import StorageKey

    from bot.middlewares import CURRENT_UNIT_OF_WORK
    from storage.unit_of_work import SqlUnitOfWork

    url = f"sqlite+aiosqlite:///{tmp_path}/uow.db"
    await upgrade_async(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    storage = DatabaseStorage(FsmRepository(sessions), SystemClock())
    key = StorageKey(bot_id=1, chat_id=10, user_id=10)
    writes: list[str] = []

    def count_writes(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement.split(None, 1)[0].upper())

    from sqlalchemy import event

    event.listen(engine.sync_engine, "before_cursor_execute", count_writes)
    event.listen(engine.sync_engine, "commit", lambda _conn: writes.append("COMMIT"))

    async def handle(update_id: int, *, fail: bool) -> None:
        async with SqlUnitOfWork(sessions) as uow:
            token = CURRENT_UNIT_OF_WORK.set(uow)
            try:
                uow.mark_update(update_id, now=SystemClock().now())
                await storage.set_state(key, f"Form:step{update_id}")
                await storage.update_data(key, {"q": update_id})
                assert writes == []  # nothing written yet: it waits for the commit
                await uow.rollback()  # a use case ending its read does not drop the change
                if not fail:
                    await uow.commit()
            finally:
                CURRENT_UNIT_OF_WORK.reset(token)

    try:
        await handle(1, fail=False)
        # One transaction: the state, and the update done (fed without the inbox: a done row of its own).
        assert writes == ["INSERT", "UPDATE", "INSERT", "COMMIT"]
        writes.clear()
        await handle(2, fail=True)
        assert "INSERT" not in writes and "UPDATE" not in writes and "COMMIT" not in writes
        assert (await storage.get_state(key), await storage.get_data(key)) == ("Form:step1", {"q": 1})
    finally:
        await engine.dispose()


async def test_committed_state_is_served_from_memory_and_a_failed_update_leaves_no_trace_there(
    tmp_path: Path,
) -> None:
    from sqlalchemy import event

    from storage.fsm_repository import ConversationCache
    from storage.unit_of_work import SqlUnitOfWork

    url = f"sqlite+aiosqlite:///{tmp_path}/cache.db"
    await upgrade_async(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    cache = ConversationCache()
    reads: list[str] = []
    event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, sql, *_: (
            reads.append(sql) if "fsm_states" in sql and sql.startswith("SELECT") else None
        ),
    )
    now = SystemClock().now()
    try:
        async with SqlUnitOfWork(sessions, conversations=cache) as uow:
            await uow.conversations.store("k", now=now, state="Form:one", data={"q": 1})
            await uow.commit()
        async with SqlUnitOfWork(sessions, conversations=cache) as uow:  # fails: never commits
            _, data = await uow.conversations.load("k")
            data["q"] = 99
            await uow.conversations.store("k", now=now, state="Form:two", data=data)
        async with SqlUnitOfWork(sessions, conversations=cache) as uow:
            assert await uow.conversations.load("k") == ("Form:one", {"q": 1})
        assert len(reads) == 1  # the first store's own read of the row; never again from memory
        assert await FsmRepository(sessions).load("k") == ("Form:one", {"q": 1})
    finally:
        await engine.dispose()
