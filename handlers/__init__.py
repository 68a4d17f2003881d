"""Thin Telegram handlers: parse input, call one use case, render the answer with locales/.

Grouped by who uses them (docs/architecture.md): `prospect/` for the client, `desk/` for the deal card
and what is done from it, `team/` for staff commands; `common/` is what they share and `notices/` is
what the outbox sends.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType

from handlers.common import fallback, my_id, owner_hint
from handlers.common.input_reset import CommandEndsInput
from handlers.desk import (
    calendar,
    card,
    client_reply,
    input,
    lists,
    moves,
    planning,
    preview_deals,
    reminders,
    take,
)
from handlers.prospect import client_messages, preview, questionnaire
from handlers.reports import menu as report_menu
from handlers.team import chat_member, menu, staff


def build_router() -> Router:
    """Every router in the order they are tried; the fallback goes last. /myid answers in any chat;
    everything else only in private ones."""
    root = Router(name="voronka")
    root.include_router(my_id.build_router())
    private = Router(name="private")
    # Prospects and staff talk to the bot in private; a group it was added to is not a lead.
    private.message.filter(F.chat.type == ChatType.PRIVATE)
    private.edited_message.filter(F.chat.type == ChatType.PRIVATE)
    private.message.outer_middleware(CommandEndsInput())
    for router in (
        staff.build_router(),
        owner_hint.build_router(),  # nobody on the team yet: the owner learns their id, nobody is a lead
        lists.build_router(),
        client_reply.build_router(),
        report_menu.build_router(),
        input.build_router(),
        preview.build_router(),  # a staff member's /preview, and their answers while it runs
        menu.build_router(),
        take.build_router(),
        card.build_router(),
        preview_deals.build_router(),
        moves.build_router(),
        planning.build_router(),
        calendar.build_router(),
        reminders.build_router(),
        chat_member.build_router(),
        questionnaire.build_router(),
        client_messages.build_router(),
        fallback.build_router(),
    ):
        private.include_router(router)
    root.include_router(private)
    return root
