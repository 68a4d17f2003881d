"""Webhook mode: the route Telegram posts updates to (WEBHOOK_URL is set).

An update is answered 200 only once the inbox stored it (bot/inbox.py); a failed store answers 503 and
Telegram posts it again later, so nothing is lost to a database outage or a crash mid-request.
The route is one of those of the process's web server (bot/web_server.py), beside the website's leads
and the health and metrics routes.
"""

from __future__ import annotations

import hmac
import logging
from json import JSONDecodeError
from urllib.parse import urlparse

from aiogram import Bot
from aiohttp import web

from bot.failure_kinds import Failure, classify
from bot.inbox import UpdateInbox
from bot.outage import OutageWatch
from bot.settings import Settings
from bot.telegram_reach import TelegramReach
from bot.web_server import RouteInstaller

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_receiver(
    inbox: UpdateInbox, outage: OutageWatch, *, secret: str | None, path: str
) -> RouteInstaller:
    """The route Telegram posts updates to, for the process's web server (bot/web_server.py)."""

    async def receive(request: web.Request) -> web.Response:
        if secret is not None and not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return web.Response(status=401)
        try:
            payload = await request.json()
            if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
                raise ValueError("not an update")
        except (JSONDecodeError, ValueError, UnicodeDecodeError):
            return web.Response(status=400)  # Telegram does not send this; whoever did gets nothing
        if outage.away or not inbox.taking:  # the database known to be down, or the start not done yet
            return web.Response(status=503)  # Telegram posts it again later
        try:
            await inbox.accept_payload(payload)
        except Exception as error:
            if classify(error) is Failure.OUTAGE:
                outage.noticed(error)  # logs once, and probes until the database is back
            else:
                logger.exception("could not store update %s", payload["update_id"])
            return web.Response(status=503)  # Telegram posts it again later
        return web.Response(status=200)

    def install(app: web.Application) -> None:
        app.router.add_post(path, receive)

    return install


def webhook_path(settings: Settings) -> str:
    assert settings.webhook_url
    return urlparse(settings.webhook_url).path or "/"


async def register_webhook(settings: Settings, bot: Bot, reach: TelegramReach, *, allowed: list[str]) -> bool:
    """Tell Telegram where to post (asked again until it answers); False when stopped first. The webhook
    stays set at a stop: Telegram keeps the updates for the next start (or another worker)."""
    assert settings.webhook_url
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    done = await reach.until_answered(
        lambda: bot.set_webhook(
            settings.webhook_url or "",
            secret_token=secret,
            allowed_updates=allowed,
            drop_pending_updates=False,
        ),
        what="setWebhook",
    )
    if done is None:
        return False
    logger.info("Telegram posts updates to %s", settings.webhook_url)
    return True
