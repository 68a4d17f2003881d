from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine, session_factory
from storage.migrator import upgrade_async
from storage.unit_of_work import SqlUnitOfWork


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def make_uow(engine: AsyncEngine) -> Callable[[], SqlUnitOfWork]:
    sessions = session_factory(engine)
    return lambda: SqlUnitOfWork(sessions)
