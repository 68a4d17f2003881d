"""The export's deals and event log read in keyset pages, on SQLite and PostgreSQL (README.md, "Reports →
Pictures and export"): the scope's deals (created in the period, in the team's days; its filters), with
their contact and manager, and the events of exactly those deals."""

from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import load_workbook

from domain.crm_config import CrmConfig
from domain.models import Channel, DealEvent, EventKind
from domain.reports.scope import ReportScope, days_period
from handlers.common.i18n import Translator
from handlers.reports.spreadsheet import export_files
from tests.integration.stored_deals import MANAGER, NOW, OTHER_MANAGER, MakeUow, deal, store

TODAY = days_period(date(2026, 11, 25), date(2026, 11, 25), timezone="Europe/Moscow")  # NOW is 11:00 there


async def stored(make_uow: MakeUow) -> list[int]:
    ids = await store(make_uow, [
        deal(created_at=NOW),  # 1
        deal(created_at=NOW - timedelta(hours=10, minutes=59)),  # 2: 00:01 Moscow, today
        deal(created_at=NOW - timedelta(hours=11, minutes=1)),  # 3: 23:59 Moscow yesterday: out
        deal(created_at=NOW, manager=OTHER_MANAGER, source="instagram"),  # 4
        deal(created_at=NOW, pipeline="repeat", channel=Channel.SITE),  # 5
        deal(created_at=NOW, manager=None),  # 6
    ], names=["Ёлкин", "B", "C", "D", "E", "F"])  # fmt: skip
    async with make_uow() as uow:
        contact = await uow.contacts.get(1)
        assert contact is not None
        contact.phone, contact.email = "+79991234567", "elkin@example.com"
        await uow.contacts.save(contact)
        for deal_id in ids:
            for kind in (EventKind.CREATED, EventKind.NOTE):
                await uow.events.add(DealEvent(deal_id, kind, NOW, MANAGER, {"text": f"№{deal_id}"}))
        await uow.commit()
    return ids


async def test_deals_of_the_scope_come_in_pages_by_id_with_their_people(make_uow: MakeUow) -> None:
    await stored(make_uow)
    scope = ReportScope(TODAY)
    async with make_uow() as uow:
        first = await uow.export_rows.deals(scope, after=None, limit=2)
        second = await uow.export_rows.deals(scope, after=first[-1].deal.id, limit=2)
        third = await uow.export_rows.deals(scope, after=second[-1].deal.id, limit=2)
        rest = await uow.export_rows.deals(scope, after=third[-1].deal.id, limit=2)
    assert [[row.deal.id for row in page] for page in (first, second, third, rest)] == [
        [1, 2],
        [4, 5],
        [6],
        [],
    ]
    one = first[0]
    assert (one.contact_name, one.phone, one.email, one.manager_name) == (
        "Ёлкин",
        "+79991234567",
        "elkin@example.com",
        "Oleg",
    )
    assert third[0].manager_name is None


async def test_the_filters_narrow_the_deals_and_their_events(make_uow: MakeUow) -> None:
    await stored(make_uow)
    cases = {
        ReportScope(TODAY, manager_id=OTHER_MANAGER): [4],
        ReportScope(TODAY, source="instagram"): [4],
        ReportScope(TODAY, pipeline="repeat"): [5],
        ReportScope(TODAY, channel="site"): [5],
        ReportScope(TODAY, pipeline="sales", manager_id=MANAGER): [1, 2],
    }
    async with make_uow() as uow:
        for scope, expected in cases.items():
            assert [
                row.deal.id for row in await uow.export_rows.deals(scope, after=None, limit=100)
            ] == expected
            events = await uow.export_rows.events(scope, after=None, limit=100)
            assert sorted({event.deal_id for event in events}) == expected
            assert len(events) == 2 * len(expected)


async def test_events_come_in_pages_by_id_for_the_scopes_deals_only(make_uow: MakeUow) -> None:
    await stored(make_uow)
    scope = ReportScope(TODAY)
    seen: list[DealEvent] = []
    after: int | None = None
    async with make_uow() as uow:
        while page := await uow.export_rows.events(scope, after=after, limit=3):
            assert len(page) <= 3
            seen += page
            after = page[-1].id
    ids = [event.id or 0 for event in seen]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert {event.deal_id for event in seen} == {1, 2, 4, 5, 6}  # not 3, created the day before
    assert {event.kind for event in seen} == {EventKind.CREATED, EventKind.NOTE}
    assert len(seen) == 10
    assert any(event.data == {"text": "№1"} for event in seen)


async def test_export_files_lists_the_stored_deals(make_uow: MakeUow, crm_config: CrmConfig) -> None:
    """The whole export over a database: the report use cases, then the pages of deals and events."""
    await stored(make_uow)
    async with make_uow() as uow:
        files = await export_files(uow, crm_config, ReportScope(TODAY), Translator().bind("ru"), now=NOW)
    book = load_workbook(io.BytesIO(files[0][1]))
    assert [row[0] for row in book["Сделки"].iter_rows(min_row=2, values_only=True)] == [1, 2, 4, 5, 6]
    assert book["События"].max_row == 11
    assert files[0][0] == "report_2026-11-25_2026-11-25.xlsx"
