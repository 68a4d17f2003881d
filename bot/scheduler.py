"""Wakes the process for due timers (README.md, "Reminders, deadlines and alerts"). The timers table is the
truth; APScheduler only says when to look: a sweep every `SCHEDULER_TICK` seconds (the safety net: another
process added a timer, a clock jumped) plus one date job at the next due time, moved whenever a timer is
written.

A sweep fires every due timer, each in its own transaction (`domain.timer_firing`), so a timer fires
once however many processes sweep, and the ones that fell due while no bot ran fire once at start,
marked late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.observability.heartbeat import Heartbeat
from bot.observability.metrics import count_timer
from bot.outage import log_failure
from domain.crm_config import CrmConfig
from domain.digest import ensure_digest
from domain.timer_firing import fire_timer
from storage.timer_repository import TimerQueue
from storage.unit_of_work import SqlUnitOfWork

logger = logging.getLogger(__name__)

BATCH = 50
GIVE_UP_AFTER = 10  # failed firings of one timer (a bug, not an outage: an outage fails the sweep itself)
# A timer fired this much after its time, by a bot that was running, is late too (the database was
# away, the process was starved); fired on time means within a couple of ticks.
MIN_LATE_GRACE = timedelta(seconds=60)
STOP_GRACE_S = 10


def retry_after(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2**attempts, 3600))


class TimerScheduler:
    def __init__(
        self, *, queue: TimerQueue, make_uow: Callable[[], SqlUnitOfWork], config: CrmConfig, clock: Clock,
        tick_s: float, heartbeat: Heartbeat | None = None,
    ) -> None:  # fmt: skip
        self._queue, self._make_uow, self._config, self._clock = queue, make_uow, config, clock
        self._tick_s = tick_s
        self._late_grace = max(timedelta(seconds=2 * tick_s), MIN_LATE_GRACE)
        self._scheduler: AsyncIOScheduler | None = None
        self._stopped = False
        self._sweeping = asyncio.Lock()
        self._attempts: dict[int, int] = {}
        self._planning: asyncio.Task[None] | None = None
        self._replan = False
        self.started_at: datetime | None = None
        # Beats whenever a sweep looks for due timers: `/healthz` wants one within three ticks.
        self.heartbeat = heartbeat or Heartbeat()

    async def start(self) -> None:
        """Plan the digest if none is planned, then sweep now and every tick."""
        self.started_at = self._clock.now()
        self.heartbeat.start()  # the first sweep is counted from here
        await self.keep_digest_planned()
        scheduler = self._scheduler = AsyncIOScheduler(timezone=UTC)
        # A digest whose firing failed for good plans no next one; this puts one back within the hour.
        scheduler.add_job(
            self.keep_digest_planned, "interval", hours=1, id="digest", coalesce=True, max_instances=1,
            misfire_grace_time=None,
        )  # fmt: skip
        scheduler.add_job(
            self.sweep, "interval", seconds=self._tick_s, id="sweep", coalesce=True, max_instances=3,
            misfire_grace_time=None, next_run_time=datetime.now(UTC),  # APScheduler runs on the wall clock
        )  # fmt: skip
        scheduler.start()

    async def keep_digest_planned(self) -> None:
        try:
            async with self._make_uow() as uow:
                await ensure_digest(uow, self._config, now=self._clock.now())
        except Exception as error:
            log_failure(logger, "could not plan the daily digest; trying again within the hour", error)

    async def stop(self) -> None:
        """No new sweeps; the one running finishes its timer in hand (each is its own transaction, so a
        cut-off one would only fire again later, once)."""
        self._stopped = True  # a sweep in hand stops after its current timer
        self.heartbeat.stop()
        try:
            async with asyncio.timeout(STOP_GRACE_S):
                async with self._sweeping:
                    pass
        except TimeoutError:
            logger.warning("a timer sweep was still running at shutdown")
        if self._planning is not None:
            # One short read (the next due time): waited for, not cut off mid-read. A read cancelled
            # there leaves its connection to be rolled back under it, and _plan_next would log that with
            # a traceback at every stop.
            planning, self._planning = self._planning, None
            done, _ = await asyncio.wait({planning}, timeout=STOP_GRACE_S)
            if not done:
                planning.cancel()
                await asyncio.gather(planning, return_exceptions=True)
        # Only now: shutting APScheduler down cancels a job it is running.
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None

    def poke(self) -> None:
        """A timer was written: look again when the next one is due (it may be sooner than planned)."""
        if self._scheduler is None or self._stopped:
            return
        self._replan = True  # a planning already running looks once more, so no poke is lost
        if self._planning is None or self._planning.done():
            self._planning = asyncio.get_running_loop().create_task(
                self._replan_loop(), name="timer-planning"
            )

    async def _replan_loop(self) -> None:
        while self._replan:
            self._replan = False
            await self._plan_next()

    async def sweep(self) -> int:
        """Fire everything due now; returns how many timers this process fired. Cut off by a stop that
        could not wait for it, it returns quietly: the timer in hand was rolled back and fires later."""
        try:
            return await self._sweep()
        except asyncio.CancelledError:
            logger.info("a timer sweep was cut off by the shutdown; what it held fires after the restart")
            return 0

    async def _sweep(self) -> int:
        fired = 0
        if self._stopped:
            return fired
        if self.started_at is None:  # swept without `start` (a test, a one-off run): it starts now
            self.started_at = self._clock.now()
            self.heartbeat.start()
        tried: set[int] = set()  # each due timer once per sweep: one another process holds is theirs
        async with self._sweeping:
            while not self._stopped:
                self.heartbeat.beat()
                now = self._clock.now()
                try:
                    found = await self._queue.due(now=now, limit=BATCH + len(tried))
                except Exception as error:
                    log_failure(logger, "could not look for due timers; the next tick tries again", error)
                    return fired
                due = [timer_id for timer_id in found if timer_id not in tried]
                if not due:
                    break
                tried.update(due)
                try:
                    for timer_id in due:
                        if self._stopped:
                            break
                        fired += await self._fire(timer_id)
                except Exception as error:  # the database went away mid-sweep: the next tick goes on
                    log_failure(logger, "timer sweep stopped; the next tick tries again", error)
                    return fired
            await self._plan_next()
        return fired

    async def _fire(self, timer_id: int) -> int:
        now = self._clock.now()
        assert self.started_at is not None
        late_before = max(self.started_at, now - self._late_grace)  # due before the start, or long ago
        try:
            async with self._make_uow() as uow:
                fired = await fire_timer(
                    uow, self._config, timer_id=timer_id, now=now, late_before=late_before
                )
        except Exception as error:
            attempts = self._attempts.get(timer_id, 0) + 1
            self._attempts[timer_id] = attempts
            log_failure(logger, "timer %s could not be fired (attempt %s)", error, timer_id, attempts)
            try:
                await self._queue.put_off(
                    timer_id, after=retry_after(attempts), now=now, error=repr(error), give_up=GIVE_UP_AFTER
                )
            except Exception as put_off_error:
                log_failure(logger, "could not put timer %s off", put_off_error, timer_id)
                raise
            return 0
        self._attempts.pop(timer_id, None)
        if fired is None:
            return 0
        count_timer(fired.timer.kind, late=fired.late)
        if fired.outcome == "unknown_kind":
            logger.warning("timer %s has a kind nobody fires (%s): marked fired", timer_id, fired.timer.kind)
        logger.info(
            "timer %s (%s of %s, due %s) fired%s: %s", timer_id, fired.timer.kind, fired.timer.subject_id,
            fired.timer.due_at.isoformat(), " late" if fired.late else "", fired.outcome,
        )  # fmt: skip
        return 1

    async def _plan_next(self) -> None:
        """A date job at the next due time, in real time: the clock may be a test's, so the wait is
        measured on it and then laid on the wall clock."""
        scheduler = self._scheduler
        if scheduler is None:
            return
        try:
            due = await self._queue.next_due_at()
        except Exception:
            logger.warning("could not read the next due timer; the tick will find it", exc_info=True)
            return
        if due is None or self._scheduler is None:
            with contextlib.suppress(JobLookupError):
                scheduler.remove_job("next_due")
            return
        wait = max((due - self._clock.now()).total_seconds(), 0.0)
        scheduler.add_job(
            self.sweep, "date", run_date=datetime.now(UTC) + timedelta(seconds=wait), id="next_due",
            replace_existing=True, misfire_grace_time=None, max_instances=3,
        )  # fmt: skip
