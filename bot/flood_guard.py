"""Every Bot API call, reply or notice, passes here (a middleware of the Bot's session).

Replies to the update in hand are not paced: a person is waiting for them, and Telegram tolerates short
bursts in a private chat. Pacing is for bulk sending, which the notifier does (bot/outbox_pacing.py).
What applies to everything is Telegram's own word: a 429 on any call puts that chat on hold for its
`retry_after`, and no later call to the chat is made before the hold ends (a short one is waited out
here; a long one is refused at once, as Telegram would refuse it). A passing 5xx is tried again twice.

Replies to an update in hand are more patient (`patient_replies`, set by bot/inbox.py around each
update): 5xx, network errors and 429 are tried again with backoff for up to about a minute, honouring
`retry_after`, so a reply survives a Telegram blip the person would never notice. The notifier stays
quick to give up: it has its own backoff and must not hold a batch for a chat on hold.

With several bot processes (REDIS_URL set; README.md, "Several workers") a hold is Telegram's word for
the bot, not for one process: `RedisHolds` keeps it in Redis too (a key per chat that expires with the
hold), so a chat on hold in one worker is on hold in all. A call costs one Redis round trip (a PTTL)
unless this process already knows of a hold. "No hold" is not remembered: another worker's 429 would go
unseen for that long, and a call Telegram refuses costs more than a round trip. Redis failing is no
reason to stop: the holds go on in memory, and the log says so once a minute.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = logging.getLogger(__name__)

SHORT_WAIT_S = 5
RETRIES = 2
SERVER_ERROR_PAUSES_S = (0.3, 1.0)
MAX_HOLDS = 10_000  # chats on hold remembered at once; a hold ends within minutes anyway
REPLY_PATIENCE_S = 60.0
PATIENT_PAUSES_S = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)  # then 15 s apart, until the patience runs out

HOLD_KEY_PREFIX = "voronka:hold:"
REDIS_TIMEOUT_S = 0.5  # slower than this, Redis counts as away for the call: the memory decides
SAY_EVERY_S = 60.0
AWAY_RETRY_S = 5.0  # once Redis failed, it is left alone this long rather than waited for at each call

# When the replies of the update being handled in this task stop being retried (monotonic time).
_REPLY_DEADLINE: ContextVar[float | None] = ContextVar("reply_deadline", default=None)


@contextmanager
def patient_replies(seconds: float | None = None) -> Iterator[None]:
    """Calls made inside (by this task and the tasks it starts) retry for up to `seconds` (by default
    REPLY_PATIENCE_S)."""
    token = _REPLY_DEADLINE.set(time.monotonic() + (REPLY_PATIENCE_S if seconds is None else seconds))
    try:
        yield
    finally:
        _REPLY_DEADLINE.reset(token)


class RedisHolds:
    """429 holds shared by every process using this Redis: a key per chat on hold, expiring with it."""

    def __init__(self, redis: Redis, *, key_prefix: str = HOLD_KEY_PREFIX) -> None:
        self._redis, self._prefix = redis, key_prefix
        self._retry_at = 0.0  # monotonic: while Redis is away, it is asked again from then
        self._said_at = -SAY_EVERY_S

    async def left(self, chat_id: int | str) -> float | None:
        """Seconds of the chat's hold left (0: none); None when Redis could not be asked."""
        if time.monotonic() < self._retry_at:
            return None
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_S):
                left_ms = await self._redis.pttl(f"{self._prefix}{chat_id}")
        except Exception as error:
            self._away(error)
            return None
        return max(int(left_ms), 0) / 1000  # -2: no key, -1: no expiry (never set so)

    async def hold(self, chat_id: int | str, seconds: float) -> None:
        """Put the chat on hold for `seconds`, or longer if another process already holds it longer."""
        key, ms = f"{self._prefix}{chat_id}", max(int(seconds * 1000), 1)
        if time.monotonic() < self._retry_at:
            return
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_S), self._redis.pipeline(transaction=True) as pipe:
                pipe.set(key, 1, px=ms, nx=True)
                pipe.pexpire(key, ms, gt=True)  # Redis 7: only ever made longer
                await pipe.execute()
        except Exception as error:
            self._away(error)

    def _away(self, error: Exception) -> None:
        self._retry_at = time.monotonic() + AWAY_RETRY_S
        if time.monotonic() - self._said_at >= SAY_EVERY_S:
            self._said_at = time.monotonic()
            logger.warning(
                "429 holds are kept by this process alone for now: Redis failed (%s: %s)",
                type(error).__name__, error,
            )  # fmt: skip


