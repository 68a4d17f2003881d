"""`voronka copy-db`: a SQLite database with rows of every kind, moved into a new PostgreSQL database
through the migrations, reads back the same, through the tables and through the bot's repositories."""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot.cli import copy_db
from domain.contact_merge import MergeOutcome, merge_contacts
from domain.crm_config import CrmConfig
from domain.inquiries import open_inquiry
from domain.models import Breach, BreachKind, ChatMessage, Direction, Invite, Role, Staff
from domain.taking import TakeOutcome, take_deal
from domain.web_intake import WebLead, submit_web_lead
from storage.database_copy import CopyRefused, copy_database
from storage.engine import create_engine, session_factory
from storage.fsm_repository import FsmRepository
from storage.inbox_repository import InboxEntry, InboxStore
from storage.migrator import head_revision, upgrade_async
from storage.tables import Base
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import _create_database, _drop_database
from tests.integration.test_intake_use_case import ANSWERS, NOW, prospect, staff_with, submit

MANAGER = Staff(101, frozenset({Role.MANAGER}), name="Олег")
SUPERVISOR = Staff(201, frozenset({Role.SUPERVISOR}), name="Ольга")


@dataclass(frozen=True)
class Filled:
    deal_id: int  # taken, with history, messages, a breach and a link
    contact_id: int  # kept by a merge
    merged_contact_id: int
    pointing_contact_id: int  # merged into a contact with a larger id
    later_contact_id: int


@pytest.fixture
def source(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/source.db"


@pytest.fixture
def target() -> Iterator[str]:
    """A new, empty PostgreSQL database on TEST_DATABASE_URL's server, dropped afterwards."""
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        pytest.skip("copy-db into PostgreSQL not tested: TEST_DATABASE_URL is not set (.ci/run sets it)")
    try:
        url = asyncio.run(_create_database(admin_url))
    except OSError as error:
        pytest.skip(f"copy-db into PostgreSQL not tested: no server at TEST_DATABASE_URL ({error})")
    yield url
    asyncio.run(_drop_database(admin_url, make_url(url).database or ""))


@pytest.fixture
async def filled(source: str, crm_config: CrmConfig) -> AsyncIterator[Filled]:
    yield await fill(source, crm_config)


async def fill(url: str, config: CrmConfig) -> Filled:
    """Rows in every table, written the way the bot writes them."""
    await upgrade_async(url)
    engine = create_engine(url)
    sessions = session_factory(engine)

    def make_uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions)

    try:
        await staff_with(make_uow, manager=[MANAGER.telegram_id], supervisor=[SUPERVISOR.telegram_id])
        first = await submit(make_uow, config, who=prospect(500, "Анна"))  # deal, history, outbox, timers
        second = await submit(
            make_uow, config, who=prospect(501, "Анна"), answers={**ANSWERS, "phone": "+79161234568"}
        )
        web = WebLead(
            name="Вера", phone="+79161230000", email="vera@example.com", message="Нужен сайт",
            source="landing", external_id="tilda-1",
        )  # fmt: skip
        async with make_uow() as uow:
            await submit_web_lead(uow, config, web, now=NOW)  # an inquiry of the site channel
        async with make_uow() as uow:
            await open_inquiry(uow, config, prospect(502, "Глеб"), source="vk", first_message=None, now=NOW)
            await uow.messages.add(
                ChatMessage(first.deal_id, Direction.IN, "text", NOW, text="Здравствуйте", chat_id=500,
                            telegram_message_id=7)
            )  # fmt: skip
            await uow.links.add(chat_id=MANAGER.telegram_id, message_id=55, deal_id=first.deal_id, at=NOW)
            await uow.breaches.add(
                Breach(BreachKind.TAKE, first.deal_id, MANAGER.telegram_id, "sales", "new", NOW,
                       NOW + timedelta(minutes=20))
            )  # fmt: skip
            await uow.unreachable.add(999, reason="blocked", now=NOW)
            await uow.invites.add(Invite("invite-token", Role.MANAGER, 201, NOW, NOW + timedelta(days=1)))
            timer = (await uow.timers.pending_for(first.deal_id))[0]
            assert timer.id is not None
            assert await uow.timers.claim(
                timer.id, now=NOW + timedelta(hours=1), late_before=NOW + timedelta(hours=1)
            )
            await uow.commit()
        async with make_uow() as uow:
            taken = await take_deal(uow, deal_id=first.deal_id, staff=MANAGER, now=NOW + timedelta(minutes=5))
        assert taken.outcome is TakeOutcome.TAKEN
        async with make_uow() as uow:
            merged = await merge_contacts(
                uow, contact_ids=(first.contact_id, second.contact_id), staff=SUPERVISOR, now=NOW
            )
        assert merged.outcome is MergeOutcome.MERGED and merged.kept is not None and merged.merged is not None
        # A contact naming one added after it: its reference can only be written once both are in.
        newest = await submit(
            make_uow, config, who=prospect(503, "Дина"), answers={**ANSWERS, "phone": "+79161239999"}
        )
        async with make_uow() as uow:
            pointing = await uow.contacts.by_email("vera@example.com")
            assert pointing is not None and pointing.id is not None and pointing.id < newest.contact_id
            pointing.merged_into = newest.contact_id
            await uow.contacts.save(pointing)
            await uow.commit()
        inbox = InboxStore(sessions)
        payload = {"update_id": 1, "message": {"text": "привет"}}
        await inbox.store(
            [InboxEntry(1, 500, "message", payload), InboxEntry(2, 500, "message", {"update_id": 2})],
            now=NOW, lease=timedelta(minutes=1),
        )  # fmt: skip
        await inbox.finish(2, now=NOW, error="Blocked")  # its payload dropped
        await FsmRepository(sessions).store(
            "bot:502:502",
            now=NOW,
            state="Questionnaire:budget",
            data={"answers": {"need": "Сайт"}, "n": None},
        )
    finally:
        await engine.dispose()
    return Filled(first.deal_id, merged.kept.id or 0, merged.merged.id or 0, pointing.id, newest.contact_id)


