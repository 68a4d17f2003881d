"""Timers firing on SQLite and PostgreSQL: the claim protocol, reminders, deadlines, sleeping clients,
the digest, and people who blocked the bot. Time is a fixed clock moved by the test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.scheduler import TimerScheduler
from domain import timer_firing, timer_kinds
from domain.crm_config import CrmConfig
from domain.deal_notes import complete_contact, plan_next_contact
from domain.deal_rules import DealError
from domain.digest import ensure_digest, next_digest_at
from domain.intake import Prospect, submit_lead
from domain.models import Role, Timer
from domain.staff_accounts import bootstrap_staff
from domain.taking import take_deal
from domain.unreachable import note_back, note_blocked
from storage.engine import create_engine, session_factory
from storage.tables import BreachRow, DealRow, OutboxRow, TimerRow
from storage.timer_repository import TimerQueue
from storage.unit_of_work import SqlUnitOfWork
from tests.integration.test_deal_work import ANSWERS, COLLEAGUE, NOW, OWNER, SUPERVISOR, Desk, later


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@dataclass
class Bench:
    """The deal use cases (`desk`), a sweeper on a clock, and what came out of it."""

    desk: Desk
    clock: Clock
    sweeper: TimerScheduler
    engine: AsyncEngine

    telegram_up: bool = True

    async def sweep_at(self, at: datetime) -> int:
        """A sweep at `at`; what was queued before it has been delivered, unless Telegram is down."""
        if self.telegram_up:
            async with session_factory(self.engine)() as session:
                await session.execute(
                    update(OutboxRow).where(OutboxRow.state == "pending").values(state="sent")
                )
                await session.commit()
        self.clock.at = at
        return await self.sweeper.sweep()

    async def sent(self, kind: str | None = None) -> list[tuple[int, str, dict[str, Any]]]:
        async with session_factory(self.engine)() as session:
            rows = await session.scalars(select(OutboxRow).order_by(OutboxRow.id))
            return [(r.chat_id, r.kind, dict(r.data)) for r in rows if kind is None or r.kind == kind]

    async def timers(self, deal_id: int | None = None) -> list[TimerRow]:
        async with session_factory(self.engine)() as session:
            query = select(TimerRow).order_by(TimerRow.id)
            if deal_id is not None:
                query = query.where(TimerRow.subject_id == deal_id)
            return list(await session.scalars(query))

    async def breaches(self) -> list[BreachRow]:
        async with session_factory(self.engine)() as session:
            return list(await session.scalars(select(BreachRow).order_by(BreachRow.id)))


def sweeper_for(engine: AsyncEngine, config: CrmConfig, clock: Clock) -> TimerScheduler:
    sessions = session_factory(engine)
    return TimerScheduler(
        queue=TimerQueue(sessions), make_uow=lambda: SqlUnitOfWork(sessions), config=config, clock=clock,
        tick_s=15,
    )  # fmt: skip


@pytest.fixture
def config(crm_config: CrmConfig) -> CrmConfig:
    """The shipped config, 24/7 so the arithmetic of each test is plain minutes."""
    hours = crm_config.business_hours.model_copy(update={"always": True})
    return crm_config.model_copy(update={"business_hours": hours})


@pytest.fixture
async def bench(make_uow: Any, config: CrmConfig, engine: AsyncEngine) -> AsyncIterator[Bench]:
    clock = Clock(NOW)
    sweeper = sweeper_for(engine, config, clock)
    sweeper.started_at = NOW
    yield Bench(Desk(make_uow, config, engine), clock, sweeper, engine)


async def test_two_sweepers_fire_each_due_timer_exactly_once(bench: Bench, database_url: str) -> None:
    deal_ids = [await bench.desk.taken_deal()]
    for minutes in range(1, 6):
        assert (await bench.desk.plan(deal_ids[0], later(minutes), at=NOW)).ok
    async with bench.desk.make_uow() as uow:  # many due timers of a kind that only marks itself fired
        for n in range(40):
            await uow.timers.add(Timer("test_nothing", 10_000 + n, later(1)))
        await uow.commit()
    due = [t.id for t in await bench.timers() if t.state == "pending" and t.due_at <= later(30)]
    assert len(due) == 40 + 2  # and the deal's planned contact and its stage deadline
    # Two processes: two engines, two sweepers, the same moment.
    other_engine = create_engine(database_url)
    try:
        clock = Clock(later(30))
        first = sweeper_for(bench.engine, bench.desk.config, clock)
        second = sweeper_for(other_engine, bench.desk.config, clock)
        first.started_at = second.started_at = NOW
        fired = await asyncio.gather(first.sweep(), second.sweep())
    finally:
        await other_engine.dispose()
    assert sum(fired) == len(due)  # between them, each timer once
    assert {t.state for t in await bench.timers() if t.id in due} == {"fired"}
    # Only the last planned contact is the deal's: it is reminded once; the replaced ones were cancelled.
    assert [(chat, data["deal_id"]) for chat, _, data in await bench.sent("contact_reminder")] == [
        (OWNER, deal_ids[0])
    ]


async def test_a_timer_due_while_no_bot_ran_fires_once_marked_late(bench: Bench) -> None:
    deal_id = await bench.desk.taken_deal()
    assert (await bench.desk.plan(deal_id, later(60), at=NOW)).ok
    bench.sweeper.started_at = later(180)  # the bot was down from before the contact until now
    assert await bench.sweep_at(later(180)) >= 1
    [reminder] = await bench.sent("contact_reminder")
    assert reminder[0] == OWNER and reminder[2]["late"] is True
    [timer] = [t for t in await bench.timers(deal_id) if t.kind == timer_kinds.NEXT_CONTACT]
    assert (timer.state, timer.late, timer.fired_at) == ("fired", True, later(180))
    await bench.sweep_at(later(181))
    assert len(await bench.sent("contact_reminder")) == 1


async def test_a_contact_reminds_the_owner_then_alerts_overdue_then_escalates_once_each(bench: Bench) -> None:
    deal_id = await bench.desk.taken_deal()
    assert (await bench.desk.plan(deal_id, later(60), at=NOW)).ok
    await bench.sweep_at(later(59))
    assert await bench.sent("contact_reminder") == []
    await bench.sweep_at(later(60))
    assert [(chat, data["late"]) for chat, _, data in await bench.sent("contact_reminder")] == [
        (OWNER, False)
    ]
    await bench.sweep_at(later(60 + 59))
    assert await bench.sent("contact_overdue") == []
    await bench.sweep_at(later(60 + 60))  # overdue_after = 1h
    assert [chat for chat, _, _ in await bench.sent("contact_overdue")] == [OWNER]
    [breach] = [b for b in await bench.breaches() if b.kind == "contact"]  # ("new" overstayed too)
    assert (breach.kind, breach.deal_id, breach.manager_id, breach.due_at) == (
        "contact",
        deal_id,
        OWNER,
        later(60),
    )
    await bench.sweep_at(later(60 + 240))  # escalate_after = 4h
    escalated = await bench.sent("contact_escalated")
    assert [(chat, data["manager"]) for chat, _, data in escalated] == [(SUPERVISOR, OWNER)]
    await bench.sweep_at(later(60 + 600))
    assert len(await bench.sent("contact_escalated")) == 1 and len(await bench.sent("contact_overdue")) == 1


async def test_a_contact_done_in_time_stops_the_overdue_and_escalation_steps(bench: Bench) -> None:
    deal_id = await bench.desk.taken_deal()
    assert (await bench.desk.plan(deal_id, later(60), at=NOW)).ok
    await bench.sweep_at(later(60))
    done = await bench.desk.run(
        complete_contact, deal_id=deal_id, by=OWNER, result="Договорились о КП", now=later(70)
    )
    assert done.ok and done.deal is not None and done.deal.next_contact_at is None
    assert (await bench.desk.run(complete_contact, deal_id=deal_id, by=OWNER, result="ещё раз",
                                 now=later(71))).error is not None  # fmt: skip
    await bench.sweep_at(later(60 * 24))
    assert await bench.sent("contact_overdue") == [] and await bench.sent("contact_escalated") == []
    chain = [t for t in await bench.timers(deal_id) if t.kind in timer_kinds.CONTACT_CHAIN]
    assert sorted((t.kind, t.state) for t in chain) == [
        (timer_kinds.CONTACT_ESCALATE, "cancelled"),
        (timer_kinds.CONTACT_OVERDUE, "cancelled"),
        (timer_kinds.NEXT_CONTACT, "fired"),
    ]


async def test_a_call_noted_once_the_contact_is_due_counts_as_the_contact(bench: Bench) -> None:
    deal_id = await bench.desk.taken_deal()
    assert (await bench.desk.plan(deal_id, later(60), at=NOW)).ok
    assert (await bench.desk.note(deal_id, "позвонил заранее", at=later(30))).ok  # before it is due: a note
    await bench.sweep_at(later(60))
    assert (await bench.desk.note(deal_id, "Созвонились, ждёт КП", at=later(65))).ok
    await bench.sweep_at(later(60 * 24))
    assert len(await bench.sent("contact_reminder")) == 1
    assert await bench.sent("contact_overdue") == []


async def test_a_lead_not_taken_in_time_alerts_supervisors_and_reminds_its_manager_once(bench: Bench) -> None:
    async with bench.desk.make_uow() as uow:
        await bootstrap_staff(uow, roles={Role.MANAGER: [OWNER], Role.SUPERVISOR: [SUPERVISOR]})
    deal_id = await bench.desk.lead()  # assigned to the manager, not taken
    async with bench.desk.make_uow() as uow:
        deal = await uow.deals.get(deal_id)
    assert deal is not None and deal.manager_id is not None and deal.taken_at is None
    await bench.sweep_at(later(14))
    assert await bench.sent("take_overdue") == []
    await bench.sweep_at(later(15))
    assert [chat for chat, _, _ in await bench.sent("take_overdue")] == [SUPERVISOR]
    assert [chat for chat, _, _ in await bench.sent("take_reminder")] == [deal.manager_id]
    # The "new" stage's own deadline ran out at the same moment: recorded, not announced twice.
    assert await bench.sent("stage_overdue") == []
    assert sorted(b.kind for b in await bench.breaches()) == ["stage", "take"]
    await bench.sweep_at(later(120))
    assert len(await bench.sent("take_overdue")) == 1 and len(await bench.sent("take_reminder")) == 1
    # Taken at last: the breach says how late.
    async with bench.desk.make_uow() as uow:
        await take_deal(uow, deal_id=deal_id, staff=await uow.staff.get(deal.manager_id), now=later(130))
    take = [b for b in await bench.breaches() if b.kind == "take"]
    assert [(b.due_at, b.resolved_at) for b in take] == [(later(15), later(130))]


async def test_a_stage_deadline_alerts_owner_and_supervisors_once_per_visit(bench: Bench) -> None:
    deal_id = await bench.desk.taken_deal()
    assert (await bench.desk.move(deal_id, "qualified", at=later(5))).ok  # "new" left in time
    await bench.sweep_at(later(60))
    assert await bench.sent("stage_overdue") == []
    await bench.sweep_at(later(5 + 24 * 60))  # qualified: sla 1d
    alerts = await bench.sent("stage_overdue")
    assert sorted(chat for chat, _, _ in alerts) == sorted([OWNER, SUPERVISOR])
    assert {data["stage"] for _, _, data in alerts} == {"qualified"}
    await bench.sweep_at(later(5 * 24 * 60))
    assert len(await bench.sent("stage_overdue")) == 2
    [breach] = [b for b in await bench.breaches() if b.kind == "stage"]
    assert (breach.stage, breach.manager_id, breach.resolved_at) == ("qualified", OWNER, None)
    assert (await bench.desk.move(deal_id, "proposal", amount=100_000, at=later(6 * 24 * 60))).ok
    [breach] = [b for b in await bench.breaches() if b.kind == "stage"]
    assert breach.resolved_at == later(6 * 24 * 60)


async def test_a_deadline_counts_working_time_only(
    crm_config: CrmConfig, make_uow: Any, engine: AsyncEngine
) -> None:
    """Moscow, Mon-Fri 09:00-18:00: a lead at 17:55 on Friday 27.11 must be taken by 09:10 on Monday."""
    friday_1755 = datetime.fromisoformat("2026-11-27T14:55:00+00:00")
    desk = Desk(make_uow, crm_config, engine)
    async with make_uow() as uow:
        await bootstrap_staff(uow, roles={Role.MANAGER: [OWNER], Role.SUPERVISOR: [SUPERVISOR]})
        result = await submit_lead(
            uow, desk.config, prospect=Prospect(500, 500, "Анна", None, "ru"),
            answers={"need": "Сайт", "budget": "large", "timing": "now", "phone": "+79161234567"},
            source=None, now=friday_1755,
        )  # fmt: skip
    monday_0910 = datetime.fromisoformat("2026-11-30T06:10:00+00:00")
    assert result.reply_due == monday_0910
    bench = Bench(desk, Clock(NOW), sweeper_for(engine, crm_config, Clock(NOW)), engine)
    timers = {t.kind: t.due_at for t in await bench.timers(result.deal_id)}
    assert timers == {timer_kinds.TAKE_SLA: monday_0910, timer_kinds.STAGE_SLA: monday_0910}


@pytest.mark.parametrize(("outcome", "pipeline"), [("won", "repeat"), ("lost", "rewarm")])
async def test_a_sleeping_client_comes_back_as_a_new_deal_when_their_contact_falls_due(
    bench: Bench, outcome: str, pipeline: str
) -> None:
    deal_id = await bench.desk.taken_deal()
    assert (await bench.desk.move(deal_id, "qualified", at=later(1))).ok
    closed = (
        await bench.desk.win(deal_id, 90_000, at=later(2))
        if outcome == "won"
        else await bench.desk.lose(deal_id, "postponed", at=later(2))
    )
    assert closed.ok
    call_at = later(90 * 24 * 60)
    assert (await bench.desk.plan(deal_id, call_at, at=later(3))).ok
    await bench.sweep_at(call_at)
    [(chat, _, data)] = await bench.sent("contact_reminder")
    new_id = data["deal_id"]
    assert (chat, data["woken_from"]) == (OWNER, deal_id) and new_id != deal_id
    async with bench.desk.make_uow() as uow:
        new, old = await uow.deals.get(new_id), await uow.deals.get(deal_id)
        mine = await uow.deals.open_deals(manager_id=OWNER)
    assert new is not None and old is not None
    assert (new.pipeline, new.stage, new.manager_id, new.next_contact_at) == (pipeline, "new", OWNER, call_at)
    assert new.taken_at == call_at and old.next_contact_at is None
    assert [d.id for d in mine] == [new_id]  # in the manager's list again
    # The new deal's contact has its overdue step like any other.
    await bench.sweep_at(call_at + timedelta(hours=1))
    assert [data["deal_id"] for _, _, data in await bench.sent("contact_overdue")] == [new_id]


async def test_the_digest_is_planned_once_and_sent_to_each_supervisor_once(bench: Bench) -> None:
    config = bench.desk.config
    async with bench.desk.make_uow() as uow:
        assert await ensure_digest(uow, config, now=NOW)
    async with bench.desk.make_uow() as uow:
        assert not await ensure_digest(uow, config, now=NOW)  # a second process, or a restart
    digest_at = next_digest_at(config, NOW)
    deal_id = await bench.desk.taken_deal()
    await bench.desk.lead()  # the same prospect again: appended, not a new lead
    assert (await bench.desk.move(deal_id, "qualified", at=later(1))).ok
    assert (await bench.desk.win(deal_id, 250_000, at=later(2))).ok
    await bench.sweep_at(digest_at - timedelta(seconds=1))
    assert await bench.sent("digest") == []
    await bench.sweep_at(digest_at)
    [(chat, _, data)] = await bench.sent("digest")
    assert chat == SUPERVISOR
    assert (data["new"]["count"], data["won"]["count"], data["won_amount"]) == (1, 1, 250_000)
    assert data["won"]["cases"] == [[deal_id, 250_000]]
    next_one = [t for t in await bench.timers() if t.kind == timer_kinds.DIGEST and t.state == "pending"]
    assert [t.due_at for t in next_one] == [next_digest_at(config, digest_at)]
    await bench.sweep_at(digest_at + timedelta(hours=1))
    assert len(await bench.sent("digest")) == 1


async def test_a_timer_that_fails_to_fire_is_put_off_and_does_not_block_the_rest(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: Any, **_kwargs: Any) -> str:
        raise RuntimeError("a bug in one firing")

    monkeypatch.setitem(timer_firing.FIRINGS, "test_broken", broken)
    deal_id = await bench.desk.taken_deal()
    assert (await bench.desk.plan(deal_id, later(10), at=NOW)).ok
    async with bench.desk.make_uow() as uow:
        await uow.timers.add(Timer("test_broken", 1, later(5)))
        await uow.commit()
    await bench.sweep_at(later(10))
    assert len(await bench.sent("contact_reminder")) == 1  # the good one fired all the same
    [bad] = [t for t in await bench.timers() if t.kind == "test_broken"]
    assert (bad.state, bad.attempts, bad.due_at) == ("pending", 1, later(5))  # what it is about stays
    assert bad.retry_at is not None and bad.retry_at > later(10)
    assert "a bug in one firing" in (bad.error or "")


async def test_a_reminder_whose_firing_failed_once_is_sent_when_tried_again(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database blip while firing: the reminder goes out on the next try, about the same contact."""
    real = timer_firing.FIRINGS[timer_kinds.NEXT_CONTACT]
    failures = [RuntimeError("database is locked")]

    async def flaky(*args: Any, **kwargs: Any) -> str:
        if failures:
            raise failures.pop()
        return await real(*args, **kwargs)

    monkeypatch.setitem(timer_firing.FIRINGS, timer_kinds.NEXT_CONTACT, flaky)
    deal_id = await bench.desk.taken_deal()
    assert (await bench.desk.plan(deal_id, later(60), at=NOW)).ok
    await bench.sweep_at(later(60))
    assert await bench.sent("contact_reminder") == []
    await bench.sweep_at(later(61))  # the first retry waits 30 s, then 60 s ...
    [(chat, _, data)] = await bench.sent("contact_reminder")
    assert (chat, data["deal_id"], data["due"]) == (OWNER, deal_id, later(60).isoformat())
    await bench.sweep_at(later(120))  # its overdue step counts from when the reminder went out
    assert await bench.sent("contact_overdue") == []
    await bench.sweep_at(later(121))
    assert [chat for chat, _, _ in await bench.sent("contact_overdue")] == [OWNER]