class FloodGuard(BaseRequestMiddleware):
    def __init__(self, shared: RedisHolds | None = None) -> None:
        self._holds: dict[int | str, float] = {}  # chat -> monotonic time its 429 hold ends
        self._shared = shared

    def hold_left(self, chat_id: int | str | None) -> float:
        """Seconds until Telegram lets us write to this chat again (0 when it does now)."""
        if chat_id is None:
            return 0.0
        until = self._holds.get(chat_id)
        if until is None:
            return 0.0
        left = until - time.monotonic()
        if left <= 0:
            self._holds.pop(chat_id, None)
            return 0.0
        return left

    async def _left(self, chat_id: int | str | None) -> float:
        """`hold_left`, asking Redis too (when shared) unless this process knows of a hold already."""
        left = self.hold_left(chat_id)
        if left > 0 or chat_id is None or self._shared is None:
            return left
        shared = await self._shared.left(chat_id)
        if shared:
            self._remember(chat_id, shared)  # its later calls need not ask again until it ends
            return shared
        return 0.0

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        chat_id: Any = getattr(method, "chat_id", None)
        deadline = _REPLY_DEADLINE.get()
        if deadline is not None and method.__api_method__ != "getUpdates":
            return await self._patiently(make_request, bot, method, chat_id, deadline)
        for attempt in range(RETRIES + 1):
            if (left := await self._left(chat_id)) > 0:
                if left > SHORT_WAIT_S:
                    raise TelegramRetryAfter(
                        method=method, message="held back by an earlier 429", retry_after=int(left) + 1
                    )
                await asyncio.sleep(left)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                await self._hold(chat_id, error.retry_after)
                # A short flood wait is waited out here, so a reply is late rather than lost; a long
                # one goes up to the caller (the notifier reschedules, a handler tells the person).
                if attempt == RETRIES or error.retry_after > SHORT_WAIT_S:
                    raise
                logger.warning("flood limit on %s: waiting %ss", method.__api_method__, error.retry_after)
            except TelegramServerError as error:
                # A passing 5xx (Telegram's "Bad Gateway" is answered before the message is taken) is
                # tried again, twice: a handler's reply or card redraw after a saved action is not lost
                # to a blip. A longer outage goes up (the notifier backs off and retries).
                if attempt == RETRIES:
                    raise
                logger.warning("Telegram answered %s with %s: trying again", method.__api_method__, error)
                await asyncio.sleep(SERVER_ERROR_PAUSES_S[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    async def _patiently(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
        chat_id: Any,
        deadline: float,
    ) -> Response[TelegramType]:
        """A reply: tried again on 429, 5xx and network errors until `deadline`; what still fails then
        goes up (the update is tried again later, see bot/inbox.py)."""
        attempt = 0
        while True:
            if (left := await self._left(chat_id)) > 0:
                if time.monotonic() + left > deadline:
                    raise TelegramRetryAfter(
                        method=method, message="held back by an earlier 429", retry_after=int(left) + 1
                    )
                await asyncio.sleep(left)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                await self._hold(chat_id, error.retry_after)
                if time.monotonic() + error.retry_after > deadline:
                    raise
                logger.warning("flood limit on %s: waiting %ss", method.__api_method__, error.retry_after)
            except (TelegramServerError, TelegramNetworkError) as error:
                pause = PATIENT_PAUSES_S[min(attempt, len(PATIENT_PAUSES_S) - 1)]
                if time.monotonic() + pause > deadline:
                    raise
                logger.warning("%s failed (%s): trying again in %.1fs", method.__api_method__, error, pause)
                await asyncio.sleep(pause)
            attempt += 1

    async def _hold(self, chat_id: int | str | None, retry_after: int) -> None:
        if chat_id is None:
            return
        self._remember(chat_id, retry_after)
        if self._shared is not None:
            await self._shared.hold(chat_id, retry_after)

    def _remember(self, chat_id: int | str, seconds: float) -> None:
        if len(self._holds) >= MAX_HOLDS:
            now = time.monotonic()
            self._holds = {chat: until for chat, until in self._holds.items() if until > now}
        self._holds[chat_id] = max(self._holds.get(chat_id, 0.0), time.monotonic() + seconds)
