"""`/healthz`: is this process doing its work? The database answers a trivial query within a couple of
seconds, the scheduler has swept within three ticks, and the notifier's loop is turning (README.md,
"Health and metrics"). Each part is named with why it fails, and nothing secret is said: an error is
named by its type only (a driver's message may hold a host or a user name).

It is polled often (Docker every 30 s, load balancers every few seconds), so it is cheap: one `SELECT 1`,
at most one in flight (a slow database is not asked again and again while it has not answered), and two
in-memory reads."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.observability.heartbeat import Heartbeat, Phase

OK = "ok"
DATABASE_TIMEOUT_S = 2.0
SCHEDULER_TICKS = 3  # sweeps missed before the scheduler counts as stuck
# The notifier beats on every turn of its loop (at least every `idle_poll_s` when idle) and before each
# message it sends. The longest a sound one goes without a beat is one send: its pacing, the flood
# guard's short waits and the Bot session's 60 s timeout; an outbox lease (bot/notifier.py) covers that.
NOTIFIER_SILENCE_S = 120.0


@dataclass(frozen=True)
class HealthReport:
    checks: dict[str, str]  # part -> "ok" or why not

    @property
    def ok(self) -> bool:
        return all(state == OK for state in self.checks.values())

    def body(self) -> dict[str, object]:
        return {"status": "ok" if self.ok else "failing", "checks": dict(self.checks)}


class HealthCheck:
    def __init__(
        self, *, ping_database: Callable[[], Awaitable[object]], scheduler: Heartbeat, notifier: Heartbeat,
        tick_s: float, database_timeout_s: float = DATABASE_TIMEOUT_S,
        notifier_silence_s: float = NOTIFIER_SILENCE_S,
    ) -> None:  # fmt: skip
        self._ping_database, self._database_timeout_s = ping_database, database_timeout_s
        self._scheduler, self._scheduler_silence_s = scheduler, SCHEDULER_TICKS * tick_s
        self._notifier, self._notifier_silence_s = notifier, notifier_silence_s
        self._ping: asyncio.Task[object] | None = None

    async def check(self) -> HealthReport:
        return HealthReport(
            {
                "database": await self._database(),
                "scheduler": _loop_state(self._scheduler, self._scheduler_silence_s, "no sweep"),
                "notifier": _loop_state(self._notifier, self._notifier_silence_s, "its loop has not turned"),
            }
        )

    async def _database(self) -> str:
        if self._ping is None or self._ping.done():
            self._ping = asyncio.create_task(self._ask_database(), name="health-ping")
            self._ping.add_done_callback(_forget_outcome)
        ping = self._ping
        # Not cancelled on a timeout: a query cut off mid-way can leave its pooled connection unusable,
        # and the next check waits on this same ping rather than stacking another behind it.
        done, _ = await asyncio.wait({ping}, timeout=self._database_timeout_s)
        if not done:
            return f"no answer within {self._database_timeout_s:g} s"
        if ping.cancelled():
            return "check cancelled"
        error = ping.exception()
        return OK if error is None else f"unreachable ({type(error).__name__})"

    async def _ask_database(self) -> object:
        return await self._ping_database()


def _loop_state(heartbeat: Heartbeat, limit_s: float, silent: str) -> str:
    pulse = heartbeat.pulse()
    if pulse.phase is Phase.CRASHED:
        return f"crashed ({pulse.error})"
    if pulse.phase is not Phase.RUNNING:
        return str(pulse.phase)
    if pulse.silent_s > limit_s:
        return f"{silent} for {pulse.silent_s:.0f} s (limit {limit_s:g} s)"
    return OK


def _forget_outcome(task: asyncio.Task[object]) -> None:
    """A ping whose outcome nobody waited for (it outlived its check) is not logged as lost."""
    if not task.cancelled():
        task.exception()
