"""The figures `/metrics` reads from the database at scrape time (storage/operations_figures.py): the work
waiting in the inbox, the outbox and the timers, its oldest item, and the leads by channel, on both
databases; the waiting work from its indexes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.models import Channel
from storage.engine import session_factory
from storage.operations_figures import Backlog, OperationsFigures, waiting_work_query
from storage.tables import DealRow, InboxRow, OutboxRow, TimerRow
from tests.conftest import FIXED_NOW
from tests.integration.stored_deals import MakeUow, deal, store
from tests.integration.test_query_plans import plan_of

NOW = FIXED_NOW
MINUTE = timedelta(minutes=1)


def _update(update_id: int, state: str, received_minutes_ago: int) -> InboxRow:
    return InboxRow(
        update_id=update_id, chat_id=7, kind="message", payload={}, state=state, attempts=0,
        received_at=NOW - received_minutes_ago * MINUTE,
    )  # fmt: skip


def _notice(state: str, *, due_in: int) -> OutboxRow:
    return OutboxRow(
        chat_id=7, kind="contact_reminder", priority=0, data={}, state=state, attempts=0,
        next_attempt_at=NOW + due_in * MINUTE, created_at=NOW - 60 * MINUTE,
    )  # fmt: skip


def _timer(state: str, *, due_in: int) -> TimerRow:
    at = NOW + due_in * MINUTE
    return TimerRow(kind="next_contact", subject_id=1, due_at=at, next_try_at=at, state=state, payload={})


async def test_the_waiting_work_is_what_is_due_and_not_done_with_its_oldest_item(engine: AsyncEngine) -> None:
    figures = OperationsFigures(session_factory(engine))
    empty = await figures.waiting_work(now=NOW)
    assert (empty.inbox, empty.outbox, empty.timers) == (Backlog(0, None),) * 3
    assert empty.inbox_set_aside == 0

    async with session_factory(engine)() as session:
        session.add_all(
            [
                _update(101, "done", 50), _update(102, "pending", 9), _update(103, "pending", 2),
                _update(104, "set_aside", 30),
                _notice("pending", due_in=-7), _notice("pending", due_in=5),  # due; not yet
                _notice("sending", due_in=1), _notice("sending", due_in=-3),  # leased; its sender died
                _notice("sent", due_in=-90), _notice("failed", due_in=-90),
                _timer("pending", due_in=-4), _timer("pending", due_in=-1), _timer("pending", due_in=10),
                _timer("fired", due_in=-60), _timer("failed", due_in=-60),
            ]
        )  # fmt: skip
        await session.commit()

    work = await figures.waiting_work(now=NOW)
    assert work.inbox == Backlog(2, NOW - 9 * MINUTE)
    assert work.inbox_set_aside == 1
    assert work.outbox == Backlog(2, NOW - 7 * MINUTE)
    assert work.timers == Backlog(2, NOW - 4 * MINUTE)
    later = await figures.waiting_work(now=NOW + 6 * MINUTE)  # more falls due as time goes on
    assert (later.outbox.waiting, later.timers.waiting) == (4, 2)


async def test_leads_are_counted_by_channel_and_a_preview_is_no_lead(
    engine: AsyncEngine, make_uow: MakeUow
) -> None:
    figures = OperationsFigures(session_factory(engine))
    assert await figures.leads_by_channel() == {}
    ids = await store(make_uow, [deal(), deal(), deal(channel=Channel.SITE), deal(closed_at=NOW), deal()])
    async with session_factory(engine)() as session:  # the last one is a staff member's /preview
        await session.execute(update(DealRow).where(DealRow.id == ids[-1]).values(is_test=True))
        await session.commit()
    assert await figures.leads_by_channel() == {"telegram": 3, "site": 1}


async def test_the_database_answers_a_ping(engine: AsyncEngine) -> None:
    await OperationsFigures(session_factory(engine)).ping()


async def test_the_waiting_work_is_read_from_indexes_not_whole_tables(engine: AsyncEngine) -> None:
    plan = await plan_of(engine, waiting_work_query(now=NOW))
    for index in ("ix_inbox_state_id", "ix_outbox_state_next", "ix_timers_pending_next_try"):
        assert index in plan, plan
    if engine.dialect.name == "sqlite":
        scans = [line for line in plan.splitlines() if line.strip().startswith(("SCAN inbox", "SCAN outbox"))]
        assert scans == [] and "SCAN timers" not in plan, plan
    else:  # with sequential scans off, a table read whole would still show as one
        assert "Seq Scan" not in plan, plan
