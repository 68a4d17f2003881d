"""Possible duplicates named on the card, and a supervisor merging two contacts into one, on SQLite and
on PostgreSQL: every deal, message and history entry kept, the merge in both histories, nothing deleted."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.client_chat import relay_prospect_message
from domain.contact_merge import MergeOutcome, MergePlan, merge_contacts, merge_plan
from domain.crm_config import CrmConfig
from domain.deal_card import deal_card
from domain.intake import IncomingMessage, IntakeOutcome, IntakeResult, submit_lead
from domain.models import ContactStatus, DealEvent, EventKind, Role, Staff
from domain.web_intake import WebLead, submit_web_lead
from handlers.common.i18n import Translator
from handlers.desk.views.card import deal_card_text
from storage.tables import ContactRow, DealEventRow, DealRow, InquiryRow, MessageRow
from tests.integration.test_intake_use_case import ANSWERS, NOW, MakeUow, prospect, staff_with

SUPERVISOR = Staff(201, frozenset({Role.SUPERVISOR}), name="Ольга")
MANAGER = Staff(101, frozenset({Role.MANAGER}), name="Олег")
RU = Translator().bind("ru")
PHONE = "+79161234567"


async def lead(
    make_uow: MakeUow, config: CrmConfig, telegram_id: int, name: str, phone: str, *, verified: bool = False,
    first_message: str | None = None,
) -> IntakeResult:  # fmt: skip
    said = said_in(telegram_id, 1, first_message) if first_message else None
    async with make_uow() as uow:
        return await submit_lead(
            uow, config, prospect=prospect(telegram_id, name, verified=verified),
            answers={**ANSWERS, "phone": phone}, source="instagram", first_message=said, now=NOW,
        )  # fmt: skip


def said_in(chat_id: int, message_id: int, text: str) -> IncomingMessage:
    return IncomingMessage(
        chat_id=chat_id, telegram_id=chat_id, message_id=message_id, kind="text", text=text
    )


async def created_data(make_uow: MakeUow, deal_id: int) -> dict[str, object]:
    async with make_uow() as uow:
        first = (await uow.events.for_deal(deal_id, limit=1))[0]
    assert first.kind is EventKind.CREATED
    return first.data


async def card_text(make_uow: MakeUow, config: CrmConfig, deal_id: int) -> str:
    async with make_uow() as uow:
        card = await deal_card(uow, deal_id)
    assert card is not None
    return deal_card_text(card, config, RU, now=NOW)


async def test_a_typed_phone_of_another_contact_flags_the_new_deal_and_its_card_names_the_other(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await staff_with(make_uow, manager=[101])
    anna = await lead(make_uow, crm_config, 500, "Анна", PHONE, verified=True)
    boris = await lead(make_uow, crm_config, 501, "Борис", PHONE)
    assert boris.contact_id != anna.contact_id  # a typed phone never joins someone else's contact
    assert (await created_data(make_uow, boris.deal_id))["duplicate_of"] == {
        "deal_id": anna.deal_id, "contact_id": anna.contact_id, "by": "phone",
    }  # fmt: skip
    async with make_uow() as uow:
        card = await deal_card(uow, boris.deal_id)
    assert card is not None and card.duplicate is not None
    assert (card.duplicate.deal_id, card.duplicate.merged, card.duplicate.mergeable) == (
        anna.deal_id,
        False,
        True,
    )
    text = await card_text(make_uow, crm_config, boris.deal_id)
    assert f"Возможный дубль сделки №{anna.deal_id}: тот же телефон" in text
    assert "дубль" not in await card_text(make_uow, crm_config, anna.deal_id)


async def test_the_same_name_and_last_seven_digits_are_flagged_too(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    anna = await lead(make_uow, crm_config, 500, "Анна", PHONE, verified=True)
    # The same subscriber number after a Moscow landline code: not the same phone, likely the same person.
    again = await lead(make_uow, crm_config, 502, "анна", "+74951234567")
    assert (await created_data(make_uow, again.deal_id))["duplicate_of"] == {
        "deal_id": anna.deal_id, "contact_id": anna.contact_id, "by": "name_digits",
    }  # fmt: skip
    text = await card_text(make_uow, crm_config, again.deal_id)
    assert f"Возможный дубль сделки №{anna.deal_id}: то же имя и похожий телефон" in text


async def test_nobody_alike_no_flag(make_uow: MakeUow, crm_config: CrmConfig) -> None:
    await lead(make_uow, crm_config, 500, "Анна", PHONE, verified=True)
    other_name = await lead(make_uow, crm_config, 503, "Борис", "+74951234567")  # same digits, other name
    other_phone = await lead(make_uow, crm_config, 504, "Анна", "+79037654321")  # same name, other digits
    for result in (other_name, other_phone):
        assert "duplicate_of" not in await created_data(make_uow, result.deal_id)
        assert "дубль" not in await card_text(make_uow, crm_config, result.deal_id)


TABLES = {"contacts": ContactRow, "deals": DealRow, "messages": MessageRow, "deal_events": DealEventRow,
          "inquiries": InquiryRow}  # fmt: skip


async def rows(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        return {
            name: int(await connection.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in TABLES.items()
        }


async def web_lead_and_its_telegram_twin(
    make_uow: MakeUow, config: CrmConfig
) -> tuple[IntakeResult, IntakeResult]:
    """A website form (a contact without Telegram), then the same person in Telegram typing the same phone:
    two contacts, the second flagged."""
    await staff_with(make_uow, manager=[101], supervisor=[201])
    form = WebLead(name="Анна", phone=PHONE, email="anna@example.com", message="Нужен сайт для кофейни")
    async with make_uow() as uow:
        web = await submit_web_lead(uow, config, form, now=NOW)
    chat = await lead(make_uow, config, 600, "Анна К.", PHONE, first_message="Здравствуйте!")
    assert chat.contact_id != web.contact_id
    assert (await created_data(make_uow, chat.deal_id))["duplicate_of"]["contact_id"] == web.contact_id  # type: ignore[index]
    return web, chat


async def test_a_merge_keeps_every_row_and_joins_the_contacts_in_the_older_one(
    make_uow: MakeUow, engine: AsyncEngine, crm_config: CrmConfig
) -> None:
    web, chat = await web_lead_and_its_telegram_twin(make_uow, crm_config)
    async with make_uow() as uow:  # the client writes again before the merge
        relayed = await relay_prospect_message(uow, said_in(600, 2, "Жду звонка"), now=NOW)
    assert relayed is not None and relayed.deal_id == chat.deal_id
    before = await rows(engine)

    async with make_uow() as uow:
        plan = await merge_plan(uow, (chat.contact_id, web.contact_id))
    assert isinstance(plan, MergePlan) and (plan.kept.id, plan.merged.id) == (web.contact_id, chat.contact_id)
    assert plan.moving == (chat.deal_id,)

    later = NOW + timedelta(minutes=5)
    async with make_uow() as uow:  # started from the newer contact's card: the older one is kept anyway
        result = await merge_contacts(
            uow, contact_ids=(chat.contact_id, web.contact_id), staff=SUPERVISOR, now=later
        )
    assert result.outcome is MergeOutcome.MERGED and result.moved == (chat.deal_id,)

    after = await rows(engine)
    assert after == {**before, "deal_events": before["deal_events"] + 2}  # one merge entry in each deal
    async with make_uow() as uow:
        kept, merged = await uow.contacts.get(web.contact_id), await uow.contacts.get(chat.contact_id)
        assert kept is not None and merged is not None
        # What the kept contact lacked came over; the Telegram account moved (telegram_id is unique).
        assert (kept.telegram_id, kept.phone, kept.email) == (600, PHONE, "anna@example.com")
        assert kept.username == "anna"
        assert (kept.name, kept.status, kept.merged_into) == ("Анна", ContactStatus.ACTIVE, None)
        assert (merged.merged_into, merged.status) == (web.contact_id, ContactStatus.ARCHIVED)
        assert merged.telegram_id is None
        assert merged.name == "Анна К." and merged.phone == PHONE  # kept as it was, not deleted
        moved = await uow.deals.get(chat.deal_id)
        assert moved is not None and (moved.contact_id, moved.chat_id) == (web.contact_id, 600)
        assert [d.id for d in await uow.deals.for_contact(web.contact_id)] == [web.deal_id, chat.deal_id]
        assert await uow.deals.for_contact(chat.contact_id) == []
        assert [m.text for m in await uow.messages.for_deal(chat.deal_id)] == ["Здравствуйте!", "Жду звонка"]
        assert [m.text for m in await uow.messages.for_deal(web.deal_id)] == ["Нужен сайт для кофейни"]
        for deal_id in (web.deal_id, chat.deal_id):  # the merge is in both histories
            entry = (await uow.events.latest(deal_id, limit=1))[0]
            assert (entry.kind, entry.actor_id, entry.at) == (EventKind.CONTACTS_MERGED, 201, later)
            assert entry.data == {
                "from_contact": chat.contact_id, "into_contact": web.contact_id, "from_name": "Анна К.",
                "into_name": "Анна", "by": 201, "moved": [chat.deal_id],
            }  # fmt: skip
        card = await deal_card(uow, chat.deal_id)
    assert card is not None and card.duplicate is not None and card.duplicate.merged
    assert card.other_open == (web.deal_id,)  # two open deals stay open: nothing is closed for the merge
    text = deal_card_text(card, crm_config, RU, now=later)
    assert f"Контакты объединены: это тот же клиент, что в сделке №{web.deal_id}" in text
    assert "+7 916 123-45-67" in text and "anna@example.com" in text

    # The person writes again: their messages still reach their own deal, and a new request is the kept
    # contact's (found by the Telegram account that moved to it).
    async with make_uow() as uow:
        relayed = await relay_prospect_message(uow, said_in(600, 3, "Алло?"), now=later)
    assert relayed is not None and relayed.deal_id == chat.deal_id
    again = await lead(make_uow, crm_config, 600, "Анна К.", PHONE)
    assert again.contact_id == web.contact_id and again.outcome is IntakeOutcome.APPENDED


async def test_a_merge_is_refused_to_managers_for_one_contact_and_when_done_already(
    make_uow: MakeUow, engine: AsyncEngine, crm_config: CrmConfig
) -> None:
    web, chat = await web_lead_and_its_telegram_twin(make_uow, crm_config)
    pair = (chat.contact_id, web.contact_id)
    before = await rows(engine)
    for staff, ids, outcome in (
        (MANAGER, pair, MergeOutcome.NOT_ALLOWED),
        (None, pair, MergeOutcome.NOT_ALLOWED),
        (SUPERVISOR, (web.contact_id, web.contact_id), MergeOutcome.SAME_CONTACT),
        (SUPERVISOR, (web.contact_id, 10**12), MergeOutcome.NOT_FOUND),
    ):
        async with make_uow() as uow:
            assert (await merge_contacts(uow, contact_ids=ids, staff=staff, now=NOW)).outcome is outcome
    assert await rows(engine) == before
    async with make_uow() as uow:
        assert (await merge_contacts(uow, contact_ids=pair, staff=SUPERVISOR, now=NOW)).ok
    merged_once = await rows(engine)
    async with make_uow() as uow:  # pressed again: merged once
        again = await merge_contacts(uow, contact_ids=pair, staff=SUPERVISOR, now=NOW)
    assert again.outcome is MergeOutcome.ALREADY_MERGED
    async with make_uow() as uow:
        assert await merge_plan(uow, pair) is MergeOutcome.ALREADY_MERGED
    assert await rows(engine) == merged_once
    # A third contact cannot be merged into the one merged away (the older of the two is kept).
    third = await lead(make_uow, crm_config, 700, "Анна", "+79035550000")
    with_third = await rows(engine)
    async with make_uow() as uow:
        into = await merge_contacts(
            uow, contact_ids=(third.contact_id, chat.contact_id), staff=SUPERVISOR, now=NOW
        )
    assert into.outcome is MergeOutcome.INTO_MERGED
    assert await rows(engine) == with_third


async def test_two_supervisors_merging_at_once_merge_once(
    make_uow: MakeUow, engine: AsyncEngine, crm_config: CrmConfig
) -> None:
    web, chat = await web_lead_and_its_telegram_twin(make_uow, crm_config)
    other = Staff(202, frozenset({Role.ADMIN}), name="Админ")

    async def merge(staff: Staff) -> MergeOutcome:
        async with make_uow() as uow:
            result = await merge_contacts(
                uow, contact_ids=(chat.contact_id, web.contact_id), staff=staff, now=NOW
            )
            return result.outcome

    outcomes = await asyncio.gather(merge(SUPERVISOR), merge(other))
    assert sorted(outcomes) == sorted([MergeOutcome.MERGED, MergeOutcome.ALREADY_MERGED])
    async with engine.connect() as connection:
        merges = await connection.scalar(
            select(func.count())
            .select_from(DealEventRow)
            .where(DealEventRow.kind == EventKind.CONTACTS_MERGED.value)
        )
    assert merges == 2  # one in each deal's history, from the one merge that happened


async def test_an_unfinished_questionnaire_is_marked_until_it_is_finished(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    half = {"need": "Сайт", "budget": "large"}
    async with make_uow() as uow:
        left = await submit_lead(
            uow, crm_config, prospect=prospect(800), answers=half, source=None, now=NOW, unfinished=True
        )
    async with make_uow() as uow:
        card = await deal_card(uow, left.deal_id)
        assert card is not None and card.unfinished
        assert "Анкета заполнена не до конца" in deal_card_text(card, crm_config, RU, now=NOW)
        await uow.events.add(DealEvent(left.deal_id, EventKind.QUESTIONNAIRE_FINISHED, NOW, data={}))
        await uow.commit()
    async with make_uow() as uow:
        card = await deal_card(uow, left.deal_id)
    assert card is not None and not card.unfinished
    assert "Анкета" not in deal_card_text(card, crm_config, RU, now=NOW)
