"""The scheduler's questions and the deal lists' pages are answered from an index on both databases, in
the index's order, whatever the tables hold.

SQLite says how it reads with EXPLAIN QUERY PLAN; PostgreSQL with EXPLAIN, after `enable_seqscan = off`
and `enable_sort = off` so that a tiny test table still shows whether the index *can* serve the query in
order (over a handful of rows the planner rightly prefers a scan or a sort, whatever the indexes).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import ClauseElement
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.list_pages import Position, Segment, SegmentKind
from domain.models import Timer
from storage.deal_pages import segment_query
from storage.engine import session_factory
from storage.timer_repository import SqlTimerRepository, TimerQueue, due_query, next_due_query
from tests.conftest import FIXED_NOW


async def plan_of(engine: AsyncEngine, statement: ClauseElement) -> str:
    """How the database would run `statement`, as one text (values written into the SQL)."""
    async with engine.connect() as connection:
        sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
        if connection.dialect.name == "sqlite":
            rows = (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")).all()
            return "\n".join(str(row[-1]) for row in rows)
        await connection.exec_driver_sql("SET enable_seqscan = off")
        await connection.exec_driver_sql("SET enable_sort = off")
        rows = (await connection.exec_driver_sql(f"EXPLAIN {sql}")).all()
        return "\n".join(str(row[0]) for row in rows)


def reads_in_index_order(plan: str, index: str) -> bool:
    """The index is used and already gives the order asked for: no sort of the rows afterwards."""
    sorts = "TEMP B-TREE" in plan or "Sort" in plan  # SQLite's words, PostgreSQL's
    return index in plan and not sorts


async def test_due_timers_and_the_next_due_time_are_read_from_the_pending_timers_index(
    engine: AsyncEngine,
) -> None:
    async with session_factory(engine)() as session:
        timers = SqlTimerRepository(session)
        for minutes in (-5, 10, 20):
            await timers.add(Timer("reminder", 1, FIXED_NOW + timedelta(minutes=minutes)))
        await session.commit()

    assert reads_in_index_order(
        await plan_of(engine, due_query(now=FIXED_NOW, limit=100)), "ix_timers_pending_next_try"
    )
    assert reads_in_index_order(await plan_of(engine, next_due_query()), "ix_timers_pending_next_try")
    queue = TimerQueue(session_factory(engine))
    assert len(await queue.due(now=FIXED_NOW, limit=100)) == 1
    assert await queue.next_due_at() == FIXED_NOW - timedelta(minutes=5)


async def test_a_timer_put_off_after_a_failed_firing_is_due_at_its_retry_time(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        await SqlTimerRepository(session).add(Timer("reminder", 1, FIXED_NOW - timedelta(minutes=1)))
        await session.commit()
    queue = TimerQueue(session_factory(engine))
    [timer_id] = await queue.due(now=FIXED_NOW, limit=10)

    await queue.put_off(timer_id, after=timedelta(minutes=5), now=FIXED_NOW, error="boom", give_up=3)

    assert await queue.due(now=FIXED_NOW + timedelta(minutes=4), limit=10) == []
    assert await queue.next_due_at() == FIXED_NOW + timedelta(minutes=5)
    assert await queue.due(now=FIXED_NOW + timedelta(minutes=5), limit=10) == [timer_id]


@pytest.mark.parametrize(
    ("segment", "manager_id", "index"),
    [
        (Segment(SegmentKind.OVERDUE), None, "ix_deals_open_next_contact"),
        (Segment(SegmentKind.PLANNED, "sales", "new"), None, "ix_deals_funnel"),
        (Segment(SegmentKind.UNPLANNED, "sales", "new"), None, "ix_deals_funnel"),
        (Segment(SegmentKind.PLANNED, "sales", "new"), 101, "ix_deals_manager_funnel"),
        (Segment(SegmentKind.UNPLANNED, "sales", "new"), 101, "ix_deals_manager_funnel"),
        (Segment(SegmentKind.UNSORTED), None, "ix_deals_queue"),
    ],
)
@pytest.mark.parametrize("forward", [True, False])
async def test_a_page_of_a_deal_list_is_a_range_of_an_index_read_in_order(
    engine: AsyncEngine, segment: Segment, manager_id: int | None, index: str, forward: bool
) -> None:
    position = Position(None if segment.kind is SegmentKind.UNPLANNED else FIXED_NOW, 42)
    query = segment_query(
        segment, manager_id=manager_id, now=FIXED_NOW, start=position, forward=forward, limit=8
    )
    plan = await plan_of(engine, query)
    if engine.dialect.name == "postgresql":  # with no rows to weigh, every index in (status, next
        index = "Index Scan"  # contact) order costs PostgreSQL the same: any of them, but in order
    assert reads_in_index_order(plan, index)