async def test_a_person_who_blocked_the_bot_is_reported_once_until_they_come_back(bench: Bench) -> None:
    await bench.desk.taken_deal()
    for _ in range(2):
        async with bench.desk.make_uow() as uow:
            await note_blocked(uow, OWNER, reason="Forbidden: bot was blocked by the user", now=later(1))
    assert [
        (chat, data["chat_id"], data["staff"]) for chat, _, data in await bench.sent("person_blocked")
    ] == [(SUPERVISOR, OWNER, True)]
    async with bench.desk.make_uow() as uow:
        assert await note_back(uow, OWNER)
    async with bench.desk.make_uow() as uow:
        await note_blocked(uow, OWNER, reason="blocked again", now=later(2))
    assert len(await bench.sent("person_blocked")) == 2
    # A client who blocks it: the supervisors and the manager of their deal hear it.
    async with bench.desk.make_uow() as uow:
        assert await note_blocked(uow, 500, reason="blocked", now=later(3))
    client = [(chat, data.get("deal_id")) for chat, _, data in (await bench.sent("person_blocked"))[2:]]
    assert sorted(client) == sorted([(SUPERVISOR, 1), (OWNER, 1)])
    assert COLLEAGUE not in {chat for chat, _ in client}
    async with session_factory(bench.engine)() as session:
        assert (await session.get(DealRow, 1)) is not None


