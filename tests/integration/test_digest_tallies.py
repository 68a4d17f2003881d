"""The daily digest counted by SQL on SQLite and PostgreSQL: the same counts and worst cases the digest has
always named, from aggregates and ORDER BY ... LIMIT rather than every open deal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.crm_config import CrmConfig
from domain.digest import WORST, compose_digest
from domain.models import Breach, BreachKind, Channel, DealStatus
from tests.integration.stored_deals import NOW, MakeUow, deal, store

OWNER = 1
HOUR = timedelta(hours=1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def always(config: CrmConfig) -> CrmConfig:
    return config.model_copy(
        update={"business_hours": config.business_hours.model_copy(update={"always": True})}
    )


def breach(deal_id: int, kind: BreachKind, *, due: datetime, resolved: datetime | None = None) -> Breach:
    return Breach(kind, deal_id, 101, "sales", "new", due_at=due, detected_at=due, resolved_at=resolved)


async def test_the_digest_counts_each_thing_and_names_the_worst_cases(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    since = NOW - timedelta(days=1)
    earlier = since - timedelta(days=1)  # created then: not new in this digest's window
    leads = [
        deal(manager=OWNER, taken_at=NOW - 2 * HOUR, created_at=NOW - HOUR),  # 1
        deal(manager=None, created_at=NOW - 5 * HOUR),  # 2: waiting longest
        deal(manager=None, created_at=NOW - 2 * HOUR, channel=Channel.SITE),  # 3: from the website form
        deal(manager=None, target=False, status=DealStatus.LOST, loss_reason="non_target"),  # 4: not a lead
    ]
    in_work = [
        deal(contact_in=-180, taken_at=since, created_at=earlier),  # 5: overdue (1h working time, 24/7 here)
        deal(contact_in=-30, taken_at=since, created_at=earlier),  # 6: due, not yet overdue
        deal(contact_in=60, taken_at=since, created_at=earlier),  # 7
    ]
    closed = [
        deal(status=DealStatus.WON, amount=100_000, closed_at=NOW - HOUR, created_at=earlier),  # 8
        deal(status=DealStatus.WON, amount=300_000, closed_at=NOW - HOUR, created_at=earlier),  # 9
        deal(
            status=DealStatus.LOST, loss_reason="too_expensive", closed_at=NOW - HOUR, created_at=earlier
        ),  # 10
        deal(
            status=DealStatus.LOST, loss_reason="too_expensive", closed_at=NOW - HOUR, created_at=earlier
        ),  # 11
        deal(
            status=DealStatus.LOST, loss_reason="competitor", closed_at=NOW - HOUR, created_at=earlier
        ),  # 12
    ]
    long_closed = [  # 13..25: deals the breaches below belong to, closed before this digest's window
        deal(manager=None, status=DealStatus.LOST, target=False, closed_at=since - HOUR, created_at=earlier)
        for _ in range(13)
    ]
    assert await store(make_uow, leads + in_work + closed + long_closed) == list(range(1, 26))
    async with make_uow() as uow:
        for item in [
            breach(1, BreachKind.TAKE, due=NOW - 3 * HOUR, resolved=NOW - 2 * HOUR),  # 1 h late
            *(breach(20 + n, BreachKind.TAKE, due=NOW - n * HOUR) for n in range(2, 6)),  # still open: n h
            breach(5, BreachKind.STAGE, due=NOW - 10 * HOUR),
            breach(5, BreachKind.CONTACT, due=NOW - 2 * HOUR),
        ]:
            await uow.breaches.add(item)
        await uow.commit()

    async with make_uow() as uow:
        digest = await compose_digest(uow, always(crm_config), since=since, now=NOW)
    seconds = 3600
    assert digest.new.count == 3
    assert digest.new.cases == ((2, 5 * seconds), (3, 2 * seconds))
    assert digest.new_by_channel == (("telegram", 2), ("site", 1))  # the non-target one is not a lead
    assert digest.unsorted.count == 2
    assert digest.taken_late.count == 5
    assert digest.taken_late.cases == ((25, 5 * seconds), (24, 4 * seconds), (23, 3 * seconds))
    assert len(digest.taken_late.cases) == WORST
    assert (digest.stage.count, digest.stage.cases) == (1, ((5, 10 * seconds),))
    assert (digest.overdue.count, digest.overdue.cases) == (1, ((5, 3 * seconds),))
    assert (digest.won.count, digest.won_amount, digest.won.cases) == (
        2,
        400_000,
        ((9, 300_000), (8, 100_000)),
    )
    assert digest.lost.count == 3
    assert digest.lost_reasons == (("too_expensive", 2), ("competitor", 1))
    data = digest.as_data()
    assert data["new_channels"] == [["telegram", 2], ["site", 1]]
    assert data["taken_late"] == {"count": 5, "cases": [[25, 18000], [24, 14400], [23, 10800]]}


async def test_overdue_in_the_digest_counts_working_time(make_uow: MakeUow, crm_config: CrmConfig) -> None:
    """Moscow hours 09-18: a contact due Friday 17:30 is overdue (1 h of working time) at Monday 09:30."""
    friday_1730, monday_0920, monday_0930 = (
        utc("2026-11-27T14:30"),
        utc("2026-11-30T06:20"),
        utc("2026-11-30T06:30"),
    )
    await store(make_uow, [deal(next_contact_at=friday_1730, taken_at=friday_1730)])

    async def overdue_at(now: datetime) -> int:
        async with make_uow() as uow:
            return (
                await compose_digest(uow, crm_config, since=now - timedelta(days=1), now=now)
            ).overdue.count

    assert (await overdue_at(monday_0920), await overdue_at(monday_0930)) == (0, 1)


async def test_cases_a_fraction_of_a_second_apart_tie_in_whole_seconds_and_go_by_deal_number(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    """As the digest always ranked them: by whole seconds late, then by number, not by the fraction."""
    now = NOW + timedelta(microseconds=700_000)
    ids = await store(
        make_uow,
        [
            deal(next_contact_at=NOW - 2 * HOUR + timedelta(microseconds=300_000)),  # 2 h late, less a bit
            deal(next_contact_at=NOW - 2 * HOUR + timedelta(microseconds=100_000)),  # 2 h late too
            deal(next_contact_at=NOW - 3 * HOUR),
            deal(next_contact_at=NOW - 2 * HOUR + timedelta(microseconds=800_000)),  # 1 h 59 min 59 s
        ],
    )
    async with make_uow() as uow:
        digest = await compose_digest(uow, always(crm_config), since=NOW - timedelta(days=1), now=now)
    assert digest.overdue.count == 4
    assert digest.overdue.cases == ((ids[2], 3 * 3600), (ids[0], 2 * 3600), (ids[1], 2 * 3600))
