"""Small formatting rules shared by every view: escaping, times in the team's zone, long texts."""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

TELEGRAM_TEXT_LIMIT = 4096
ANSWER_PREVIEW = 300  # an answer on a card or a summary; four of them still fit one message


def esc(value: object) -> str:
    """Everything people typed is escaped: messages are sent with parse_mode HTML."""
    return html.escape(str(value), quote=False)


_TAG = re.compile(r"<[^>]*>")


def visible_length(text: str) -> int:
    """How long Telegram counts a message sent with parse_mode HTML: without its tags, entities decoded,
    in UTF-16 code units (an emoji counts two)."""
    return len(html.unescape(_TAG.sub("", text)).encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, with an ellipsis when cut (the whole text stays in the database)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d.%m %H:%M")


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Cut a long text into pieces whose *escaped* length fits `limit`, on line breaks where possible,
    so a huge message is relayed whole rather than refused by Telegram."""
    pieces: list[str] = []
    rest = text
    while len(esc(rest)) > limit:
        cut = limit
        while len(esc(rest[:cut])) > limit:
            cut = cut * 9 // 10
        newline = rest.rfind("\n", 0, cut)
        space = rest.rfind(" ", 0, cut)
        if newline > cut // 2:
            cut = newline
        elif space > cut // 2:  # no line break near: at least not in the middle of a word
            cut = space
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest:
        pieces.append(rest)
    return pieces
