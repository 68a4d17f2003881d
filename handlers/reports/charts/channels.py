"""The channels picture: a bar for each channel and source, its leads with the won ones over them, and
its cost per lead when `[[sources]].spend` is known (README.md, "Reports")."""

from __future__ import annotations

from matplotlib.patches import Patch

from domain.crm_config import CrmConfig
from domain.reports.figures import ChannelRow, ChannelsReport
from handlers.common.formatting import channel_label, money, source_label
from handlers.common.i18n import Texts
from handlers.reports.charts.canvas import (
    BAR,
    GOOD,
    LABEL,
    MUTED,
    NOTE,
    TITLE,
    VALUE,
    bare,
    figure,
    no_data,
    notes,
    number,
    png,
    style,
)

ROW_IN = 1.15


def row_name(row: ChannelRow, config: CrmConfig, t: Texts) -> str:
    return f"{channel_label(row.channel, t)} · {source_label(config, row.source, t.locale, t)}"


def row_note(row: ChannelRow, config: CrmConfig, t: Texts) -> str:
    parts = [t("chart-channels-won", count=row.won)]
    if row.cost_per_lead is not None:
        parts.append(t("chart-channels-cpl", cost=money(row.cost_per_lead, config, t.locale)))
    return ", ".join(parts)


def channels_png(report: ChannelsReport, config: CrmConfig, t: Texts) -> bytes:
    rows = [row for row in report.rows if row.leads or row.inquiries]
    if not rows:
        return no_data(t("chart-channels-heading"), t)
    with style():
        fig = figure(len(rows) * ROW_IN + 2.4)
        ax = fig.subplots()
        ys = list(range(len(rows)))
        widest = max(row.leads for row in rows) or 1
        ax.barh(ys, [row.leads for row in rows], height=0.5, color=BAR)
        ax.barh(ys, [row.won for row in rows], height=0.5, color=GOOD)
        for y, row in zip(ys, rows, strict=True):
            # The row's name over its bar, so that the bars have the whole width.
            ax.text(0, y - 0.32, row_name(row, config, t), va="bottom", fontsize=LABEL)
            ax.text(
                row.leads + widest * 0.02, y, number(row.leads, t), va="center", fontsize=VALUE,
                fontweight="bold",
            )  # fmt: skip
            ax.text(widest * 1.12, y - 0.32, row_note(row, config, t), va="bottom", ha="right", fontsize=NOTE,
                    color=MUTED)  # fmt: skip
        ax.set_xlim(0, widest * 1.12)
        ax.set_ylim(len(rows) - 0.6, -0.85)
        bare(ax)
        ax.set_yticks([])
        ax.legend(
            [Patch(color=BAR), Patch(color=GOOD)],
            [t("chart-channels-leads"), t("chart-channels-won-legend")],
            loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=NOTE, frameon=False,
        )  # fmt: skip
        fig.suptitle(t("chart-channels-heading"), fontsize=TITLE, fontweight="bold")
        lines = []
        if any(row.spend is None for row in rows):
            lines.append(t("chart-channels-no-spend"))
        notes(fig, lines)
        return png(fig)
