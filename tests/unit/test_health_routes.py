"""GET /healthz and GET /metrics as an aiohttp application serves them (bot/observability/routes.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.observability.database_figures import DatabaseFigures
from bot.observability.health import HealthCheck
from bot.observability.heartbeat import Heartbeat
from bot.observability.metrics import count_update
from bot.observability.routes import health_and_metrics_routes
from storage.operations_figures import Backlog, WaitingWork


class Database:
    def __init__(self) -> None:
        self.away = False

    async def ping(self) -> None:
        if self.away:
            raise OSError("connection refused")

    async def waiting_work(self, *, now: datetime) -> WaitingWork:
        await self.ping()
        return WaitingWork(Backlog(2, now), 0, Backlog(0, None), Backlog(1, now))

    async def leads_by_channel(self) -> dict[str, int]:
        return {"telegram": 4}


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.fixture
def database() -> Database:
    return Database()


@pytest.fixture
async def client(database: Database) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    scheduler, notifier = Heartbeat(), Heartbeat()
    scheduler.start()
    notifier.start()
    health = HealthCheck(ping_database=database.ping, scheduler=scheduler, notifier=notifier, tick_s=15)
    app = web.Application()
    install = health_and_metrics_routes(
        health=health,
        figures=DatabaseFigures(database, clock=Clock()),  # type: ignore[arg-type]
    )
    install(app)
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_healthz_is_200_while_all_is_well_and_503_naming_the_database_when_it_is_away(
    client: TestClient[web.Request, web.Application], database: Database
) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "scheduler": "ok", "notifier": "ok"},
    }
    database.away = True
    response = await client.get("/healthz")
    assert response.status == 503
    assert await response.json() == {
        "status": "failing",
        "checks": {"database": "unreachable (OSError)", "scheduler": "ok", "notifier": "ok"},
    }


async def test_metrics_are_prometheus_text_with_the_process_counters_and_the_database_figures(
    client: TestClient[web.Request, web.Application], database: Database
) -> None:
    count_update("message", "handled", 0.03)
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.content_type == "text/plain"
    families = {family.name: family for family in text_string_to_metric_families(await response.text())}
    assert families["voronka_updates"].type == "counter"
    assert families["voronka_update_handling_seconds"].type == "histogram"
    buckets = [
        s.labels["le"] for s in families["voronka_update_handling_seconds"].samples if "le" in s.labels
    ]
    assert {"0.01", "10.0", "+Inf"} <= set(buckets)
    assert families["voronka_inbox_backlog"].samples[0].value == 2
    assert families["voronka_timers_backlog"].samples[0].value == 1
    assert [(s.labels, s.value) for s in families["voronka_leads"].samples if s.name.endswith("_total")] == [
        ({"channel": "telegram"}, 4)
    ]

    database.away = True  # the process's own metrics are still served
    families = {
        family.name: family
        for family in text_string_to_metric_families(await (await client.get("/metrics")).text())
    }
    assert families["voronka_database_figures_up"].samples[0].value == 0
    assert "voronka_inbox_backlog" not in families and "voronka_updates" in families


async def test_a_scraper_asking_for_openmetrics_gets_it(
    client: TestClient[web.Request, web.Application],
) -> None:
    response = await client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert response.status == 200
    assert response.content_type == "application/openmetrics-text"
    assert (await response.text()).rstrip().endswith("# EOF")
