"""The team's use cases over real repositories, on SQLite and on PostgreSQL: invites, duty, removal."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.crm_config_file import load_crm_config
from domain.audience import recipients_for
from domain.crm_config import CrmConfig
from domain.deal_lists import ListRefusal, Scope, find_deals, my_deals, unsorted_queue
from domain.intake import Prospect, submit_lead
from domain.models import DealStatus, EventKind, Role, Staff
from domain.staff_accounts import bootstrap_staff
from domain.taking import TakeOutcome, take_deal
from domain.team_management import (
    DutyOutcome,
    InviteOutcome,
    JoinOutcome,
    JoinResult,
    RemovalOutcome,
    RemovalResult,
    accept_invite,
    check_removal,
    create_invite,
    remove_staff,
    set_duty,
)
from domain.team_roster import team_roster
from storage.tables import OutboxRow
from storage.unit_of_work import SqlUnitOfWork

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
ADMIN, SUPERVISOR, SUPERVISOR_2, MANAGER, MANAGER_2 = 1, 201, 202, 101, 102
NEWBIE, OTHER = 777, 888
MakeUow = Callable[[], SqlUnitOfWork]


async def team(make_uow: MakeUow) -> None:
    async with make_uow() as uow:
        await bootstrap_staff(
            uow,
            roles={
                Role.ADMIN: [ADMIN],
                Role.SUPERVISOR: [SUPERVISOR, SUPERVISOR_2],
                Role.MANAGER: [MANAGER, MANAGER_2],
            },
        )


async def member(make_uow: MakeUow, telegram_id: int) -> Staff | None:
    async with make_uow() as uow:
        return await uow.staff.get(telegram_id)


async def invite(
    make_uow: MakeUow, token: str, role: Role = Role.MANAGER, *, by: int = ADMIN
) -> InviteOutcome:
    async with make_uow() as uow:
        return (
            await create_invite(uow, staff=await uow.staff.get(by), role=role, token=token, now=NOW)
        ).outcome


async def accept(make_uow: MakeUow, token: str, who: int, *, at: datetime = NOW) -> JoinResult:
    async with make_uow() as uow:
        return await accept_invite(
            uow, token=token, telegram_id=who, name=f"Person {who}", username=f"p{who}", locale="ru", now=at
        )


CONFIG = load_crm_config()


async def duty(make_uow: MakeUow, who: int, on_duty: bool) -> DutyOutcome:
    async with make_uow() as uow:
        return (await set_duty(uow, staff=await uow.staff.get(who), on_duty=on_duty, now=NOW)).outcome


async def remove(
    make_uow: MakeUow, target: int, *, by: int = ADMIN, pinned: frozenset[int] = frozenset()
) -> RemovalResult:
    async with make_uow() as uow:
        staff = await uow.staff.get(by)
        return await remove_staff(uow, CONFIG, staff=staff, target_id=target, pinned=pinned, now=NOW)


async def lead(make_uow: MakeUow, config: CrmConfig, n: int) -> int:
    async with make_uow() as uow:
        answers = {"need": f"Сайт {n}", "budget": "large", "timing": "now", "phone": f"+7916123450{n}"}
        prospect = Prospect(500 + n, 500 + n, f"Клиент {n}", None, "ru")
        return (
            await submit_lead(uow, config, prospect=prospect, answers=answers, source=None, now=NOW)
        ).deal_id


async def outbox(engine: AsyncEngine) -> list[tuple[int, str, dict[str, Any]]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(OutboxRow.chat_id, OutboxRow.kind, OutboxRow.data).order_by(OutboxRow.id)
        )
        return [(int(chat), kind, dict(data)) for chat, kind, data in rows]


async def test_an_invite_makes_a_new_person_a_manager_once_and_tells_the_admin(
    make_uow: MakeUow, engine: AsyncEngine
) -> None:
    await team(make_uow)
    assert await invite(make_uow, "tok1") is InviteOutcome.CREATED
    joined = await accept(make_uow, "tok1", NEWBIE)
    assert (joined.outcome, joined.role) == (JoinOutcome.JOINED, Role.MANAGER)
    newbie = await member(make_uow, NEWBIE)
    assert newbie is not None and newbie.is_manager and newbie.on_duty
    assert (newbie.name, newbie.username, newbie.locale) == ("Person 777", "p777", "ru")
    assert await outbox(engine) == [(ADMIN, "invite_used", {"staff_id": NEWBIE, "role": "manager"})]

    again = await accept(make_uow, "tok1", OTHER)
    assert (again.outcome, again.by_you) == (JoinOutcome.USED, False)
    assert await member(make_uow, OTHER) is None
    assert (await accept(make_uow, "tok1", NEWBIE)).by_you is True
    assert len(await outbox(engine)) == 1


async def test_two_people_opening_one_invite_at_once_only_one_joins(make_uow: MakeUow) -> None:
    await team(make_uow)
    await invite(make_uow, "race")
    results = await asyncio.gather(accept(make_uow, "race", NEWBIE), accept(make_uow, "race", OTHER))
    assert sorted(r.outcome for r in results) == sorted([JoinOutcome.JOINED, JoinOutcome.USED])
    winner = NEWBIE if results[0].outcome is JoinOutcome.JOINED else OTHER
    loser = OTHER if winner == NEWBIE else NEWBIE
    assert (await member(make_uow, winner)) is not None
    assert await member(make_uow, loser) is None
    async with make_uow() as uow:
        used = await uow.invites.get("race")
        assert used is not None and used.used_by == winner


@pytest.mark.parametrize(
    ("after", "outcome"),
    [
        (timedelta(hours=23, minutes=59, seconds=59), JoinOutcome.JOINED),
        (timedelta(hours=24), JoinOutcome.EXPIRED),
        (timedelta(days=3), JoinOutcome.EXPIRED),
    ],
)
async def test_an_invite_works_for_24_hours(
    make_uow: MakeUow, after: timedelta, outcome: JoinOutcome
) -> None:
    await team(make_uow)
    await invite(make_uow, "ttl")
    assert (await accept(make_uow, "ttl", NEWBIE, at=NOW + after)).outcome is outcome
    assert ((await member(make_uow, NEWBIE)) is not None) is (outcome is JoinOutcome.JOINED)


async def test_an_unknown_invite_changes_nothing(make_uow: MakeUow) -> None:
    await team(make_uow)
    assert (await accept(make_uow, "forged", NEWBIE)).outcome is JoinOutcome.UNKNOWN
    assert await member(make_uow, NEWBIE) is None


@pytest.mark.parametrize(
    ("by", "role", "outcome"),
    [
        (ADMIN, Role.SUPERVISOR, InviteOutcome.CREATED),
        (ADMIN, Role.ADMIN, InviteOutcome.BAD_ROLE),
        (SUPERVISOR, Role.MANAGER, InviteOutcome.NOT_ALLOWED),
        (MANAGER, Role.MANAGER, InviteOutcome.NOT_ALLOWED),
        (NEWBIE, Role.MANAGER, InviteOutcome.NOT_ALLOWED),
    ],
)
async def test_only_admins_invite_and_only_managers_or_supervisors(
    make_uow: MakeUow, by: int, role: Role, outcome: InviteOutcome
) -> None:
    await team(make_uow)
    assert await invite(make_uow, "t", role, by=by) is outcome
    async with make_uow() as uow:
        stored = await uow.invites.get("t")
    assert (stored is not None) is (outcome is InviteOutcome.CREATED)
    if stored is not None:
        assert (stored.created_by, stored.expires_at) == (ADMIN, NOW + timedelta(hours=24))


async def test_a_member_gets_the_extra_role_but_a_role_they_hold_leaves_the_link_unused(
    make_uow: MakeUow,
) -> None:
    await team(make_uow)
    await invite(make_uow, "sup", Role.SUPERVISOR)
    await invite(make_uow, "man", Role.MANAGER)
    assert (await accept(make_uow, "sup", MANAGER)).outcome is JoinOutcome.JOINED
    promoted = await member(make_uow, MANAGER)
    assert promoted is not None and promoted.roles == {Role.MANAGER, Role.SUPERVISOR}
    assert (await accept(make_uow, "man", MANAGER)).outcome is JoinOutcome.ALREADY_MEMBER
    assert (await accept(make_uow, "man", NEWBIE)).outcome is JoinOutcome.JOINED  # still there for them


async def test_someone_removed_comes_back_by_invite_with_only_the_invited_role(make_uow: MakeUow) -> None:
    await team(make_uow)
    assert (await remove(make_uow, MANAGER)).outcome is RemovalOutcome.REMOVED
    await invite(make_uow, "back", Role.SUPERVISOR)
    assert (await accept(make_uow, "back", MANAGER)).outcome is JoinOutcome.JOINED
    back = await member(make_uow, MANAGER)
    assert back is not None and back.active and back.roles == {Role.SUPERVISOR}


async def test_a_manager_off_duty_gets_no_new_leads_but_keeps_their_deals_and_messages(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await team(make_uow)
    mine = await lead(make_uow, crm_config, 1)
    async with make_uow() as uow:
        deal = await uow.deals.get(mine)
        assert deal is not None
        owner = deal.manager_id
    assert owner is not None
    colleague = MANAGER_2 if owner == MANAGER else MANAGER
    async with make_uow() as uow:
        paused = await set_duty(uow, staff=await uow.staff.get(owner), on_duty=False, now=NOW)
    assert (paused.outcome, paused.on_duty, paused.managers_on_duty) == (DutyOutcome.CHANGED, False, 1)
    assert await duty(make_uow, owner, False) is DutyOutcome.UNCHANGED
    for n in (2, 3):
        new = await lead(make_uow, crm_config, n)
        async with make_uow() as uow:
            got = await uow.deals.get(new)
            assert got is not None and got.manager_id == colleague
    async with make_uow() as uow:
        deal = await uow.deals.get(mine)
        assert deal is not None and deal.manager_id == owner
        assert [s.telegram_id for s in await recipients_for(uow, deal)] == [owner]
    assert await duty(make_uow, owner, True) is DutyOutcome.CHANGED
    assert (await member(make_uow, owner) or Staff(0, frozenset())).on_duty


async def test_with_the_last_manager_off_duty_nobody_is_left(make_uow: MakeUow) -> None:
    await team(make_uow)
    await duty(make_uow, MANAGER, False)
    async with make_uow() as uow:
        result = await set_duty(uow, staff=await uow.staff.get(MANAGER_2), on_duty=False, now=NOW)
    assert result.managers_on_duty == 0


@pytest.mark.parametrize("who", [SUPERVISOR, ADMIN, NEWBIE])
async def test_only_managers_go_on_and_off_duty(make_uow: MakeUow, who: int) -> None:
    await team(make_uow)
    assert await duty(make_uow, who, False) is DutyOutcome.NOT_ALLOWED
    person = await member(make_uow, who)
    assert person is None or person.on_duty


async def test_removing_a_manager_sends_their_open_deals_unsorted_and_tells_the_supervisors(
    make_uow: MakeUow, engine: AsyncEngine, crm_config: CrmConfig
) -> None:
    await team(make_uow)
    await duty(make_uow, MANAGER_2, False)  # every lead goes to MANAGER
    first, second, closed = [await lead(make_uow, crm_config, n) for n in (1, 2, 3)]
    async with make_uow() as uow:
        assert (await take_deal(uow, deal_id=first, staff=await uow.staff.get(MANAGER), now=NOW)).outcome is (
            TakeOutcome.TAKEN
        )
    async with make_uow() as uow:
        deal = await uow.deals.get(closed)
        assert deal is not None
        deal.status = DealStatus.WON
        await uow.deals.save(deal)
        await uow.commit()
    async with make_uow() as uow:
        versions = {d: (await uow.deals.get(d) or deal).version for d in (first, second)}
    before = len(await outbox(engine))

    async with make_uow() as uow:
        preview = await check_removal(
            uow, staff=await uow.staff.get(ADMIN), target_id=MANAGER, pinned=frozenset()
        )
    assert (preview.outcome, preview.deal_ids) == (RemovalOutcome.CONFIRM, (first, second))
    assert (await member(make_uow, MANAGER) or Staff(0, frozenset())).active  # a preview changes nothing

    result = await remove(make_uow, MANAGER)
    assert (result.outcome, result.deal_ids) == (RemovalOutcome.REMOVED, (first, second))
    gone = await member(make_uow, MANAGER)
    assert gone is not None and not gone.active
    async with make_uow() as uow:
        for deal_id in (first, second):
            deal = await uow.deals.get(deal_id)
            assert deal is not None and deal.is_open
            assert (deal.manager_id, deal.assigned_at, deal.taken_at) == (None, None, None)
            assert deal.version > versions[deal_id]  # cards drawn before are stale now
            # Back in the queue with a fresh take-into-work deadline, so a lead left there escalates.
            assert deal.take_due_at == CONFIG.calendar().add(NOW, CONFIG.intake.take_sla)
            pending = [(t.kind, t.due_at) for t in await uow.timers.pending_for(deal_id)]
            assert pending.count(("take_sla", deal.take_due_at)) == 1
            assert [k for k, _ in pending].count("take_sla") == 1
            last = (await uow.events.for_deal(deal_id))[-1]
            assert (last.kind, last.actor_id, last.data) == (EventKind.UNASSIGNED, ADMIN, {"from": MANAGER})
        kept = await uow.deals.get(closed)
        assert kept is not None and kept.manager_id == MANAGER  # a closed deal keeps its history
        assert await uow.deals.unsorted_count() == 2
    told = {"staff_id": MANAGER, "deal_ids": [first, second]}
    assert (await outbox(engine))[before:] == [
        (MANAGER, "you_were_removed", {"staff_id": MANAGER}),  # the person hears it too
        (SUPERVISOR, "staff_removed", told),
        (SUPERVISOR_2, "staff_removed", told),
    ]


@pytest.mark.parametrize(
    ("by", "target", "outcome"),
    [
        (ADMIN, ADMIN, RemovalOutcome.SELF),
        (ADMIN, MANAGER_2, RemovalOutcome.PINNED),
        (ADMIN, NEWBIE, RemovalOutcome.NOT_FOUND),
        (SUPERVISOR, MANAGER, RemovalOutcome.NOT_ALLOWED),
        (MANAGER, MANAGER_2, RemovalOutcome.NOT_ALLOWED),
        (NEWBIE, MANAGER, RemovalOutcome.NOT_ALLOWED),
    ],
)
async def test_removal_is_refused_for_oneself_pinned_people_and_non_admins(
    make_uow: MakeUow,
    engine: AsyncEngine,
    crm_config: CrmConfig,
    by: int,
    target: int,
    outcome: RemovalOutcome,
) -> None:
    await team(make_uow)
    await lead(make_uow, crm_config, 1)
    before = await outbox(engine)
    assert (await remove(make_uow, target, by=by, pinned=frozenset({MANAGER_2}))).outcome is outcome
    for telegram_id in (ADMIN, SUPERVISOR, MANAGER, MANAGER_2):
        assert (await member(make_uow, telegram_id) or Staff(0, frozenset(), active=False)).active
    assert await outbox(engine) == before
    async with make_uow() as uow:
        assert await uow.deals.unsorted_count() == 0


async def test_removing_someone_twice_finds_them_gone(make_uow: MakeUow) -> None:
    await team(make_uow)
    assert (await remove(make_uow, MANAGER)).outcome is RemovalOutcome.REMOVED
    assert (await remove(make_uow, MANAGER)).outcome is RemovalOutcome.NOT_FOUND


async def test_the_roster_lists_the_active_team_by_role_with_load(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await team(make_uow)
    await duty(make_uow, MANAGER_2, False)
    await lead(make_uow, crm_config, 1)
    await remove(make_uow, SUPERVISOR_2)
    async with make_uow() as uow:
        roster = await team_roster(
            uow, crm_config, staff=await uow.staff.get(ADMIN), pinned=frozenset({ADMIN})
        )
        manager_view = await team_roster(
            uow, crm_config, staff=await uow.staff.get(MANAGER), pinned=frozenset()
        )
        stranger_view = await team_roster(uow, crm_config, staff=None, pinned=frozenset())
    assert roster is not None and roster.may_remove
    rows = [(m.staff.telegram_id, m.open_deals, m.pinned, m.staff.on_duty) for m in roster.members]
    assert rows == [
        (ADMIN, 0, True, True),
        (SUPERVISOR, 0, False, True),
        (MANAGER, 1, False, True),
        (MANAGER_2, 0, False, False),
    ]
    assert manager_view is not None and not manager_view.may_remove
    assert stranger_view is None


async def test_lists_show_a_manager_their_own_deals_and_overseers_everything(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await team(make_uow)
    ids = [await lead(make_uow, crm_config, n) for n in (1, 2, 3)]
    async with make_uow() as uow:
        manager, supervisor = await uow.staff.get(MANAGER), await uow.staff.get(SUPERVISOR)
        own = await my_deals(uow, staff=manager, config=crm_config, now=NOW)
        everything = await my_deals(uow, staff=supervisor, config=crm_config, now=NOW)
        mine = {i.deal.id for g in own.groups for i in g.items}
        [colleague_deal] = [i for i in ids if i not in mine]
        hidden = await find_deals(uow, staff=manager, config=crm_config, query=str(colleague_deal))
        seen = await find_deals(uow, staff=supervisor, config=crm_config, query=f"#{colleague_deal}")
        by_name = await find_deals(uow, staff=supervisor, config=crm_config, query="клиент")
    assert own.scope is Scope.OWN and {i.deal.manager_id for g in own.groups for i in g.items} == {MANAGER}
    assert everything.scope is Scope.ALL and everything.total == 3
    assert hidden.items == () and hidden.refusal is None and hidden.scope is Scope.OWN
    assert [i.deal.id for i in seen.items] == [colleague_deal]
    assert [i.manager_name for i in seen.items] == [""]  # bootstrap staff have no name until they write
    assert sorted(i.deal.id or 0 for i in by_name.items) == sorted(ids)
    assert {i.contact_name for i in by_name.items} == {"Клиент 1", "Клиент 2", "Клиент 3"}

    await remove(make_uow, MANAGER_2)  # the colleague's deal goes unsorted
    async with make_uow() as uow:
        queue = await unsorted_queue(uow, staff=await uow.staff.get(MANAGER), config=crm_config)
    assert [i.deal.id for i in queue.items] == [colleague_deal] and queue.total == 1
    hidden_queue = crm_config.model_copy(
        update={"deals": crm_config.deals.model_copy(update={"managers_see_unsorted": False})}
    )
    async with make_uow() as uow:
        refused = await unsorted_queue(uow, staff=await uow.staff.get(MANAGER), config=hidden_queue)
        allowed = await unsorted_queue(uow, staff=await uow.staff.get(SUPERVISOR), config=hidden_queue)
    assert refused.refusal is ListRefusal.UNSORTED_HIDDEN and refused.items == ()
    assert allowed.refusal is None and allowed.total == 1
