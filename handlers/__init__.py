"""Thin Telegram handlers: parse input, call one use case, render the answer with locales/."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType

from handlers import (
    chat_member,
    contact_reminders,
    deal_card,
    deal_input,
    deal_lists,
    deal_moves,
    deal_planning,
    deal_take,
    fallback,
    intake,
    prospect_reply,
    relay,
    staff_menu,
    team,
)
from handlers.input_reset import CommandEndsInput


def build_router() -> Router:
    """Every router in the order they are tried; the fallback goes last."""
    root = Router(name="voronka")
    # Prospects and staff talk to the bot in private; a group it was added to is not a lead.
    root.message.filter(F.chat.type == ChatType.PRIVATE)
    root.edited_message.filter(F.chat.type == ChatType.PRIVATE)
    root.message.outer_middleware(CommandEndsInput())
    for module in (
        team,
        deal_lists,
        prospect_reply,
        deal_input,
        staff_menu,
        deal_take,
        deal_card,
        deal_moves,
        deal_planning,
        contact_reminders,
        chat_member,
        intake,
        relay,
        fallback,
    ):
        root.include_router(module.build_router())
    return root
