"""/myid, for anyone anywhere: the person's numeric Telegram id (what ADMIN_IDS and the other role
variables take), and in a group the group's id too; in <code>, so a tap copies it (README.md, "First run").
"""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import Message

from handlers.common.i18n import Texts


async def cmd_myid(message: Message, t: Texts) -> None:
    if message.from_user is None:  # a channel's post, or an anonymous group admin: no person to name
        await message.answer(t("myid-chat", chat_id=str(message.chat.id)))
        return
    lines = [t("myid-yours", user_id=str(message.from_user.id))]
    if message.chat.type != ChatType.PRIVATE:
        lines.append(t("myid-chat", chat_id=str(message.chat.id)))
    await message.answer("\n".join(lines))


def build_router() -> Router:
    """Not limited to private chats: in a group it also names the group."""
    router = Router(name="my_id")
    router.message.register(cmd_myid, Command("myid"))
    return router