async def test_a_reminder_about_a_contact_done_or_moved_since_changes_nothing(bench: Bench) -> None:
    deal_id = await bench.desk.taken_deal()
    assert (await bench.desk.plan(deal_id, later(60), at=NOW)).ok
    await bench.sweep_at(later(60))
    next_week = later(7 * 24 * 60)
    assert (await bench.desk.plan(deal_id, next_week, at=later(61))).ok  # moved from the card
    # The old reminder's buttons name 12:00's contact: neither completes nor moves next week's.
    done = await bench.desk.run(
        complete_contact, deal_id=deal_id, by=OWNER, result="созвонились", planned=later(60), now=later(62)
    )
    assert done.error is DealError.CONTACT_CHANGED
    later_by_an_hour = await bench.desk.run(
        plan_next_contact, deal_id=deal_id, by=OWNER, version=None, at=later(122), planned=later(60),
        now=later(62),
    )  # fmt: skip
    assert later_by_an_hour.error is DealError.CONTACT_CHANGED
    async with bench.desk.make_uow() as uow:
        deal = await uow.deals.get(deal_id)
    assert deal is not None and deal.next_contact_at == next_week
    await bench.sweep_at(next_week)
    assert [data["due"] for _, _, data in await bench.sent("contact_reminder")] == [
        later(60).isoformat(),
        next_week.isoformat(),
    ]


