"""Which kinds of messages pass between a client and their manager."""

from __future__ import annotations

from aiogram.enums import ContentType

# What a person writes and Telegram can copy to a manager; service messages (a pinned message, a changed
# chat background...) are not something the person said, and cannot be copied.
RELAYED = {
    ContentType.TEXT, ContentType.PHOTO, ContentType.DOCUMENT, ContentType.VIDEO, ContentType.AUDIO,
    ContentType.VOICE, ContentType.VIDEO_NOTE, ContentType.STICKER, ContentType.ANIMATION,
    ContentType.CONTACT, ContentType.LOCATION, ContentType.VENUE, ContentType.POLL, ContentType.DICE,
}  # fmt: skip

# What a manager may send a client: what Telegram can copy, minus what makes no sense from a company.
REPLYABLE = RELAYED - {ContentType.POLL, ContentType.DICE, ContentType.CONTACT}
