"""The yardstick: a bare aiogram bot that answers every message with its text, nothing else.

Run by the benches as a subprocess, with the same Python (and so the same aiogram) as the bot under
test: ``python bench/echo_bot.py`` with ``BOT_TOKEN`` and ``TELEGRAM_API_URL`` set. It has no database,
no middlewares and no rate limiter, so what the bot costs beyond it is the bot's own doing. It imports
nothing from this repository, so it runs unchanged against any checkout's interpreter. The smoke run
serves it in its own process instead (:func:`build`), to spare a second interpreter's start.
"""

from __future__ import annotations

import asyncio
import contextlib
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message


async def echo(message: Message) -> None:
    await message.answer(message.text or "ok")


def build(api_url: str, token: str) -> tuple[Dispatcher, Bot]:
    dispatcher = Dispatcher()
    dispatcher.message.register(echo)
    return dispatcher, Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_url)))


async def serve(api_url: str, token: str) -> None:
    """Poll ``api_url`` and echo until a signal stops it."""
    dispatcher, bot = build(api_url, token)
    await dispatcher.start_polling(bot, handle_signals=True)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(os.environ["TELEGRAM_API_URL"], os.environ["BOT_TOKEN"]))
