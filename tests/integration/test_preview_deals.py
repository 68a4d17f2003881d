"""Test deals (a staff member's /preview) next to real ones, on SQLite and PostgreSQL: every report, the
digest, distribution's load, the queue and other people's lists count the real ones only; deleting a test
deal takes everything of it and refuses anything else."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from domain.crm_config import CrmConfig
from domain.deal_lists import find_deals, my_deals, unsorted_queue
from domain.digest import compose_digest
from domain.intake import Prospect, submit_lead
from domain.models import (
    Breach,
    BreachKind,
    Channel,
    ChatMessage,
    Deal,
    DealEvent,
    DealStatus,
    Direction,
    EventKind,
    Inquiry,
    InquiryState,
    Notice,
    Role,
    Staff,
    Timer,
)
from domain.notice_kinds import NoticeKind
from domain.preview_deals import DeleteOutcome, delete_test_deal
from domain.reports.channels import channels_report
from domain.reports.funnel import funnel_report
from domain.reports.losses import loss_report
from domain.reports.managers import managers_report
from domain.reports.scope import ReportScope, days_period
from domain.team_management import remove_staff
from tests.integration.stored_deals import MANAGER, NOW, OTHER_MANAGER, SUPERVISOR, MakeUow, deal, store

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
SCOPE = ReportScope(days_period(date(2026, 11, 16), date(2026, 11, 25), timezone="Europe/Moscow"))
ADMIN = 4


def world(*, is_test: bool) -> list[Deal]:
    """One of each thing the reports and the digest count: in work and overdue, unsorted, won, lost,
    non-target, all in the period."""
    made = NOW - 3 * DAY
    closed: dict[str, Any] = {"created_at": made, "closed_at": NOW - HOUR, "taken_at": made + HOUR}
    return [
        deal(contact_in=-300, taken_at=made + HOUR, assigned_at=made, created_at=made, is_test=is_test),
        deal(manager=None, created_at=NOW - 2 * HOUR, is_test=is_test),
        deal("won", status=DealStatus.WON, amount=150_000, assigned_at=made, is_test=is_test, **closed),
        deal("lost", status=DealStatus.LOST, loss_reason="too_expensive", is_test=is_test, **closed),
        deal(
            "lost", status=DealStatus.LOST, loss_reason="other", loss_note="дорого", is_test=is_test, **closed
        ),
        deal(
            "lost", target=False, status=DealStatus.LOST, loss_reason="non_target", is_test=is_test, **closed
        ),
    ]


async def figures(make_uow: MakeUow, config: CrmConfig) -> dict[str, Any]:
    """Everything the team sees counted, as of NOW."""
    async with make_uow() as uow:
        supervisor = await uow.staff.get(SUPERVISOR)
        counted: dict[str, Any] = {
            "funnel": await funnel_report(uow, config, SCOPE),
            "losses": await loss_report(uow, config, SCOPE),
            "managers": await managers_report(uow, config, SCOPE, now=NOW),
            "channels": await channels_report(uow, config, SCOPE),
            "digest": await compose_digest(uow, config, since=NOW - 4 * DAY, now=NOW),
            "load": await uow.deals.open_counts(),
            "unsorted": await uow.deals.unsorted_count(),
            "stages": await uow.deals.stage_counts(manager_id=None, now=NOW),
            "export": [e.deal.id for e in await uow.export_rows.deals(SCOPE, after=None, limit=100)],
            "events": [e.deal_id for e in await uow.export_rows.events(SCOPE, after=None, limit=1000)],
        }
        listing = await my_deals(uow, staff=supervisor, config=config, now=NOW)
        counted["everyone"] = [item.deal.id for group in listing.groups for item in group.items]
    return counted


async def test_reports_the_digest_load_and_lists_count_the_real_deals_only(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    config = crm_config.model_copy(
        update={"business_hours": crm_config.business_hours.model_copy(update={"always": True})}
    )
    real = await store(make_uow, world(is_test=False))
    async with make_uow() as uow:
        for deal_id in real[:2]:  # a questionnaire finished for each of the first two, one left half-way
            await uow.inquiries.add(Inquiry(Channel.TELEGRAM, NOW - 3 * DAY, state=InquiryState.FINISHED,
                                            step=4, deal_id=deal_id))  # fmt: skip
        await uow.inquiries.add(
            Inquiry(Channel.TELEGRAM, NOW - 3 * DAY, state=InquiryState.CANCELLED, step=1)
        )
        await uow.breaches.add(
            Breach(BreachKind.CONTACT, real[0], MANAGER, "sales", "new", NOW - DAY, NOW - DAY)
        )
        await uow.staff.add(Staff(ADMIN, frozenset({Role.ADMIN}), name="Anna"))
        await uow.commit()
    before = await figures(make_uow, config)
    assert before["load"] == {MANAGER: 1} and before["unsorted"] == 1 and before["losses"].total == 2

    tests = await store(make_uow, world(is_test=True))
    async with make_uow() as uow:
        for deal_id in tests[:2]:
            await uow.inquiries.add(Inquiry(Channel.TELEGRAM, NOW - 3 * DAY, state=InquiryState.FINISHED,
                                            step=4, deal_id=deal_id, is_test=True))  # fmt: skip
        await uow.inquiries.add(
            Inquiry(Channel.TELEGRAM, NOW - 3 * DAY, state=InquiryState.CANCELLED, step=2, is_test=True)
        )
        await uow.commit()
    after = await figures(make_uow, config)
    for name, value in before.items():
        assert after[name] == value, name

    # The maker finds their own test deal; nobody else does, in a search or in their own list.
    async with make_uow() as uow:
        maker, other, admin = [await uow.staff.get(i) for i in (MANAGER, OTHER_MANAGER, ADMIN)]
        assert [
            i.deal.id for i in (await find_deals(uow, staff=maker, config=config, query=str(tests[0]))).items
        ] == [tests[0]]
        assert not (await find_deals(uow, staff=admin, config=config, query=str(tests[0]))).items
        assert not (await find_deals(uow, staff=other, config=config, query=str(tests[0]))).items
        own = await my_deals(uow, staff=maker, config=config, now=NOW)
        assert tests[0] in [item.deal.id for group in own.groups for item in group.items]


async def test_a_preview_lead_goes_to_its_maker_alone_and_no_client_joins_its_contact(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await store(make_uow, [])
    staff = Prospect(MANAGER, MANAGER, "Oleg", "oleg", "ru", phone_verified=True)
    answers = {"need": "Сайт", "budget": "large", "timing": "soon", "phone": "+79161234567"}
    async with make_uow() as uow:
        made = await submit_lead(uow, crm_config, prospect=staff, answers=answers, source=None, now=NOW,
                                 test_of=MANAGER)  # fmt: skip
        tested = await uow.deals.get(made.deal_id)
        queued = await uow.outbox.waiting_for(SUPERVISOR, queued_by=NOW + DAY)
    assert tested is not None and tested.is_test and tested.manager_id == MANAGER and tested.taken_at is None
    assert not queued  # the supervisors hear nothing of it
    client = Prospect(501, 501, "Anna", None, "ru", phone_verified=True)
    async with make_uow() as uow:
        real = await submit_lead(uow, crm_config, prospect=client, answers=answers, source=None, now=NOW)
        assert real.contact_id != made.contact_id  # the same phone, shared by the button: still not joined
        assert (await uow.deals.get(real.deal_id)).is_test is False  # type: ignore[union-attr]


async def test_deleting_takes_everything_of_a_test_deal_and_nothing_else(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    real_id, test_id = await store(make_uow, [deal(), deal(is_test=True)])
    async with make_uow() as uow:
        for deal_id in (real_id, test_id):
            await uow.events.add(DealEvent(deal_id, EventKind.NOTE, NOW, data={"text": "x"}))
            await uow.messages.add(ChatMessage(deal_id, Direction.IN, "text", NOW, text="hi", chat_id=9))
            await uow.timers.add(Timer("next_contact", deal_id, NOW + DAY))
            await uow.links.add(chat_id=MANAGER, message_id=100 + deal_id, deal_id=deal_id, at=NOW)
            await uow.inquiries.add(
                Inquiry(Channel.TELEGRAM, NOW, state=InquiryState.FINISHED, deal_id=deal_id)
            )
            await uow.outbox.add(Notice(MANAGER, NoticeKind.NEW_LEAD, {"deal_id": deal_id}, "ru"), now=NOW)
        await uow.commit()
    async with make_uow() as uow:
        maker, other, supervisor = [await uow.staff.get(i) for i in (MANAGER, OTHER_MANAGER, SUPERVISOR)]
        assert await delete_test_deal(uow, staff=maker, deal_id=real_id) is DeleteOutcome.NOT_TEST
        assert await delete_test_deal(uow, staff=other, deal_id=test_id) is DeleteOutcome.NOT_ALLOWED
        assert await delete_test_deal(uow, staff=supervisor, deal_id=test_id) is DeleteOutcome.NOT_ALLOWED
        assert await delete_test_deal(uow, staff=maker, deal_id=test_id) is DeleteOutcome.DELETED
        assert await delete_test_deal(uow, staff=maker, deal_id=test_id) is DeleteOutcome.GONE
    async with make_uow() as uow:
        assert await uow.deals.get(test_id) is None and await uow.deals.get(real_id) is not None
        assert await uow.events.for_deal(test_id, limit=10) == []
        assert len(await uow.events.for_deal(real_id, limit=10)) == 1
        assert await uow.timers.pending_for(test_id) == [] and len(await uow.timers.pending_for(real_id)) == 1
        assert await uow.inquiries.for_deal(test_id) == [] and len(await uow.inquiries.for_deal(real_id)) == 1
        assert await uow.links.deal_for(chat_id=MANAGER, message_id=100 + test_id) is None
        assert await uow.links.deal_for(chat_id=MANAGER, message_id=100 + real_id) == real_id
        assert await uow.contacts.get(1) is not None
        assert await uow.deals.for_contact(2) == []  # the blank row kept for its number is nobody's deal


async def test_a_deleted_test_deals_number_is_never_given_again(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    """SQLite gives the highest deleted row's number to the next row: a test deal deleted last must not
    hand its number (and the old card's buttons) to the next client's deal."""
    real_id, test_id = await store(make_uow, [deal(), deal(is_test=True, chat_id=MANAGER)])
    async with make_uow() as uow:
        contact = await uow.contacts.get(2)
        assert contact is not None  # a test deal's contact is a test one (domain.intake.record_test_lead)
        await uow.contacts.save(replace(contact, phone="+79161234567", is_test=True))
        await uow.commit()
    async with make_uow() as uow:
        maker = await uow.staff.get(MANAGER)
        assert await delete_test_deal(uow, staff=maker, deal_id=test_id) is DeleteOutcome.DELETED
    async with make_uow() as uow:
        assert await delete_test_deal(uow, staff=maker, deal_id=test_id) is DeleteOutcome.GONE
    [next_id] = await store(make_uow, [deal()])
    assert next_id > test_id > real_id
    async with make_uow() as uow:
        assert await uow.deals.get(test_id) is None
        assert await uow.deals.latest_for_chat(MANAGER) is None
        for who in (None, MANAGER):
            found = await uow.deals.search(deal_id=test_id, phone=None, name=None, manager_id=who, limit=5,
                                           viewer=MANAGER)  # fmt: skip
            assert found == []
        listing = await my_deals(uow, staff=maker, config=crm_config, now=NOW)
        assert sorted(i.deal.id or 0 for g in listing.groups for i in g.items) == [real_id, next_id]
        contact = await uow.contacts.get(2)
        assert contact is not None and contact.phone is None and contact.name == ""


async def test_an_admins_everybody_list_holds_their_own_test_deal_and_no_one_elses(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    async with make_uow() as uow:
        await uow.staff.add(Staff(ADMIN, frozenset({Role.ADMIN}), name="Anna"))
        await uow.commit()
    real, mine, managers, unsorted = await store(make_uow, [
        deal(contact_in=60), deal(manager=ADMIN, is_test=True, contact_in=-30), deal(is_test=True),
        deal(manager=None),
    ])  # fmt: skip
    async with make_uow() as uow:
        admin, supervisor = await uow.staff.get(ADMIN), await uow.staff.get(SUPERVISOR)
        own = await my_deals(uow, staff=admin, config=crm_config, now=NOW)
        theirs = await my_deals(uow, staff=supervisor, config=crm_config, now=NOW)
        queue = await unsorted_queue(uow, staff=admin, config=crm_config)
    assert sorted(i.deal.id or 0 for g in own.groups for i in g.items) == [real, mine, unsorted]
    assert own.total == 3 and own.groups[0].overdue and [i.deal.id for i in own.groups[0].items] == [mine]
    assert sorted(i.deal.id or 0 for g in theirs.groups for i in g.items) == [real, unsorted]
    assert managers not in [i.deal.id for i in queue.items] and [i.deal.id for i in queue.items] == [unsorted]


async def test_a_removed_staff_members_test_deals_open_or_closed_are_deleted_and_their_numbers_kept(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    async with make_uow() as uow:
        await uow.staff.add(Staff(ADMIN, frozenset({Role.ADMIN}), name="Anna"))
        await uow.commit()
    real, open_test, closed_test = await store(make_uow, [
        deal(), deal(is_test=True), deal(is_test=True, status=DealStatus.LOST, closed_at=NOW),
    ])  # fmt: skip
    async with make_uow() as uow:
        removed = await remove_staff(uow, crm_config, staff=await uow.staff.get(ADMIN), target_id=MANAGER,
                                     pinned=frozenset(), now=NOW)  # fmt: skip
    assert removed.deal_ids == (real,)
    [after] = await store(make_uow, [deal(manager=OTHER_MANAGER)])
    assert after > closed_test
    async with make_uow() as uow:
        assert await uow.deals.get(open_test) is None and await uow.deals.get(closed_test) is None
        assert await uow.deals.test_deal_ids(MANAGER) == []
        assert (await uow.deals.get(real)) is not None
