"""Keeps the pydantic classes aiogram parses Bot API answers with, so they are made once per method.

aiogram (3.31.0) parses every answer as `Response[method.__returning__]`, a parametrised pydantic
generic that pydantic (2.13.5) caches only weakly; with nothing else holding it, each garbage collection
frees the class and the next call builds it again (~4 ms, 7-10 % of the bot's CPU at a peak). Holding
one strong reference per method type makes every later call a cache hit. Drop this once aiogram keeps
them itself (or pydantic caches parametrised generics strongly).
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

_KEPT: dict[Any, type[Response[Any]]] = {}


class KeepResponseTypes(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in _KEPT:
            _KEPT[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)
