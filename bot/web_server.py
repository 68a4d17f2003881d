"""Polling mode's own HTTP server, for the website's leads (`INTAKE_TOKEN` set; README.md, "Leads from
the website"). In webhook mode the webhook's server serves them too (bot/webhook.py)."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.intake_api import MAX_BODY, LeadIntake
from bot.settings import INTAKE_PATH

logger = logging.getLogger(__name__)

SHUTDOWN_GRACE_S = 10  # a lead being stored when the bot stops gets this long to finish


class WebServer:
    def __init__(self, intake: LeadIntake, *, host: str, port: int) -> None:
        app = web.Application(client_max_size=MAX_BODY)
        intake.install(app)
        # No access log: a sender putting the token in the query string would have it written there.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_GRACE_S)
        self._host, self._port = host, port

    async def start(self) -> None:
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()
        logger.info("taking leads from the website on %s:%s%s", self._host, self._port, INTAKE_PATH)

    async def stop(self) -> None:
        """Stop taking leads; the ones in hand finish first."""
        await self._runner.cleanup()
