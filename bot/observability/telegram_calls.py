"""Counts every request the Bot's session makes, by method and by what Telegram answered (a middleware
of the session, like bot/flood_guard.py). Added last, so it sits closest to the network: it sees each
real request, a retry by the flood guard as a request of its own, and not the calls the flood guard
refuses itself while a chat is on hold (Telegram never saw those)."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.observability.metrics import TELEGRAM_REQUESTS, TELEGRAM_TOO_MANY

OK = "ok"
TOO_MANY = "429"
# aiogram's exception for each kind of answer; the first that matches names it (subclasses first).
RESULTS: tuple[tuple[type[BaseException], str], ...] = (
    (TelegramRetryAfter, TOO_MANY),
    (TelegramBadRequest, "bad_request"),  # 400, with TelegramMigrateToChat
    (TelegramUnauthorizedError, "unauthorized"),  # 401: the token
    (TelegramForbiddenError, "forbidden"),  # 403: blocked, kicked
    (TelegramNotFound, "not_found"),  # 404
    (TelegramConflictError, "conflict"),  # 409: another getUpdates or a webhook
    (TelegramEntityTooLarge, "too_large"),  # 413
    (TelegramServerError, "5xx"),
    (TelegramNetworkError, "network"),
    (TimeoutError, "network"),
    (OSError, "network"),
    (TelegramAPIError, "other_4xx"),
)


def result_of(error: BaseException | None) -> str:
    if error is None:
        return OK
    for kind, result in RESULTS:
        if isinstance(error, kind):
            return result
    return "error"


class TelegramCalls(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = method.__api_method__
        try:
            response = await make_request(bot, method)
        except asyncio.CancelledError:
            raise  # stopped, not answered (a long poll at shutdown): not a result
        except BaseException as error:
            result = result_of(error)
            TELEGRAM_REQUESTS.labels(name, result).inc()
            if result == TOO_MANY:
                TELEGRAM_TOO_MANY.labels(name).inc()
            raise
        TELEGRAM_REQUESTS.labels(name, OK).inc()
        return response
