"""The loss-reasons picture: a bar for each reason's share of the period's losses, its limit
(`loss_reasons[].max_share`) drawn as a line across it, bars above their limit in red (README.md,
"Reports")."""

from __future__ import annotations

from matplotlib.lines import Line2D

from domain.crm_config import CrmConfig
from domain.reports.figures import LossReport
from handlers.common.i18n import Texts
from handlers.reports.charts.canvas import (
    ALERT,
    BAR_DARK,
    INK,
    LABEL,
    NOTE,
    TITLE,
    VALUE,
    bare,
    figure,
    label,
    no_data,
    notes,
    number,
    percent,
    png,
    reason_label,
    style,
)

BAR_IN = 0.7


def losses_png(report: LossReport, config: CrmConfig, t: Texts) -> bytes:
    heading = t("chart-losses-heading", count=report.total)
    reasons = [share for share in report.reasons if share.count]
    if not report.total or not reasons:
        return no_data(t("chart-losses-heading", count=0), t)
    with style():
        fig = figure(len(reasons) * BAR_IN + 2.6)
        ax = fig.subplots()
        ys = list(range(len(reasons)))
        ax.barh(
            ys, [share.share for share in reasons], height=0.7,
            color=[ALERT if share.over else BAR_DARK for share in reasons],
        )  # fmt: skip
        right = max(max(s.share for s in reasons), max((s.limit or 0 for s in reasons), default=0))
        for y, share in zip(ys, reasons, strict=True):
            value = f"{percent(share.share, t)}  ({number(share.count, t)})"
            ax.text(share.share + right * 0.02, y, value, va="center", fontsize=VALUE, fontweight="bold")
            if share.limit is not None:
                ax.vlines(share.limit, y - 0.45, y + 0.45, colors=INK, linestyles="--", linewidth=3)
        ax.set_yticks(ys, [label(reason_label(config, share.reason, t)) for share in reasons])
        ax.set_xlim(0, right * 1.45)
        ax.set_ylim(len(reasons) - 0.5, -0.5)
        bare(ax)
        if any(share.limit is not None for share in reasons):
            line = Line2D([], [], color=INK, linestyle="--", linewidth=3)
            ax.legend(
                [line], [t("chart-losses-limit")], loc="lower right", fontsize=NOTE, frameon=False,
            )  # fmt: skip
        fig.suptitle(heading, fontsize=TITLE, fontweight="bold")
        lines = []
        if not report.sample_enough:
            lines.append(t("chart-losses-small-sample", count=config.reports.min_sample))
        for share in reasons:
            if share.over and share.limit is not None:
                lines.append(
                    t("chart-losses-over", reason=reason_label(config, share.reason, t),
                      share=percent(share.share, t), limit=percent(share.limit, t))
                )  # fmt: skip
        if report.runs:
            lines.append(t("chart-losses-runs", count=len(report.runs)))
        if report.clients:
            lines.append(t("chart-losses-clients", count=len(report.clients)))
        notes(fig, lines)
        ax.tick_params(axis="y", labelsize=LABEL)
        return png(fig)
