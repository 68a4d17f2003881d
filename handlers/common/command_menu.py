"""The command menu Telegram shows next to the input field: /start and /myid for everyone (/myid alone in
groups), the work commands and /preview for each staff member in their own chat and language (a prospect
never sees /deals or /staff)."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeChat

from domain.models import Role, Staff
from handlers.common.i18n import SUPPORTED, Texts, Translator

logger = logging.getLogger(__name__)

EVERYONE = ("start", "myid")
IN_GROUPS = ("myid",)
STAFF = ("preview",)  # every staff member: the questionnaire as a client sees it
MANAGER = ("deals", "find", "unsorted", "pause", "resume", "report", "export", "staff")
OVERSEER = ("deals", "find", "unsorted", "report", "export", "staff")


def staff_commands(staff: Staff) -> tuple[str, ...]:
    names = list(EVERYONE)
    for name in (MANAGER if staff.is_manager else ()) + (OVERSEER if staff.oversees else ()):
        if name not in names:
            names.append(name)
    if staff.has(Role.ADMIN):
        names.append("invite")
    names.extend(STAFF)
    return tuple(names)


async def show_everyone_commands(bot: Bot, translator: Translator) -> None:
    for locale in SUPPORTED:
        commands = [
            BotCommand(command=name, description=translator.get(locale, f"command-{name}"))
            for name in EVERYONE
        ]
        await bot.set_my_commands(commands, language_code=locale)
        in_groups = [
            BotCommand(command=name, description=translator.get(locale, f"command-{name}"))
            for name in IN_GROUPS
        ]
        await bot.set_my_commands(in_groups, scope=BotCommandScopeAllGroupChats(), language_code=locale)


async def show_staff_commands(bot: Bot, staff: Staff, t: Texts) -> None:
    """Best effort: a menu that could not be set is no reason to fail what the person asked for."""
    scope = BotCommandScopeChat(chat_id=staff.telegram_id)
    try:
        if not staff.active:
            await bot.delete_my_commands(scope=scope)
            return
        commands = [
            BotCommand(command=name, description=t(f"command-{name}")) for name in staff_commands(staff)
        ]
        await bot.set_my_commands(commands, scope=scope)
    except TelegramAPIError:
        logger.warning("could not set the command menu of %s", staff.telegram_id, exc_info=True)
