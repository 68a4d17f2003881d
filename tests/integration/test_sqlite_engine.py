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


async def test_conversation_state_refuses_to_wait_on_the_handler_s_own_transaction(tmp_path: Path) -> None:
    """On SQLite this would otherwise hang for the busy timeout: the handler waiting on itself."""
    import pytest
    from aiogram.fsm.storage.base import StorageKey

    from bot.fsm_storage import TransactionOpenError
    from bot.middlewares import CURRENT_UNIT_OF_WORK
    from storage.unit_of_work import SqlUnitOfWork

    url = f"sqlite+aiosqlite:///{tmp_path}/guard.db"
    await upgrade_async(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    storage = DatabaseStorage(FsmRepository(sessions), SystemClock())
    key = StorageKey(bot_id=1, chat_id=10, user_id=10)
    try:
        async with SqlUnitOfWork(sessions) as uow:
            token = CURRENT_UNIT_OF_WORK.set(uow)
            try:
                await storage.set_state(key, "A:b")  # no transaction open yet: fine
                await uow.staff.get(1)  # now the unit of work holds one
                with pytest.raises(TransactionOpenError):
                    await storage.get_state(key)
                await uow.rollback()
                assert await storage.get_state(key) == "A:b"
            finally:
                CURRENT_UNIT_OF_WORK.reset(token)
    finally:
        await engine.dispose()
