"""The inbox on SQLite and PostgreSQL: stored once, claimed by one, done with the handling's effects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.models import Notice
from domain.notice_kinds import NoticeKind
from storage.engine import session_factory
from storage.inbox_repository import InboxEntry, InboxStore
from storage.unit_of_work import SqlUnitOfWork, UpdateHandledElsewhere

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def entry(update_id: int, chat_id: int = 7) -> InboxEntry:
    payload = {"update_id": update_id, "message": {"message_id": update_id, "text": "привет"}}
    return InboxEntry(update_id, chat_id, "message", payload)


async def test_a_batch_is_stored_once_and_claimed_by_whoever_stored_it_first(engine: AsyncEngine) -> None:
    store = InboxStore(session_factory(engine))
    assert await store.store([entry(1), entry(2)], now=NOW, lease=LEASE) == {1, 2}
    # The same batch fetched again (our confirmation was lost): stored already, and held by us.
    assert await store.store([entry(1), entry(2), entry(3)], now=NOW, lease=LEASE) == {3}
    # Once the lease runs out (its process died), storing it again takes it up again.
    later = NOW + LEASE + timedelta(seconds=1)
    assert await store.store([entry(2)], now=later, lease=LEASE) == {2}


async def test_pending_updates_are_taken_up_oldest_first_leases_and_those_in_hand_respected(
    engine: AsyncEngine,
) -> None:
    store = InboxStore(session_factory(engine))
    await store.store([entry(3), entry(1), entry(2)], now=NOW, lease=LEASE)
    assert await store.claim_pending(now=NOW, lease=LEASE, limit=10) == []  # all held
    taken = await store.claim_pending(now=NOW, lease=LEASE, limit=10, anyones=True, skip=[2])
    assert [e.update_id for e in taken] == [1, 3] and taken[0].payload["message"]["text"] == "привет"
    later = NOW + LEASE * 3
    assert [e.update_id for e in await store.claim_pending(now=later, lease=LEASE, limit=2)] == [1, 2]


async def test_done_goes_with_the_effects_and_a_second_handling_commits_nothing(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    store = InboxStore(sessions)
    await store.store([entry(1)], now=NOW, lease=LEASE)
    async with SqlUnitOfWork(sessions) as first, SqlUnitOfWork(sessions) as second:
        first.mark_update(1, now=NOW, stored=True)
        await first.outbox.add(Notice(7, NoticeKind.NEW_LEAD, {"deal_id": 1}), now=NOW)
        await first.commit()
        second.mark_update(1, now=NOW, stored=True)
        await second.outbox.add(Notice(7, NoticeKind.NEW_LEAD, {"deal_id": 2}), now=NOW)
        with pytest.raises(UpdateHandledElsewhere):
            await second.commit()
    assert await store.state_of(1) == "done"
    async with SqlUnitOfWork(sessions) as uow:
        assert await uow.update_seen(1)
        assert not await uow.outbox.waiting_for(7, queued_by=NOW - timedelta(seconds=1))
    assert await store.claim_pending(now=NOW + LEASE * 2, lease=LEASE, limit=10) == []


async def test_failures_are_counted_and_an_update_set_aside_is_out_of_the_way(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    store = InboxStore(sessions)
    await store.store([entry(1), entry(2)], now=NOW, lease=LEASE)
    assert [await store.failed(1, error="RuntimeError") for _ in range(3)] == [1, 2, 3]
    async with SqlUnitOfWork(sessions) as uow:
        await uow.set_aside_update(1, now=NOW, error="RuntimeError")
        await uow.commit()
    assert await store.state_of(1) == "set_aside"
    taken = await store.claim_pending(now=NOW, lease=LEASE, limit=10, anyones=True)
    assert [e.update_id for e in taken] == [2]
    await store.finish(2, now=NOW, error="blocked")
    assert await store.state_of(2) == "done"


async def test_a_lease_renewed_while_in_hand_keeps_the_update_from_other_workers(engine: AsyncEngine) -> None:
    store, lease = InboxStore(session_factory(engine)), timedelta(seconds=20)
    await store.store([entry(1), entry(2)], now=NOW, lease=lease)
    assert await store.renew([1], now=NOW + timedelta(seconds=15), lease=lease) == 1
    later = NOW + timedelta(seconds=25)  # 2's worker died (no renewal): its lease ran out; 1's did not
    assert [e.update_id for e in await store.claim_pending(now=later, lease=lease, limit=10)] == [2]


async def test_with_several_processes_a_chat_s_update_waits_for_the_older_one_another_process_holds(
    engine: AsyncEngine,
) -> None:
    # Worker A stored update 1 of chat 7 and was killed with it in hand (its lease runs on). Chat 7's
    # next update reaches worker B: B must not handle it before 1, which A's successor will take up.
    store, lease = InboxStore(session_factory(engine)), timedelta(seconds=20)
    assert await store.store([entry(1)], now=NOW, lease=lease, in_turn_besides=[]) == {1}
    soon = NOW + timedelta(seconds=5)
    assert await store.store([entry(2), entry(5, chat_id=8)], now=soon, lease=lease, in_turn_besides=[]) == {
        5
    }
    assert await store.claim_pending(now=soon, lease=lease, limit=10, skip=[5], in_turn=True) == []
    # Without the turn (one process alone, whose own lane keeps the order), 2 would have gone ahead.
    assert [e.update_id for e in await store.claim_pending(now=soon, lease=lease, limit=10, skip=[5])] == [2]


async def test_an_update_in_its_turn_goes_at_once_and_both_go_in_order_once_the_holder_s_lease_ends(
    engine: AsyncEngine,
) -> None:
    store, lease = InboxStore(session_factory(engine)), timedelta(seconds=20)
    await store.store([entry(1)], now=NOW, lease=lease, in_turn_besides=[])
    # The older one is this process's own (in its lane): the next goes into the same lane at once.
    assert await store.store([entry(2)], now=NOW, lease=lease, in_turn_besides=[1]) == {2}
    # A batch (polling) of one chat is claimed whole: its own older updates do not hold it back.
    assert await store.store([entry(3, chat_id=9), entry(4, chat_id=9)], now=NOW, lease=lease,
                             in_turn_besides=[]) == {3, 4}  # fmt: skip
    await store.store([entry(6, chat_id=9)], now=NOW, lease=lease, in_turn_besides=[])
    # 3 and 4's holder died: once their lease ran out, 3, 4 and 6 are taken up together, oldest first.
    later = NOW + lease + timedelta(seconds=1)
    taken = await store.claim_pending(now=later, lease=lease, limit=10, skip=[1, 2], in_turn=True)
    assert [e.update_id for e in taken] == [3, 4, 6]
