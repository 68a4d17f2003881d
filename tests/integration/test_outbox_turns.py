"""A chat's notices by turn: relayed client messages (chatter) after every other notice, a deal's
notices in their order, a client's burst joined into one relay (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.models import Notice
from domain.notice_kinds import NoticeKind
from domain.relay_batches import RELAY_EVERY, relay_data
from storage.engine import session_factory
from storage.outbox_queue import OutboxItem, OutboxQueue
from storage.tables import OutboxRow
from storage.unit_of_work import SqlUnitOfWork

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)
MANAGER, OTHER = 1001, 1002
RELAY = NoticeKind.PROSPECT_MESSAGE


async def queue(engine: AsyncEngine, *notices: tuple[str, int, dict[str, Any]], at: datetime = NOW) -> None:
    """(kind, chat, data) in this order, in one transaction; relays as the intake queues them."""
    async with SqlUnitOfWork(session_factory(engine)) as uow:
        for kind, chat, data in notices:
            if kind == RELAY:
                await uow.outbox.add_relay(Notice(chat, RELAY, data), now=at, every=RELAY_EVERY)
            else:
                await uow.outbox.add(Notice(chat, NoticeKind(kind), data), now=at)
        await uow.commit()


def said(
    deal_id: int, message_id: int, text: str | None = None, **extra: Any
) -> tuple[str, int, dict[str, Any]]:
    data = relay_data(deal_id=deal_id, chat_id=500 + deal_id, message_id=message_id, kind="text",
                      text=text or f"m{message_id}", **extra)  # fmt: skip
    return RELAY, MANAGER, data


def lead(kind: str, deal_id: int, chat: int = MANAGER) -> tuple[str, int, dict[str, Any]]:
    return kind, chat, {"deal_id": deal_id}


def seen(item: OutboxItem) -> tuple[str, int, list[int]]:
    """(kind, deal, relayed message ids) of a claimed item."""
    ids = [part["message_id"] for part in item.data.get("parts", [])]
    return item.kind, item.data["deal_id"], ids


async def drain(q: OutboxQueue, *, at: datetime = NOW, merging: tuple[str, ...] = ()) -> list[Any]:
    """Claim and send one item at a time, as a chat's sender would: what went out, in order."""
    order: list[Any] = []
    while claimed := await q.claim_due(now=at, lease=LEASE, merging=merging, merge_from=3):
        for item in claimed:
            order.append(seen(item) if not item.followers else [seen(i) for i in item.group])
            await q.mark_sent(item.ids, now=at)
    return order


async def test_a_new_lead_overtakes_chatter_queued_before_it(engine: AsyncEngine) -> None:
    await queue(engine, said(1, 10))
    await queue(engine, said(2, 20))  # another client's deal: a relay of its own
    await queue(engine, lead("new_lead", 3))
    assert await drain(OutboxQueue(session_factory(engine))) == [
        ("new_lead", 3, []),
        (RELAY, 1, [10]),
        (RELAY, 2, [20]),
    ]


async def test_a_deal_s_notices_keep_their_order_when_its_chatter_is_raised(engine: AsyncEngine) -> None:
    await queue(engine, said(1, 10), said(2, 20))
    await queue(engine, lead("request_repeated", 1))  # about deal 1: its waiting relay goes before it
    await queue(engine, lead("new_lead", 3))
    await queue(engine, said(1, 11))  # written after the request: after it
    async with session_factory(engine)() as session:
        turns = (
            await session.execute(select(OutboxRow.deal_id, OutboxRow.priority).order_by(OutboxRow.id))
        ).all()
    assert [tuple(t) for t in turns] == [(1, 0), (2, 1), (1, 0), (3, 0), (1, 1)]
    assert await drain(OutboxQueue(session_factory(engine)), at=NOW + RELAY_EVERY) == [
        (RELAY, 1, [10]),
        ("request_repeated", 1, []),
        ("new_lead", 3, []),
        (RELAY, 2, [20]),
        (RELAY, 1, [11]),
    ]


async def test_another_chat_s_chatter_is_not_raised(engine: AsyncEngine) -> None:
    await queue(engine, (RELAY, OTHER, said(1, 10)[2]), said(1, 11))
    await queue(engine, lead("deal_handed_over", 1, chat=MANAGER))
    async with session_factory(engine)() as session:
        turns = (
            await session.execute(select(OutboxRow.chat_id, OutboxRow.priority).order_by(OutboxRow.id))
        ).all()
    assert [tuple(t) for t in turns] == [(OTHER, 1), (MANAGER, 0), (MANAGER, 0)]


