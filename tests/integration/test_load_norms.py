"""Per-manager load norms and returning clients, over real repositories (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.crm_config import CrmConfig
from domain.deal_card import deal_card
from domain.intake import IntakeOutcome, IntakeResult, Prospect
from domain.load_norms import NormOutcome, check_norm, set_load_norm
from domain.models import DealStatus, EventKind
from domain.team_management import remove_staff, set_duty
from domain.team_roster import team_roster
from storage.tables import OutboxRow, StaffRow
from storage.unit_of_work import SqlUnitOfWork

from .test_intake_use_case import ANSWERS, NOW, _close, prospect, staff_with, submit

MakeUow = Callable[[], SqlUnitOfWork]
ADMIN, SUPERVISOR, OLEG, PETR = 301, 201, 101, 102


async def set_norm(make_uow: MakeUow, target: int, norm: int | None, *, by: int = ADMIN) -> NormOutcome:
    async with make_uow() as uow:
        staff = await uow.staff.get(by)
        return (await set_load_norm(uow, staff=staff, target_id=target, norm=norm)).outcome


async def norms(engine: AsyncEngine) -> dict[int, int | None]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(StaffRow.telegram_id, StaffRow.max_open_deals))
        return {int(i): n for i, n in rows}


def client(n: int) -> tuple[Prospect, dict[str, str]]:
    return prospect(600 + n), {**ANSWERS, "phone": f"+791600006{n:02}"}


async def lead(make_uow: MakeUow, config: CrmConfig, n: int) -> IntakeResult:
    who, answers = client(n)
    result: IntakeResult = await submit(make_uow, config, who=who, answers=answers)
    return result


async def test_an_admin_sets_a_manager_s_norm_and_resets_it_to_the_team_s(
    make_uow: MakeUow, engine: AsyncEngine, crm_config: CrmConfig
) -> None:
    await staff_with(make_uow, manager=[OLEG], admin=[ADMIN])
    assert await set_norm(make_uow, OLEG, 10) is NormOutcome.SET
    assert (await norms(engine))[OLEG] == 10
    async with make_uow() as uow:
        roster = await team_roster(uow, crm_config, staff=await uow.staff.get(ADMIN), pinned=frozenset())
    assert roster is not None
    assert [(m.staff.telegram_id, m.norm) for m in roster.members] == [(ADMIN, 30), (OLEG, 10)]
    assert await set_norm(make_uow, OLEG, None) is NormOutcome.SET
    assert (await norms(engine))[OLEG] is None


async def test_only_an_admin_sets_norms_within_the_range_and_only_for_managers(
    make_uow: MakeUow, engine: AsyncEngine
) -> None:
    await staff_with(make_uow, manager=[OLEG, PETR], admin=[ADMIN], supervisor=[SUPERVISOR])
    async with make_uow() as uow:
        assert (await check_norm(uow, staff=await uow.staff.get(OLEG), target_id=PETR)).outcome is (
            NormOutcome.NOT_ALLOWED
        )
    assert await set_norm(make_uow, PETR, 5, by=OLEG) is NormOutcome.NOT_ALLOWED
    assert await set_norm(make_uow, OLEG, 5, by=OLEG) is NormOutcome.NOT_ALLOWED  # not even their own
    assert await set_norm(make_uow, PETR, 5, by=SUPERVISOR) is NormOutcome.NOT_ALLOWED
    assert await set_norm(make_uow, PETR, 0) is NormOutcome.OUT_OF_RANGE
    assert await set_norm(make_uow, PETR, 501) is NormOutcome.OUT_OF_RANGE
    assert await set_norm(make_uow, SUPERVISOR, 5) is NormOutcome.NOT_MANAGER
    assert await set_norm(make_uow, 999, 5) is NormOutcome.NOT_FOUND
    assert set((await norms(engine)).values()) == {None}  # nothing was recorded
    assert await set_norm(make_uow, PETR, 1) is NormOutcome.SET
    assert await set_norm(make_uow, PETR, 500) is NormOutcome.SET
    async with engine.connect() as connection:
        assert await connection.scalar(select(OutboxRow.id)) is None  # a norm is set, nobody is told


async def test_distribution_skips_a_manager_at_their_own_norm_for_one_under_theirs(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await staff_with(make_uow, manager=[OLEG, PETR], admin=[ADMIN])
    assert await set_norm(make_uow, OLEG, 1) is NormOutcome.SET
    assert await set_norm(make_uow, PETR, 3) is NormOutcome.SET
    owners = []
    for n in range(5):
        result = await lead(make_uow, crm_config, n)
        async with make_uow() as uow:
            deal = await uow.deals.get(result.deal_id)
            assert deal is not None
            owners.append(deal.manager_id)
    # Oleg is freest after his first lead, yet at his norm of 1; Petr takes three, then both are full.
    assert owners == [OLEG, PETR, PETR, PETR, None]


async def returning(make_uow: MakeUow, config: CrmConfig, *, status: DealStatus = DealStatus.WON) -> int:
    """A client Oleg worked before (Petr is off duty meanwhile), whose deal is closed: the earlier deal."""
    await staff_with(make_uow, manager=[OLEG, PETR], admin=[ADMIN], supervisor=[SUPERVISOR])
    await duty(make_uow, PETR, on_duty=False)
    first = await lead(make_uow, config, 1)
    await _close(make_uow, first.deal_id, status)
    await duty(make_uow, PETR, on_duty=True)
    return first.deal_id


async def duty(make_uow: MakeUow, who: int, *, on_duty: bool) -> None:
    async with make_uow() as uow:
        await set_duty(uow, staff=await uow.staff.get(who), on_duty=on_duty, now=NOW)


async def owner_of(make_uow: MakeUow, deal_id: int) -> int | None:
    async with make_uow() as uow:
        deal = await uow.deals.get(deal_id)
        assert deal is not None
        return deal.manager_id


async def test_a_returning_client_goes_back_to_their_manager_and_the_card_says_so(
    make_uow: MakeUow, engine: AsyncEngine, crm_config: CrmConfig
) -> None:
    earlier = await returning(make_uow, crm_config, status=DealStatus.LOST)
    await duty(make_uow, PETR, on_duty=False)
    busy = await lead(make_uow, crm_config, 2)  # another client: Oleg has an open deal, Petr none
    await duty(make_uow, PETR, on_duty=True)
    assert await owner_of(make_uow, busy.deal_id) == OLEG
    again = await lead(make_uow, crm_config, 1)
    assert again.outcome is IntakeOutcome.ASSIGNED
    assert await owner_of(make_uow, again.deal_id) == OLEG  # least loaded alone would give Petr
    async with make_uow() as uow:
        events = await uow.events.for_deal(again.deal_id)
        card = await deal_card(uow, again.deal_id)
    created = next(e for e in events if e.kind is EventKind.CREATED)
    assert created.data["returning_from"] == {"deal_id": earlier, "manager": OLEG}
    assigned = next(e for e in events if e.kind is EventKind.ASSIGNED)
    assert assigned.data == {"to": OLEG, "returning": True}
    assert card is not None and card.returning is not None
    assert (card.returning.deal_id, card.returning.manager_id) == (earlier, OLEG)
    async with engine.connect() as connection:
        told = await connection.execute(
            select(OutboxRow.chat_id).where(OutboxRow.kind == "new_lead", OutboxRow.deal_id == again.deal_id)
        )
        assert [int(c) for (c,) in told] == [OLEG]
    async with make_uow() as uow:
        deal = await uow.deals.get(again.deal_id)
        assert deal is not None and deal.take_due_at is not None and deal.assigned_at == NOW


async def test_a_returning_client_whose_manager_left_goes_to_distribution(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await returning(make_uow, crm_config)
    async with make_uow() as uow:
        removed = await remove_staff(
            uow, crm_config, staff=await uow.staff.get(ADMIN), target_id=OLEG, pinned=frozenset(), now=NOW
        )
    assert removed.target is not None and not removed.target.active
    again = await lead(make_uow, crm_config, 1)
    assert await owner_of(make_uow, again.deal_id) == PETR
    async with make_uow() as uow:
        card = await deal_card(uow, again.deal_id)
    assert card is not None and card.returning is not None and card.returning.manager_id == OLEG


async def test_a_returning_client_whose_manager_is_paused_goes_to_distribution(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await returning(make_uow, crm_config)
    await duty(make_uow, OLEG, on_duty=False)
    again = await lead(make_uow, crm_config, 1)
    assert await owner_of(make_uow, again.deal_id) == PETR


async def test_a_returning_client_whose_manager_is_full_goes_to_distribution(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await returning(make_uow, crm_config)
    assert await set_norm(make_uow, OLEG, 1) is NormOutcome.SET
    await duty(make_uow, PETR, on_duty=False)
    busy = await lead(make_uow, crm_config, 3)
    assert await owner_of(make_uow, busy.deal_id) == OLEG  # now at his norm of 1
    await duty(make_uow, PETR, on_duty=True)
    again = await lead(make_uow, crm_config, 1)
    assert await owner_of(make_uow, again.deal_id) == PETR


async def test_a_new_client_s_deal_is_not_a_returning_one(make_uow: MakeUow, crm_config: CrmConfig) -> None:
    await staff_with(make_uow, manager=[OLEG])
    first = await lead(make_uow, crm_config, 1)
    async with make_uow() as uow:
        card = await deal_card(uow, first.deal_id)
        events = await uow.events.for_deal(first.deal_id)
    assert card is not None and card.returning is None
    assert all("returning_from" not in e.data for e in events)
