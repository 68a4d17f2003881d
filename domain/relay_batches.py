"""A burst of messages from one client reaches the manager as one relay.

A relay notice holds the client's messages as `parts` (each its kind, text and message id), oldest
first, and `more`: how many messages were held back by the flood limit (they are in the deal's history,
the manager is only told how many). A new message joins the relay of its deal still waiting for the
manager; a relay is due no sooner than `RELAY_EVERY` after the previous one of the same deal, so what a
client writes meanwhile is gathered into it.

Relays queued before batching hold one message in the old shape (`kind`, `text`, `message_id` at the
top): `relay_parts` reads both.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

RELAY_EVERY = timedelta(seconds=3)  # at most one relay per client's deal in this time
MAX_PARTS = 100  # messages in one relay (and ids in one copyMessages call)


def relay_data(
    *, deal_id: int, chat_id: int, message_id: int, kind: str, text: str | None, edited: bool = False,
    held_back: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """The notice data of one message: relayed as itself, or only counted when `held_back`."""
    parts = [] if held_back else [{"kind": kind, "text": text, "message_id": message_id}]
    data: dict[str, Any] = {"deal_id": deal_id, "from_chat_id": chat_id, "parts": parts}
    data["more"] = 1 if held_back else 0
    if edited:
        data["edited"] = True
    return data


def relay_parts(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The relayed messages, oldest first, of a relay of either shape."""
    if "parts" in data:
        return [dict(part) for part in data["parts"]]
    return [
        {"kind": data.get("kind", "text"), "text": data.get("text"), "message_id": data.get("message_id")}
    ]


def merged_relay(
    waiting: Mapping[str, Any], new: Mapping[str, Any], *, max_parts: int = MAX_PARTS
) -> dict[str, Any] | None:
    """The waiting relay with the new message joined to it; None when it cannot take it (a correction
    goes alone, under its own header; a relay of the old shape, one partly sent, or a full one)."""
    if waiting.get("edited") or new.get("edited") or "parts" not in waiting or "_done" in waiting:
        return None
    if waiting.get("deal_id") != new.get("deal_id") or waiting.get("from_chat_id") != new.get("from_chat_id"):
        return None
    parts = [*waiting["parts"], *new["parts"]]
    if len(parts) > max_parts:
        return None
    return {**waiting, "parts": parts, "more": int(waiting.get("more", 0)) + int(new.get("more", 0))}
