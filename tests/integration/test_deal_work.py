"""Working a deal through the real unit of work, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain import timer_kinds
from domain.client_chat import OutgoingMessage, reply_to_prospect
from domain.crm_config import CrmConfig
from domain.deal_access import ActionResult
from domain.deal_notes import add_note, plan_next_contact
from domain.deal_rules import DealError
from domain.deal_stages import lose_deal, move_stage, rewarm_client, win_deal
from domain.handover import hand_over
from domain.intake import Prospect, submit_lead
from domain.models import (
    ChatMessage,
    Deal,
    DealEvent,
    DealStatus,
    Direction,
    EventKind,
    NoteKind,
    Role,
    Staff,
)
from domain.staff_accounts import bootstrap_staff
from domain.taking import TakeOutcome, take_deal
from storage.engine import session_factory
from storage.tables import OutboxRow, TimerRow
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import FIXED_NOW

NOW = FIXED_NOW
OWNER, COLLEAGUE, SUPERVISOR, PROSPECT = 101, 102, 201, 500
ANSWERS = {"need": "Сайт", "budget": "large", "timing": "now", "phone": "+79161234567"}
MakeUow = Callable[[], SqlUnitOfWork]


def later(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


@dataclass
class Snapshot:
    """Everything a deal action may change."""

    deal: Deal | None
    events: list[DealEvent]
    messages: list[ChatMessage]
    timers: list[tuple[str, datetime, str]]  # kind, due_at, state
    outbox: list[tuple[int, str, dict[str, Any]]]  # chat_id, kind, data

    def events_of(self, *kinds: EventKind) -> list[DealEvent]:
        return [e for e in self.events if e.kind in kinds]


@dataclass
class Desk:
    """The deal use cases as people call them from their phones: each in a unit of work of its own."""

    make_uow: MakeUow
    config: CrmConfig
    engine: AsyncEngine

    async def taken_deal(self) -> int:
        """A lead assigned to OWNER (the colleague is off duty) and taken into work by OWNER at NOW."""
        async with self.make_uow() as uow:
            await bootstrap_staff(
                uow, roles={Role.MANAGER: [OWNER, COLLEAGUE], Role.SUPERVISOR: [SUPERVISOR]}
            )
        async with self.make_uow() as uow:
            colleague = await uow.staff.get(COLLEAGUE)
            assert colleague is not None
            colleague.on_duty = False
            await uow.staff.save(colleague)
            await uow.commit()
        deal_id = await self.lead()
        async with self.make_uow() as uow:
            taken = await take_deal(uow, deal_id=deal_id, staff=await uow.staff.get(OWNER), now=NOW)
        assert taken.outcome is TakeOutcome.TAKEN
        return deal_id

    async def lead(self) -> int:
        async with self.make_uow() as uow:
            prospect = Prospect(PROSPECT, PROSPECT, "Анна", None, "ru")
            result = await submit_lead(
                uow, self.config, prospect=prospect, answers=ANSWERS, source=None, now=NOW
            )
        return result.deal_id

    async def run(
        self, use_case: Callable[..., Awaitable[ActionResult]], *args: Any, by: int, **kw: Any
    ) -> ActionResult:
        async with self.make_uow() as uow:
            return await use_case(uow, *args, staff=await uow.staff.get(by), **kw)

    async def move(
        self,
        deal_id: int,
        stage: str,
        *,
        at: datetime,
        by: int = OWNER,
        version: int | None = None,
        amount: int | None = None,
        note: str | None = None,
        config: CrmConfig | None = None,
    ) -> ActionResult:
        return await self.run(
            move_stage,
            config or self.config,
            deal_id=deal_id,
            by=by,
            version=version,
            stage=stage,
            amount=amount,
            note=note,
            now=at,
        )

    async def win(
        self, deal_id: int, amount: int | None, *, at: datetime, by: int = OWNER, version: int | None = None
    ) -> ActionResult:
        return await self.run(
            win_deal, self.config, deal_id=deal_id, by=by, version=version, amount=amount, now=at
        )

    async def lose(
        self,
        deal_id: int,
        reason: str,
        *,
        at: datetime,
        note: str | None = None,
        by: int = OWNER,
        version: int | None = None,
    ) -> ActionResult:
        return await self.run(
            lose_deal, self.config, deal_id=deal_id, by=by, version=version, reason=reason, note=note, now=at
        )

    async def plan(
        self, deal_id: int, when: datetime, *, at: datetime, by: int = OWNER, version: int | None = None
    ) -> ActionResult:
        return await self.run(plan_next_contact, deal_id=deal_id, by=by, version=version, at=when, now=at)

    async def rewarm(self, deal_id: int, when: datetime, *, at: datetime, by: int = OWNER) -> ActionResult:
        return await self.run(
            rewarm_client, self.config, deal_id=deal_id, by=by, next_contact_at=when, now=at
        )

    async def give(self, deal_id: int, to_id: int, reason: str, *, at: datetime, by: int) -> ActionResult:
        return await self.run(
            hand_over, self.config, deal_id=deal_id, by=by, to_id=to_id, reason=reason, now=at
        )

    async def reply(
        self, deal_id: int, message: OutgoingMessage, *, at: datetime, by: int = OWNER
    ) -> ActionResult:
        return await self.run(reply_to_prospect, deal_id=deal_id, by=by, message=message, now=at)

    async def note(self, deal_id: int, text: str, *, at: datetime, by: int = OWNER) -> ActionResult:
        return await self.run(add_note, deal_id=deal_id, by=by, kind=NoteKind.CALL, text=text, now=at)

    async def snapshot(self, deal_id: int) -> Snapshot:
        async with self.make_uow() as uow:
            deal = await uow.deals.get(deal_id)
            events = await uow.events.for_deal(deal_id)
            messages = await uow.messages.for_deal(deal_id)
        async with session_factory(self.engine)() as session:
            timers = await session.scalars(select(TimerRow).order_by(TimerRow.id))
            outbox = await session.scalars(select(OutboxRow).order_by(OutboxRow.id))
            return Snapshot(
                deal,
                events,
                messages,
                [(t.kind, t.due_at, t.state) for t in timers],
                [(o.chat_id, o.kind, dict(o.data)) for o in outbox],
            )


@pytest.fixture
def desk(make_uow: MakeUow, crm_config: CrmConfig, engine: AsyncEngine) -> Desk:
    return Desk(make_uow, crm_config, engine)


async def test_a_taken_deal_moves_through_every_stage_and_is_won(desk: Desk) -> None:
    deal_id = await desk.taken_deal()
    planned = await desk.plan(deal_id, later(3 * 24 * 60), at=NOW)
    assert planned.ok and planned.deal is not None
    version = planned.deal.version
    for minute, (stage, amount) in enumerate(
        [("qualified", None), ("proposal", 150_000), ("negotiation", None), ("invoice", None)], start=1
    ):
        result = await desk.move(deal_id, stage, amount=amount, version=version, at=later(minute))
        assert result.ok and result.deal is not None, (stage, result.error)
        assert (result.deal.stage, result.deal.stage_entered_at) == (stage, later(minute))
        assert result.deal.version == version + 1
        version = result.deal.version
        async with desk.make_uow() as uow:
            pending = await uow.timers.pending_for(deal_id)
        # Leaving a stage ends its deadline and starts the next one's (working time: 1d from 11:0x
        # Wednesday is 11:0x Thursday); the planned call stays.
        sla = desk.config.pipeline("sales").stage(stage).sla  # type: ignore[union-attr]
        assert sla is not None
        assert sorted((t.kind, t.due_at, t.payload.get("stage")) for t in pending) == sorted(
            [
                (timer_kinds.NEXT_CONTACT, later(3 * 24 * 60), None),
                (timer_kinds.STAGE_SLA, desk.config.calendar().add(later(minute), sla), stage),
            ]
        )

    assert (await desk.win(deal_id, 160_000, version=version, at=later(10))).ok

    after = await desk.snapshot(deal_id)
    assert after.deal is not None
    assert (after.deal.status, after.deal.stage, after.deal.version) == (DealStatus.WON, "won", version + 1)
    assert (after.deal.amount, after.deal.closed_at, after.deal.next_contact_at) == (160_000, later(10), None)
    moves = after.events_of(EventKind.STAGE_CHANGED, EventKind.WON)
    assert [(e.kind, e.actor_id, e.at) for e in moves] == [
        *[(EventKind.STAGE_CHANGED, OWNER, later(n)) for n in range(1, 5)],
        (EventKind.WON, OWNER, later(10)),
    ]
    assert [e.data for e in moves] == [
        {"from": "new", "to": "qualified"},
        {"from": "qualified", "to": "proposal", "amount": 150_000},
        {"from": "proposal", "to": "negotiation"},
        {"from": "negotiation", "to": "invoice"},
        {"from": "invoice", "amount": 160_000},
    ]
    assert {kind for kind, _, _ in after.timers} == {
        timer_kinds.TAKE_SLA,
        timer_kinds.STAGE_SLA,
        timer_kinds.NEXT_CONTACT,
    }
    assert {state for _, _, state in after.timers} == {"cancelled"}  # a won deal has nothing pending

    assert (await desk.move(deal_id, "new", at=later(11))).error is DealError.CLOSED
    assert (await desk.win(deal_id, 1, at=later(11))).error is DealError.CLOSED
    assert (await desk.lose(deal_id, "no_need", at=later(11))).error is DealError.CLOSED
    assert await desk.snapshot(deal_id) == after


async def test_a_move_needing_an_amount_is_refused_until_one_is_given(desk: Desk) -> None:
    deal_id = await desk.taken_deal()
    before = await desk.snapshot(deal_id)
    assert before.deal is not None
    for amount, error in (
        (None, DealError.NEEDS_AMOUNT),
        (0, DealError.BAD_AMOUNT),
        (-5, DealError.BAD_AMOUNT),
    ):
        result = await desk.move(deal_id, "proposal", amount=amount, version=before.deal.version, at=later(1))
        assert result.error is error
        assert result.deal is not None and result.deal.stage == "new"  # for redrawing the card as it is
    assert await desk.snapshot(deal_id) == before

    moved = await desk.move(deal_id, "proposal", amount=150_000, version=before.deal.version, at=later(2))
    assert moved.ok and moved.deal is not None and moved.deal.amount == 150_000
    assert (await desk.move(deal_id, "invoice", at=later(3))).ok  # needs an amount too: the deal has one
    after = await desk.snapshot(deal_id)
    assert after.deal is not None and (after.deal.stage, after.deal.amount) == ("invoice", 150_000)
    assert [e.data for e in after.events_of(EventKind.STAGE_CHANGED)] == [
        {"from": "new", "to": "proposal", "amount": 150_000},
        {"from": "proposal", "to": "invoice"},
    ]


def with_note_required(config: CrmConfig, stage: str) -> CrmConfig:
    sales = config.pipeline("sales")
    stages = [s.model_copy(update={"requires": ["note"]}) if s.key == stage else s for s in sales.stages]
    pipelines = [p.model_copy(update={"stages": stages}) if p.key == "sales" else p for p in config.pipelines]
    return config.model_copy(update={"pipelines": pipelines})


async def test_a_move_needing_a_note_keeps_the_note_in_the_history(desk: Desk) -> None:
    deal_id = await desk.taken_deal()
    config = with_note_required(desk.config, "negotiation")
    refused = await desk.move(deal_id, "negotiation", note="   ", config=config, at=later(1))
    assert refused.error is DealError.NEEDS_NOTE
    assert (await desk.move(deal_id, "negotiation", note=" обсудили скидку\n", config=config, at=later(2))).ok
    [event] = (await desk.snapshot(deal_id)).events_of(EventKind.STAGE_CHANGED)
    assert event.data == {"from": "new", "to": "negotiation", "note": "обсудили скидку"}


async def test_a_deal_lost_for_another_reason_needs_the_managers_words(desk: Desk) -> None:
    deal_id = await desk.taken_deal()
    assert (await desk.plan(deal_id, later(60), at=NOW)).ok
    before = await desk.snapshot(deal_id)
    for reason, note, error in [
        ("other", None, DealError.REASON_TEXT_REQUIRED),
        ("other", "  ", DealError.REASON_TEXT_REQUIRED),
        ("other", "x" * 501, DealError.TOO_LONG),
        ("aliens", None, DealError.UNKNOWN_REASON),
    ]:
        assert (await desk.lose(deal_id, reason, note=note, at=later(5))).error is error
    assert await desk.snapshot(deal_id) == before

    assert (await desk.lose(deal_id, "other", note="  переехали в другой город ", at=later(5))).ok
    after = await desk.snapshot(deal_id)
    assert after.deal is not None
    assert (after.deal.status, after.deal.stage, after.deal.closed_at) == (DealStatus.LOST, "lost", later(5))
    assert (after.deal.loss_reason, after.deal.loss_note) == ("other", "переехали в другой город")
    [event] = after.events_of(EventKind.LOST)
    assert (event.actor_id, event.at) == (OWNER, later(5))
    assert event.data == {"from": "new", "reason": "other", "note": "переехали в другой город"}
    assert after.deal.next_contact_at is None  # nobody is reminded to call a lost client
    assert [state for kind, _, state in after.timers if kind == timer_kinds.NEXT_CONTACT] == ["cancelled"]


async def test_a_lost_client_is_rewarmed_once_with_a_planned_contact(desk: Desk) -> None:
    deal_id = await desk.taken_deal()
    call_at = later(90 * 24 * 60)
    assert (await desk.rewarm(deal_id, call_at, at=later(1))).error is DealError.NOT_LOST
    assert (await desk.lose(deal_id, "postponed", at=later(1))).ok
    assert (await desk.rewarm(deal_id, later(2), at=later(2))).error is DealError.IN_PAST
    assert (await desk.rewarm(deal_id, call_at, by=COLLEAGUE, at=later(2))).error is DealError.NOT_ALLOWED

    result = await desk.rewarm(deal_id, call_at, at=later(3))
    assert result.ok and result.deal is not None
    new_id = result.extra["new_deal_id"]
    assert result.deal.id == new_id != deal_id
    old, new = await desk.snapshot(deal_id), await desk.snapshot(new_id)
    assert old.deal is not None and new.deal is not None
    assert (new.deal.pipeline, new.deal.stage, new.deal.status) == ("rewarm", "new", DealStatus.OPEN)
    assert (new.deal.contact_id, new.deal.chat_id) == (old.deal.contact_id, PROSPECT)
    assert (new.deal.manager_id, new.deal.taken_at, new.deal.next_contact_at) == (OWNER, later(3), call_at)
    async with desk.make_uow() as uow:
        pending = await uow.timers.pending_for(new_id)
    stage_due = desk.config.calendar().add(later(3), timedelta(days=1))  # the rewarm "new" stage's sla
    assert [(t.kind, t.due_at, t.payload) for t in pending] == [
        (timer_kinds.STAGE_SLA, stage_due, {"stage": "new", "entered": later(3).isoformat()}),
        (timer_kinds.NEXT_CONTACT, call_at, {}),
    ]
    assert [(e.kind, e.actor_id, e.at, e.data) for e in new.events] == [
        (EventKind.CREATED, OWNER, later(3), {"from_deal": deal_id, "pipeline": "rewarm"}),
        (EventKind.NEXT_CONTACT_SET, OWNER, later(3), {"at": call_at.isoformat()}),
    ]
    assert [e.data for e in old.events_of(EventKind.REWARMED)] == [{"new_deal": new_id}]

    assert (await desk.rewarm(deal_id, call_at, at=later(4))).error is DealError.ALREADY_REWARMED
    # Even once the rewarm deal is lost too, neither deal goes round again.
    assert (await desk.lose(new_id, "no_need", at=later(5))).ok
    for subject in (deal_id, new_id):
        assert (await desk.rewarm(subject, call_at, at=later(6))).error is DealError.ALREADY_REWARMED
    async with desk.make_uow() as uow:
        assert [d.pipeline for d in await uow.deals.for_contact(old.deal.contact_id)] == ["sales", "rewarm"]


async def test_a_new_next_contact_replaces_the_pending_one_and_the_past_is_refused(desk: Desk) -> None:
    deal_id = await desk.taken_deal()
    assert (await desk.plan(deal_id, later(60), at=NOW)).ok
    second = await desk.plan(deal_id, later(24 * 60), at=later(1))
    assert second.ok and second.deal is not None and second.deal.next_contact_at == later(24 * 60)
    async with desk.make_uow() as uow:
        pending = await uow.timers.pending_for(deal_id)
    assert [(t.kind, t.due_at, t.payload) for t in pending if t.kind != timer_kinds.STAGE_SLA] == [
        (timer_kinds.NEXT_CONTACT, later(24 * 60), {})
    ]
    before = await desk.snapshot(deal_id)
    [_, latest] = before.events_of(EventKind.NEXT_CONTACT_SET)
    assert (latest.actor_id, latest.at) == (OWNER, later(1))
    assert latest.data == {"at": later(24 * 60).isoformat(), "was": later(60).isoformat()}

    for when in (later(2), later(1), NOW):  # the moment itself is not the future either
        assert (await desk.plan(deal_id, when, at=later(2))).error is DealError.IN_PAST
    assert await desk.snapshot(deal_id) == before


Action = Callable[[Desk, int, int, int], Awaitable[ActionResult]]  # desk, deal id, who, card version
ACTIONS: dict[str, Action] = {
    "move": lambda desk, deal_id, by, v: desk.move(deal_id, "qualified", by=by, version=v, at=later(5)),
    "win": lambda desk, deal_id, by, v: desk.win(deal_id, 1_000, by=by, version=v, at=later(5)),
    "lose": lambda desk, deal_id, by, v: desk.lose(deal_id, "no_need", by=by, version=v, at=later(5)),
    "next_contact": lambda desk, deal_id, by, v: desk.plan(
        deal_id, later(600), by=by, version=v, at=later(5)
    ),
    "note": lambda desk, deal_id, by, v: desk.note(deal_id, "звонил", by=by, at=later(5)),
    "hand_over": lambda desk, deal_id, by, v: desk.give(deal_id, COLLEAGUE, "беру себе", by=by, at=later(5)),
    "reply": lambda desk, deal_id, by, v: desk.reply(
        deal_id, OutgoingMessage(by, 1, "text", "Добрый день"), by=by, at=later(5)
    ),
}


@pytest.mark.parametrize("who", [COLLEAGUE, PROSPECT], ids=["colleague", "not_staff"])
@pytest.mark.parametrize("action", list(ACTIONS))
async def test_nobody_but_the_owner_and_overseers_acts_on_a_deal(desk: Desk, action: str, who: int) -> None:
    deal_id = await desk.taken_deal()
    before = await desk.snapshot(deal_id)
    assert before.deal is not None
    result = await ACTIONS[action](desk, deal_id, who, before.deal.version)
    assert result.error is DealError.NOT_ALLOWED
    assert await desk.snapshot(deal_id) == before


async def test_a_supervisor_acts_on_any_deal_in_their_own_name(desk: Desk) -> None:
    deal_id = await desk.taken_deal()
    result = await desk.move(deal_id, "qualified", by=SUPERVISOR, at=later(5))
    assert result.ok and result.deal is not None and result.deal.manager_id == OWNER  # still the owner's
    [event] = (await desk.snapshot(deal_id)).events_of(EventKind.STAGE_CHANGED)
    assert event.actor_id == SUPERVISOR


async def test_a_lead_not_yet_taken_cannot_be_worked(desk: Desk) -> None:
    async with desk.make_uow() as uow:
        await bootstrap_staff(uow, roles={Role.MANAGER: [OWNER]})
    deal_id = await desk.lead()  # assigned to OWNER, not taken
    assert (await desk.move(deal_id, "qualified", at=later(1))).error is DealError.NOT_TAKEN
    missing = await desk.move(999_999, "qualified", at=later(1))
    assert (missing.error, missing.deal) == (DealError.NOT_FOUND, None)


async def test_a_button_on_an_outdated_card_is_refused_as_stale(desk: Desk) -> None:
    deal_id = await desk.taken_deal()
    card = await desk.snapshot(deal_id)  # the version the card was drawn with
    assert card.deal is not None
    shown = card.deal.version
    moved = await desk.move(deal_id, "qualified", version=shown, at=later(1))
    assert moved.ok and moved.deal is not None and moved.deal.version == shown + 1

    before = await desk.snapshot(deal_id)
    for stale in [
        await desk.move(deal_id, "negotiation", version=shown, at=later(2)),
        await desk.win(deal_id, 1_000, version=shown, at=later(2)),
        await desk.lose(deal_id, "no_need", version=shown, at=later(2)),
        await desk.plan(deal_id, later(60), version=shown, at=later(2)),
    ]:
        assert stale.error is DealError.STALE
        assert stale.deal is not None and stale.deal.version == shown + 1  # so the card can be redrawn
    assert await desk.snapshot(deal_id) == before
    assert (await desk.move(deal_id, "negotiation", version=shown + 1, amount=1_000, at=later(3))).ok


async def test_a_supervisor_hands_a_deal_over_and_both_managers_hear_of_it(desk: Desk) -> None:
    deal_id = await desk.taken_deal()
    before = await desk.snapshot(deal_id)
    assert before.deal is not None
    assert (await desk.give(deal_id, COLLEAGUE, "  Анна в отпуске ", by=SUPERVISOR, at=later(30))).ok
    after = await desk.snapshot(deal_id)
    assert after.deal is not None
    assert (after.deal.manager_id, after.deal.assigned_at, after.deal.taken_at) == (
        COLLEAGUE,
        later(30),
        later(30),
    )
    assert after.deal.version == before.deal.version + 1
    [event] = after.events_of(EventKind.REASSIGNED)
    assert (event.actor_id, event.at) == (SUPERVISOR, later(30))
    assert event.data == {"from": OWNER, "to": COLLEAGUE, "reason": "Анна в отпуске"}
    data = {"deal_id": deal_id, "from": OWNER, "by": SUPERVISOR, "to": COLLEAGUE, "reason": "Анна в отпуске"}
    assert after.outbox[len(before.outbox) :] == [
        (COLLEAGUE, "deal_handed_over", data),
        (OWNER, "deal_taken_away", data),
    ]
    # The deal is the colleague's now, and no longer the previous owner's.
    assert (await desk.note(deal_id, "звонил", by=OWNER, at=later(31))).error is DealError.NOT_ALLOWED
    assert (await desk.note(deal_id, "звонил", by=COLLEAGUE, at=later(31))).ok


async def test_an_owner_handing_over_is_not_told_about_it(desk: Desk) -> None:
    deal_id = await desk.taken_deal()
    before = await desk.snapshot(deal_id)
    assert (await desk.give(deal_id, COLLEAGUE, "не мой профиль", by=OWNER, at=later(30))).ok
    after = await desk.snapshot(deal_id)
    assert [(chat, kind) for chat, kind, _ in after.outbox[len(before.outbox) :]] == [
        (COLLEAGUE, "deal_handed_over")
    ]


async def test_a_deal_is_handed_over_only_to_another_active_manager_with_a_reason(desk: Desk) -> None:
    deal_id = await desk.taken_deal()
    async with desk.make_uow() as uow:
        await uow.staff.add(Staff(telegram_id=103, roles=frozenset({Role.MANAGER}), active=False))
        await uow.commit()
    before = await desk.snapshot(deal_id)
    for to_id, reason, error in [
        (SUPERVISOR, "причина", DealError.BAD_TARGET),  # not a manager
        (103, "причина", DealError.BAD_TARGET),  # a manager who left the team
        (999_999, "причина", DealError.BAD_TARGET),  # nobody
        (OWNER, "причина", DealError.SAME_OWNER),
        (COLLEAGUE, "   ", DealError.EMPTY_TEXT),
        (COLLEAGUE, "x" * 501, DealError.TOO_LONG),
    ]:
        assert (await desk.give(deal_id, to_id, reason, by=SUPERVISOR, at=later(30))).error is error, to_id
    assert await desk.snapshot(deal_id) == before


async def test_a_reply_is_queued_for_the_prospects_chat_and_kept_in_the_history(desk: Desk) -> None:
    deal_id = await desk.taken_deal()
    before = await desk.snapshot(deal_id)
    empty = await desk.reply(deal_id, OutgoingMessage(OWNER, 41, "text", "  "), at=later(5))
    assert empty.error is DealError.EMPTY_TEXT
    assert await desk.snapshot(deal_id) == before

    message = OutgoingMessage(chat_id=OWNER, message_id=42, kind="text", text="Анна, добрый день! Пришлю КП.")
    assert (await desk.reply(deal_id, message, at=later(5))).ok
    after = await desk.snapshot(deal_id)
    data = {"deal_id": deal_id, "kind": "text", "text": message.text, "from_chat_id": OWNER, "message_id": 42}
    assert after.outbox[len(before.outbox) :] == [(PROSPECT, "manager_reply", data)]
    [event] = after.events_of(EventKind.MESSAGE_OUT)
    assert (event.actor_id, event.at, event.data) == (OWNER, later(5), {"kind": "text", "text": message.text})
    [sent] = [m for m in after.messages if m.direction is Direction.OUT]
    assert (sent.author_id, sent.telegram_message_id, sent.text, sent.at) == (
        OWNER,
        42,
        message.text,
        later(5),
    )
    async with session_factory(desk.engine)() as session:
        locale = await session.scalar(select(OutboxRow.locale).order_by(OutboxRow.id.desc()).limit(1))
    assert locale == "ru"  # the prospect's language, for the signature


async def test_a_lost_client_can_still_be_answered(desk: Desk) -> None:
    deal_id = await desk.taken_deal()
    assert (await desk.lose(deal_id, "no_answer", at=later(1))).ok
    assert (await desk.reply(deal_id, OutgoingMessage(OWNER, 43, "photo", None), at=later(2))).ok
    assert (await desk.snapshot(deal_id)).outbox[-1][:2] == (PROSPECT, "manager_reply")


async def test_won_and_lost_pressed_at_once_on_the_same_card_close_the_deal_once(desk: Desk) -> None:
    deal_id = await desk.taken_deal()
    await desk.move(deal_id, "qualified", at=later(1))
    version = (await desk.snapshot(deal_id)).deal.version  # type: ignore[union-attr]
    won, lost = await asyncio.gather(
        desk.win(deal_id, 1000, at=later(2), version=version),
        desk.lose(deal_id, "too_expensive", at=later(2), by=SUPERVISOR, version=version),
    )
    assert sorted([won.error is None, lost.error is None]) == [False, True], (won.error, lost.error)
    assert (won.error or lost.error) is DealError.STALE
    after = await desk.snapshot(deal_id)
    assert len(after.events_of(EventKind.WON, EventKind.LOST)) == 1
    assert after.deal is not None and after.deal.status is (DealStatus.WON if won.ok else DealStatus.LOST)


async def test_two_typed_answers_at_once_do_not_both_act_on_what_each_read(desk: Desk) -> None:
    """Typed input carries no card version; the second writer still must not overwrite the first."""
    deal_id = await desk.taken_deal()
    await desk.move(deal_id, "qualified", at=later(1))
    won, lost = await asyncio.gather(
        desk.win(deal_id, 1000, at=later(2)), desk.lose(deal_id, "no_need", at=later(2), by=SUPERVISOR)
    )
    assert [won.ok, lost.ok].count(True) == 1, (won.error, lost.error)
    assert len((await desk.snapshot(deal_id)).events_of(EventKind.WON, EventKind.LOST)) == 1


async def test_rewarm_pressed_twice_at_once_opens_one_rewarm_deal(desk: Desk) -> None:
    deal_id = await desk.taken_deal()
    await desk.lose(deal_id, "postponed", at=later(1))
    first, second = await asyncio.gather(
        desk.rewarm(deal_id, later(60 * 24 * 30), at=later(2)),
        desk.rewarm(deal_id, later(60 * 24 * 30), at=later(2)),
    )
    assert [first.ok, second.ok].count(True) == 1, (first.error, second.error)
    assert (first.error or second.error) in (DealError.STALE, DealError.ALREADY_REWARMED)
    async with desk.make_uow() as uow:
        deal = await uow.deals.get(deal_id)
        assert deal is not None
        rewarm = [d for d in await uow.deals.for_contact(deal.contact_id) if d.pipeline == "rewarm"]
    assert len(rewarm) == 1
