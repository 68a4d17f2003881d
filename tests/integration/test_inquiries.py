"""Inquiries on SQLite and PostgreSQL: the repository (an answer's progress is one statement), the timer
that turns a left questionnaire into a lead once, and where a questionnaire finished later goes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.scheduler import TimerScheduler
from domain import timer_kinds
from domain.crm_config import CrmConfig
from domain.inquiries import end_inquiry, note_progress, open_inquiry
from domain.intake import IntakeOutcome, Prospect, submit_lead
from domain.models import DealStatus, EventKind, InquiryState, Role
from domain.ports import ConcurrentChange
from domain.staff_accounts import bootstrap_staff
from storage.engine import create_engine, session_factory
from storage.tables import DealEventRow, OutboxRow, TimerRow
from storage.timer_repository import TimerQueue
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import FIXED_NOW

NOW = FIXED_NOW
LEFT = timedelta(minutes=30)  # the shipped `intake.abandoned_after`
THREE = timedelta(minutes=3)
MANAGER, PERSON = 101, 500
ANNA = Prospect(PERSON, PERSON, "Анна", "anna", "ru")
EVERYTHING = {"need": "Сайт", "budget": "large", "timing": "now", "phone": "+79161234567"}
MakeUow = Callable[[], SqlUnitOfWork]


@pytest.fixture
def config(crm_config: CrmConfig) -> CrmConfig:
    hours = crm_config.business_hours.model_copy(update={"always": True})
    return crm_config.model_copy(update={"business_hours": hours})


@pytest.fixture
async def team(make_uow: MakeUow) -> None:
    async with make_uow() as uow:
        await bootstrap_staff(uow, roles={Role.MANAGER: [MANAGER]})
        await uow.commit()


def sweeper(engine: AsyncEngine, config: CrmConfig, at: Any) -> TimerScheduler:
    class Clock:
        def now(self) -> Any:
            return at

    sessions = session_factory(engine)
    scheduler = TimerScheduler(
        queue=TimerQueue(sessions), make_uow=lambda: SqlUnitOfWork(sessions), config=config, clock=Clock(),
        tick_s=15,
    )  # fmt: skip
    scheduler.started_at = NOW
    return scheduler


async def begun(make_uow: MakeUow, config: CrmConfig, answers: dict[str, str] | None = None) -> int:
    async with make_uow() as uow:
        inquiry = await open_inquiry(
            uow, config, ANNA, source="vk", first_message=None, now=NOW, answers=answers
        )
        await uow.commit()
    assert inquiry.id is not None
    return inquiry.id


async def rows(engine: AsyncEngine, table: Any) -> list[Any]:
    async with session_factory(engine)() as session:
        return list(await session.scalars(select(table).order_by(table.id)))


async def test_an_answer_moves_the_inquiry_on_with_one_statement_and_leaves_its_state(
    make_uow: MakeUow, config: CrmConfig, engine: AsyncEngine
) -> None:
    inquiry_id = await begun(make_uow, config)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        statements.append(sql.lstrip().split(None, 1)[0].upper())

    async with make_uow() as uow:
        event.listen(engine.sync_engine, "before_cursor_execute", seen)
        try:
            await note_progress(
                uow, inquiry_id, step=1, answers={"need": "Сайт"}, now=NOW + timedelta(minutes=3)
            )
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", seen)
        await uow.commit()
    assert statements == ["UPDATE"]
    async with make_uow() as uow:
        stored = await uow.inquiries.get(inquiry_id)
    assert stored is not None
    assert (stored.state, stored.step, stored.answers) == (InquiryState.OPEN, 1, {"need": "Сайт"})
    assert (stored.started_at, stored.updated_at) == (NOW, NOW + THREE)
    assert (stored.source, stored.name, stored.username, stored.locale) == ("vk", "Анна", "anna", "ru")


async def test_a_left_questionnaire_becomes_a_lead_once_however_many_processes_fire_its_timer(
    make_uow: MakeUow, config: CrmConfig, engine: AsyncEngine, database_url: str, team: None
) -> None:
    inquiry_id = await begun(make_uow, config, {"need": "Сайт"})
    [timer] = await rows(engine, TimerRow)
    assert (timer.kind, timer.subject_id, timer.due_at) == (timer_kinds.INQUIRY_IDLE, inquiry_id, NOW + LEFT)
    other_engine = create_engine(database_url)
    try:
        at = NOW + LEFT + timedelta(seconds=1)
        fired = await asyncio.gather(
            sweeper(engine, config, at).sweep(), sweeper(other_engine, config, at).sweep()
        )
    finally:
        await other_engine.dispose()
    assert sum(fired) == 1
    async with make_uow() as uow:
        inquiry = await uow.inquiries.get(inquiry_id)
        assert inquiry is not None and inquiry.deal_id is not None
        deal = await uow.deals.get(inquiry.deal_id)
    assert deal is not None and deal.manager_id == MANAGER and deal.answers == {"need": "Сайт"}
    assert (inquiry.state, inquiry.updated_at, inquiry.ended_at) == (InquiryState.ABANDONED, NOW, at)
    created = [e for e in await rows(engine, DealEventRow) if e.kind == EventKind.CREATED]
    assert len(created) == 1 and created[0].data["unfinished"] is True
    kinds = [r.kind for r in await rows(engine, OutboxRow)]
    assert kinds == ["new_lead"]  # the manager; the person, who has not finished, gets no confirmation
    await sweeper(engine, config, NOW + 10 * LEFT).sweep()  # the lead's own deadlines; nothing more
    assert len([e for e in await rows(engine, DealEventRow) if e.kind == EventKind.CREATED]) == 1
    idle = [
        (t.state, t.subject_id) for t in await rows(engine, TimerRow) if t.kind == timer_kinds.INQUIRY_IDLE
    ]
    assert idle == [("fired", inquiry_id)]


async def test_finishing_after_the_unfinished_lead_was_closed_routes_anew(
    make_uow: MakeUow, config: CrmConfig, engine: AsyncEngine, team: None
) -> None:
    inquiry_id = await begun(make_uow, config, {"need": "Сайт"})
    assert await sweeper(engine, config, NOW + LEFT).sweep() == 1
    async with make_uow() as uow:
        inquiry = await uow.inquiries.get(inquiry_id)
        assert inquiry is not None and inquiry.deal_id is not None
        first = await uow.deals.get(inquiry.deal_id)
        assert first is not None
        first.status, first.closed_at, first.loss_reason = DealStatus.LOST, NOW + LEFT, "expensive"
        await uow.deals.save(first)
        await uow.commit()
    async with make_uow() as uow:
        inquiry = await uow.inquiries.get(inquiry_id)
        assert inquiry is not None
        result = await submit_lead(
            uow, config, prospect=ANNA, answers=EVERYTHING, source="vk", now=NOW + 2 * LEFT, inquiry=inquiry
        )
    assert result.outcome is IntakeOutcome.ASSIGNED and result.deal_id != first.id
    async with make_uow() as uow:
        second = await uow.deals.get(result.deal_id)
        finished = await uow.inquiries.get(inquiry_id)
    assert second is not None and second.pipeline == "rewarm"  # a client who refused before
    assert finished is not None and (finished.state, finished.deal_id) == (InquiryState.FINISHED, second.id)
    kinds = [e.kind for e in await rows(engine, DealEventRow)]
    assert EventKind.QUESTIONNAIRE_FINISHED not in kinds


async def test_a_left_questionnaire_of_a_client_with_an_open_deal_joins_it_and_finishing_does_not_rewrite_it(
    make_uow: MakeUow, config: CrmConfig, engine: AsyncEngine, team: None
) -> None:
    async with make_uow() as uow:
        earlier = await submit_lead(uow, config, prospect=ANNA, answers=EVERYTHING, source=None, now=NOW)
    inquiry_id = await begun(make_uow, config, {"need": "Ещё и логотип"})
    await sweeper(engine, config, NOW + LEFT).sweep()
    async with make_uow() as uow:
        inquiry = await uow.inquiries.get(inquiry_id)
        assert inquiry is not None
        assert (inquiry.state, inquiry.deal_id) == (InquiryState.ABANDONED, earlier.deal_id)
        again = {**EVERYTHING, "need": "Ещё и логотип"}
        result = await submit_lead(
            uow, config, prospect=ANNA, answers=again, source=None, now=NOW + 2 * LEFT, inquiry=inquiry
        )
    assert (result.outcome, result.deal_id) == (IntakeOutcome.APPENDED, earlier.deal_id)
    async with make_uow() as uow:
        deal = await uow.deals.get(earlier.deal_id)
    assert deal is not None and deal.answers == EVERYTHING  # the deal keeps the answers it started with
    events = [(e.kind, e.data) for e in await rows(engine, DealEventRow)]
    repeated = [data for kind, data in events if kind == EventKind.REQUEST_REPEATED]
    assert [bool(data.get("unfinished")) for data in repeated] == [True, False]
    assert EventKind.QUESTIONNAIRE_FINISHED not in [kind for kind, _ in events]
    notices = [(r.kind, bool(r.data.get("unfinished"))) for r in await rows(engine, OutboxRow)]
    assert ("request_repeated", True) in notices


async def test_a_cancel_or_a_restart_ends_an_open_inquiry_and_leaves_an_abandoned_one(
    make_uow: MakeUow, config: CrmConfig, engine: AsyncEngine, team: None
) -> None:
    cancelled_id = await begun(make_uow, config)
    restarted_id = await begun(make_uow, config)
    abandoned_id = await begun(make_uow, config, {"need": "Сайт"})
    async with make_uow() as uow:  # the first two are answered later, so only the third is left
        for inquiry_id in (cancelled_id, restarted_id):
            await note_progress(uow, inquiry_id, step=0, answers={}, now=NOW + timedelta(minutes=10))
        await uow.commit()
    assert await sweeper(engine, config, NOW + LEFT).sweep() == 3
    later = NOW + LEFT + timedelta(minutes=5)
    async with make_uow() as uow:
        ended = [
            await end_inquiry(uow, cancelled_id, InquiryState.CANCELLED, now=later),
            await end_inquiry(uow, restarted_id, InquiryState.RESTARTED, now=later),
            await end_inquiry(uow, abandoned_id, InquiryState.CANCELLED, now=later),
            await end_inquiry(uow, None, InquiryState.CANCELLED, now=later),
        ]
        await uow.commit()
    states = [(i.state, i.ended_at) if i else None for i in ended]
    assert states == [
        (InquiryState.CANCELLED, later),
        (InquiryState.RESTARTED, later),
        (InquiryState.ABANDONED, NOW + LEFT),
        None,
    ]  # fmt: skip
    # Their moved timers fire, and find them ended: no lead.
    assert await sweeper(engine, config, NOW + 2 * LEFT).sweep() >= 2
    async with make_uow() as uow:
        assert [i.id for i in await uow.inquiries.for_deal(1)] == [abandoned_id]
    assert len([e for e in await rows(engine, DealEventRow) if e.kind == EventKind.CREATED]) == 1


async def test_starting_over_after_the_lead_was_made_and_finishing_completes_that_lead(
    make_uow: MakeUow, config: CrmConfig, engine: AsyncEngine, team: None
) -> None:
    left_id = await begun(make_uow, config, {"need": "Сайт"})
    await sweeper(engine, config, NOW + LEFT).sweep()
    async with make_uow() as uow:  # /start again: the left inquiry stays as it is, a new one begins
        assert (await end_inquiry(uow, left_id, InquiryState.RESTARTED, now=NOW + 2 * LEFT)) is not None
        fresh = await open_inquiry(uow, config, ANNA, source="vk", first_message=None, now=NOW + 2 * LEFT)
        await uow.commit()
    async with make_uow() as uow:
        result = await submit_lead(
            uow, config, prospect=ANNA, answers=EVERYTHING, source="vk", now=NOW + 3 * LEFT, inquiry=fresh
        )
    assert result.outcome is IntakeOutcome.COMPLETED and fresh.id is not None
    async with make_uow() as uow:
        left, finished = await uow.inquiries.get(left_id), await uow.inquiries.get(fresh.id)
        deal = await uow.deals.get(result.deal_id)
    assert left is not None and finished is not None and deal is not None
    assert (left.state, finished.state) == (InquiryState.ABANDONED, InquiryState.FINISHED)
    assert left.deal_id == finished.deal_id == deal.id and deal.answers == EVERYTHING
    assert deal.temperature.value == "hot"
    notices = [(r.chat_id, r.kind) for r in await rows(engine, OutboxRow)]
    assert (MANAGER, "questionnaire_finished") in notices and (PERSON, "request_received") in notices
    # Finishing again later is an ordinary repeated request: the deal was completed once.
    async with make_uow() as uow:
        again = await submit_lead(
            uow, config, prospect=ANNA, answers=EVERYTHING, source=None, now=NOW + 4 * LEFT
        )
    assert (again.outcome, again.deal_id) == (IntakeOutcome.APPENDED, deal.id)


async def test_a_finish_that_read_the_inquiry_before_its_timer_made_it_a_lead_is_rolled_back_whole(
    make_uow: MakeUow, config: CrmConfig, engine: AsyncEngine, team: None
) -> None:
    """The timer and the person's last answer at the same moment: the finish read the inquiry open, the
    timer then made it a lead. The finish must not make a second deal: it fails, nothing of it stays,
    and its next try (the inbox tries an update again) completes the timer's lead."""
    inquiry_id = await begun(make_uow, config, {"need": "Сайт"})
    async with make_uow() as uow:
        stale = await uow.inquiries.get(inquiry_id)  # read by the finish, still open
    assert stale is not None and stale.state is InquiryState.OPEN
    assert await sweeper(engine, config, NOW + LEFT + timedelta(seconds=1)).sweep() == 1
    at = NOW + LEFT + timedelta(seconds=2)
    with pytest.raises(ConcurrentChange):
        async with make_uow() as uow:
            await submit_lead(uow, config, prospect=ANNA, answers=EVERYTHING, source=None, now=at,
                              inquiry=stale)  # fmt: skip
    async with make_uow() as uow:
        person = await uow.contacts.by_telegram_id(PERSON)
        assert person is not None and person.id is not None
        assert len(await uow.deals.for_contact(person.id)) == 1
        fresh = await uow.inquiries.get(inquiry_id)
        assert fresh is not None and fresh.state is InquiryState.ABANDONED
        result = await submit_lead(uow, config, prospect=ANNA, answers=EVERYTHING, source=None, now=at,
                                   inquiry=fresh)  # fmt: skip
    assert result.outcome is IntakeOutcome.COMPLETED and result.deal_id == fresh.deal_id
    async with make_uow() as uow:
        done = await uow.inquiries.get(inquiry_id)
    assert done is not None and done.state is InquiryState.FINISHED
