"""A button press answered too late is not a failure of the update.

Telegram takes an answer to a button press (answerCallbackQuery) only for a while after the press: later
(an update handled again after a restart, or after a long outage) it refuses with "query is too old and
response timeout expired or query ID is invalid". The person's spinner is long gone; what the handler
does next (the card redrawn, the deal moved) is what matters. Without this the refusal failed the whole
update, which was tried again, failed the same way and was set aside, and the person was told something
went wrong. Here that one refusal counts as answered; every other error goes on as it was.
"""

from __future__ import annotations

import logging
from typing import cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.methods.base import Response, TelegramType

logger = logging.getLogger(__name__)

EXPIRED = ("query is too old", "query id is invalid")


class LateCallbackAnswers(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramBadRequest as error:
            if not isinstance(method, AnswerCallbackQuery) or not any(
                words in error.message.lower() for words in EXPIRED
            ):
                raise
            logger.info("a button press was answered too late for Telegram (%s); going on", error.message)
            # The session hands the method's result up (True for this method), not the Response.
            return cast("Response[TelegramType]", True)