async def test_a_burst_is_one_relay_and_what_comes_after_it_was_claimed_waits_its_turn(
    engine: AsyncEngine,
) -> None:
    q = OutboxQueue(session_factory(engine))
    await queue(engine, said(1, 10), said(1, 11))
    await queue(engine, said(1, 12))
    [first] = await q.claim_due(now=NOW, lease=LEASE)
    assert seen(first) == (RELAY, 1, [10, 11, 12])  # one relay for three messages
    await queue(engine, said(1, 13), at=NOW + timedelta(seconds=1))  # claimed: a new relay, held
    await q.mark_sent(first.id, now=NOW)
    await queue(engine, said(1, 14), at=NOW + timedelta(seconds=2))  # joins the held one
    assert await q.claim_due(now=NOW + timedelta(seconds=2), lease=LEASE) == []
    assert await q.next_due_at() == NOW + RELAY_EVERY
    [second] = await q.claim_due(now=NOW + RELAY_EVERY, lease=LEASE)
    assert seen(second) == (RELAY, 1, [13, 14])
    # A message long after the last relay goes at once.
    await q.mark_sent(second.id, now=NOW + RELAY_EVERY)
    later = NOW + timedelta(minutes=5)
    await queue(engine, said(1, 15), at=later)
    assert [seen(i) for i in await q.claim_due(now=later, lease=LEASE)] == [(RELAY, 1, [15])]


async def test_a_relay_held_for_batching_does_not_hold_back_a_notice_about_its_deal(
    engine: AsyncEngine,
) -> None:
    q = OutboxQueue(session_factory(engine))
    await queue(engine, said(1, 10))
    [first] = await q.claim_due(now=NOW, lease=LEASE)
    await q.mark_sent(first.id, now=NOW)
    await queue(engine, said(1, 11))  # held until NOW + 3 s
    await queue(engine, lead("new_lead", 2))
    assert await q.next_due_at() == NOW  # the lead, not the held relay
    await queue(engine, lead("deal_handed_over", 1))  # about deal 1: its relay is raised and due now
    assert await drain(q) == [(RELAY, 1, [11]), ("new_lead", 2, []), ("deal_handed_over", 1, [])]


async def test_corrections_and_old_shaped_relays_are_not_joined(engine: AsyncEngine) -> None:
    old_shape = {"deal_id": 1, "kind": "text", "text": "старое", "from_chat_id": 501, "message_id": 9}
    async with SqlUnitOfWork(session_factory(engine)) as uow:
        await uow.outbox.add(Notice(MANAGER, RELAY, old_shape), now=NOW)  # queued before batching
        await uow.commit()
    await queue(engine, said(1, 10), said(1, 10, edited=True), said(1, 11))
    order = await drain(OutboxQueue(session_factory(engine)), at=NOW + timedelta(minutes=1))
    assert order == [(RELAY, 1, []), (RELAY, 1, [10]), (RELAY, 1, [10]), (RELAY, 1, [11])]


async def test_merged_notices_follow_the_turn_order_and_leave_chatter_out(engine: AsyncEngine) -> None:
    await queue(
        engine, said(1, 10), lead("new_lead", 2), said(3, 30), lead("new_lead", 4), lead("new_lead", 5)
    )
    order = await drain(OutboxQueue(session_factory(engine)), merging=("new_lead",))
    assert order == [
        [("new_lead", 2, []), ("new_lead", 4, []), ("new_lead", 5, [])],  # merged across the chatter
        (RELAY, 1, [10]),
        (RELAY, 3, [30]),
    ]


async def test_a_normal_notice_waiting_for_a_retry_holds_the_chat_and_the_next_due_time(
    engine: AsyncEngine,
) -> None:
    q = OutboxQueue(session_factory(engine))
    await queue(engine, said(1, 10), lead("new_lead", 2))
    [head] = await q.claim_due(now=NOW, lease=LEASE)
    assert head.kind == "new_lead"
    await q.retry_at(head.id, at=NOW + timedelta(minutes=5), error="502")
    assert await q.claim_due(now=NOW + timedelta(minutes=1), lease=LEASE) == []
    assert await q.next_due_at() == NOW + timedelta(minutes=5)  # head-only: no wake for the relay behind


async def test_a_sender_claiming_a_relay_first_leaves_the_new_message_to_a_new_relay(
    engine: AsyncEngine,
) -> None:
    """The join compares state and due time: a relay claimed in between is never changed."""
    q = OutboxQueue(session_factory(engine))
    sessions = session_factory(engine)
    async with SqlUnitOfWork(sessions) as uow:
        await uow.outbox.add_relay(Notice(MANAGER, RELAY, said(1, 10)[2]), now=NOW, every=RELAY_EVERY)
        await uow.commit()
    [claimed] = await q.claim_due(now=NOW, lease=LEASE)
    await queue(engine, said(1, 11))
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all()
    assert [[p["message_id"] for p in r.data["parts"]] for r in rows] == [[10], [11]]
    assert claimed.data["parts"] == rows[0].data["parts"]
