"""The report pictures (README.md, "Reports → Pictures and export"): PNGs a phone shows legibly, drawn
with Cyrillic glyphs, a picture for an empty period, drawn off the event loop; and their captions."""

from __future__ import annotations

import asyncio
import io
import threading
import warnings
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy
import pytest
from PIL import Image, ImageStat

from bot.crm_config_file import load_crm_config
from domain.crm_config import CrmConfig
from domain.reports.figures import ChannelsReport, LossShare, ManagerRow, ManagersReport
from handlers.common.formatting import visible_length
from handlers.common.i18n import Texts, Translator
from handlers.reports.captions import channels_caption, funnel_caption, losses_caption, managers_caption
from handlers.reports.charts import channels_png, funnel_png, losses_png, managers_png, render_png
from handlers.reports.charts.canvas import figure, png, style
from handlers.reports.charts.funnel import draw_panel, fit_labels, funnel_bars
from tests.unit.report_figures import CHANNELS, EMPTY_FUNNEL, EMPTY_LOSSES, FUNNEL, LOSSES, MANAGERS

DRAWINGS: list[tuple[Callable[[Any, CrmConfig, Texts], bytes], Any, Any]] = [
    (funnel_png, FUNNEL, EMPTY_FUNNEL),
    (losses_png, LOSSES, EMPTY_LOSSES),
    (managers_png, MANAGERS, ManagersReport(())),
    (channels_png, CHANNELS, ChannelsReport()),
]


@pytest.fixture(scope="module")
def config() -> CrmConfig:
    return load_crm_config()


def texts(locale: str) -> Texts:
    return Translator().bind(locale)


