"""A 429 puts its chat on hold for every later call; other chats go on."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError
from aiogram.methods import SendMessage

from bot.flood_guard import FloodGuard, patient_replies


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


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The guard's monotonic time, moved on by each of its waits (recorded, not waited)."""
    import time

    now = [1000.0]

    async def sleep(seconds: float) -> None:
        now.append(now[-1] + seconds)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    monkeypatch.setattr(time, "monotonic", lambda: now[-1])  # the guard's (the time module's) clock
    return now


def server_error(method: SendMessage) -> TelegramServerError:
    return TelegramServerError(method=method, message="Bad Gateway")


async def test_a_reply_to_the_update_in_hand_rides_out_a_minute_of_5xx_and_429(clock: list[float]) -> None:
    to_five = SendMessage(chat_id=5, text="a")
    telegram = Telegram(*(server_error(to_five) for _ in range(5)), too_many(to_five, 20))
    with patient_replies(60):
        sent: Any = await FloodGuard()(telegram, None, to_five)  # type: ignore[arg-type]
    assert sent == "ok" and len(telegram.calls) == 7
    waited = [later - earlier for earlier, later in itertools.pairwise(clock)]
    assert waited == [0.5, 1.0, 2.0, 4.0, 8.0, 20.0]  # backoff, then Telegram's own retry_after


async def test_a_reply_gives_up_once_its_minute_is_over_and_a_notice_does_not_wait_at_all(
    clock: list[float],
) -> None:
    to_five = SendMessage(chat_id=5, text="a")
    telegram = Telegram(*(server_error(to_five) for _ in range(100)))
    with patient_replies(60), pytest.raises(TelegramServerError):
        await FloodGuard()(telegram, None, to_five)  # type: ignore[arg-type]
    assert 45 <= clock[-1] - clock[0] <= 60  # tried for about a minute, never past it
    tried = len(telegram.calls)
    with pytest.raises(TelegramRetryAfter):  # outside a reply (the notifier): a long 429 goes up at once
        await FloodGuard()(Telegram(too_many(to_five, 20)), None, to_five)  # type: ignore[arg-type]
    assert len(telegram.calls) == tried
