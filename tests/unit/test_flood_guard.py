"""A 429 puts its chat on hold for every later call; other chats go on."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError
from aiogram.methods import SendMessage

from bot.flood_guard import FloodGuard


class Telegram:
    """Answers calls from a script of outcomes; records which chats were called."""

    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[int] = []

    async def __call__(self, bot: Any, method: SendMessage) -> Any:
        self.calls.append(int(method.chat_id))
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        return "ok"


def too_many(method: SendMessage, seconds: int) -> TelegramRetryAfter:
    return TelegramRetryAfter(method=method, message="Too Many Requests", retry_after=seconds)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", sleep)  # the guard's waits, recorded instead of waited
    return waited


async def test_a_long_hold_refuses_later_calls_to_that_chat_without_asking_telegram(
    waits: list[float],
) -> None:
    guard, to_five, to_six = FloodGuard(), SendMessage(chat_id=5, text="a"), SendMessage(chat_id=6, text="b")
    telegram = Telegram(too_many(to_five, 30))
    with pytest.raises(TelegramRetryAfter):
        await guard(telegram, None, to_five)  # type: ignore[arg-type]
    with pytest.raises(TelegramRetryAfter) as held:
        await guard(telegram, None, to_five)  # type: ignore[arg-type]
    assert held.value.retry_after > 5
    sent: Any = await guard(telegram, None, to_six)  # type: ignore[arg-type]
    assert sent == "ok"
    assert telegram.calls == [5, 6] and waits == []


async def test_a_short_hold_is_waited_out_and_the_call_made_again(waits: list[float]) -> None:
    guard, method = FloodGuard(), SendMessage(chat_id=5, text="a")
    telegram = Telegram(too_many(method, 2))
    sent: Any = await guard(telegram, None, method)  # type: ignore[arg-type]
    assert sent == "ok"
    assert telegram.calls == [5, 5]
    assert len(waits) == 1 and 0 < waits[0] <= 2


async def test_a_passing_server_error_is_tried_twice_more_then_given_up(waits: list[float]) -> None:
    guard, method = FloodGuard(), SendMessage(chat_id=5, text="a")
    bad_gateway = TelegramServerError(method=method, message="Bad Gateway")
    sent: Any = await guard(Telegram(bad_gateway), None, method)  # type: ignore[arg-type]
    assert sent == "ok"
    with pytest.raises(TelegramServerError):
        await guard(Telegram(bad_gateway, bad_gateway, bad_gateway), None, method)  # type: ignore[arg-type]
