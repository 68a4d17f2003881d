"""Writing the export's tables (README.md, "Reports → Pictures and export"): one XLSX workbook (a sheet a
table: frozen header, filter, column widths, number and date formats), and a CSV file a table (UTF-8
with a BOM, so that Excel reads Cyrillic; `;` between values for Russian, as Excel there expects).

Telegram takes documents up to 50 MB: past that the workbook goes on in a new part, and a CSV file too.
A part's size is known only once it is zipped, so it is judged as it is written: the rows are
deflated as they come (a running zlib stream over their CSV text), and a workbook is closed before its
deflated rows, doubled for the XML's markup, would pass the limit. The workbook is written in openpyxl's
write-only mode: rows stream to disk instead of staying in memory as cells."""

from __future__ import annotations

import csv
import io
import zlib
from datetime import datetime

from babel.numbers import format_decimal
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from handlers.reports.spreadsheet.tables import Column, Kind, Table, Value

TELEGRAM_DOCUMENT_LIMIT = 50 * 1024 * 1024
WORKBOOK_BASE = 16 * 1024  # an empty workbook's own parts (styles, relations, a few sheets' heads)
MARKUP = 2  # a workbook's deflated XML against the deflated CSV text of the same rows
CELL_MARKUP = 2  # bytes a cell's tags add after deflating, at the least
FLUSH_EVERY = 64 * 1024  # raw bytes between syncs of the running deflate stream
FORMATS = {
    Kind.NUMBER: "#,##0",
    Kind.MONEY: "#,##0",
    Kind.SHARE: "0.0%",
    Kind.MOMENT: "dd.mm.yyyy hh:mm",
    Kind.SECONDS: "[h]:mm",
}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEF2F7")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")


class Deflated:
    """A running estimate of how small the rows written so far zip to: synced deflate output, plus the
    raw bytes not synced yet (they never deflate to more than themselves, near enough)."""

    def __init__(self) -> None:
        self._stream = zlib.compressobj(6)
        self.synced = 0
        self.pending = 0

    def add(self, data: bytes) -> None:
        self.synced += len(self._stream.compress(data))
        self.pending += len(data)
        if self.pending >= FLUSH_EVERY:
            self.synced += len(self._stream.flush(zlib.Z_SYNC_FLUSH))
            self.pending = 0

    @property
    def size(self) -> int:
        return self.synced + self.pending


def csv_line(values: list[Value], *, delimiter: str, locale: str, kinds: list[Kind]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(
        [csv_value(value, kind, locale) for value, kind in zip(values, kinds, strict=True)]
    )
    return buffer.getvalue()


def csv_value(value: Value, kind: Kind, locale: str) -> str:
    """As the reader's Excel reads it: decimals with their language's separator, times as the team's."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith("=") else value  # what someone typed, never a formula
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if kind is Kind.SHARE and isinstance(value, int | float):
        return str(format_decimal(round(value * 100, 1), locale=locale, group_separator=False))
    if kind is Kind.SECONDS and isinstance(value, int | float):
        minutes = int(value) // 60
        return f"{minutes // 60}:{minutes % 60:02d}"
    return str(value)


class CsvFile:
    """One table as CSV, in parts when it grows past the limit (the header in each part)."""

    def __init__(self, table: Table, *, name: str, locale: str, limit: int) -> None:
        self.table, self.name, self.locale, self.limit = table, name, locale, limit
        self.delimiter = ";" if locale == "ru" else ","
        self.kinds = [column.kind for column in table.columns]
        self.header = csv_line(
            [column.title for column in table.columns], delimiter=self.delimiter, locale=locale,
            kinds=[Kind.TEXT] * len(table.columns),
        ).encode("utf-8-sig")  # fmt: skip
        self.parts: list[bytearray] = [bytearray(self.header)]

    def append(self, values: list[Value]) -> None:
        line = csv_line(values, delimiter=self.delimiter, locale=self.locale, kinds=self.kinds).encode()
        if len(self.parts[-1]) + len(line) > self.limit and len(self.parts[-1]) > len(self.header):
            self.parts.append(bytearray(self.header))
        self.parts[-1] += line

    def files(self) -> list[tuple[str, bytes]]:
        if len(self.parts) == 1:
            return [(f"{self.name}.csv", bytes(self.parts[0]))]
        return [(f"{self.name}_part{n}.csv", bytes(part)) for n, part in enumerate(self.parts, 1)]


class WorkbookParts:
    """The XLSX, one sheet a table, going on in a new part (the table's sheet again, with its header)
    when the one being written would pass the limit."""

    def __init__(self, *, name: str, limit: int) -> None:
        self.name, self.limit = name, limit
        self.done: list[bytes] = []
        self._open_part()

    def _open_part(self) -> None:
        self.book = Workbook(write_only=True)
        self.deflated = Deflated()
        self.cells = 0
        self.sheet: WriteOnlyWorksheet | None = None
        self.table: Table | None = None
        self.rows = 0

    def start(self, table: Table) -> None:
        self._close_sheet()
        self.table = table
        sheet = self.book.create_sheet(table.title[:31])
        for n, column in enumerate(table.columns, 1):
            sheet.column_dimensions[get_column_letter(n)].width = column.width
        sheet.freeze_panes = "A2"
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, column.title)
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
            header.append(cell)
        sheet.append(header)
        self.sheet, self.rows = sheet, 1

    def append(self, values: list[Value], csv_text: bytes) -> None:
        assert self.sheet is not None and self.table is not None
        if self.rows > 1 and self._would_pass(csv_text, len(values)):
            table = self.table
            self._finish_part()
            self._open_part()
            self.start(table)
        cells: list[object] = []
        for value, column in zip(values, self.table.columns, strict=True):
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(self.sheet, value)
                cell.data_type = "s"  # what someone typed, never a formula
                cells.append(cell)
            elif value is not None and column.kind in FORMATS:
                cell = WriteOnlyCell(self.sheet, excel_value(value, column))
                cell.number_format = FORMATS[column.kind]
                cells.append(cell)
            else:  # plain values need no cell object, which keeps a big sheet quick to write
                cells.append(value)
        self.sheet.append(cells)
        self.rows += 1
        self.cells += len(values)
        self.deflated.add(csv_text)

    def _would_pass(self, csv_text: bytes, cells: int) -> bool:
        size = self.deflated.size + len(csv_text)
        return WORKBOOK_BASE + MARKUP * size + CELL_MARKUP * (self.cells + cells) > self.limit

    def _close_sheet(self) -> None:
        if self.sheet is not None and self.table is not None:
            last = get_column_letter(len(self.table.columns))
            self.sheet.auto_filter.ref = f"A1:{last}{self.rows}"

    def _finish_part(self) -> None:
        self._close_sheet()
        buffer = io.BytesIO()
        self.book.save(buffer)
        self.done.append(buffer.getvalue())

    def files(self) -> list[tuple[str, bytes]]:
        self._finish_part()
        if len(self.done) == 1:
            return [(f"{self.name}.xlsx", self.done[0])]
        return [(f"{self.name}_part{n}.xlsx", part) for n, part in enumerate(self.done, 1)]


def excel_value(value: Value, column: Column) -> Value:
    if column.kind is Kind.SECONDS and isinstance(value, int | float):
        return value / 86400  # a spreadsheet's spans are days
    return value