async def all_rows(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of storage/tables.py, read through its types, in key order."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            found = {}
            for table in Base.metadata.sorted_tables:
                rows = await connection.execute(select(table).order_by(*table.primary_key.columns))
                found[table.name] = [dict(row._mapping) for row in rows]
            return found
    finally:
        await engine.dispose()


async def raw_nulls(url: str, table: str, column: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            query = text(f"SELECT count(*) FROM {table} WHERE {column} IS NULL")
            return int((await connection.execute(query)).scalar_one())
    finally:
        await engine.dispose()


async def test_every_row_lands_in_postgresql_with_its_types_and_the_bot_reads_it(
    source: str, target: str, filled: Filled, crm_config: CrmConfig
) -> None:
    before = await all_rows(source)
    assert all(before.values()), f"tables left empty by the fill: {[t for t, r in before.items() if not r]}"

    result = await copy_database(source, target, batch_rows=3)  # batches end mid-table

    assert result.complete
    assert {count.table for count in result.counts} == set(Base.metadata.tables)
    assert all(count.source == count.target == len(before[count.table]) for count in result.counts)
    after = await all_rows(target)
    assert after == before  # every value of every column, read through the bot's own types
    deal = after["deals"][0]
    assert deal["created_at"].tzinfo is not None and deal["created_at"] == NOW
    assert deal["target"] is True and deal["answers"]["budget"] == "large"
    assert await raw_nulls(target, "inbox", "payload") == await raw_nulls(source, "inbox", "payload")

    engine = create_engine(target)
    try:
        async with engine.connect() as connection:
            kinds: dict[str, str] = dict(
                (await connection.execute(text(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = 'deals' AND column_name IN ('created_at', 'target', 'answers')"
                ))).all()
            )  # fmt: skip
            budget = await connection.scalar(text("SELECT answers->>'budget' FROM deals ORDER BY id LIMIT 1"))
            version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
        assert kinds == {"created_at": "timestamp with time zone", "target": "boolean", "answers": "json"}
        assert budget == "large" and version == head_revision()

        sessions = session_factory(engine)
        async with SqlUnitOfWork(sessions) as uow:  # the bot's repositories over the copy
            copied = await uow.deals.get(filled.deal_id)
            assert copied is not None and copied.manager_id == MANAGER.telegram_id
            assert copied.taken_at == NOW + timedelta(minutes=5)
            assert [e.kind for e in await uow.events.for_deal(filled.deal_id)]
            assert [m.text for m in await uow.messages.for_deal(filled.deal_id)] == ["Здравствуйте"]
            merged = await uow.contacts.get(filled.merged_contact_id)
            assert merged is not None and merged.merged_into == filled.contact_id
            pointing = await uow.contacts.get(filled.pointing_contact_id)
            assert pointing is not None and pointing.merged_into == filled.later_contact_id
            assert await uow.links.deal_for(chat_id=MANAGER.telegram_id, message_id=55) == filled.deal_id
        assert await FsmRepository(sessions).load("bot:502:502") == (
            "Questionnaire:budget", {"answers": {"need": "Сайт"}, "n": None},
        )  # fmt: skip

        # The sequences are past the copied ids: a new lead gets new rows everywhere.
        newest = await submit(
            lambda: SqlUnitOfWork(sessions), crm_config, who=prospect(777, "Ева"),
            answers={**ANSWERS, "phone": "+79160000777"},
        )  # fmt: skip
        assert newest.deal_id > max(row["id"] for row in before["deals"])
        assert newest.contact_id > max(row["id"] for row in before["contacts"])
    finally:
        await engine.dispose()


async def test_a_target_with_rows_is_refused_and_kept(source: str, target: str, filled: Filled) -> None:
    assert (await copy_database(source, target)).complete
    kept = await all_rows(target)

    with pytest.raises(CopyRefused, match="not empty"):
        await copy_database(source, target)

    assert await all_rows(target) == kept


async def test_a_target_with_tables_of_its_own_is_refused_and_not_migrated(
    source: str, target: str, filled: Filled
) -> None:
    engine = create_engine(target)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE orders (id integer)"))
        with pytest.raises(CopyRefused, match=r"tables the migrations did not make \(orders\)"):
            await copy_database(source, target)
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: sync.dialect.get_table_names(sync))
        assert names == ["orders"]
    finally:
        await engine.dispose()


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    copy_db.configure(parser)
    return copy_db.run(parser.parse_args(list(argv)))


async def test_the_command_prints_the_counts_and_refuses_a_second_copy(
    source: str, target: str, filled: Filled, capsys: pytest.CaptureFixture[str]
) -> None:
    by_hand = sqlite3.connect(make_url(source).database or "")
    by_hand.execute("CREATE TABLE my_notes (id INTEGER PRIMARY KEY)")
    by_hand.close()

    assert await asyncio.to_thread(run_cli, "--from", source, "--to", target) == 0
    out = capsys.readouterr().out
    assert "Stop the bot first" in out and "Not copied, made by no migration: my_notes" in out
    assert "deals" in out and f"All {len(Base.metadata.tables)} tables match" in out

    assert await asyncio.to_thread(run_cli, "--from", source, "--to", target) == 1
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) == 1
    assert "the target database is not empty" in captured.err


@pytest.mark.parametrize(
    ("to", "says"),
    [
        ("sqlite+aiosqlite:///./elsewhere.db", "--to must be a PostgreSQL URL"),
        ("mysql://root@localhost/crm", "--to must be a PostgreSQL URL"),
        ("not a url", "--to is not a database URL"),
    ],
)
def test_a_target_that_is_not_postgresql_is_refused_in_one_line(
    to: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "voronka.db"
    database.touch()

    assert run_cli("--from", f"sqlite+aiosqlite:///{database}", "--to", to) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and says in captured.err


def test_a_missing_source_is_refused_without_making_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.db"

    assert run_cli("--from", f"sqlite+aiosqlite:///{missing}", "--to", "postgresql+asyncpg://u@h/db") == 2

    assert "no SQLite database at" in capsys.readouterr().err
    assert not missing.exists()
