"""The funnel picture: the questionnaire, then each pipeline's stages as centred bars narrowing down,
each with how many reached it and the conversion from the stage before (README.md, "Reports")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from domain.crm_config import CrmConfig
from domain.reports.figures import Funnel, FunnelReport, QuestionnaireFunnel
from handlers.common.formatting import pipeline_label, stage_label, time_span
from handlers.common.i18n import Texts
from handlers.reports.charts.canvas import (
    ALERT,
    BAR,
    GOOD,
    INK,
    SECONDARY,
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
    style,
)

BAR_IN, PANEL_IN = 0.62, 1.1  # inches a bar, and a panel's title and margins
TIME, TIMES_X = 15, 0.96  # the median times on the right: their size in points, their right edge


@dataclass(frozen=True)
class Bar:
    name: str
    value: int
    conversion: float | None = None  # from the bar above
    note: str = ""  # on the right, small: the median time in the stage
    color: str = BAR


def questionnaire_bars(questionnaire: QuestionnaireFunnel, config: CrmConfig, t: Texts) -> list[Bar]:
    questions = config.intake.questions
    """Every question's bar; with fewer than `reports.min_sample` begun, only begun, finished and target,
    so that a handful of questionnaires does not take a third of the picture in empty rows."""
    bars = [Bar(t("chart-q-started"), questionnaire.started, color=GOOD)]
    counts = questionnaire.answered if questionnaire.started >= config.reports.min_sample else ()
    for n, answered in enumerate(counts):
        name = questions[n].title(t.locale) if n < len(questions) else t("chart-q-question", number=n + 1)
        bars.append(Bar(name, answered, color=GOOD))
    bars.append(Bar(t("chart-q-finished"), questionnaire.finished, color=GOOD))
    bars.append(Bar(t("chart-q-target"), questionnaire.target, color=GOOD))
    return with_conversions(bars)


def funnel_bars(funnel: Funnel, config: CrmConfig, t: Texts) -> list[Bar]:
    bars = [
        Bar(
            stage_label(config, funnel.pipeline, step.stage, t.locale),
            step.reached,
            note=time_span(timedelta(seconds=step.median_s), t) if step.median_s is not None else "",
            color=ALERT if step.stage == funnel.worst_step and funnel.lost else BAR,
        )
        for step in funnel.steps
    ]
    bars.append(Bar(t("chart-funnel-won"), funnel.won, color=GOOD))
    return with_conversions(bars)


def with_conversions(bars: list[Bar]) -> list[Bar]:
    out = bars[:1]
    for before, bar in pairwise(bars):
        share = bar.value / before.value if before.value else None
        out.append(Bar(bar.name, bar.value, share, bar.note, bar.color))
    return out


def draw_panel(ax: Axes, title: str, bars: list[Bar], t: Texts) -> list[tuple[Text, float]]:
    """The panel's bars; each value's label with its bar's half width, for `fit_labels`."""
    widest = max((bar.value for bar in bars), default=0) or 1
    ys = range(len(bars))
    ax.barh(
        list(ys), [bar.value / widest for bar in bars], left=[-bar.value / widest / 2 for bar in bars],
        height=0.78, color=[bar.color for bar in bars],
    )  # fmt: skip
    labels = []
    for y, bar in zip(ys, bars, strict=True):
        text = number(bar.value, t) + (
            f"  ·  {percent(bar.conversion, t)}" if bar.conversion is not None else ""
        )
        labels.append(
            (ax.text(0, y, text, ha="center", va="center", fontsize=VALUE, fontweight="bold", color=INK),
             bar.value / widest / 2)
        )  # fmt: skip
        if bar.note:
            ax.text(TIMES_X, y, bar.note, ha="right", va="center", fontsize=TIME, color=SECONDARY)
    ax.set_yticks(list(ys), [label(bar.name) for bar in bars])
    ax.set_xlim(-0.5, 1.0)  # the bars centred on the left two thirds, the times on the right
    ax.set_ylim(len(bars) - 0.5, -0.5)  # the first stage on top
    ax.set_title(title, fontsize=TITLE - 3, fontweight="bold")
    bare(ax)
    return labels


def fit_labels(fig: Figure, labels: list[tuple[Text, float]]) -> None:
    """A value's label that does not fit inside its bar goes just right of it, dark on white, rather
    than spilling over the bar's edges (a bar of nought keeps it centred). Measured once the layout is
    done."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    fig.draw_without_rendering()
    for text, half in labels:
        ax = text.axes
        assert ax is not None  # drawn on a panel
        left, right = (ax.transData.transform((x, 0))[0] for x in (-half, half))
        if half and text.get_window_extent(renderer).width + 12 > right - left:
            text.set_x(half + 0.02)
            text.set_horizontalalignment("left")


def funnel_png(report: FunnelReport, config: CrmConfig, t: Texts) -> bytes:
    questionnaire = report.questionnaire
    funnels = [funnel for funnel in report.funnels if funnel.deals] or []
    if not funnels and not questionnaire.started:
        return no_data(t("chart-funnel-heading"), t)
    panels: list[tuple[str, list[Bar]]] = []
    if questionnaire.started:
        panels.append((t("chart-q-heading"), questionnaire_bars(questionnaire, config, t)))
    for funnel in funnels:
        pipeline = pipeline_label(config, funnel.pipeline, t.locale)
        title = t(
            "chart-funnel-title", pipeline=pipeline, deals=funnel.deals, overall=percent(funnel.overall, t)
        )
        panels.append((title, funnel_bars(funnel, config, t)))
    with style():
        heights = [len(bars) * BAR_IN + PANEL_IN for _, bars in panels]
        fig = figure(sum(heights) + 1.6)
        axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
        labels = []
        for ax, (title, bars) in zip(axes, panels, strict=True):
            labels.extend(draw_panel(ax, title, bars, t))
        fig.suptitle(t("chart-funnel-heading"), fontsize=TITLE, fontweight="bold")
        lines = [t("chart-funnel-counting")]
        if any(step.median_s is not None for funnel in funnels for step in funnel.steps):
            lines.append(t("chart-funnel-median"))
        for funnel in funnels:
            if funnel.worst_step and funnel.lost:
                stage = stage_label(config, funnel.pipeline, funnel.worst_step, t.locale)
                lines.append(t("chart-funnel-worst", stage=stage))
        notes(fig, lines)
        fit_labels(fig, labels)
        return png(fig)
