"""`/healthz`'s judgement (bot/observability/health.py), on a clock the test moves: the database answers,
the scheduler swept within three ticks, the notifier's loop turns; otherwise 503 naming what is not."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from bot import notifier as notifier_module
from bot.notifier import Notifier
from bot.observability.health import HealthCheck
from bot.observability.heartbeat import Heartbeat
from bot.outbox_pacing import OutboxPacer
from bot.scheduler import TimerScheduler
from domain.crm_config import CrmConfig

TICK_S = 10.0
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


class Monotonic:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.at = 1000.0

    def __call__(self) -> float:
        return self.at


class Database:
    def __init__(self) -> None:
        self.error: Exception | None = None
        self.asked = 0
        self.answer = asyncio.Event()
        self.answer.set()

    async def ping(self) -> None:
        self.asked += 1
        await self.answer.wait()
        if self.error is not None:
            raise self.error


class BareClock:
    def now(self) -> datetime:
        return NOW


class NoTimers:
    async def due(self, *, now: datetime, limit: int) -> list[int]:
        return []

    async def next_due_at(self) -> None:
        return None


class EmptyOutbox:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error

    async def claim_due(self, **_: Any) -> list[Any]:
        if self.error is not None:
            raise self.error
        return []

    async def next_due_at(self) -> None:
        return None


@pytest.fixture
def monotonic() -> Monotonic:
    return Monotonic()


@pytest.fixture
def database() -> Database:
    return Database()


def scheduler(monotonic: Monotonic, crm_config: CrmConfig) -> TimerScheduler:
    return TimerScheduler(
        queue=NoTimers(), make_uow=None, config=crm_config, clock=BareClock(), tick_s=TICK_S,  # type: ignore[arg-type]
        heartbeat=Heartbeat(monotonic),
    )  # fmt: skip


def notifier(monotonic: Monotonic, outbox: EmptyOutbox | None = None) -> Notifier:
    return Notifier(
        bot=None, queue=outbox or EmptyOutbox(), make_uow=None, config=None, translator=None,  # type: ignore[arg-type]
        clock=BareClock(), pacer=OutboxPacer(), idle_poll_s=0.01, heartbeat=Heartbeat(monotonic),
    )  # fmt: skip


def check(database: Database, scheduler: Heartbeat, notifier: Heartbeat) -> HealthCheck:
    return HealthCheck(
        ping_database=database.ping, scheduler=scheduler, notifier=notifier, tick_s=TICK_S,
        database_timeout_s=0.2,
    )  # fmt: skip


def running(monotonic: Monotonic) -> Heartbeat:
    beat = Heartbeat(monotonic)
    beat.start()
    return beat


async def test_all_is_well_when_the_database_answers_and_both_loops_turn(
    monotonic: Monotonic, database: Database
) -> None:
    report = await check(database, running(monotonic), running(monotonic)).check()
    assert report.ok
    assert report.body() == {
        "status": "ok",
        "checks": {"database": "ok", "scheduler": "ok", "notifier": "ok"},
    }


async def test_a_scheduler_that_has_not_swept_for_three_ticks_is_named(
    monotonic: Monotonic, database: Database, crm_config: CrmConfig
) -> None:
    timers = scheduler(monotonic, crm_config)
    health = check(database, timers.heartbeat, running(monotonic))
    assert (await health.check()).checks["scheduler"] == "not started"

    await timers.sweep()  # (without `start`: it starts now)
    monotonic.at += 3 * TICK_S  # three ticks without a sweep: still within bounds
    assert (await health.check()).ok
    monotonic.at += 1
    report = await health.check()
    assert not report.ok and report.body()["status"] == "failing"
    assert report.checks["scheduler"] == "no sweep for 31 s (limit 30 s)"
    assert report.checks["database"] == report.checks["notifier"] == "ok"

    await timers.sweep()
    assert (await health.check()).ok
    await timers.stop()
    assert (await health.check()).checks["scheduler"] == "stopped"


async def test_before_its_first_sweep_the_scheduler_is_judged_from_its_start(monotonic: Monotonic) -> None:
    beat = running(monotonic)
    health = check(Database(), beat, running(monotonic))
    monotonic.at += 3 * TICK_S + 5
    assert (await health.check()).checks["scheduler"] == "no sweep for 35 s (limit 30 s)"


async def test_a_database_that_fails_is_named_by_the_kind_of_error_and_nothing_more(
    monotonic: Monotonic, database: Database
) -> None:
    database.error = ConnectionRefusedError("connect to postgres://voronka:s3cret@db:5432 refused")
    report = await check(database, running(monotonic), running(monotonic)).check()
    assert not report.ok
    assert report.checks == {
        "database": "unreachable (ConnectionRefusedError)",
        "scheduler": "ok",
        "notifier": "ok",
    }
    assert "s3cret" not in str(report.body())


async def test_a_database_that_does_not_answer_is_named_and_not_asked_again_meanwhile(
    monotonic: Monotonic, database: Database
) -> None:
    database.answer.clear()
    health = check(database, running(monotonic), running(monotonic))
    assert (await health.check()).checks["database"] == "no answer within 0.2 s"
    assert (await health.check()).checks["database"] == "no answer within 0.2 s"
    assert database.asked == 1  # the second check waited on the first one's question
    database.answer.set()
    assert (await health.check()).ok
    assert database.asked == 1  # answered now: that one answer counts
    assert (await health.check()).ok and database.asked == 2


async def _until(condition: Any) -> None:
    """Wait on a condition, for at most five seconds (timing nothing)."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


async def test_an_idle_notifier_is_alive_because_its_loop_keeps_turning(
    monotonic: Monotonic, database: Database
) -> None:
    sender = notifier(monotonic)
    health = check(database, running(monotonic), sender.heartbeat)
    assert (await health.check()).checks["notifier"] == "not started"
    task = asyncio.create_task(sender.run())
    try:
        await _until(lambda: sender.heartbeat.pulse().phase == "running")
        monotonic.at += 600  # ten minutes with nothing to send: it still polls every `idle_poll_s`
        await _until(lambda: sender.heartbeat.pulse().silent_s == 0)
        assert (await health.check()).checks["notifier"] == "ok"
    finally:
        sender.stop()
        await task
    assert (await health.check()).checks["notifier"] == "stopped"


async def test_a_stuck_notifier_is_named(monotonic: Monotonic, database: Database) -> None:
    beat = running(monotonic)
    health = check(database, running(monotonic), beat)
    monotonic.at += 121
    assert (await health.check()).checks["notifier"] == "its loop has not turned for 121 s (limit 120 s)"


async def test_a_crashed_notifier_is_named(
    monotonic: Monotonic, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_logging(*_: object) -> None:
        raise RuntimeError("a bug where the loop handles its errors")

    monkeypatch.setattr(notifier_module, "log_failure", broken_logging)
    sender = notifier(monotonic, EmptyOutbox(OSError("the database went away")))
    with pytest.raises(RuntimeError):
        await sender.run()
    report = await check(database, running(monotonic), sender.heartbeat).check()
    assert not report.ok
    assert report.checks["notifier"] == "crashed (RuntimeError)"
    assert report.checks["database"] == report.checks["scheduler"] == "ok"