async def test_rewarming_a_lost_client_replaces_a_come_back_planned_on_the_lost_deal(bench: Bench) -> None:
    deal_id = await bench.desk.taken_deal()
    assert (await bench.desk.lose(deal_id, "postponed", at=later(1))).ok
    assert (await bench.desk.plan(deal_id, later(30 * 24 * 60), at=later(2))).ok
    rewarmed = await bench.desk.rewarm(deal_id, later(60 * 24 * 60), at=later(3))
    assert rewarmed.ok
    await bench.sweep_at(later(30 * 24 * 60))
    assert await bench.sent("contact_reminder") == []  # the come-back went with the rewarm
    await bench.sweep_at(later(60 * 24 * 60))
    [(_, _, data)] = await bench.sent("contact_reminder")
    assert data["deal_id"] == rewarmed.extra["new_deal_id"] and "woken_from" not in data


async def test_a_client_who_came_back_by_themselves_is_pointed_to_their_open_deal(bench: Bench) -> None:
    deal_id = await bench.desk.taken_deal()
    assert (await bench.desk.lose(deal_id, "postponed", at=later(1))).ok
    assert (await bench.desk.plan(deal_id, later(24 * 60), at=later(2))).ok
    async with bench.desk.make_uow() as uow:  # the client leaves a new request meanwhile
        again = await submit_lead(
            uow, bench.desk.config, prospect=Prospect(500, 500, "Анна", None, "ru"),
            answers={"need": "Снова сайт", "budget": "large", "timing": "now", "phone": "+79161234567"},
            source=None, now=later(60),
        )  # fmt: skip
    await bench.sweep_at(later(24 * 60))
    [(chat, _, data)] = await bench.sent("contact_reminder")
    assert (chat, data["deal_id"], data["woken_from"], data.get("has_deal")) == (
        OWNER,
        again.deal_id,
        deal_id,
        True,
    )
    async with bench.desk.make_uow() as uow:
        deals = await uow.deals.for_contact(again.contact_id)
        new = await uow.deals.get(again.deal_id)
    assert len(deals) == 2  # no third deal
    assert new is not None and new.next_contact_at is None  # its own plan is untouched
    assert [t for t in await bench.timers(again.deal_id) if t.kind in timer_kinds.CONTACT_CHAIN] == []


