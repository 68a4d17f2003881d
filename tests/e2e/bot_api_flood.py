"""Telegram's flood limits for the Bot API stand-in (``bot_api_server.py``), opt-in.

Telegram's published limits for a bot, enforced the way Telegram answers them: in a sliding window,
at most 30 new messages a second overall, 1 a second to one private chat and 20 a minute to one group.
A send over a limit is refused with 429 "Too Many Requests: retry after N" and
``parameters.retry_after`` = N, the whole seconds until the window has room again. Only sends that
went through count; edits, callback answers and reads are not limited (Telegram publishes no limits
for them).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Collection

OVERALL_PER_SECOND = 30
PRIVATE_PER_SECOND = 1
GROUP_PER_MINUTE = 20

# Methods that put a new message into a chat (sendChatAction shows a status, not a message).
_NOT_A_MESSAGE = frozenset(("sendchataction",))
_OTHER_SENDS = frozenset(("copymessage", "copymessages", "forwardmessage", "forwardmessages"))


def is_send(method: str) -> bool:
    lowered = method.lower()
    return (lowered.startswith("send") and lowered not in _NOT_A_MESSAGE) or lowered in _OTHER_SENDS


class FloodLimits:
    """Sliding windows of accepted sends: one overall, one per chat. ``clock`` gives seconds
    (monotonic); tests pass their own to move time without sleeping.

    With ``bulk_chats``, only sends to those chats are limited and counted. Telegram's 30 a second is
    its limit on bulk notifications; a bot's replies to people writing to it are answers, not bulk
    (and Telegram tolerates short bursts in a private chat): the fan-out bench so checks that the
    bot's notices to the team keep the limits while it answers a crowd at whatever pace it can."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, *, bulk_chats: Collection[int] | None = None
    ) -> None:
        self.clock = clock
        self.bulk_chats = bulk_chats
        self.refused = 0
        self._overall: deque[float] = deque()
        self._chats: dict[int | str, deque[float]] = {}

    def retry_after(self, chat_id: object) -> int | None:
        """Seconds to wait before a send to ``chat_id`` would be accepted; None when it may go now."""
        if not self._limited(chat_id):
            return None
        now = self.clock()
        waits = [_wait(self._overall, now, window=1.0, limit=OVERALL_PER_SECOND)]
        if isinstance(chat_id, int | str) and not isinstance(chat_id, bool):
            chat = self._chats.get(chat_id)
            if chat is not None:
                private = isinstance(chat_id, int) and chat_id > 0
                window, limit = (1.0, PRIVATE_PER_SECOND) if private else (60.0, GROUP_PER_MINUTE)
                waits.append(_wait(chat, now, window=window, limit=limit))
        wait = max((w for w in waits if w is not None), default=None)
        if wait is None:
            return None
        self.refused += 1
        return max(1, math.ceil(wait))

    def sent(self, chat_id: object) -> None:
        """Count a send that went through."""
        if not self._limited(chat_id):
            return
        now = self.clock()
        self._overall.append(now)
        if isinstance(chat_id, int | str) and not isinstance(chat_id, bool):
            self._chats.setdefault(chat_id, deque()).append(now)

    def _limited(self, chat_id: object) -> bool:
        return self.bulk_chats is None or chat_id in self.bulk_chats


def _wait(sent: deque[float], now: float, *, window: float, limit: int) -> float | None:
    """Time until the window holds fewer than ``limit`` sends, or None when it already does."""
    while sent and sent[0] <= now - window:
        sent.popleft()
    if len(sent) < limit:
        return None
    return sent[len(sent) - limit] + window - now