def drawn(draw: Callable[..., bytes], *args: Any) -> Image.Image:
    """The picture decoded, drawn with every warning an error: a glyph missing from the font warns."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        content = draw(*args)
    assert content.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(content)).convert("L")


def inked(image: Image.Image) -> float:
    """The share of pixels that are not (nearly) white."""
    histogram = image.histogram()
    return sum(histogram[:230]) / (image.width * image.height)


@pytest.mark.parametrize("locale", ["ru", "en"])
@pytest.mark.parametrize(("draw", "report", "_empty"), DRAWINGS, ids=lambda v: getattr(v, "__name__", ""))
def test_each_report_is_a_wide_picture_with_something_drawn(
    config: CrmConfig, locale: str, draw: Callable[..., bytes], report: Any, _empty: Any
) -> None:
    image = drawn(draw, report, config, texts(locale))
    assert image.width >= 1080
    assert image.height >= 400
    assert inked(image) > 0.03  # bars and type, not a blank canvas
    assert ImageStat.Stat(image).stddev[0] > 20


@pytest.mark.parametrize(("draw", "_report", "empty"), DRAWINGS, ids=lambda v: getattr(v, "__name__", ""))
def test_an_empty_period_is_a_picture_that_says_so(
    config: CrmConfig, draw: Callable[..., bytes], _report: Any, empty: Any
) -> None:
    image = drawn(draw, empty, config, texts("ru"))
    assert image.width >= 1080
    assert 0 < inked(image) < 0.1  # the title and "no data", nothing else


def test_cyrillic_is_drawn_with_real_glyphs_and_a_missing_one_would_fail(config: CrmConfig) -> None:
    """DejaVu Sans, shipped inside matplotlib, has Cyrillic: no "Glyph ... missing" warning. The same
    check catches a character the font lacks, so it does test something."""

    def label(text: str) -> Callable[[], bytes]:
        def draw() -> bytes:
            with style():
                fig = figure(3)
                fig.text(0.1, 0.5, text, fontsize=30)
                return png(fig)

        return draw

    drawn(label("Причины отказов: «Дорого» — 42 %, Ёжик, щёлк"))
    with pytest.raises(UserWarning, match="missing from font"):
        drawn(label("漢字"))


def test_the_funnel_shows_the_questionnaire_and_the_stages_as_narrowing_bars(config: CrmConfig) -> None:
    """The widest bar (200 who began the questionnaire) is drawn wider than the last stage (14 won)."""
    image = drawn(funnel_png, FUNNEL, config, texts("ru"))
    widths = (numpy.asarray(image) < 230).sum(axis=1)  # inked pixels in each line
    assert widths.max() > 2 * widths[widths > 50].min()


async def test_a_slow_drawing_does_not_hold_up_the_event_loop() -> None:
    """The drawing waits for the loop to let it go: were it run on the loop, the loop could never do
    so and the drawing would give up (its wait times out) and fail."""
    started, release = threading.Event(), threading.Event()

    def slow_drawing(value: int) -> bytes:
        started.set()
        assert release.wait(timeout=30), "the event loop was held up by the drawing"
        return bytes([value])

    drawing = asyncio.create_task(render_png(slow_drawing, 7))
    # Waited for in another thread: the loop goes round meanwhile, and so starts the drawing.
    assert await asyncio.to_thread(started.wait, 30)
    assert not drawing.done()
    release.set()  # the loop itself, still running while the picture is drawn
    assert await drawing == b"\x07"


async def test_a_real_drawing_runs_through_render_png(config: CrmConfig) -> None:
    content = await render_png(losses_png, LOSSES, config, texts("ru"))
    assert Image.open(io.BytesIO(content)).width >= 1080


def test_captions_give_the_key_numbers_as_text(config: CrmConfig) -> None:
    t = texts("ru")
    funnel = funnel_caption(FUNNEL, config, t).replace("\xa0", " ")
    assert "120 сделок" in funnel and "успешно 14" in funnel and "12 %" in funnel
    assert "Квалификация" in funnel and "начали 200" in funnel
    losses = losses_caption(LOSSES, config, t, names={1: "Олег"}).replace("\xa0", " ")
    assert "Отказов за период: 50" in losses
    assert "«Дорого» — 42 %, выше допустимых 30 %" in losses
    assert "Олег: 5 отказов подряд" in losses
    assert "№8, №9" in losses
    managers = managers_caption(MANAGERS, config, t).replace("\xa0", " ")
    assert "Олег Петров</b>: лидов 42" in managers and "больше нормы" in managers
    channels = channels_caption(CHANNELS, config, t).replace("\xa0", " ")
    assert "545 ₽ за лид" in channels and "лидов 110" in channels
    assert funnel_caption(EMPTY_FUNNEL, config, t) == t("chart-no-data")
    assert managers_caption(ManagersReport(()), config, t) == t("chart-no-data")


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_a_caption_fits_telegrams_limit_and_says_what_was_left_out(config: CrmConfig, locale: str) -> None:
    many = ManagersReport(tuple(
        ManagerRow(n, f"Менеджер <{n}> с длинным именем", n, 60, 120, 60, 120, 5, 30, 0, 0, 1, 1, 0.5, 1000,
                   1000)
        for n in range(1, 60)
    ))  # fmt: skip
    caption = managers_caption(many, config, texts(locale))
    assert visible_length(caption) <= 1024
    assert "&lt;1&gt;" in caption  # names are escaped for HTML
    assert "/export" in caption.splitlines()[-1]


def test_the_loss_caption_lists_warnings_clients_other_texts_and_each_managers_top_reason(
    config: CrmConfig,
) -> None:
    t = texts("ru")
    report = replace(
        LOSSES,
        other_texts=((5, "Уехал <в отпуск>"), (6, "Дорого " * 40), (7, "Третий"), (8, "Четвёртый")),
        by_manager=((1, (LossShare("no_need", 6, 0.6),)), (2, (LossShare("too_expensive", 3, 1.0),))),
    )
    lines = losses_caption(report, config, t, names={1: "Олег", 2: "Анна"}).replace("\xa0", " ").splitlines()
    assert lines[1].startswith("⚠️ «Дорого» — 42 %") and lines[2].startswith("⚠️ Олег: 5 отказов подряд")
    assert "№8, №9" in lines[3]  # the client lost twice, by deal numbers
    assert "Уехал &lt;в отпуск&gt;" in lines[4]  # the "other" texts escaped, three of them, clipped
    assert lines[5].endswith("…") and "Третий" in lines[6] and "Четвёртый" not in "\n".join(lines)
    assert "ещё 1 ответ «Другое»" in lines[7]
    assert "Олег — Нет потребности 60 %; Анна — Дорого 100 %" in lines[8]
    assert lines[-1].startswith("• Другое: 16 %")  # the shares last: the picture shows them too
    # One manager: no line by manager.
    single = losses_caption(LOSSES, config, t, names={1: "Олег"})
    assert "Главная причина у менеджеров" not in single


def test_a_stage_is_named_as_the_worst_only_when_the_pipeline_lost_deals(config: CrmConfig) -> None:
    t = texts("ru")
    assert "Больше всего теряем" in funnel_caption(FUNNEL, config, t)
    untouched = replace(FUNNEL, funnels=(replace(FUNNEL.funnels[0], lost=0),))
    assert "Больше всего теряем" not in funnel_caption(untouched, config, t)


@pytest.mark.parametrize(("count", "words"), [(1, "1 успешная"), (3, "3 успешных"), (5, "5 успешных")])
def test_russian_counts_take_their_plural_form(count: int, words: str) -> None:
    assert texts("ru")("chart-channels-won", count=count).replace("\u2068", "").replace("\u2069", "") == words


def test_a_value_that_does_not_fit_its_bar_is_written_beside_it(config: CrmConfig) -> None:
    t = texts("ru")
    with style():
        fig = figure(6)
        labels = draw_panel(fig.subplots(), "", funnel_bars(FUNNEL.funnels[0], config, t), t)
        fit_labels(fig, labels)
    alignments = [text.get_horizontalalignment() for text, _ in labels]
    assert alignments[0] == "center"  # 120 of 120: the widest bar holds its label
    assert alignments[-1] == "left"  # 14 won: a sliver, the label right of it
