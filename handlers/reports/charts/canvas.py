"""What every report picture shares (README.md, "Reports → Pictures and export"): matplotlib's object
API on the Agg canvas (no pyplot, no display, no global figure list), a width of 1200 px and type big
enough to read on a phone, DejaVu Sans (shipped inside matplotlib, with Cyrillic), and the picture that
says there is nothing to show."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from babel.numbers import format_decimal, format_percent
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from domain.crm_config import CrmConfig
from handlers.common.formatting import clip
from handlers.common.i18n import Texts

DPI = 150
WIDTH_IN = 8.0  # 1200 px: a phone shows it at its full width, about 3 pixels to a point of the screen
TITLE, LABEL, VALUE, NOTE = 22, 17, 17, 14  # points
LABEL_CHARS = 22  # a bar's name on the left is cut to this
NOTE_CHARS = 62  # a line of notes under a chart, at NOTE points
MARGIN_IN = 0.12  # round the picture

INK, SECONDARY, MUTED, GRID = "#1f2933", "#3e4c59", "#616e7c", "#d9e2ec"
BAR, BAR_DARK, ALERT, GOOD, ATTENTION = "#9fc5e8", "#3d85c6", "#e06666", "#93c47d", "#f6b26b"

STYLE: dict[Any, Any] = {
    "font.family": "DejaVu Sans",  # matplotlib's own font: Cyrillic included, on every system
    "font.size": LABEL,
    "text.color": INK,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "svg.fonttype": "none",
}


@contextmanager
def style() -> Iterator[None]:
    """The pictures' settings for the drawing inside; drawings run one at a time (see `rendering`), so
    the process-wide settings this sets for a while are seen by this drawing only."""
    with rc_context(STYLE):
        yield


def figure(height_in: float) -> Figure:
    # A margin round the picture, so that the title and the text at the edges do not touch them.
    layout = ConstrainedLayoutEngine(w_pad=MARGIN_IN, h_pad=MARGIN_IN)
    fig = Figure(figsize=(WIDTH_IN, max(height_in, 3.0)), dpi=DPI, layout=layout)
    FigureCanvasAgg(fig)
    fig.set_facecolor("white")
    return fig


def png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def bare(ax: Axes) -> None:
    """An axis with its frame and value scale hidden: the numbers are written on the bars."""
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xticks([])
    ax.tick_params(axis="y", length=0, labelsize=LABEL, pad=8)


def no_data(title: str, t: Texts) -> bytes:
    """A picture that says the period has nothing to show, rather than an empty chart or an error."""
    with style():
        fig = figure(4.0)
        fig.suptitle(title, fontsize=TITLE, fontweight="bold")
        fig.text(0.5, 0.45, t("chart-no-data"), ha="center", va="center", fontsize=TITLE, color=MUTED)
        return png(fig)


def notes(fig: Figure, lines: list[str]) -> None:
    """Small lines under the chart, wrapped to the width."""
    if lines:
        wrapped = "\n".join(textwrap.fill(line, NOTE_CHARS) for line in lines)
        fig.supxlabel(wrapped, fontsize=NOTE, color=MUTED, ha="left", x=0.02, multialignment="left")


def label(text: str) -> str:
    return clip(text, LABEL_CHARS)


def number(value: int, t: Texts) -> str:
    return str(format_decimal(value, locale=t.locale))


def percent(value: float | None, t: Texts) -> str:
    return "—" if value is None else str(format_percent(value, locale=t.locale))


def reason_label(config: CrmConfig, key: str, t: Texts) -> str:
    reason = config.loss_reason(key)
    return reason.text[t.locale] if reason else key
