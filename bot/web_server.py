"""The process's one HTTP server, on WEB_HOST:WEB_PORT (README.md, "Running in production").

It carries whatever the process serves over HTTP, each part installing its own routes: the webhook
receiver (webhook mode, bot/webhook.py), the website's leads (`INTAKE_TOKEN` set, bot/intake_api.py) and
the extra installers kept in `App.web_routes` (health and metrics). Polling mode runs it only when
`WEB_PORT` or `INTAKE_TOKEN` is set (`Settings.serves_web`); webhook mode always.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable, Sequence

from aiohttp import web

from bot.start_failure import CannotStart

logger = logging.getLogger(__name__)

RouteInstaller = Callable[[web.Application], None]

SHUTDOWN_GRACE_S = 10  # an update or a lead being stored when the bot stops gets this long to finish
# aiohttp's own limit, for the webhook's updates (a long message with its entities and a quoted reply is
# well over 64 KB). The intake reads its body in bounded chunks itself: 64 KB (bot/intake_api.py).
MAX_REQUEST_BODY = 1024**2


class WebServer:
    def __init__(self, routes: Sequence[RouteInstaller], *, host: str, port: int) -> None:
        app = web.Application(client_max_size=MAX_REQUEST_BODY)
        for install in routes:
            install(app)
        # No access log: a sender putting the intake token in the query string would have it written there.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_GRACE_S)
        self._host, self._port = host, port
        self._started = False

    @property
    def paths(self) -> list[str]:
        return sorted({resource.canonical for resource in self._runner.app.router.resources()})

    async def start(self) -> None:
        await self._runner.setup()
        self._started = True
        try:
            await web.TCPSite(self._runner, self._host, self._port).start()
        except OSError as error:
            why = (
                "the port is in use by another program" if error.errno == errno.EADDRINUSE else error.strerror
            )
            raise CannotStart(
                f"cannot listen on {self._host}:{self._port} (WEB_HOST, WEB_PORT): {why or error}"
            ) from error
        logger.info("listening on %s:%s (%s)", self._host, self._port, ", ".join(self.paths) or "no routes")

    async def stop(self) -> None:
        """Take no more requests; the ones in hand finish first (for up to SHUTDOWN_GRACE_S)."""
        if self._started:
            self._started = False
            await self._runner.cleanup()
