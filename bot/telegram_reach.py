"""Reaching the Bot API at start (README.md, "Running in production"): a machine just booted, a proxy
not up yet, a self-hosted Bot API restarting. The bot asks until Telegram answers, saying so once, and
stops waiting at once when it is told to stop.

A 401 is no reason to wait: Telegram will never take that token (wrong, or revoked in @BotFather), so it
ends the start with one line (`BotApiRefused`, exit code 2 in bot/launch.py). A 404 to `getMe` is the
same kind of answer: a token Telegram cannot even parse, or a `TELEGRAM_API_URL` that is not a Bot API.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import User
from aiogram.utils.backoff import Backoff, BackoffConfig

from bot.start_failure import BotApiRefused, one_line, redacted

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

# From a second to at most 45 s apart: a network coming up is noticed within that, and a Bot API down
# for an hour is asked some 80 times, not thousands.
REACH_BACKOFF = BackoffConfig(min_delay=1.0, max_delay=45.0, factor=1.6, jitter=0.1)
# What a Bot API that is away (or not quite there yet) raises. Anything else is a fault of ours and ends
# the start with its own line.
AWAY = (
    TelegramNetworkError, TelegramServerError, TelegramRetryAfter, ClientDecodeError, OSError, TimeoutError,
)  # fmt: skip
TOKEN_REFUSED = (
    "the token was refused by Telegram (401 Unauthorized): check BOT_TOKEN in .env (@BotFather, /mybots, "
    "API Token shows the current one; a revoked token is replaced there)"
)


class TelegramReach:
    """Calls that must get an answer before the bot can serve (getMe, setWebhook, deleteWebhook), asked
    again with backoff until they do. `stop` being set ends the wait: the call returns None."""

    def __init__(
        self, *, api_url: str, token: str, stop: asyncio.Event, backoff: BackoffConfig = REACH_BACKOFF
    ) -> None:
        self._api_url, self._token, self._stop, self._backoff = api_url, token, stop, backoff

    async def until_answered(self, request: Callable[[], Awaitable[_T]], *, what: str) -> _T | None:
        delays = Backoff(self._backoff)
        failing = False
        while not self._stop.is_set():
            try:
                answer = await self._unless_stopped(request())
            except TelegramUnauthorizedError:
                raise BotApiRefused(TOKEN_REFUSED) from None
            except AWAY as error:
                delay = error.retry_after if isinstance(error, TelegramRetryAfter) else next(delays)
                reason = redacted(one_line(error), self._token)
                if not failing:
                    logger.warning(
                        "cannot reach the Telegram Bot API at %s (%s); asking again with backoff (at most "
                        "%.0f s apart) until it answers", self._api_url, reason, self._backoff.max_delay,
                    )  # fmt: skip
                else:
                    logger.debug("%s: still no answer from %s (%s)", what, self._api_url, reason)
                failing = True
                await self._pause(delay)
                continue
            if answer is None:  # stopped while asking
                return None
            if failing:  # the caller says what it now does, in one line
                logger.debug("%s: the Telegram Bot API at %s answers", what, self._api_url)
            return answer[0]
        return None

    async def _unless_stopped(self, call: Awaitable[_T]) -> tuple[_T] | None:
        """The call's answer (in a tuple: an answer may be None itself), or None when `stop` came first
        (the call is cancelled: a connection attempt to a silent host may take a minute)."""
        asking = asyncio.ensure_future(call)
        stopping = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({asking, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not asking.done():
                asking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stopping
        if not asking.done() or asking.cancelled():
            with contextlib.suppress(BaseException):
                await asking
            return None
        return (asking.result(),)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=max(seconds, 0.0))


async def reach_telegram(bot: Bot, reach: TelegramReach, *, api_url: str) -> User | None:
    """`getMe` until Telegram answers: the bot's own account, or None when stopped first."""
    try:
        me = await reach.until_answered(bot.get_me, what="getMe")
    except TelegramNotFound:
        raise BotApiRefused(
            f"the Bot API at {api_url} answered 404 Not Found to getMe: check TELEGRAM_API_URL (e.g. "
            "https://api.telegram.org) and BOT_TOKEN"
        ) from None
    if me is not None:
        logger.info("Telegram answers at %s: this is @%s (id %s)", api_url, me.username, me.id)
    return me
