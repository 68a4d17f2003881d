"""The export (README.md, "Reports → Pictures and export"): the four reports, the deals with every field
and answer and the event log of a scope, as one XLSX workbook (in parts past Telegram's 50 MB) and a CSV
file a table.

The deals and events are read in pages by id; each page is written by the export's own thread, since
openpyxl is pure Python and a big sheet takes seconds, which the event loop must not wait through (the
bot keeps answering everyone else). One thread: exports are rare, and a second at once waits its turn."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from domain.crm_config import CrmConfig
from domain.ports import UnitOfWork
from domain.reports.channels import channels_report
from domain.reports.figures import ChannelsReport, FunnelReport, LossReport, ManagersReport
from domain.reports.funnel import funnel_report
from domain.reports.losses import loss_report
from domain.reports.managers import managers_report
from domain.reports.scope import ReportScope
from handlers.common.i18n import Texts
from handlers.reports.spreadsheet.tables import (
    Table,
    Value,
    channels_rows,
    channels_table,
    deal_row,
    deals_table,
    event_row,
    events_table,
    funnel_rows,
    funnel_table,
    losses_rows,
    losses_table,
    managers_rows,
    managers_table,
)
from handlers.reports.spreadsheet.writing import TELEGRAM_DOCUMENT_LIMIT, CsvFile, WorkbookParts, csv_line

PAGE = 2000  # deals or events read at once
WRITING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export")


class Export:
    """The files being written: the workbook and a CSV file a table. Used from one thread at a time."""

    def __init__(self, *, name: str, locale: str, limit: int) -> None:
        self.name, self.locale, self.limit = name, locale, limit
        self.workbook = WorkbookParts(name=name, limit=limit)
        self.csvs: list[CsvFile] = []

    def start(self, table: Table) -> None:
        self.workbook.start(table)
        self.csvs.append(
            CsvFile(table, name=f"{self.name}_{table.key}", locale=self.locale, limit=self.limit)
        )

    def write(self, rows: Iterable[list[Value]]) -> None:
        csv_file = self.csvs[-1]
        for values in rows:
            line = csv_line(values, delimiter=csv_file.delimiter, locale=self.locale, kinds=csv_file.kinds)
            self.workbook.append(values, line.encode())
            csv_file.append(values)

    def files(self) -> list[tuple[str, bytes]]:
        files = self.workbook.files()
        for csv_file in self.csvs:
            files.extend(csv_file.files())
        return files


def file_name(scope: ReportScope) -> str:
    return f"report_{scope.period.first.isoformat()}_{scope.period.last.isoformat()}"


async def export_files(
    uow: UnitOfWork, config: CrmConfig, scope: ReportScope, t: Texts, *, now: datetime,
    limit: int = TELEGRAM_DOCUMENT_LIMIT,
) -> list[tuple[str, bytes]]:  # fmt: skip
    """The XLSX (in parts named `_part1`, `_part2`... past `limit`) and the CSV files, as (file name,
    content), the workbooks first. The caller says when there are parts."""
    funnel = await funnel_report(uow, config, scope)
    losses = await loss_report(uow, config, scope)
    managers = await managers_report(uow, config, scope, now=now)
    channels = await channels_report(uow, config, scope)
    return await write_files(uow, config, scope, t, (funnel, losses, managers, channels), limit=limit)


async def write_files(
    uow: UnitOfWork, config: CrmConfig, scope: ReportScope, t: Texts,
    reports: tuple[FunnelReport, LossReport, ManagersReport, ChannelsReport], *, limit: int,
) -> list[tuple[str, bytes]]:  # fmt: skip
    funnel, losses, managers, channels = reports
    names = {row.manager_id: row.name for row in managers.rows}
    export = Export(name=file_name(scope), locale=t.locale, limit=limit)
    loop = asyncio.get_running_loop()

    async def run(call: Callable[..., Any], *args: Any) -> Any:
        return await loop.run_in_executor(WRITING, call, *args)

    for table, rows in (
        (funnel_table(t), list(funnel_rows(funnel, config, t))),
        (losses_table(t), list(losses_rows(losses, config, t, names))),
        (managers_table(t), list(managers_rows(managers))),
        (channels_table(t), list(channels_rows(channels, config, t))),
    ):
        await run(export.start, table)
        await run(export.write, rows)
    await run(export.start, deals_table(config, t))
    after: int | None = None
    while page := await uow.export_rows.deals(scope, after=after, limit=PAGE):
        after = page[-1].deal.id
        await run(export.write, (deal_row(row, config, t) for row in page))
    await run(export.start, events_table(t))
    after = None
    while events := await uow.export_rows.events(scope, after=after, limit=PAGE):
        after = events[-1].id
        await run(export.write, (event_row(event, config, t) for event in events))
    await uow.rollback()
    files: list[tuple[str, bytes]] = await run(export.files)
    return files
