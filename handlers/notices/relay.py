"""Relayed messages as Bot API calls: one client message, or a burst of them as one relay (see
domain/relay_batches.py).

Texts are joined under one header (cut into several messages only past Telegram's 4096 characters);
media go together in one copyMessages call (up to 100, in the client's order); what the flood limit
held back is told as a count, with the deal's history a tap away. The last message carries the
"Reply" button (and the notifier links it to the deal).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram.methods import CopyMessage, CopyMessages, SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from domain.relay_batches import MAX_PARTS, relay_parts
from handlers.common.callbacks import DealAction
from handlers.common.formatting import esc, split_text
from handlers.common.i18n import Texts

CAPTIONED = {"photo", "document", "video", "audio", "voice", "animation"}
CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096


def render_relay(chat_id: int, header: str, data: dict[str, Any], t: Texts) -> list[TelegramMethod[Any]]:
    """A relay of either shape, with its buttons."""
    parts, more = relay_parts(data), int(data.get("more", 0))
    if len(parts) == 1:
        methods = relay_one(chat_id, header, {**parts[0], "from_chat_id": data["from_chat_id"]})
    else:
        methods = _relay_many(chat_id, header, int(data["from_chat_id"]), parts)
    if more:
        note = t("relay-more", count=more)
        last = methods[-1] if methods else None
        if isinstance(last, SendMessage) and len(last.text) + len(note) + 2 <= TEXT_LIMIT:
            last.text += "\n\n" + note
        else:
            methods.append(SendMessage(chat_id=chat_id, text=f"{header}\n\n{note}" if not methods else note))
    deal_id = int(data["deal_id"])
    buttons = [_button(t("btn-reply"), "reply", deal_id, "m")]
    if more:  # what was held back is read in the history
        buttons.append(_button(t("btn-history"), "hist", deal_id))
    markup = InlineKeyboardMarkup(inline_keyboard=[buttons])
    for method in reversed(methods):
        if isinstance(method, SendMessage | CopyMessage):
            method.reply_markup = markup
            break
    return methods


def relay_one(chat_id: int, header: str, data: dict[str, Any]) -> list[TelegramMethod[Any]]:
    """One message (a client's, or a manager's reply): the header above it, or as its caption."""
    kind, text = data.get("kind", "text"), data.get("text")
    if kind == "text" and text:
        return _texts(chat_id, header, [text])
    copy = CopyMessage(
        chat_id=chat_id, from_chat_id=int(data["from_chat_id"]), message_id=int(data["message_id"])
    )
    if kind in CAPTIONED:
        caption = header + (f"\n\n{esc(text)}" if text else "")
        if len(caption) <= CAPTION_LIMIT:
            copy.caption = caption
            return [copy]
    return [SendMessage(chat_id=chat_id, text=header), copy]


def _relay_many(
    chat_id: int, header: str, from_chat_id: int, parts: Sequence[dict[str, Any]]
) -> list[TelegramMethod[Any]]:
    """Runs of texts as joined texts, runs of media as copies, in the client's order; the header opens
    the first text, or goes alone before the first copy."""
    runs: list[list[dict[str, Any]]] = []
    for part in parts:
        if runs and _is_text(runs[-1][0]) == _is_text(part):
            runs[-1].append(part)
        else:
            runs.append([part])
    methods: list[TelegramMethod[Any]] = []
    for run in runs:
        opening = header if not methods else None
        if _is_text(run[0]):
            methods += _texts(chat_id, opening, [str(part["text"]) for part in run])
            continue
        if opening is not None:
            methods.append(SendMessage(chat_id=chat_id, text=opening))
        ids = sorted(int(part["message_id"]) for part in run)
        for start in range(0, len(ids), MAX_PARTS):
            chunk = ids[start : start + MAX_PARTS]
            if len(chunk) == 1:
                methods.append(CopyMessage(chat_id=chat_id, from_chat_id=from_chat_id, message_id=chunk[0]))
            else:
                methods.append(CopyMessages(chat_id=chat_id, from_chat_id=from_chat_id, message_ids=chunk))
    return methods


def _texts(chat_id: int, header: str | None, texts: Sequence[str]) -> list[TelegramMethod[Any]]:
    """Texts joined line by line, under the header when given, cut only where Telegram requires."""
    joined = "\n".join(texts)
    room = TEXT_LIMIT - (len(header) + 2 if header else 0)
    pieces = split_text(joined, limit=room)
    first = f"{header}\n\n{esc(pieces[0])}" if header else esc(pieces[0])
    return [
        SendMessage(chat_id=chat_id, text=text) for text in [first, *(esc(piece) for piece in pieces[1:])]
    ]


def _is_text(part: dict[str, Any]) -> bool:
    return part.get("kind", "text") == "text" and bool(part.get("text"))


def _button(text: str, action: str, deal_id: int, arg: str = "") -> InlineKeyboardButton:
    data = DealAction(action=action, deal_id=deal_id, v=0, arg=arg).pack()
    return InlineKeyboardButton(text=text, callback_data=data)
