"""Webhook mode: an aiohttp server that Telegram posts updates to (WEBHOOK_URL is set).

An update is answered 200 only once the inbox stored it (bot/inbox.py); a failed store answers 503 and
Telegram posts it again later, so nothing is lost to a database outage or a crash mid-request.
With INTAKE_TOKEN set, the same server takes the website's leads (bot/intake_api.py).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from json import JSONDecodeError
from urllib.parse import urlparse

from aiogram import Bot, Dispatcher
from aiohttp import web

from bot.failure_kinds import Failure, classify
from bot.inbox import UpdateInbox
from bot.intake_api import LeadIntake
from bot.outage import OutageWatch
from bot.settings import INTAKE_PATH, Settings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_app(
    inbox: UpdateInbox,
    outage: OutageWatch,
    *,
    secret: str | None,
    path: str,
    intake: LeadIntake | None = None,
) -> web.Application:
    async def receive(request: web.Request) -> web.Response:
        if secret is not None and not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return web.Response(status=401)
        try:
            payload = await request.json()
            if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
                raise ValueError("not an update")
        except (JSONDecodeError, ValueError, UnicodeDecodeError):
            return web.Response(status=400)  # Telegram does not send this; whoever did gets nothing
        if outage.away:  # known to be down: no need to wait for a connection attempt to say so
            return web.Response(status=503)
        try:
            await inbox.accept_payload(payload)
        except Exception as error:
            if classify(error) is Failure.OUTAGE:
                outage.noticed(error)  # logs once, and probes until the database is back
            else:
                logger.exception("could not store update %s", payload["update_id"])
            return web.Response(status=503)  # Telegram posts it again later
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post(path, receive)
    if intake is not None:
        intake.install(app)  # reads its body in bounded chunks itself: 64 KB, not this app's limit
    return app


async def serve_webhook(
    settings: Settings,
    dispatcher: Dispatcher,
    bot: Bot,
    inbox: UpdateInbox,
    outage: OutageWatch,
    stop: asyncio.Event,
    *,
    intake: LeadIntake | None = None,
) -> None:
    assert settings.webhook_url
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    path = urlparse(settings.webhook_url).path or "/"
    app = webhook_app(inbox, outage, secret=secret, path=path, intake=intake)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.web_host, settings.web_port)
    await site.start()
    await bot.set_webhook(
        settings.webhook_url,
        secret_token=secret,
        allowed_updates=dispatcher.resolve_used_update_types(),
        drop_pending_updates=False,
    )
    logger.info("serving the webhook on %s:%s%s", settings.web_host, settings.web_port, path)
    if intake is not None:
        logger.info(
            "taking leads from the website on %s:%s%s", settings.web_host, settings.web_port, INTAKE_PATH
        )
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
