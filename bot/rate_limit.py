"""One rate limiter for every send (DESIGN.md §3): ≤ 30 messages/s overall, ≤ 1/s per private chat,
≤ 20/min per group. Installed as a middleware of the Bot's session, so handler replies and the
notifier's sends share it."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiolimiter import AsyncLimiter

logger = logging.getLogger(__name__)

# Calls that put a new message into a chat count against the chat's budget and the overall one;
# edits of the bot's own messages count only against the overall one.
NEW_MESSAGE = {
    "sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendAudio", "sendVoice", "sendAnimation",
    "sendSticker", "sendVideoNote", "sendLocation", "sendContact", "sendMediaGroup", "copyMessage",
    "forwardMessage",
}  # fmt: skip
EDIT = {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}
PRIVATE_BURST_S = 3
SHORT_WAIT_S = 5
SHORT_WAIT_RETRIES = 2
SERVER_ERROR_PAUSES_S = (0.3, 1.0)


class SendRateLimiter(BaseRequestMiddleware):
    def __init__(
        self, *, overall_per_second: float = 30, private_per_second: float = 1, group_per_minute: float = 20,
        max_chats: int = 10_000,
    ) -> None:  # fmt: skip
        self._overall = AsyncLimiter(overall_per_second, 1)
        self._private_rate = private_per_second
        self._group_rate = group_per_minute
        self._chats: OrderedDict[int | str, AsyncLimiter] = OrderedDict()
        self._max_chats = max_chats

    def _chat_limiter(self, chat_id: int | str) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            is_private = isinstance(chat_id, int) and chat_id > 0
            # A short burst (a question right after a greeting) is fine; the average is what Telegram counts.
            limiter = (
                AsyncLimiter(self._private_rate * PRIVATE_BURST_S, PRIVATE_BURST_S)
                if is_private
                else AsyncLimiter(self._group_rate, 60)
            )
            self._chats[chat_id] = limiter
            if len(self._chats) > self._max_chats:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat_id)
        return limiter

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = method.__api_method__
        if name not in NEW_MESSAGE and name not in EDIT:
            return await make_request(bot, method)
        for attempt in range(SHORT_WAIT_RETRIES + 1):
            try:
                return await self._paced(make_request, bot, method)
            except TelegramRetryAfter as error:
                # A short flood wait is waited out here, so a reply is late rather than lost; a long
                # one goes up to the caller (the notifier reschedules, a handler tells the person).
                if attempt == SHORT_WAIT_RETRIES or error.retry_after > SHORT_WAIT_S:
                    raise
                logger.warning("flood limit on %s: waiting %ss", name, error.retry_after)
                await asyncio.sleep(error.retry_after)
            except TelegramServerError as error:
                # A passing 5xx (Telegram's "Bad Gateway" is answered before the message is taken) is
                # tried again at once, twice: a handler's reply or card redraw after a saved action is
                # not lost to a blip. A longer outage goes up (the notifier backs off and retries).
                if attempt == SHORT_WAIT_RETRIES:
                    raise
                logger.warning("Telegram answered %s with %s: trying again", name, error)
                await asyncio.sleep(SERVER_ERROR_PAUSES_S[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    async def _paced(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        chat_id: Any = getattr(method, "chat_id", None)
        if method.__api_method__ in NEW_MESSAGE and chat_id is not None:
            async with self._chat_limiter(chat_id), self._overall:
                return await make_request(bot, method)
        async with self._overall:
            return await make_request(bot, method)
