"""The export (README.md, "Reports → Pictures and export"): an XLSX with a sheet a report, the deals and
the event log, headers frozen and filtered, numbers and team-time dates formatted; the same tables as
CSV with a BOM; parts past the size limit."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.crm_config_file import load_crm_config
from domain.crm_config import CrmConfig
from domain.models import Channel, Deal, DealEvent, DealStatus, EventKind, Temperature
from domain.reports.exported import ExportedDeal
from domain.reports.scope import ReportScope, days_period
from handlers.common.i18n import Texts, Translator
from handlers.reports.spreadsheet import write_files
from tests.unit.report_figures import CHANNELS, FUNNEL, LOSSES, MANAGERS

CREATED = datetime(2026, 11, 24, 21, 30, tzinfo=UTC)  # 25 November, 00:30 in Moscow
REPORTS = (FUNNEL, LOSSES, MANAGERS, CHANNELS)


@pytest.fixture(scope="module")
def config() -> CrmConfig:
    return load_crm_config()


def scope(config: CrmConfig) -> ReportScope:
    return ReportScope(days_period(date(2026, 11, 1), date(2026, 11, 30), timezone=config.timezone))


def exported(n: int) -> ExportedDeal:
    deal = Deal(
        id=n, contact_id=n, pipeline="sales", stage="lost" if n % 2 else "qualified",
        status=DealStatus.LOST if n % 2 else DealStatus.OPEN, chat_id=None, source="instagram",
        answers={"need": "Кухня на заказ, «угловая» = 3 м", "phone": "+79991234567"},
        temperature=Temperature.HOT, target=True, created_at=CREATED + timedelta(minutes=n),
        stage_entered_at=CREATED, manager_id=1, loss_reason="too_expensive" if n % 2 else None,
        amount=150_000 + n, channel=Channel.TELEGRAM,
    )  # fmt: skip
    return ExportedDeal(
        deal, contact_name=f"Ёлкин Пётр {n}", phone="+79991234567", username="petr", manager_name="Олег",
        take_work_s=5400,
    )  # fmt: skip


@dataclass
class FakeRows:
    deals_stored: list[ExportedDeal]
    events_stored: list[DealEvent] = field(default_factory=list)
    pages: list[tuple[str, int | None]] = field(default_factory=list)

    async def deals(self, scope: ReportScope, *, after: int | None, limit: int) -> list[ExportedDeal]:
        self.pages.append(("deals", after))
        return [d for d in self.deals_stored if after is None or (d.deal.id or 0) > after][:limit]

    async def events(self, scope: ReportScope, *, after: int | None, limit: int) -> list[DealEvent]:
        self.pages.append(("events", after))
        return [e for e in self.events_stored if after is None or (e.id or 0) > after][:limit]


@dataclass
class FakeUow:
    export_rows: FakeRows
    rolled_back: bool = False

    async def rollback(self) -> None:
        self.rolled_back = True


def texts(locale: str) -> Texts:
    return Translator().bind(locale)


async def export(config: CrmConfig, deals: int, *, locale: str = "ru", limit: int = 50 * 1024 * 1024) -> Any:
    events = [
        DealEvent(n, EventKind.CREATED, CREATED, None, {"text": "Привет, «мир»"}, id=n)
        for n in range(1, deals + 1)
    ]
    uow = FakeUow(FakeRows([exported(n) for n in range(1, deals + 1)], events))
    files = await write_files(uow, config, scope(config), texts(locale), REPORTS, limit=limit)  # type: ignore[arg-type]
    return files, uow


async def test_the_workbook_has_a_sheet_a_report_and_the_deals_and_events(config: CrmConfig) -> None:
    files, uow = await export(config, 3)
    names = [name for name, _ in files]
    assert names[0] == "report_2026-11-01_2026-11-30.xlsx"
    assert {n.removeprefix("report_2026-11-01_2026-11-30_") for n in names[1:]} == {
        f"{key}.csv" for key in ("funnel", "losses", "managers", "channels", "deals", "events")
    }
    assert uow.rolled_back
    book = load_workbook(io.BytesIO(files[0][1]))
    assert book.sheetnames == ["Воронка", "Отказы", "Менеджеры", "Каналы", "Сделки", "События"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
        assert sheet.column_dimensions["A"].width >= 9

    funnel = [row for row in book["Воронка"].iter_rows(values_only=True)]
    assert ("Анкета", "Начали анкету", 200, None, None, None) in funnel
    qualified = next(row for row in funnel if row[1] == "Квалификация")
    assert qualified[:4] == ("Продажи", "Квалификация", 84, 0.7) and qualified[5] == timedelta(
        hours=12
    )  # a span of time
    assert book["Воронка"].cell(3, 4).number_format == "0.0%"

    losses = list(book["Отказы"].iter_rows(values_only=True))
    assert ("Все", "Дорого", 21, 0.42, 0.3, "да") in losses
    assert ("Олег Петров", "Нет потребности", 12, 1.0, None, "нет") in losses  # by manager, named

    managers = list(book["Менеджеры"].iter_rows(values_only=True))
    assert managers[1][0] == "Олег Петров" and managers[1][1] == 42 and managers[1][13] == 1_250_000
    assert book["Менеджеры"].cell(2, 14).number_format == "#,##0"

    channels = list(book["Каналы"].iter_rows(values_only=True))
    assert channels[1][:5] == ("Telegram", "instagram", 150, 120, 110) and channels[1][-2] == 545

    deals = book["Сделки"]
    header = [cell.value for cell in deals[1]]
    assert header[:2] == ["Сделка №", "Создана"]
    assert [q.title("ru") for q in config.intake.questions] == header[-len(config.intake.questions) :]
    first = [cell.value for cell in deals[2]]
    assert first[0] == 1
    assert first[1] == datetime(2026, 11, 25, 0, 31, tzinfo=UTC).replace(
        tzinfo=None
    )  # the team's wall clock, not UTC
    assert deals.cell(2, 2).number_format == "dd.mm.yyyy hh:mm"
    assert first[header.index("Клиент")] == "Ёлкин Пётр 1"
    assert first[header.index("Причина отказа")] == "Дорого"
    assert first[header.index("Сумма")] == 150_001
    assert first[header.index(config.intake.questions[0].title("ru"))] == "Кухня на заказ, «угловая» = 3 м"
    assert deals.max_row == 4

    events = list(book["События"].iter_rows(values_only=True))
    assert events[1][:4] == (1, 1, datetime(2026, 11, 25, 0, 30, tzinfo=UTC).replace(tzinfo=None), "создана")
    assert "«мир»" in events[1][5]


async def test_a_typed_formula_stays_text(config: CrmConfig) -> None:
    """A client who calls themselves "=HYPERLINK(...)" is a name in the sheet, never a formula."""
    row = exported(1)
    typed = ExportedDeal(row.deal, contact_name='=HYPERLINK("http://x","y")')
    uow = FakeUow(FakeRows([typed]))
    files = await write_files(uow, config, scope(config), texts("ru"), REPORTS, limit=10**8)  # type: ignore[arg-type]
    deals = load_workbook(io.BytesIO(files[0][1]))["Сделки"]
    column = [cell.value for cell in deals[1]].index("Клиент") + 1
    assert deals.cell(2, column).data_type == "s"
    assert deals.cell(2, column).value == '=HYPERLINK("http://x","y")'
    deals_csv = dict(files)["report_2026-11-01_2026-11-30_deals.csv"].decode("utf-8-sig")
    assert "'=HYPERLINK" in deals_csv


@pytest.mark.parametrize(("locale", "delimiter"), [("ru", ";"), ("en", ",")])
async def test_csv_files_start_with_a_bom_and_keep_cyrillic(
    config: CrmConfig, locale: str, delimiter: str
) -> None:
    files, _ = await export(config, 2, locale=locale)
    contents = dict(files)

    def table(key: str) -> list[list[str]]:
        text = contents[f"report_2026-11-01_2026-11-30_{key}.csv"].decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))

    deals = contents["report_2026-11-01_2026-11-30_deals.csv"]
    assert deals.startswith(b"\xef\xbb\xbf")
    rows = table("deals")
    assert len(rows) == 3
    assert "Ёлкин Пётр 1" in rows[1]
    assert "2026-11-25 00:31" in rows[1]
    assert "Кухня на заказ, «угловая» = 3 м" in rows[1]  # commas and quotes kept inside one value
    assert "1:30" in rows[1]  # the working time to take, h:mm

    funnel = table("funnel")
    assert next(row for row in funnel if row[2] == "51")[3] == ("60,7" if locale == "ru" else "60.7")  # 51/84
    losses = table("losses")
    expensive = config.loss_reason("too_expensive")
    assert expensive is not None
    assert losses[1][1:4] == [expensive.text[locale], "21", "42"]


async def test_past_the_limit_the_export_comes_in_parts_each_within_it(config: CrmConfig) -> None:
    limit = 60_000
    files, uow = await export(config, 600, limit=limit)
    workbooks = [(name, content) for name, content in files if name.endswith(".xlsx")]
    assert len(workbooks) > 1
    assert [name for name, _ in workbooks] == [
        f"report_2026-11-01_2026-11-30_part{n}.xlsx" for n in range(1, len(workbooks) + 1)
    ]
    assert all(len(content) <= limit for _, content in files)
    deal_ids: list[int] = []
    event_ids: list[int] = []
    for _, content in workbooks:
        book = load_workbook(io.BytesIO(content))
        if "Сделки" in book.sheetnames:
            sheet = book["Сделки"]
            assert sheet.cell(1, 1).value == "Сделка №"  # each part has the header again
            deal_ids += [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        if "События" in book.sheetnames:
            event_ids += [row[0] for row in book["События"].iter_rows(min_row=2, values_only=True)]
    assert deal_ids == list(range(1, 601))  # every deal once, in order
    assert event_ids == list(range(1, 601))
    csv_deals = [content for name, content in files if "_deals_part" in name]
    assert len(csv_deals) > 1
    assert all(part.startswith(b"\xef\xbb\xbf") for part in csv_deals)
    assert sum(part.decode("utf-8-sig").count("Ёлкин") for part in csv_deals) == 600
    assert ("deals", 1) not in uow.export_rows.pages  # read by pages of many, by id