async def test_changing_digest_at_moves_the_planned_digest_and_back_again(bench: Bench) -> None:
    def at(clock: str) -> CrmConfig:
        reminders = bench.desk.config.reminders.model_copy(update={"digest_at": clock})
        return bench.desk.config.model_copy(update={"reminders": reminders})

    for clock in ("15:00", "16:00", "15:00"):  # restarts with a changed config, the same day
        async with bench.desk.make_uow() as uow:
            await ensure_digest(uow, at(clock), now=NOW)
        pending = [t for t in await bench.timers() if t.kind == timer_kinds.DIGEST and t.state == "pending"]
        assert [t.due_at for t in pending] == [next_digest_at(at(clock), NOW)], clock


async def test_a_stage_overstayed_before_the_lead_was_taken_is_announced_once_it_is_in_work(
    bench: Bench, config: CrmConfig
) -> None:
    """take_sla 1h, the first stage's sla 15m: at 15m nobody has taken it (recorded, not said); taken at
    30m and still in the stage at 1h, the owner and the supervisors hear it then, once."""
    intake = config.intake.model_copy(update={"take_sla": timedelta(hours=1)})
    bench.desk.config = config.model_copy(update={"intake": intake})
    bench.sweeper = sweeper_for(bench.engine, bench.desk.config, bench.clock)
    bench.sweeper.started_at = NOW
    async with bench.desk.make_uow() as uow:
        await bootstrap_staff(uow, roles={Role.MANAGER: [OWNER], Role.SUPERVISOR: [SUPERVISOR]})
    deal_id = await bench.desk.lead()
    await bench.sweep_at(later(15))
    assert await bench.sent("stage_overdue") == [] and len(await bench.breaches()) == 1
    async with bench.desk.make_uow() as uow:
        await take_deal(uow, deal_id=deal_id, staff=await uow.staff.get(OWNER), now=later(30))
    await bench.sweep_at(later(60))
    assert sorted(chat for chat, _, _ in await bench.sent("stage_overdue")) == sorted([OWNER, SUPERVISOR])
    await bench.sweep_at(later(600))
    assert len(await bench.sent("stage_overdue")) == 2 and len(await bench.breaches()) == 1


