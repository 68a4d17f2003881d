"""A list page's cursor travels in callback data: exact, within Telegram's 64 bytes, and never trusted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.list_pages import ListCursor, Position
from handlers.common.callbacks import DealList, cursor_of, pack_cursor

BIGGEST_ID = 2**63 - 1


@pytest.mark.parametrize(
    "cursor",
    [
        ListCursor(True, 3, Position(datetime(2026, 11, 25, 8, 0, 0, 123456, tzinfo=UTC), 812)),
        ListCursor(False, 0, Position(datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), 1)),
        ListCursor(True, 40, Position(None, BIGGEST_ID)),
        ListCursor(False, 9999, Position(datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), BIGGEST_ID)),
        ListCursor(False, 9999, Position(datetime(1, 1, 1, tzinfo=UTC), BIGGEST_ID)),
    ],
)
def test_a_cursor_comes_back_from_a_button_exactly_and_fits_telegram_s_limit(cursor: ListCursor) -> None:
    data = DealList(kind="unsorted", cursor=pack_cursor(cursor)).pack()
    assert len(data.encode()) <= 64
    assert cursor_of(DealList.unpack(data).cursor) == cursor  # to the microsecond: ties are broken by id


@pytest.mark.parametrize(
    "text",
    ["", "1", "0", "n", "n1", "n1..", "x1..5", "n1.5", "n-1..5", "n1.a.5", "n1..-5", "n12345..5",
     "n1.999999999999999999.5", "n1.9999999999999999999.5", "n1..9223372036854775808", "n1.١٢.5",
     "n1..5.6", "n 1..5"],
)  # fmt: skip
def test_a_forged_or_old_cursor_is_not_read(text: str) -> None:
    assert cursor_of(text) is None
