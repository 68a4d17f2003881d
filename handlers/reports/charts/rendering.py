"""Pictures are drawn off the event loop (README.md, "Reports → Pictures and export"), so that the
bot keeps answering everyone else while a chart renders.

A thread, not a process: the drawing takes the report's figures, the config and the reader's texts
(a Fluent bundle, which does not pickle), and matplotlib's object API draws into a figure of its own
with no shared pyplot state. One thread, dedicated: charts are drawn one at a time, because
matplotlib's process-wide settings (`rc_context`) and font cache are not made for concurrent use, and a
picture takes a fraction of a second; a queue of them never occupies the loop's default executor,
which DNS lookups and file reads share. The GIL is handed back to the loop every few milliseconds
(Python's switch interval), so updates keep flowing while a picture is drawn."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

DRAWING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="charts")


async def render_png(draw: Callable[..., bytes], *args: Any) -> bytes:
    """`draw(*args)` in the drawing thread; the PNG's bytes."""
    return await asyncio.get_running_loop().run_in_executor(DRAWING, draw, *args)
