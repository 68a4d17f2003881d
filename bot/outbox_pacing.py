"""Pacing of the outbox (alerts, relays, digests): ≤ 30 messages in any one second overall, ≤ 1 per
second in a private chat, ≤ 20 per minute in a group, the limits Telegram states for bulk sending.

A sliding log of send times per key, written here: the limits hold in every window, not on average
(a leaky bucket of 30 let 58 calls through in one second). The libraries that do this (`limits`'
in-memory moving window, pyrate-limiter) expire their logs from a background task or thread that walks
every key; for one process a deque per key, trimmed as it is read, is exact and costs nothing.
Several processes (REDIS_URL set) keep the same windows in Redis: bot/shared_pacing.py.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class SlidingWindow:
    """At most `limit` events per key in any `window_s` seconds.

    An event is recorded when it starts and can be moved later (`settle`) to when it ended: a send
    counts from when Telegram had it, which is some time after the request left. Moving an event later
    only ever makes the window wait longer, never less."""

    def __init__(self, limit: int, window_s: float, *, max_keys: int = 10_000) -> None:
        self._limit, self._window_s, self._max_keys = limit, window_s, max_keys
        self._log: OrderedDict[int | str, deque[list[float]]] = OrderedDict()

    def wait_s(self, key: int | str, *, now: float) -> float:
        """Seconds until one more event fits (0 when it fits now)."""
        log = self._log.get(key)
        if log is None:
            return 0.0
        while log and log[0][0] <= now - self._window_s:
            log.popleft()
        if len(log) < self._limit:
            return 0.0
        return max(log[0][0] + self._window_s - now, 0.001)

    def record(self, key: int | str, *, now: float) -> list[float]:
        """Count an event at `now`; the returned entry can be settled later."""
        log = self._log.get(key)
        if log is None:
            log = self._log[key] = deque(maxlen=self._limit)
            if len(self._log) > self._max_keys:
                self._log.popitem(last=False)  # the chat written to longest ago: its window is long past
        else:
            self._log.move_to_end(key)
        entry = [now]
        log.append(entry)
        return entry

    @staticmethod
    def settle(entry: list[float], *, now: float) -> None:
        entry[0] = max(entry[0], now)


class OutboxPacer:
    """The notifier waits its turn here before each send."""

    def __init__(
        self, *, overall_per_second: int = 30, private_per_second: int = 1, group_per_minute: int = 20
    ) -> None:
        self._overall = SlidingWindow(overall_per_second, 1.0, max_keys=1)
        self._private = SlidingWindow(private_per_second, 1.0)
        self._groups = SlidingWindow(group_per_minute, 60.0)

    @asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[None]:
        """Enters once one more message to this chat keeps every limit; the message is counted from
        then, and from when the send ended once it has (so the gap Telegram sees between two messages is
        never shorter than the window, however long a request took). Checking and counting happen with
        no await between them, so senders of other chats, waiting at once, never overshoot."""
        chat = self._private if chat_id > 0 else self._groups
        while True:
            now = time.monotonic()
            wait = max(chat.wait_s(chat_id, now=now), self._overall.wait_s("all", now=now))
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        entries = (chat.record(chat_id, now=now), self._overall.record("all", now=now))
        try:
            yield
        finally:
            ended = time.monotonic()
            for entry in entries:
                SlidingWindow.settle(entry, now=ended)