async def test_a_late_lead_handed_to_someone_else_gets_a_fresh_take_deadline(bench: Bench) -> None:
    async with bench.desk.make_uow() as uow:
        await bootstrap_staff(uow, roles={Role.MANAGER: [OWNER, COLLEAGUE], Role.SUPERVISOR: [SUPERVISOR]})
    deal_id = await bench.desk.lead()
    await bench.sweep_at(later(15))
    assert len(await bench.sent("take_overdue")) == 1
    async with bench.desk.make_uow() as uow:
        owner = (await uow.deals.get(deal_id)).manager_id  # type: ignore[union-attr]
    other = COLLEAGUE if owner == OWNER else OWNER
    assert (await bench.desk.give(deal_id, other, "", by=SUPERVISOR, at=later(20))).ok  # no reason needed
    await bench.sweep_at(later(35))  # 15 minutes more, and the new manager has not taken it either
    alerts = await bench.sent("take_overdue")
    assert [data["manager"] for _, _, data in alerts] == [owner, other]
    assert [chat for chat, _, _ in await bench.sent("take_reminder")] == [owner, other]


async def test_a_manager_who_blocked_the_bot_gets_no_new_leads_until_they_come_back(bench: Bench) -> None:
    async with bench.desk.make_uow() as uow:
        await bootstrap_staff(uow, roles={Role.MANAGER: [OWNER], Role.SUPERVISOR: [SUPERVISOR]})
    async with bench.desk.make_uow() as uow:
        await note_blocked(uow, OWNER, reason="Forbidden: bot was blocked by the user", now=NOW)
    first = await bench.desk.lead()
    async with bench.desk.make_uow() as uow:
        deal = await uow.deals.get(first)
        assert deal is not None and deal.manager_id is None  # unsorted: the supervisors hear of it
        assert await note_back(uow, OWNER)
    async with bench.desk.make_uow() as uow:
        again = await submit_lead(
            uow, bench.desk.config, prospect=Prospect(501, 501, "Борис", None, "ru"),
            answers={"need": "Сайт", "budget": "large", "timing": "now", "phone": "+79161234568"},
            source=None, now=later(1),
        )  # fmt: skip
        deal = await uow.deals.get(again.deal_id)
    assert deal is not None and deal.manager_id == OWNER


