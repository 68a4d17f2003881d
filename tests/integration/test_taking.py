from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from domain.crm_config import CrmConfig
from domain.intake import Prospect, submit_lead
from domain.models import Role
from domain.staff_accounts import bootstrap_staff
from domain.taking import TakeOutcome, take_deal
from storage.unit_of_work import SqlUnitOfWork

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
ANSWERS = {"need": "Сайт", "budget": "large", "timing": "now", "phone": "+79161234567"}
MakeUow = Callable[[], SqlUnitOfWork]


async def unsorted_lead(make_uow: MakeUow, config: CrmConfig) -> int:
    async with make_uow() as uow:
        await bootstrap_staff(uow, roles={Role.MANAGER: [101, 102], Role.SUPERVISOR: [201]})
    async with make_uow() as uow:
        for manager_id in (101, 102):  # both off duty: the lead goes unsorted, anyone may take it
            manager = await uow.staff.get(manager_id)
            assert manager is not None
            manager.on_duty = False
            await uow.staff.save(manager)
        await uow.commit()
    async with make_uow() as uow:
        prospect = Prospect(500, 500, "Анна", None, "ru")
        result = await submit_lead(uow, config, prospect=prospect, answers=ANSWERS, source=None, now=NOW)
    return result.deal_id


async def take(make_uow: MakeUow, deal_id: int, staff_id: int, *, at: datetime = NOW) -> TakeOutcome:
    async with make_uow() as uow:
        staff = await uow.staff.get(staff_id)
        return (await take_deal(uow, deal_id=deal_id, staff=staff, now=at)).outcome


async def test_two_managers_pressing_take_at_once_exactly_one_gets_it(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    deal_id = await unsorted_lead(make_uow, crm_config)
    outcomes = await asyncio.gather(take(make_uow, deal_id, 101), take(make_uow, deal_id, 102))
    assert sorted(outcomes) == sorted([TakeOutcome.TAKEN, TakeOutcome.TAKEN_BY_OTHER])
    async with make_uow() as uow:
        deal = await uow.deals.get(deal_id)
        assert deal is not None and deal.taken_at == NOW
        assert deal.manager_id == (101 if outcomes[0] is TakeOutcome.TAKEN else 102)
        # Taking it stops the take deadline; the stage's own deadline runs on.
        assert [t.kind for t in await uow.timers.pending_for(deal_id)] == ["stage_sla"]


async def test_pressing_take_twice_keeps_the_first_take(make_uow: MakeUow, crm_config: CrmConfig) -> None:
    deal_id = await unsorted_lead(make_uow, crm_config)
    assert await take(make_uow, deal_id, 101) is TakeOutcome.TAKEN
    assert await take(make_uow, deal_id, 101, at=NOW + timedelta(minutes=5)) is TakeOutcome.ALREADY_YOURS
    async with make_uow() as uow:
        deal = await uow.deals.get(deal_id)
        assert deal is not None and deal.taken_at == NOW
        assert [e.kind.value for e in await uow.events.for_deal(deal_id)].count("taken") == 1


async def test_a_prospect_or_a_stranger_cannot_take_a_lead(make_uow: MakeUow, crm_config: CrmConfig) -> None:
    deal_id = await unsorted_lead(make_uow, crm_config)
    assert await take(make_uow, deal_id, 500) is TakeOutcome.NOT_ALLOWED
    assert await take(make_uow, 999_999, 101) is TakeOutcome.NOT_FOUND


async def test_a_manager_cannot_take_a_lead_assigned_to_a_colleague(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    async with make_uow() as uow:
        await bootstrap_staff(uow, roles={Role.MANAGER: [101, 102]})
    async with make_uow() as uow:
        prospect = Prospect(500, 500, "Анна", None, "ru")
        result = await submit_lead(uow, crm_config, prospect=prospect, answers=ANSWERS, source=None, now=NOW)
    async with make_uow() as uow:
        deal = await uow.deals.get(result.deal_id)
        assert deal is not None and deal.manager_id is not None
        owner = deal.manager_id
    other = 102 if owner == 101 else 101
    assert await take(make_uow, result.deal_id, other) is TakeOutcome.ASSIGNED_TO_OTHER
    assert await take(make_uow, result.deal_id, owner) is TakeOutcome.TAKEN


async def test_a_take_read_before_a_hand_over_does_not_claim_the_lead(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    """Take read the lead at one version; a supervisor handed it to someone else before the claim."""
    deal_id = await unsorted_lead(make_uow, crm_config)
    async with make_uow() as uow:
        read = await uow.deals.get(deal_id)
        assert read is not None
    async with make_uow() as uow:
        deal = await uow.deals.get(deal_id)
        assert deal is not None
        deal.manager_id = 102  # assigned meanwhile (as a hand-over does)
        await uow.deals.save(deal)
        await uow.commit()
    async with make_uow() as uow:
        assert not await uow.deals.claim_take(deal_id, 101, version=read.version, now=NOW)
        await uow.commit()
    assert await take(make_uow, deal_id, 101) is TakeOutcome.ASSIGNED_TO_OTHER
    async with make_uow() as uow:
        deal = await uow.deals.get(deal_id)
        assert deal is not None and (deal.manager_id, deal.taken_at) == (102, None)


async def test_someone_removed_from_the_team_a_moment_ago_cannot_take(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    deal_id = await unsorted_lead(make_uow, crm_config)
    async with make_uow() as uow:
        pressed_by = await uow.staff.get(101)  # as the press saw them
        gone = await uow.staff.get(101)
        assert pressed_by is not None and gone is not None
        gone.active = False
        await uow.staff.save(gone)
        await uow.commit()
    async with make_uow() as uow:
        result = await take_deal(uow, deal_id=deal_id, staff=pressed_by, now=NOW)
    assert result.outcome is TakeOutcome.NOT_ALLOWED
