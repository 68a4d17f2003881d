"""`GET /healthz` and `GET /metrics` on the process's web server (README.md, "Health and metrics").

`/healthz` answers 200 or 503 with {"status": "ok"|"failing", "checks": {part: "ok" or why not}}.
`/metrics` answers in the format the scraper asks for (prometheus-client's own negotiation: Prometheus
text by default, OpenMetrics when asked): this process's counters, then the figures read from the
database for this scrape."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from aiohttp import web
from prometheus_client import REGISTRY
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from bot.observability.database_figures import DatabaseFigures
from bot.observability.health import HealthCheck

HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"


class _Together(Collector):
    """Several collectors written as one exposition (the database figures are not registered on the
    process-wide registry: each App has its own, and a registry takes a metric name only once)."""

    def __init__(self, collectors: Iterable[Collector]) -> None:
        self._collectors = tuple(collectors)

    def collect(self) -> Iterator[Metric]:
        for collector in self._collectors:
            yield from collector.collect()


def health_and_metrics_routes(
    *, health: HealthCheck, figures: DatabaseFigures, registry: Collector = REGISTRY
) -> Callable[[web.Application], None]:
    """An installer of both routes into an aiohttp application (the process's web server calls it)."""

    async def healthz(_request: web.Request) -> web.Response:
        report = await health.check()
        return web.json_response(
            report.body(), status=200 if report.ok else 503, headers={"Cache-Control": "no-store"}
        )

    async def metrics(request: web.Request) -> web.Response:
        await figures.refresh()
        encode, content_type = choose_encoder(request.headers.get("Accept", ""))
        body = encode(_Together((registry, figures)))
        response = web.Response(body=body, headers={"Cache-Control": "no-store"})
        response.headers["Content-Type"] = content_type  # with its version and charset, as it is
        return response

    def install(app: web.Application) -> None:
        app.router.add_get(HEALTH_PATH, healthz)
        app.router.add_get(METRICS_PATH, metrics)

    return install
