"""Inline button payloads. Compact (Telegram allows 64 bytes) and checked again in every handler:
callback data comes from the client and can be forged."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.filters.callback_data import CallbackData


class IntakeAnswer(CallbackData, prefix="ia"):
    r: str  # the questionnaire run: a button from an earlier run is stale even on the same question
    q: int  # index of the question the button belongs to (a stale button names an old one)
    opt: str


class IntakeNav(CallbackData, prefix="in"):
    """Back and Cancel as inline buttons under a question. No longer drawn (they are on the questionnaire's
    reply keyboard), still understood under questions sent before that."""

    r: str
    action: str  # back | cancel
    q: int


class IntakeRestart(CallbackData, prefix="ir"):
    action: str  # continue | restart


class DealAction(CallbackData, prefix="d"):
    """A button on a deal card or under a list: "d:<action>:<deal id>:<version>:<arg>".

    `v` is the deal's version when the card was drawn (0 where it does not matter, e.g. "open" from a
    list); `arg` is the action's short argument: a stage key, a loss reason key, a quick-time code,
    a page, a manager id. Worst case "d:reason:<12 digits>:<6 digits>:<24 chars>" is 56 bytes.
    """

    action: str
    deal_id: int
    v: int
    arg: str = ""


class DealList(CallbackData, prefix="dl"):
    """Paging a list of deals: kind is mine | unsorted; `q` repeats a search's words when it is one."""

    kind: str
    page: int


class StaffAction(CallbackData, prefix="st"):
    """/staff screen buttons: remove (asks first), confirm (removes), back."""

    action: str
    user_id: int


def moment_of(arg: str) -> datetime | None:
    """A moment a button carries (seconds since the epoch, UTC); None for a forged or broken one."""
    if not (arg.isascii() and arg.isdigit()):
        return None
    try:
        return datetime.fromtimestamp(int(arg), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
