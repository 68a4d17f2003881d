"""While nobody is on the team, the bot is not in service yet: whoever writes to it (its owner, most
likely, setting it up) is told their numeric Telegram id and how to make themselves its admin, in place of
the questionnaire (README.md, "First run"). A lead now would reach nobody, so none is taken.

`bot/middlewares.py` says whether the team is empty (`team_empty`, from the cached roster: no query per
update) and logs each person once.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Router
from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, Message

from handlers.common.i18n import Texts


class TeamEmpty(BaseFilter):
    async def __call__(self, event: Any, team_empty: bool = False) -> bool:
        return team_empty


def owner_hint(user_id: int, t: Texts) -> str:
    return t("owner-hint", user_id=str(user_id))


async def on_message(message: Message, t: Texts) -> None:
    if message.from_user is not None:
        await message.answer(owner_hint(message.from_user.id, t))


async def on_button(callback: CallbackQuery, bot: Bot, t: Texts) -> None:
    await callback.answer()
    await bot.send_message(callback.from_user.id, owner_hint(callback.from_user.id, t))


def build_router() -> Router:
    router = Router(name="owner_hint")
    router.message.filter(TeamEmpty())
    router.callback_query.filter(TeamEmpty())
    router.message.register(on_message)
    router.callback_query.register(on_button)
    return router
