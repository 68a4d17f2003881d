"""Drains the outbox: renders each notice and sends it through the rate-limited Bot session.

Retries on network errors, 5xx and 429 (waiting `retry_after`); gives up only on a permanent error
(the person blocked the bot, the chat is gone, the request is malformed) and records why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)

from bot.clock import Clock
from domain.crm_config import CrmConfig
from handlers.i18n import Translator
from handlers.views.notices import render_notice
from storage.outbox_repository import OutboxItem, OutboxQueue
from storage.unit_of_work import SqlUnitOfWork

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_BACKOFF_S = 300


def backoff(attempts: int) -> timedelta:
    """1s, 2s, 4s ... capped at five minutes: Telegram being down for a while costs nothing."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_S))


class Notifier:
    def __init__(
        self, *, bot: Bot, queue: OutboxQueue, make_uow: Callable[[], SqlUnitOfWork], config: CrmConfig,
        translator: Translator, clock: Clock, idle_poll_s: float = 5.0,
    ) -> None:  # fmt: skip
        self._bot, self._queue, self._make_uow = bot, queue, make_uow
        self._config, self._translator, self._clock = config, translator, clock
        self._idle_poll_s = idle_poll_s
        self._wake = asyncio.Event()
        self._paused_s = 0.0

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                claimed = await self.drain_once()
            except Exception:
                logger.exception("outbox drain failed; trying again shortly")
                claimed = 0
                await asyncio.sleep(1)
            if self._paused_s:
                await asyncio.sleep(self._paused_s)
                self._paused_s = 0.0
            if claimed == 0:
                await self._idle()

    async def _idle(self) -> None:
        timeout = self._idle_poll_s
        next_due = await self._queue.next_due_at()
        if next_due is not None:
            timeout = min(timeout, max((next_due - self._clock.now()).total_seconds(), 0.05))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        self._wake.clear()

    async def drain_once(self) -> int:
        """Send what is due now; returns how many items were claimed."""
        items = await self._queue.claim_due(now=self._clock.now(), lease=LEASE)
        held_back: set[int] = set()
        for item in items:
            if item.chat_id in held_back:
                # Keep a chat's messages in order: after a failure, its later items wait too.
                await self._queue.retry_at(
                    item.id, at=self._clock.now(), error="held behind an earlier message"
                )
                continue
            if not await self._deliver(item):
                held_back.add(item.chat_id)
        return len(items)

    async def _deliver(self, item: OutboxItem) -> bool:
        """True when the item is settled (sent, or failed for good); False when it will be retried."""
        t = self._translator.bind(self._translator.pick(item.locale))
        try:
            async with self._make_uow() as uow:
                methods = await render_notice(
                    item.kind, item.data, chat_id=item.chat_id, uow=uow, config=self._config, t=t
                )
        except Exception as error:
            logger.exception("outbox item %s (%s) cannot be rendered", item.id, item.kind)
            await self._queue.mark_failed(item.id, error=f"render: {error!r}")
            return True
        done = int(item.data.get("_done", 0))
        for index in range(done, len(methods)):
            try:
                await self._bot(methods[index])
            except TelegramRetryAfter as error:
                self._paused_s = max(self._paused_s, float(error.retry_after))
                at = self._clock.now() + timedelta(seconds=error.retry_after)
                await self._queue.retry_at(item.id, at=at, error=f"429: retry after {error.retry_after}s")
                return False
            except (TelegramServerError, TelegramNetworkError) as error:
                await self._queue.retry_at(
                    item.id,
                    at=self._clock.now() + backoff(item.attempts),
                    error=f"{type(error).__name__}: {error}",
                )
                return False
            except (TelegramForbiddenError, TelegramNotFound, TelegramBadRequest) as error:
                logger.warning("outbox item %s to %s failed for good: %s", item.id, item.chat_id, error)
                await self._queue.mark_failed(item.id, error=f"{type(error).__name__}: {error}")
                return True
            except TelegramUnauthorizedError:
                raise
            if index + 1 < len(methods):
                await self._queue.progress(item.id, done=index + 1, data=item.data)
        await self._queue.mark_sent(item.id, now=self._clock.now())
        return True
