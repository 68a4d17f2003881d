"""Inline button payloads. Compact (Telegram allows 64 bytes) and checked again in every handler:
callback data comes from the client and can be forged."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from domain.list_pages import ListCursor, Position

MAX_ID = 2**63 - 1  # the largest id or version a database column holds
FROM_LIST = "l"  # the `arg` of a Take button under a list of leads rather than on a card


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
    deal_id: int = Field(ge=0, le=MAX_ID)  # forged ids beyond a BIGINT never reach the database
    v: int = Field(ge=0, le=MAX_ID)
    arg: str = ""


class DealList(CallbackData, prefix="dl"):
    """Paging a list of deals: "dl:<kind>:<cursor>", kind mine | unsorted, the cursor as `pack_cursor`
    writes it, or `OPEN_LIST` for a button elsewhere (a merged notice) that opens the list's first page.
    Worst case "dl:unsorted:p9999.253402300799999999.9223372036854775807" is 56 bytes."""

    kind: str
    cursor: str


OPEN_LIST = "open"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_CURSOR = re.compile(r"([np])(\d{1,4})\.(-?\d{1,18})?\.(\d{1,19})", re.ASCII)
_MAX_ID = 2**63 - 1


def pack_cursor(cursor: ListCursor) -> str:
    """ "n3.1764057600123456.812": the page after (n) or before (p) deal 812, which is in the list's
    segment 3 at that moment (microseconds since the epoch, exact: equal times are told apart by id)."""
    at = cursor.position.at
    moment = "" if at is None else str((at - _EPOCH) // _MICROSECOND)
    return f"{'n' if cursor.forward else 'p'}{cursor.segment}.{moment}.{cursor.position.deal_id}"


def cursor_of(text: str) -> ListCursor | None:
    """The cursor a page button carries; None for a forged or broken one (or one of an older format)."""
    found = _CURSOR.fullmatch(text)
    if found is None or int(found[4]) > _MAX_ID:
        return None
    at = None
    if found[3] is not None:
        try:
            at = _EPOCH + _MICROSECOND * int(found[3])
        except OverflowError:
            return None
    return ListCursor(found[1] == "n", int(found[2]), Position(at, int(found[4])))


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


class ReportMenu(CallbackData, prefix="rp"):
    """The /report and /export menu and the buttons under a report. The whole state of the menu rides in
    the button, so a restart loses nothing: "rp:<do>:<report>:<period>:<pipeline>:<manager>:<channel>:
    <source>".

    `do` is what the press does (open the menu, show the report, open a picker, export); `r` the report
    shown ("" none yet); `p` a `PeriodKind` value or "d" + two yymmdd days for a typed range; `pl` and `s`
    indexes in the config's pipelines and sources, `m` a manager's Telegram id, `ch` a channel; empty:
    all. Checked again against the config and the presser by `handlers/reports/menu_state.py`.
    Worst case "rp:menu:m:d261001261231:99:9223372036854775807:telegram:99" is 58 bytes.
    """

    do: str = Field(max_length=5)
    r: str = Field(default="", max_length=1)
    p: str = Field(default="30d", max_length=13)
    pl: int | None = Field(default=None, ge=0, le=99)
    m: int | None = Field(default=None, ge=1, le=MAX_ID)
    ch: str = Field(default="", max_length=8)
    s: int | None = Field(default=None, ge=0, le=99)