async def test_moving_an_overdue_contact_is_not_making_it(bench: Bench) -> None:
    deal_id = await bench.desk.taken_deal()
    assert (await bench.desk.plan(deal_id, later(60), at=NOW)).ok
    await bench.sweep_at(later(60))
    await bench.sweep_at(later(120))  # overdue: a breach
    assert (await bench.desk.plan(deal_id, later(24 * 60), at=later(130))).ok  # "tomorrow"
    [breach] = [b for b in await bench.breaches() if b.kind == "contact"]
    assert breach.resolved_at is None
    done = await bench.desk.run(
        complete_contact, deal_id=deal_id, by=OWNER, result="дозвонился", now=later(200)
    )
    assert done.ok
    [breach] = [b for b in await bench.breaches() if b.kind == "contact"]
    assert breach.resolved_at == later(200)


async def test_a_come_back_due_with_the_open_deal_s_own_contact_reminds_once_about_the_open_deal(
    bench: Bench,
) -> None:
    deal_id = await bench.desk.taken_deal()
    assert (await bench.desk.lose(deal_id, "postponed", at=later(1))).ok
    assert (await bench.desk.plan(deal_id, later(24 * 60), at=later(2))).ok
    async with bench.desk.make_uow() as uow:  # the client comes back by themselves; it is worked
        again = await submit_lead(
            uow, bench.desk.config, prospect=Prospect(500, 500, "Анна", None, "ru"),
            answers={"need": "Снова сайт", "budget": "large", "timing": "now", "phone": "+79161234567"},
            source=None, now=later(60),
        )  # fmt: skip
    async with bench.desk.make_uow() as uow:
        await take_deal(uow, deal_id=again.deal_id, staff=await uow.staff.get(OWNER), now=later(61))
    assert (await bench.desk.plan(again.deal_id, later(24 * 60), at=later(62))).ok  # the same moment
    await bench.sweep_at(later(24 * 60))
    notices = [data for _, _, data in await bench.sent("contact_reminder")]
    assert sorted(bool(n.get("has_deal")) for n in notices) == [False, True]  # one reminder, one pointer
    await bench.sweep_at(later(24 * 60 + 60))
    assert len(await bench.sent("contact_overdue")) == 1  # one overdue step, for the open deal's contact


