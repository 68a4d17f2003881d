"""The intake use case over real repositories, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.crm_config import CrmConfig
from domain.intake import IntakeOutcome, Prospect, submit_lead
from domain.models import ContactStatus, DealStatus, EventKind, Role, Staff, Temperature
from domain.staff_accounts import bootstrap_staff
from domain.web_intake import WebLead, submit_web_lead
from storage.tables import OutboxRow, TimerRow
from storage.unit_of_work import SqlUnitOfWork

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wednesday 11:00 Moscow
ANSWERS = {"need": "Сайт для кофейни", "budget": "large", "timing": "now", "phone": "+79161234567"}

MakeUow = Callable[[], SqlUnitOfWork]


def prospect(telegram_id: int = 500, name: str = "Анна", *, verified: bool = True) -> Prospect:
    return Prospect(
        telegram_id=telegram_id,
        chat_id=telegram_id,
        name=name,
        username="anna",
        locale="ru",
        phone_verified=verified,
    )


async def staff_with(make_uow: MakeUow, **roles: list[int]) -> None:
    async with make_uow() as uow:
        await bootstrap_staff(uow, roles={Role(name): ids for name, ids in roles.items()})


async def submit(make_uow: MakeUow, config: CrmConfig, *, who: Prospect | None = None, answers=None, now=NOW):  # type: ignore[no-untyped-def]
    async with make_uow() as uow:
        return await submit_lead(
            uow,
            config,
            prospect=who or prospect(),
            answers=dict(answers or ANSWERS),
            source="instagram",
            now=now,
        )


async def outbox(engine: AsyncEngine) -> list[tuple[int, str]]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(OutboxRow.chat_id, OutboxRow.kind).order_by(OutboxRow.id))
        return [(int(chat), kind) for chat, kind in rows]


async def confirmation(engine: AsyncEngine) -> dict[str, Any]:
    """The data of the latest confirmation queued for the person."""
    async with engine.connect() as connection:
        data = await connection.scalar(
            select(OutboxRow.data).where(OutboxRow.kind == "request_received").order_by(OutboxRow.id.desc())
        )
    assert data is not None, "no confirmation queued"
    return dict(data)


async def test_a_new_lead_is_a_hot_deal_in_sales_assigned_to_a_manager(
    make_uow: MakeUow, engine: AsyncEngine, crm_config: CrmConfig
) -> None:
    await staff_with(make_uow, manager=[101])
    result = await submit(make_uow, crm_config)
    assert result.outcome is IntakeOutcome.ASSIGNED
    assert result.reply_due == NOW + timedelta(minutes=15)
    async with make_uow() as uow:
        deal = await uow.deals.get(result.deal_id)
        assert deal is not None
        assert (deal.pipeline, deal.stage, deal.status) == ("sales", "new", DealStatus.OPEN)
        assert (deal.manager_id, deal.source, deal.temperature) == (101, "instagram", Temperature.HOT)
        assert deal.answers == ANSWERS
        kinds = [e.kind for e in await uow.events.for_deal(result.deal_id)]
        assert kinds == [EventKind.CREATED, EventKind.ASSIGNED]
        contact = await uow.contacts.get(result.contact_id)
        assert contact is not None and contact.phone == "+79161234567"
    # The person's confirmation is queued with the lead, in the same commit (sent by the notifier).
    assert await outbox(engine) == [(101, "new_lead"), (500, "request_received")]
    assert await confirmation(engine) == {
        "deal_id": result.deal_id, "outcome": "assigned", "answers": ANSWERS, "at": NOW.isoformat(),
        "reply_due": (NOW + timedelta(minutes=15)).isoformat(),
    }  # fmt: skip
    async with engine.connect() as connection:
        timers = (await connection.execute(select(TimerRow.kind, TimerRow.due_at))).all()
    # Two clocks start: taking it into work, and the "new" stage's own sla (both 15 minutes).
    assert sorted((kind, due.replace(tzinfo=UTC) if due.tzinfo is None else due) for kind, due in timers) == [
        ("stage_sla", NOW + timedelta(minutes=15)),
        ("take_sla", NOW + timedelta(minutes=15)),
    ]


async def test_leads_go_to_the_least_loaded_manager_in_turn(make_uow: MakeUow, crm_config: CrmConfig) -> None:
    await staff_with(make_uow, manager=[101, 102])
    owners: list[int] = []
    for n in range(4):
        result = await submit(
            make_uow, crm_config, who=prospect(600 + n), answers={**ANSWERS, "phone": f"+7916123450{n}"}
        )
        async with make_uow() as uow:
            deal = await uow.deals.get(result.deal_id)
            assert deal is not None and deal.manager_id is not None
            owners.append(deal.manager_id)
    assert sorted(owners[:2]) == [101, 102] and sorted(owners[2:]) == [101, 102]


async def test_with_no_manager_on_duty_the_lead_waits_unsorted_and_supervisors_are_told(
    make_uow: MakeUow, engine: AsyncEngine, crm_config: CrmConfig
) -> None:
    await staff_with(make_uow, supervisor=[201, 202], manager=[101])
    async with make_uow() as uow:
        manager = await uow.staff.get(101)
        assert manager is not None
        manager.on_duty = False
        await uow.staff.save(manager)
        await uow.commit()
    result = await submit(make_uow, crm_config)
    assert result.outcome is IntakeOutcome.UNSORTED
    assert await outbox(engine) == [(201, "unsorted_lead"), (202, "unsorted_lead"), (500, "request_received")]
    async with make_uow() as uow:
        assert await uow.deals.unsorted_count() == 1


async def test_a_second_request_joins_the_open_deal_and_its_manager_is_told(
    make_uow: MakeUow, engine: AsyncEngine, crm_config: CrmConfig
) -> None:
    await staff_with(make_uow, manager=[101])
    first = await submit(make_uow, crm_config)
    second = await submit(make_uow, crm_config, answers={**ANSWERS, "need": "И ещё логотип"})
    assert second.outcome is IntakeOutcome.APPENDED and second.deal_id == first.deal_id
    async with make_uow() as uow:
        assert len(await uow.deals.for_contact(first.contact_id)) == 1
        events = await uow.events.for_deal(first.deal_id)
        assert events[-1].kind is EventKind.REQUEST_REPEATED
        assert events[-1].data["answers"]["need"] == "И ещё логотип"
    assert await outbox(engine) == [
        (101, "new_lead"), (500, "request_received"), (101, "request_repeated"), (500, "request_received")
    ]  # fmt: skip
    assert (await confirmation(engine))["outcome"] == "appended"


async def test_a_typed_phone_never_joins_someone_else_s_contact(
    make_uow: MakeUow, engine: AsyncEngine, crm_config: CrmConfig
) -> None:
    await staff_with(make_uow, manager=[101])
    client = await submit(make_uow, crm_config, who=prospect(500))
    stranger = await submit(make_uow, crm_config, who=prospect(666, "Не Анна", verified=False))
    assert stranger.contact_id != client.contact_id
    assert stranger.outcome is IntakeOutcome.ASSIGNED and stranger.deal_id != client.deal_id
    async with make_uow() as uow:
        contact = await uow.contacts.get(client.contact_id)
        assert contact is not None and (contact.name, contact.telegram_id) == ("Анна", 500)


async def test_the_same_phone_from_another_account_is_the_same_contact(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    first = await submit(make_uow, crm_config, who=prospect(500))
    second = await submit(make_uow, crm_config, who=prospect(777, "Анна (рабочий)"))
    assert second.contact_id == first.contact_id
    assert second.outcome is IntakeOutcome.APPENDED


async def test_a_non_target_lead_is_kept_archived_and_not_assigned(
    make_uow: MakeUow, engine: AsyncEngine, crm_config: CrmConfig
) -> None:
    await staff_with(make_uow, manager=[101])
    result = await submit(make_uow, crm_config, answers={**ANSWERS, "need": "Хочу к вам по вакансии"})
    assert result.outcome is IntakeOutcome.ARCHIVED
    async with make_uow() as uow:
        deal = await uow.deals.get(result.deal_id)
        contact = await uow.contacts.get(result.contact_id)
        assert deal is not None and contact is not None
        assert (deal.status, deal.manager_id, deal.target, deal.loss_reason) == (
            DealStatus.LOST,
            None,
            False,
            "non_target",
        )
        assert contact.status is ContactStatus.ARCHIVED
    assert await outbox(engine) == [(500, "request_received")]  # nobody on the team hears of it
    assert (await confirmation(engine))["outcome"] == "archived"


async def _close(make_uow: MakeUow, deal_id: int, status: DealStatus) -> None:
    async with make_uow() as uow:
        deal = await uow.deals.get(deal_id)
        assert deal is not None
        deal.status, deal.stage = status, status.value
        await uow.deals.save(deal)
        await uow.commit()


async def test_a_client_who_bought_before_comes_back_through_repeat(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    first = await submit(make_uow, crm_config)
    await _close(make_uow, first.deal_id, DealStatus.WON)
    second = await submit(make_uow, crm_config)
    async with make_uow() as uow:
        deal = await uow.deals.get(second.deal_id)
        assert deal is not None and deal.pipeline == "repeat" and deal.id != first.deal_id


async def test_a_client_who_refused_before_comes_back_through_rewarm(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    first = await submit(make_uow, crm_config)
    await _close(make_uow, first.deal_id, DealStatus.LOST)
    second = await submit(make_uow, crm_config)
    async with make_uow() as uow:
        deal = await uow.deals.get(second.deal_id)
        assert deal is not None and deal.pipeline == "rewarm"


async def test_nobody_gets_more_than_the_open_deal_limit(make_uow: MakeUow, crm_config: CrmConfig) -> None:
    config = crm_config.model_copy(
        update={"distribution": crm_config.distribution.model_copy(update={"max_open_deals": 1})}
    )
    await staff_with(make_uow, manager=[101])
    first = await submit(make_uow, config, who=prospect(1), answers={**ANSWERS, "phone": "+79160000001"})
    second = await submit(make_uow, config, who=prospect(2), answers={**ANSWERS, "phone": "+79160000002"})
    assert (first.outcome, second.outcome) == (IntakeOutcome.ASSIGNED, IntakeOutcome.UNSORTED)


async def test_leads_submitted_at_once_never_push_a_manager_past_the_limit(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    """Each submission reads the loads after taking the team's lock: ten at once, two managers with room
    for two each, make four assigned and six unsorted (without the lock, PostgreSQL gave one manager more)."""
    config = crm_config.model_copy(
        update={"distribution": crm_config.distribution.model_copy(update={"max_open_deals": 2})}
    )
    await staff_with(make_uow, manager=[101, 102], supervisor=[201])
    results = await asyncio.gather(
        *(
            submit(make_uow, config, who=prospect(700 + n), answers={**ANSWERS, "phone": f"+7916000070{n}"})
            for n in range(10)
        )
    )
    outcomes = Counter(r.outcome for r in results)
    assert outcomes == {IntakeOutcome.ASSIGNED: 4, IntakeOutcome.UNSORTED: 6}
    async with make_uow() as uow:
        assert await uow.deals.open_counts() == {101: 2, 102: 2}


async def test_staff_roles_from_the_environment_add_up(make_uow: MakeUow) -> None:
    await staff_with(make_uow, manager=[101], supervisor=[101, 201], admin=[301])
    async with make_uow() as uow:
        both = await uow.staff.get(101)
        assert both == Staff(101, frozenset({Role.MANAGER, Role.SUPERVISOR}))


async def test_a_name_once_given_stays_while_the_username_follows_the_telegram_account(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    """A website form's full name (kept by a merge, or joined by the account's own phone) is not
    replaced by the Telegram profile's nickname when that person writes again."""
    await staff_with(make_uow, manager=[101])
    async with make_uow() as uow:
        web = await submit_web_lead(
            uow, crm_config, WebLead(name="Борис Петров", phone="+79161234567"), now=NOW
        )
    boria = Prospect(telegram_id=700, chat_id=700, name="Боря", username="borya", locale="ru",
                     phone_verified=True)  # fmt: skip
    joined = await submit(make_uow, crm_config, who=boria, now=NOW + timedelta(days=1))
    assert joined.contact_id == web.contact_id
    async with make_uow() as uow:
        contact = await uow.contacts.get(web.contact_id)
    assert contact is not None
    assert (contact.name, contact.username, contact.telegram_id) == ("Борис Петров", "borya", 700)
