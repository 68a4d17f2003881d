"""The outbox's pace holds in every window, not on average."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.outbox_pacing import SlidingWindow


def send_when_allowed(window: SlidingWindow, arrivals: list[float], *, key: str = "all") -> list[float]:
    """Each message waits until the window lets it through; the moments they go out."""
    sent: list[float] = []
    clock = 0.0
    for arrival in sorted(arrivals):
        clock = max(clock, arrival)
        clock += window.wait_s(key, now=clock)
        assert window.wait_s(key, now=clock) == 0
        window.record(key, now=clock)
        sent.append(clock)
    return sent


def test_thirty_go_at_once_and_the_thirty_first_waits_until_the_first_leaves_the_window() -> None:
    window = SlidingWindow(30, 1.0)
    sent = send_when_allowed(window, [0.0] * 31)
    assert sent[:30] == [0.0] * 30
    assert sent[30] == 1.0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=5, allow_nan=False), min_size=1, max_size=200))
def test_no_one_second_window_ever_holds_more_than_thirty(arrivals: list[float]) -> None:
    sent = send_when_allowed(SlidingWindow(30, 1.0), arrivals)
    for start in sent:  # the busiest windows begin at a send
        assert sum(start <= moment < start + 1.0 for moment in sent) <= 30


def test_a_private_chat_gets_one_message_a_second_and_other_chats_are_not_held_by_it() -> None:
    window = SlidingWindow(1, 1.0)
    window.record(7, now=10.0)
    assert window.wait_s(7, now=10.25) == 0.75
    assert window.wait_s(8, now=10.25) == 0
    assert window.wait_s(7, now=11.0) == 0


def test_a_group_gets_twenty_messages_a_minute() -> None:
    sent = send_when_allowed(SlidingWindow(20, 60.0), [0.0] * 21, key="-100")
    assert sent[19] == 0.0 and sent[20] == 60.0


def test_the_oldest_chats_are_forgotten_beyond_the_limit_of_keys() -> None:
    window = SlidingWindow(1, 1.0, max_keys=2)
    for chat in (1, 2, 3):
        window.record(chat, now=0.0)
    assert window.wait_s(1, now=0.5) == 0  # forgotten: its second is long past by the time it matters
    assert window.wait_s(3, now=0.5) == 0.5


def test_a_send_counts_from_when_it_ended_so_telegram_never_sees_two_within_the_window() -> None:
    window = SlidingWindow(1, 1.0)
    entry = window.record(7, now=10.0)  # the request left at 10.0 and took 0.3 s
    SlidingWindow.settle(entry, now=10.3)
    assert window.wait_s(7, now=11.0) == pytest.approx(0.3)
    assert window.wait_s(7, now=11.3) == 0


async def test_the_pacer_lets_a_chat_s_second_message_go_a_full_second_after_the_first_ended(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio
    import time

    from bot.outbox_pacing import OutboxPacer

    clock = [100.0]
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(time, "monotonic", lambda: clock[0])  # the pacer's clock, moved by its waits
    monkeypatch.setattr(asyncio, "sleep", sleep)
    pacer = OutboxPacer()
    async with pacer.turn(7):
        clock[0] += 0.5  # a slow request
    async with pacer.turn(8):  # another chat: at once
        pass
    async with pacer.turn(7):
        pass
    assert waited == [pytest.approx(1.0)]
