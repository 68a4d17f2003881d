from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.models import Notice
from domain.notice_kinds import NoticeKind
from storage.engine import session_factory
from storage.outbox_queue import OutboxQueue
from storage.unit_of_work import SqlUnitOfWork

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


async def add_notices(engine: AsyncEngine, count: int) -> None:
    woken: list[bool] = []
    async with SqlUnitOfWork(session_factory(engine), after_commit=lambda: woken.append(True)) as uow:
        for n in range(count):
            await uow.outbox.add(Notice(100 + n, NoticeKind.NEW_LEAD, {"deal_id": n}), now=NOW)
        await uow.commit()
    assert woken == [True]


async def test_an_uncommitted_notice_is_never_sent(engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(session_factory(engine)) as uow:
        await uow.outbox.add(Notice(1, NoticeKind.NEW_LEAD, {"deal_id": 1}), now=NOW)
    assert await OutboxQueue(session_factory(engine)).claim_due(now=NOW, lease=LEASE) == []


async def test_two_senders_claiming_at_once_share_the_items_without_overlap(engine: AsyncEngine) -> None:
    await add_notices(engine, 20)
    first, second = OutboxQueue(session_factory(engine)), OutboxQueue(session_factory(engine))
    a, b = await asyncio.gather(
        first.claim_due(now=NOW, lease=LEASE, limit=15), second.claim_due(now=NOW, lease=LEASE, limit=15)
    )
    ids_a, ids_b = {i.id for i in a}, {i.id for i in b}
    assert not ids_a & ids_b
    assert len(ids_a | ids_b) == 20


async def test_an_item_whose_sender_died_is_claimed_again_after_the_lease(engine: AsyncEngine) -> None:
    await add_notices(engine, 1)
    queue = OutboxQueue(session_factory(engine))
    [item] = await queue.claim_due(now=NOW, lease=LEASE)
    assert await queue.claim_due(now=NOW + timedelta(seconds=30), lease=LEASE) == []
    [again] = await queue.claim_due(now=NOW + timedelta(seconds=61), lease=LEASE)
    assert again.id == item.id and again.attempts == 2


async def test_a_sent_item_is_not_claimed_again_and_a_retry_waits_its_time(engine: AsyncEngine) -> None:
    await add_notices(engine, 2)
    queue = OutboxQueue(session_factory(engine))
    sent, retried = await queue.claim_due(now=NOW, lease=LEASE)
    await queue.mark_sent(sent.id, now=NOW)
    await queue.retry_at(retried.id, at=NOW + timedelta(seconds=5), error="429")
    assert await queue.claim_due(now=NOW + timedelta(seconds=4), lease=LEASE) == []
    assert await queue.next_due_at() == NOW + timedelta(seconds=5)
    [again] = await queue.claim_due(now=NOW + timedelta(seconds=5), lease=LEASE)
    assert again.id == retried.id
    await queue.mark_sent(again.id, now=NOW + timedelta(seconds=6))
    assert await queue.claim_due(now=NOW + timedelta(hours=1), lease=LEASE) == []


async def test_old_handled_update_ids_are_forgotten(engine: AsyncEngine) -> None:
    from storage.housekeeping import prune_handled_updates

    sessions = session_factory(engine)
    for update_id, age in ((1, timedelta(days=8)), (2, timedelta(days=1))):
        async with SqlUnitOfWork(sessions) as uow:
            uow.mark_update(update_id, now=NOW - age)
            await uow.commit()
    assert await prune_handled_updates(sessions, before=NOW - timedelta(days=7)) == 1
    async with SqlUnitOfWork(sessions) as uow:
        assert not await uow.update_seen(1)
        assert await uow.update_seen(2)


async def add_to_chats(engine: AsyncEngine, chats: list[int]) -> None:
    async with SqlUnitOfWork(session_factory(engine)) as uow:
        for n, chat in enumerate(chats):
            await uow.outbox.add(Notice(chat, NoticeKind.PROSPECT_MESSAGE, {"deal_id": 1, "n": n}), now=NOW)
        await uow.commit()


async def test_a_chat_s_later_notice_never_overtakes_an_earlier_one(engine: AsyncEngine) -> None:
    await add_to_chats(engine, [1, 1, 2, 1])
    queue = OutboxQueue(session_factory(engine))
    first = await queue.claim_due(now=NOW, lease=LEASE)
    assert [(i.chat_id, i.data["n"]) for i in first] == [(1, 0), (2, 2)]  # one per chat, the oldest
    await queue.retry_at(first[0].id, at=NOW + timedelta(minutes=5), error="502")
    await queue.mark_sent(first[1].id, now=NOW)
    assert await queue.claim_due(now=NOW + timedelta(minutes=1), lease=LEASE) == []  # chat 1 waits
    again = await queue.claim_due(now=NOW + timedelta(minutes=5), lease=LEASE)
    assert [(i.chat_id, i.data["n"]) for i in again] == [(1, 0)]
    await queue.mark_sent(again[0].id, now=NOW)
    after = await queue.claim_due(now=NOW + timedelta(minutes=5), lease=LEASE)
    assert [(i.chat_id, i.data["n"]) for i in after] == [(1, 1)]


async def test_items_released_at_shutdown_are_due_again_at_once(engine: AsyncEngine) -> None:
    await add_to_chats(engine, [1, 2, 3])
    queue = OutboxQueue(session_factory(engine))
    claimed = await queue.claim_due(now=NOW, lease=LEASE)
    await queue.release([claimed[1].id, claimed[2].id], now=NOW)
    again = await queue.claim_due(now=NOW, lease=LEASE)
    assert sorted(i.chat_id for i in again) == [2, 3]  # chat 1's item stays leased by its sender


async def test_the_next_due_time_is_that_of_a_chat_s_oldest_item(engine: AsyncEngine) -> None:
    """A later item of a chat waiting behind a retry must not wake the sender before that retry is due."""
    await add_to_chats(engine, [1, 1])
    queue = OutboxQueue(session_factory(engine))
    first = await queue.claim_due(now=NOW, lease=LEASE)
    await queue.retry_at(first[0].id, at=NOW + timedelta(minutes=5), error="502")
    assert await queue.next_due_at() == NOW + timedelta(minutes=5)


async def test_a_lease_starts_afresh_at_each_send_and_a_taken_over_item_is_not_sent_twice(
    engine: AsyncEngine,
) -> None:
    await add_notices(engine, 2)
    queue, other = OutboxQueue(session_factory(engine)), OutboxQueue(session_factory(engine))
    first, second = await queue.claim_due(now=NOW, lease=LEASE)
    # The first is sent after 50 s in the batch; its lease is renewed just before: a full lease again.
    renewed = await queue.renew(first, now=NOW + timedelta(seconds=50), lease=LEASE)
    assert renewed is not None and renewed.leased_until == NOW + timedelta(seconds=110)
    # The second waited behind it past its lease (a hung request): another sender takes it over, and
    # only it: the first is still leased.
    taken = await other.claim_due(now=NOW + timedelta(seconds=100), lease=LEASE)
    assert [(i.id, i.attempts) for i in taken] == [(second.id, 2)]
    assert await queue.renew(second, now=NOW + timedelta(seconds=101), lease=LEASE) is None


async def test_what_a_killed_run_was_sending_is_taken_back_at_the_next_start(engine: AsyncEngine) -> None:
    await add_notices(engine, 2)
    queue = OutboxQueue(session_factory(engine))
    claimed = await queue.claim_due(now=NOW, lease=LEASE)
    assert len(claimed) == 2
    assert await queue.claim_due(now=NOW + timedelta(seconds=1), lease=LEASE) == []  # leased: held back
    assert await queue.take_back_all(now=NOW + timedelta(seconds=1)) == 2  # the process that held it died
    again = await queue.claim_due(now=NOW + timedelta(seconds=1), lease=LEASE)
    assert sorted(item.id for item in again) == sorted(item.id for item in claimed)
