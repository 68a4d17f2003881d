"""Thin Telegram handlers: parse input, call one use case, render the answer with locales/.

Grouped by who uses them (docs/architecture.md): `prospect/` for the client, `desk/` for the deal card
and what is done from it, `team/` for staff commands; `common/` is what they share and `notices/` is
what the outbox sends.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType

from handlers.common import fallback
from handlers.common.input_reset import CommandEndsInput
from handlers.desk import calendar, card, client_reply, input, lists, moves, planning, reminders, take
from handlers.prospect import client_messages, questionnaire
from handlers.reports import menu as report_menu
from handlers.team import chat_member, menu, staff


def build_router() -> Router:
    """Every router in the order they are tried; the fallback goes last."""
    root = Router(name="voronka")
    # Prospects and staff talk to the bot in private; a group it was added to is not a lead.
    root.message.filter(F.chat.type == ChatType.PRIVATE)
    root.edited_message.filter(F.chat.type == ChatType.PRIVATE)
    root.message.outer_middleware(CommandEndsInput())
    for module in (
        staff,
        lists,
        client_reply,
        report_menu,
        input,
        menu,
        take,
        card,
        moves,
        planning,
        calendar,
        reminders,
        chat_member,
        questionnaire,
        client_messages,
        fallback,
    ):
        root.include_router(module.build_router())
    return root
