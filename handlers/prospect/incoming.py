"""A prospect's Telegram message as the domain keeps it (`domain.intake.IncomingMessage`)."""

from __future__ import annotations

from aiogram.enums import ContentType
from aiogram.types import Message

from domain.intake import IncomingMessage


def incoming_message(message: Message, *, edited: bool = False) -> IncomingMessage:
    """The message's chat, sender, id, kind (text, photo, sticker...) and text or caption. The sender is
    required: a prospect's message always has one."""
    assert message.from_user is not None
    return IncomingMessage(
        chat_id=message.chat.id,
        telegram_id=message.from_user.id,
        message_id=message.message_id,
        kind=ContentType(message.content_type).value,
        text=message.text or message.caption,
        edited=edited,
    )
