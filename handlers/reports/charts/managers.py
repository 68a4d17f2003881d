"""The managers picture: two compact tables, one row a manager (their speed and load; their results),
what needs attention coloured: more open deals than the norm, overdue contacts, missed deadlines
(README.md, "Reports"). Two tables of a few columns each rather than one wide one: a phone shows the
picture at its full width, and ten columns would not be readable there."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from matplotlib.axes import Axes
from matplotlib.transforms import Bbox

from domain.crm_config import CrmConfig
from domain.reports.figures import ManagerRow, ManagersReport
from handlers.common.formatting import clip, money, time_span
from handlers.common.i18n import Texts
from handlers.reports.charts.canvas import (
    ALERT,
    ATTENTION,
    GRID,
    TITLE,
    figure,
    no_data,
    notes,
    number,
    percent,
    png,
    style,
)

ROW_IN = 0.72  # a row of two lines
NAME_CHARS = 12
FONT = 14
HEADER_FONT = 12  # the column names, two short lines: with a margin to the cell's borders

Cell = Callable[[ManagerRow, CrmConfig, Texts], str]


def speed(median_s: int | None, p90_s: int | None, t: Texts) -> str:
    """The median over the 90th percentile, one under the other."""
    if median_s is None:
        return "—"
    lines = [time_span(timedelta(seconds=median_s), t)]
    if p90_s is not None:
        lines.append(time_span(timedelta(seconds=p90_s), t))
    return "\n".join(lines)


def amount(value: int | None, config: CrmConfig, t: Texts) -> str:
    return money(value, config, t.locale) if value else "—"


# (column, its share of the width, its cell): the speed and load table, then the results table.
SPEED: tuple[tuple[str, float, Cell], ...] = (
    ("name", 0.22, lambda row, config, t: clip(row.name, NAME_CHARS)),
    ("received", 0.09, lambda row, config, t: number(row.received, t)),
    ("take", 0.14, lambda row, config, t: speed(row.take_median_s, row.take_p90_s, t)),
    ("reply", 0.155, lambda row, config, t: speed(row.reply_median_s, row.reply_p90_s, t)),
    ("load", 0.135, lambda row, config, t: f"{row.open_deals} / {row.norm}"),
    ("overdue", 0.13, lambda row, config, t: number(row.overdue, t)),
    ("breaches", 0.13, lambda row, config, t: number(row.breaches, t)),
)
RESULTS: tuple[tuple[str, float, Cell], ...] = (
    ("name", 0.22, lambda row, config, t: clip(row.name, NAME_CHARS)),
    ("closed", 0.17, lambda row, config, t: f"{row.won} / {row.lost}"),
    ("conversion", 0.17, lambda row, config, t: percent(row.conversion, t)),
    ("amount", 0.23, lambda row, config, t: amount(row.amount_won, config, t)),
    ("average", 0.21, lambda row, config, t: amount(row.average_deal, config, t)),
)


def marks(row: ManagerRow, column: str) -> str:
    if column == "load" and row.open_deals > row.norm:
        return ALERT
    if column in ("overdue", "breaches") and getattr(row, column):
        return ATTENTION
    return "white"


def draw_table(
    ax: Axes,
    report: ManagersReport,
    columns: tuple[tuple[str, float, Cell], ...],
    config: CrmConfig,
    t: Texts,
) -> None:
    ax.axis("off")
    table = ax.table(
        cellText=[[cell(row, config, t) for _, _, cell in columns] for row in report.rows],
        cellColours=[[marks(row, column) for column, _, _ in columns] for row in report.rows],
        colLabels=[t(f"chart-managers-col-{column}") for column, _, _ in columns],
        colWidths=[width for _, width, _ in columns], cellLoc="center", bbox=Bbox.from_bounds(0, 0, 1, 1),
    )  # fmt: skip
    table.auto_set_font_size(False)
    table.set_fontsize(FONT)
    for (row, column), cell in table.get_celld().items():
        cell.set_edgecolor(GRID)
        text = cell.get_text()
        if row == 0:
            cell.set_facecolor("#eef2f7")
            text.set_fontweight("bold")
            text.set_fontsize(HEADER_FONT)
        elif column == 0:
            text.set_horizontalalignment("left")
            text.set_fontweight("bold")


def managers_png(report: ManagersReport, config: CrmConfig, t: Texts) -> bytes:
    if not report.rows:
        return no_data(t("chart-managers-heading"), t)
    with style():
        table_in = (len(report.rows) + 1) * ROW_IN
        fig = figure(2 * table_in + 2.6)
        speed_ax, results_ax = fig.subplots(2, 1)
        draw_table(speed_ax, report, SPEED, config, t)
        draw_table(results_ax, report, RESULTS, config, t)
        fig.suptitle(t("chart-managers-heading"), fontsize=TITLE, fontweight="bold")
        notes(fig, [t("chart-managers-legend")])
        return png(fig)
