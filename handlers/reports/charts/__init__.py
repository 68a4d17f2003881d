"""The reports as pictures (README.md, "Reports → Pictures and export"): one drawing function a report,
each `(report, config, t) -> PNG bytes`, run off the event loop by `render_png`."""

from handlers.reports.charts.channels import channels_png
from handlers.reports.charts.funnel import funnel_png
from handlers.reports.charts.losses import losses_png
from handlers.reports.charts.managers import managers_png
from handlers.reports.charts.rendering import render_png

__all__ = ["channels_png", "funnel_png", "losses_png", "managers_png", "render_png"]
