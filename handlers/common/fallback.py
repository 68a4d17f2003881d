"""Anything no other handler took: a stale or forged button, an unexpected message. Never silence."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from handlers.common.i18n import Texts

logger = logging.getLogger(__name__)


async def on_unknown_button(callback: CallbackQuery, t: Texts) -> None:
    logger.info("unhandled callback %r from %s", callback.data, callback.from_user.id)
    await callback.answer(t("button-outdated"), show_alert=True)


async def on_unexpected_message(message: Message, t: Texts) -> None:
    await message.answer(t("fallback-message"))


def build_router() -> Router:
    router = Router(name="fallback")
    router.callback_query.register(on_unknown_button)
    router.message.register(on_unexpected_message)
    return router
