"""/healthz and /metrics on the real bot (bot/observability/), wired as bot/app.py wires them, served by an
aiohttp test server: healthy while it runs, 503 naming the notifier once it has stopped, and the figures
read from the bot's database."""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.app import App
from bot.observability.database_figures import DatabaseFigures
from bot.observability.health import HealthCheck
from bot.observability.routes import health_and_metrics_routes
from storage.engine import session_factory
from storage.operations_figures import OperationsFigures

from .bot_api_server import FakeBotApi
from .conftest import RunningBot
from .test_inbox import _client_with_a_deal


def routes_of(app: App) -> web.Application:
    figures = OperationsFigures(session_factory(app.engine))
    health = HealthCheck(
        ping_database=figures.ping, scheduler=app.scheduler.heartbeat, notifier=app.notifier.heartbeat,
        tick_s=app.settings.scheduler_tick,
    )  # fmt: skip
    web_app = web.Application()
    health_and_metrics_routes(health=health, figures=DatabaseFigures(figures, clock=app.clock))(web_app)
    return web_app


async def test_the_running_bot_is_healthy_counts_its_lead_and_names_a_stopped_notifier(
    api: FakeBotApi, running: RunningBot
) -> None:
    app = running.app
    assert app is not None
    async with TestClient(TestServer(routes_of(app))) as client:
        response = await client.get("/healthz")
        assert response.status == 200, await response.text()
        assert await response.json() == {
            "status": "ok",
            "checks": {"database": "ok", "scheduler": "ok", "notifier": "ok"},
        }

        await _client_with_a_deal(api, 811)
        response = await client.get("/metrics")
        assert response.status == 200
        samples = {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(await response.text())
            for sample in family.samples
        }
        assert samples[("voronka_database_figures_up", ())] == 1
        assert samples[("voronka_leads_total", (("channel", "telegram"),))] == 1
        assert ("voronka_leads_total", (("channel", "site"),)) not in samples
        for backlog in ("inbox", "outbox", "timers"):
            assert (f"voronka_{backlog}_backlog", ()) in samples
            assert (f"voronka_{backlog}_oldest_age_seconds", ()) in samples
        assert samples[("voronka_inbox_backlog", ())] == 0  # every update of the story was handled

        app.notifier.stop()
        for _ in range(500):  # its loop returns once the message in hand is done
            if app.notifier.heartbeat.pulse().phase == "stopped":
                break
            await asyncio.sleep(0.01)
        response = await client.get("/healthz")
        assert response.status == 503
        body = await response.json()
        assert body["status"] == "failing"
        assert body["checks"] == {"database": "ok", "scheduler": "ok", "notifier": "stopped"}