async def test_nobody_is_called_late_while_telegram_still_holds_their_reminder(bench: Bench) -> None:
    deal_id = await bench.desk.taken_deal()
    assert (await bench.desk.plan(deal_id, later(60), at=NOW)).ok
    bench.telegram_up = False  # Telegram is away: the reminder waits in the outbox
    await bench.sweep_at(later(60))
    await bench.sweep_at(later(120))
    await bench.sweep_at(later(300))
    assert await bench.sent("contact_overdue") == [] and await bench.sent("contact_escalated") == []
    assert [b for b in await bench.breaches() if b.kind == "contact"] == []
    bench.telegram_up = True  # it is back: the reminder goes, and the steps come a minute later
    await bench.sweep_at(later(301))
    assert [chat for chat, _, _ in await bench.sent("contact_overdue")] == [OWNER]
    assert [chat for chat, _, _ in await bench.sent("contact_escalated")] == [SUPERVISOR]


async def test_a_deal_handed_over_after_its_reminder_gives_the_new_owner_the_full_time(bench: Bench) -> None:
    deal_id = await bench.desk.taken_deal()
    assert (await bench.desk.plan(deal_id, later(60), at=NOW)).ok
    await bench.sweep_at(later(60))
    assert (await bench.desk.give(deal_id, COLLEAGUE, "в отпуске", by=SUPERVISOR, at=later(110))).ok
    await bench.sweep_at(later(120))  # an hour after the reminder, only ten minutes after the hand-over
    assert await bench.sent("contact_overdue") == []
    await bench.sweep_at(later(170))
    assert [chat for chat, _, _ in await bench.sent("contact_overdue")] == [COLLEAGUE]
    [breach] = [b for b in await bench.breaches() if b.kind == "contact"]
    assert breach.manager_id == COLLEAGUE


async def test_a_test_deals_deadlines_reach_its_maker_whatever_their_role_and_nobody_else(
    bench: Bench,
) -> None:
    """An admin's /preview: the take-into-work reminder and the stage deadline reach the admin who made
    it (no manager), and no supervisor or manager hears of it."""
    admin = 301
    async with bench.desk.make_uow() as uow:
        await bootstrap_staff(
            uow, roles={Role.ADMIN: [admin], Role.MANAGER: [OWNER], Role.SUPERVISOR: [SUPERVISOR]}
        )
    async with bench.desk.make_uow() as uow:
        made = await submit_lead(
            uow, bench.desk.config, prospect=Prospect(admin, admin, "Анна", None, "ru"), answers=ANSWERS,
            source=None, now=NOW, test_of=admin,
        )  # fmt: skip
    deal_id = made.deal_id
    await bench.sweep_at(later(15))  # the take deadline and the "new" stage's, at once
    assert [(chat, data["deal_id"]) for chat, _, data in await bench.sent("take_reminder")] == [
        (admin, deal_id)
    ]
    assert await bench.sent("take_overdue") == [] and await bench.sent("stage_overdue") == []
    async with bench.desk.make_uow() as uow:
        await take_deal(uow, deal_id=deal_id, staff=await uow.staff.get(admin), now=later(20))
    assert (await bench.desk.move(deal_id, "qualified", at=later(25), by=admin)).ok
    await bench.sweep_at(later(25 + 24 * 60))  # qualified: sla 1d
    assert [chat for chat, _, _ in await bench.sent("stage_overdue")] == [admin]
    assert {chat for chat, _, _ in await bench.sent()} <= {admin}
