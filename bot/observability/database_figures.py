"""The figures `/metrics` reads from the database at scrape time (storage/operations_figures.py), as a
prometheus-client collector: `refresh` reads them (async, before the exposition is written), `collect`
hands out what the last refresh read. They are the same from every worker process (one database), so
a dashboard takes their max, not their sum (README.md, "Health and metrics").

A custom collector rather than Gauge objects: the families are the database's figures as of this scrape,
and a read that failed shows as `voronka_database_figures_up 0` with the figures left out, never as the
last good values standing still."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.clock import Clock
from storage.operations_figures import Backlog, OperationsFigures, WaitingWork

logger = logging.getLogger(__name__)

READ_TIMEOUT_S = 5.0
# Counting leads reads the whole deals table; a lead a minute late on a chart costs nothing.
LEADS_EVERY_S = 60.0


class DatabaseFigures(Collector):
    def __init__(
        self, figures: OperationsFigures, *, clock: Clock, monotonic: Callable[[], float] = time.monotonic,
        leads_every_s: float = LEADS_EVERY_S,
    ) -> None:  # fmt: skip
        self._figures, self._clock, self._monotonic = figures, clock, monotonic
        self._leads_every_s = leads_every_s
        self._read_ok = False
        self._now: datetime | None = None
        self._work: WaitingWork | None = None
        self._leads: dict[str, int] | None = None
        self._leads_read_at: float | None = None

    async def refresh(self) -> None:
        """Read the figures afresh (the leads only every `leads_every_s`). A failure is remembered, not
        raised: the scrape still serves the process's own metrics."""
        now = self._clock.now()
        try:
            async with asyncio.timeout(READ_TIMEOUT_S):
                work = await self._figures.waiting_work(now=now)
                leads, read_at = self._leads, self._leads_read_at
                if leads is None or read_at is None or self._monotonic() - read_at >= self._leads_every_s:
                    leads = await self._figures.leads_by_channel()
                    self._leads_read_at = self._monotonic()
        except Exception as error:
            logger.warning("metrics: could not read the figures from the database (%s)", type(error).__name__)
            self._read_ok, self._work = False, None
            return
        self._read_ok, self._now, self._work, self._leads = True, now, work, leads

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        yield GaugeMetricFamily(
            "voronka_database_figures_up",
            "1 when this scrape read the figures below from the database, 0 when it could not.",
            value=1 if self._read_ok else 0,
        )
        work, now = self._work, self._now
        if not self._read_ok or work is None or now is None:
            return
        yield from _backlog(
            "inbox", "updates stored and not handled yet", "the oldest of them was received", work.inbox, now
        )
        yield GaugeMetricFamily(
            "voronka_inbox_set_aside", "Updates set aside after failing, kept for a person to look at.",
            value=work.inbox_set_aside,
        )  # fmt: skip
        yield from _backlog(
            "outbox", "notices due and not sent yet", "the oldest of them fell due", work.outbox, now
        )
        yield from _backlog(
            "timers", "timers due and not fired yet", "the oldest of them fell due", work.timers, now
        )
        leads = CounterMetricFamily(
            "voronka_leads", "Deals created, by the channel their lead came through (from the database).",
            labels=["channel"],
        )  # fmt: skip
        for channel, count in sorted((self._leads or {}).items()):
            leads.add_metric([channel], count)
        yield leads


def _backlog(
    name: str, what: str, oldest: str, backlog: Backlog, now: datetime
) -> Iterator[GaugeMetricFamily]:
    yield GaugeMetricFamily(f"voronka_{name}_backlog", f"{what.capitalize()}.", value=backlog.waiting)
    age = 0.0 if backlog.oldest is None else max((now - backlog.oldest).total_seconds(), 0.0)
    yield GaugeMetricFamily(
        f"voronka_{name}_oldest_age_seconds", f"Seconds since {oldest} ({what}); 0 when none.", value=age
    )
