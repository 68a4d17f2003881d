"""What an update's failure means: an outage waits, Telegram is tried later, a block ends it, a bug counts."""

from __future__ import annotations

import sqlite3

import pytest
from aiogram.exceptions import TelegramForbiddenError, TelegramNetworkError, TelegramServerError
from aiogram.methods import SendMessage
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError

from bot.failure_kinds import Failure, classify
from bot.inbox import chat_key, entry_of_payload
from storage.unit_of_work import UpdateHandledElsewhere

METHOD = SendMessage(chat_id=1, text="a")


def _raised_from(error: Exception, cause: BaseException) -> Exception:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked")), Failure.OUTAGE),
        (OperationalError("INSERT", {}, sqlite3.OperationalError("no such table: deals")), Failure.BUG),
        (
            DBAPIError("SELECT 1", {}, ConnectionResetError("reset"), connection_invalidated=True),
            Failure.OUTAGE,
        ),
        (ConnectionRefusedError(111, "Connection refused"), Failure.OUTAGE),
        (IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed")), Failure.BUG),
        (ProgrammingError("SELECT", {}, Exception("syntax error")), Failure.BUG),
        (_raised_from(RuntimeError("wrapped"), TelegramServerError(METHOD, "Bad Gateway")), Failure.TELEGRAM),
        (TelegramNetworkError(METHOD, "timeout"), Failure.TELEGRAM),
        (TelegramForbiddenError(METHOD, "Forbidden: bot was blocked by the user"), Failure.BLOCKED),
        (UpdateHandledElsewhere(5), Failure.HANDLED),
        (KeyError("answers"), Failure.BUG),
    ],
)
def test_a_failure_is_judged_by_its_kind(error: Exception, kind: Failure) -> None:
    assert classify(error) is kind


@pytest.mark.parametrize(
    ("payload", "key"),
    [
        ({"update_id": 1, "message": {"chat": {"id": -5}, "from": {"id": 42}}}, 42),
        ({"update_id": 2, "callback_query": {"from": {"id": 43}, "message": {"chat": {"id": 43}}}}, 43),
        ({"update_id": 3, "my_chat_member": {"chat": {"id": 44}, "from": {"id": 44}}}, 44),
        ({"update_id": 4, "channel_post": {"chat": {"id": -100}}}, -100),
        ({"update_id": 5}, None),
    ],
)
def test_updates_keep_their_order_per_person(payload: dict[str, object], key: int | None) -> None:
    assert chat_key(payload) == key
    assert entry_of_payload(payload).kind == (next((k for k in payload if k != "update_id"), "unknown"))
