"""Webhook mode: an aiohttp server that Telegram posts updates to (WEBHOOK_URL is set)."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlparse

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.settings import Settings

logger = logging.getLogger(__name__)


async def serve_webhook(settings: Settings, dispatcher: Dispatcher, bot: Bot) -> None:
    assert settings.webhook_url
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    path = urlparse(settings.webhook_url).path or "/"
    app = web.Application()
    SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=secret).register(app, path=path)
    setup_application(app, dispatcher, bot=bot)
    runner = web.AppRunner(app)
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
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
