"""Thin Telegram handlers: parse input, call one use case, render the answer with locales/."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType

from handlers import deal_take, errors, fallback, intake, relay, staff_menu


def build_router() -> Router:
    """Every router in the order they are tried; the fallback goes last."""
    root = Router(name="voronka")
    # Prospects and staff talk to the bot in private; a group it was added to is not a lead.
    root.message.filter(F.chat.type == ChatType.PRIVATE)
    for module in (errors, staff_menu, deal_take, intake, relay, fallback):
        root.include_router(module.build_router())
    return root
