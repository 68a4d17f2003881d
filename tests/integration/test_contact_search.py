"""/find by name through the stored search key, contacts read in slices, and the team's reachability read
in one query: on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.crm_config import CrmConfig
from domain.deal_lists import find_deals
from domain.intake import IntakeOutcome, Prospect, submit_lead
from domain.models import DealStatus, Role
from domain.staff_accounts import bootstrap_staff
from storage.contact_repository import SqlContactRepository
from storage.engine import session_factory
from storage.parameter_batches import MAX_PARAMETERS
from storage.tables import ContactRow
from tests.conftest import FIXED_NOW as NOW
from tests.integration.stored_deals import (
    MANAGER,
    OTHER_MANAGER,
    SUPERVISOR,
    MakeUow,
    deal,
    staff_member,
    store,
)


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[tuple[str, int]]]:
    """Every statement sent to the database meanwhile, with how many parameters it carried."""
    sent: list[tuple[str, int]] = []

    def record(_conn: Any, _cursor: Any, sql: str, parameters: Any, _context: Any, many: bool) -> None:
        sent.append((sql, len(parameters[0] if many and parameters else parameters or ())))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def found(make_uow: MakeUow, config: CrmConfig, query: str, *, viewer: int = SUPERVISOR) -> list[int]:
    staff = await staff_member(make_uow, viewer)
    async with make_uow() as uow:
        result = await find_deals(uow, staff=staff, config=config, query=query)
    return [item.deal.id or 0 for item in result.items]


async def test_a_part_of_a_name_or_username_finds_the_deal_whatever_its_case_letters_and_spaces(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    ids = await store(
        make_uow,
        [deal(), deal(), deal(), deal()],
        names=["Фёдор  ПЕТРОВ", "Straße Café", "Анна", "100%_Скидка"],
        usernames=["fedya", None, "anna_k", None],
    )
    assert await found(make_uow, crm_config, "федор петров") == [ids[0]]  # ё as е, two spaces as one
    assert await found(make_uow, crm_config, "ОР ПЕ") == [ids[0]]
    assert await found(make_uow, crm_config, "STRASSE") == [ids[1]]  # case folded, not only lowered
    assert await found(make_uow, crm_config, "@anna_k") == [ids[2]]
    assert await found(make_uow, crm_config, "na_k") == [ids[2]]
    assert await found(make_uow, crm_config, "анна anna") == []  # a match never spans name and username
    assert await found(make_uow, crm_config, "0%_с") == [ids[3]]  # LIKE's wildcards are plain letters
    assert await found(make_uow, crm_config, "%_") == []


async def test_open_deals_come_first_then_the_newest_and_a_manager_finds_only_their_own(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    ids = await store(
        make_uow,
        [deal(), deal(status=DealStatus.WON), deal(manager=OTHER_MANAGER), deal(status=DealStatus.LOST)],
        names=["Иван Первый", "Иван Второй", "Иван Третий", "Иван Четвёртый"],
    )
    assert await found(make_uow, crm_config, "иван") == [ids[2], ids[0], ids[3], ids[1]]
    assert await found(make_uow, crm_config, "иван", viewer=MANAGER) == [ids[0], ids[3], ids[1]]


async def test_a_renamed_contact_is_found_by_its_new_name_only(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    [deal_id] = await store(make_uow, [deal()], names=["Мария"])
    async with make_uow() as uow:
        found_deal = await uow.deals.get(deal_id)
        assert found_deal is not None
        contact = await uow.contacts.get(found_deal.contact_id)
        assert contact is not None
        contact.name, contact.username = "Марина", "marina_s"
        await uow.contacts.save(contact)
        await uow.commit()
    assert await found(make_uow, crm_config, "мария") == []
    assert (
        await found(make_uow, crm_config, "марина")
        == await found(make_uow, crm_config, "marina")
        == [deal_id]
    )


async def test_tens_of_thousands_of_contacts_are_read_in_statements_of_at_most_a_thousand_ids(
    engine: AsyncEngine,
) -> None:
    """A list of every open deal once asked for all their contacts in one IN list: asyncpg refuses more
    than 32,767 parameters, so a supervisor's /deals failed past that many open deals."""
    async with engine.begin() as connection:
        await connection.execute(
            insert(ContactRow),
            [{"name": f"Client {n}", "status": "active", "created_at": NOW} for n in range(40_000)],
        )
    async with session_factory(engine)() as session:
        with statements(engine) as sent:
            contacts = await SqlContactRepository(session).get_many(set(range(1, 40_001)) | {10**9})
    assert len(contacts) == 40_000 and contacts[40_000].name == "Client 39999"
    reads = [count for sql, count in sent if "FROM contacts" in sql]
    assert len(reads) == 41 and max(count for _, count in sent) == MAX_PARAMETERS


async def test_choosing_a_manager_asks_who_blocked_the_bot_once_for_the_whole_team(
    make_uow: MakeUow, engine: AsyncEngine, crm_config: CrmConfig
) -> None:
    managers = list(range(1000, 1040))
    async with make_uow() as uow:
        await bootstrap_staff(uow, roles={Role.MANAGER: managers})
    async with make_uow() as uow:
        for blocked in managers[:-1]:  # all but the last one blocked the bot
            await uow.unreachable.add(blocked, reason="blocked", now=NOW)
        assert await uow.unreachable.among([*managers[:3], 7]) == set(managers[:3])
        await uow.commit()
    prospect = Prospect(telegram_id=500, chat_id=500, name="Анна", username=None, locale="ru")
    answers = {"need": "Сайт", "budget": "large", "timing": "now", "phone": "+79161234567"}
    with statements(engine) as sent:
        async with make_uow() as uow:
            result = await submit_lead(
                uow, crm_config, prospect=prospect, answers=answers, source=None, now=NOW
            )
    assert result.outcome is IntakeOutcome.ASSIGNED
    async with make_uow() as uow:
        assigned = await uow.deals.get(result.deal_id)
    assert assigned is not None and assigned.manager_id == managers[-1]
    assert len([sql for sql, _ in sent if "unreachable_chats" in sql]) == 1
