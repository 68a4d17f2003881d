"""Which kinds of messages pass between a client and their manager."""

from __future__ import annotations

from aiogram.enums import ContentType

RELAYED = {
    ContentType.TEXT, ContentType.PHOTO, ContentType.DOCUMENT, ContentType.VIDEO, ContentType.AUDIO,
    ContentType.VOICE, ContentType.VIDEO_NOTE, ContentType.STICKER, ContentType.ANIMATION,
    ContentType.CONTACT, ContentType.LOCATION, ContentType.VENUE, ContentType.POLL, ContentType.DICE,
}  # fmt: skip

# What a manager may send back to the client through the bot.
REPLYABLE = RELAYED - {ContentType.POLL, ContentType.DICE, ContentType.CONTACT}
