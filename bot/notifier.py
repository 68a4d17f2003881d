"""Drains the outbox: renders each notice and sends it, paced (bot/outbox_pacing.py), several chats at
once, one message at a time per chat. Notices of one kind piling up for one chat go as one message.

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
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)

from bot.clock import Clock
from bot.observability.heartbeat import Heartbeat
from bot.outage import log_failure
from bot.outbox_pacing import OutboxPacer
from domain.crm_config import CrmConfig
from domain.unreachable import note_blocked
from handlers.common.i18n import Translator
from handlers.notices.merged import MERGEABLE, render_notices
from handlers.notices.render import LINKED, UnknownNotice
from storage.outbox_queue import OutboxItem, OutboxQueue
from storage.unit_of_work import SqlUnitOfWork

logger = logging.getLogger(__name__)

# An item's lease is renewed when its sender takes it up and then every KEEP_LEASE_S while it is in hand
# (its turn at the pacer, the request, the flood guard's waits), so it is how long a chat waits when its
# sender died: another process takes the item over then (README.md, "Several workers").
LEASE = timedelta(seconds=20)
KEEP_LEASE_S = 5.0
BATCH = 30  # chats served per round, each at once (Telegram's overall pace is 30 messages a second)
MERGE_FROM = 5  # notices of one kind waiting for one chat that go as one message (fewer: one by one)
MAX_MERGED = 200  # notices of one kind to one chat in one message
MAX_BACKOFF_S = 300
MAX_ATTEMPTS = 500  # with backoff capped at five minutes: about two days of Telegram being unreachable
ERROR_PAUSE_S = 1.0


def backoff(attempts: int) -> timedelta:
    """1s, 2s, 4s ... capped at five minutes: Telegram being down for a while costs nothing."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_S))


class Notifier:
    def __init__(
        self, *, bot: Bot, queue: OutboxQueue, make_uow: Callable[[], SqlUnitOfWork], config: CrmConfig,
        translator: Translator, clock: Clock, pacer: OutboxPacer, idle_poll_s: float = 5.0,
        heartbeat: Heartbeat | None = None,
    ) -> None:  # fmt: skip
        self._bot, self._queue, self._make_uow = bot, queue, make_uow
        self._config, self._translator, self._clock = config, translator, clock
        self._pacer = pacer
        self._idle_poll_s = idle_poll_s
        self._wake = asyncio.Event()
        self._stopping = False
        # Beats on every turn of `run`'s loop (an idle one too: it waits at most `idle_poll_s`) and before
        # each message it sends; says when `run` has returned or died. `/healthz` reads it.
        self.heartbeat = heartbeat or Heartbeat()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Finish the message in hand, give back the rest of the batch, and return from `run`."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Until stopped: drain what is due, then sleep until woken or the next item falls due. No error
        ends the loop (a database restart, a lock timeout): it is logged and the loop goes on."""
        self.heartbeat.start()
        try:
            while not self._stopping:
                self.heartbeat.beat()
                try:
                    claimed = await self.drain_once()
                    if claimed == 0:
                        await self._idle()
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    log_failure(logger, "outbox drain failed; trying again shortly", error)
                    await asyncio.sleep(ERROR_PAUSE_S)
        except asyncio.CancelledError:
            self.heartbeat.stop()
            raise
        except BaseException as error:  # a bug in the loop's own error handling: nothing sends any more
            self.heartbeat.crash(error)
            raise
        self.heartbeat.stop()

    async def _idle(self) -> None:
        timeout = self._idle_poll_s
        next_due = await self._queue.next_due_at()
        if next_due is not None:
            timeout = min(timeout, max((next_due - self._clock.now()).total_seconds(), 0.05))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        self._wake.clear()

    async def drain_once(self) -> int:
        """Send what is due now, each chat's head (with what merges into it) at once; returns how many
        chats were served. A failure of one send (a database blip, a revoked token) is raised after the
        others are done."""
        items = await self._queue.claim_due(
            now=self._clock.now(),
            lease=LEASE,
            limit=BATCH,
            merging=MERGEABLE,
            merge_from=MERGE_FROM,
            max_merged=MAX_MERGED,
        )
        outcomes = await asyncio.gather(*(self._send(item) for item in items), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return len(items)

    async def _send(self, item: OutboxItem) -> None:
        sending: list[bool] = []  # made non-empty just before the first request for the item leaves
        keeper: asyncio.Task[None] | None = None
        try:
            current = await self._queue.renew(item, now=self._clock.now(), lease=LEASE)
            if current is None:  # its lease ran out and another sender has it now
                logger.warning("outbox item %s was taken over by another sender; skipping it", item.id)
                return
            keeper = asyncio.create_task(self._keep_leased(current), name=f"outbox-lease-{item.id}")
            if not await self._deliver(current, sending=sending) and not sending:
                # The bot is stopping and this one had not started: back to the queue at once, rather
                # than after its lease (so a restart sends it without delay).
                await self._queue.release(item.ids, now=self._clock.now())
        except asyncio.CancelledError:
            # Cut off (a stop that could not wait): an item not started goes back at once rather than
            # waiting out its lease. One in hand stays leased: Telegram may have taken it already, and
            # sending it again would be worse than sending it late.
            if not sending:
                await asyncio.shield(self._queue.release(item.ids, now=self._clock.now()))
            raise
        finally:
            if keeper is not None:
                keeper.cancel()

    async def _keep_leased(self, item: OutboxItem) -> None:
        """Renew the item's lease every KEEP_LEASE_S while it is in hand; ends once the item is settled
        (sent, put off, failed), or was taken over by another sender after a database outage longer
        than the lease."""
        current: OutboxItem | None = item
        while current is not None:
            await asyncio.sleep(KEEP_LEASE_S)
            try:
                current = await self._queue.renew(current, now=self._clock.now(), lease=LEASE)
            except Exception as error:  # the database away for a moment: the next beat tries again
                logger.debug("could not renew the lease of outbox item %s: %r", item.id, error)

    async def _deliver(self, item: OutboxItem, *, sending: list[bool]) -> bool:
        """Send the item (or settle it otherwise: failed for good, or put off to be tried again). False
        when the bot began to stop before its first message went: it is left as it is."""
        if item.attempts > MAX_ATTEMPTS:
            await self._queue.mark_failed(item.ids, error=f"gave up after {item.attempts - 1} attempts")
            return True
        t = self._translator.bind(self._translator.pick(item.locale))
        try:
            async with self._make_uow() as uow:
                methods = await render_notices(
                    item.kind,
                    [member.data for member in item.group],
                    chat_id=item.chat_id,
                    uow=uow,
                    config=self._config,
                    t=t,
                    now=self._clock.now(),
                )
        except (UnknownNotice, KeyError, ValueError, TypeError) as error:
            logger.exception("outbox item %s (%s) cannot be rendered", item.id, item.kind)
            await self._queue.mark_failed(item.ids, error=f"render: {error!r}")
            return True
        except Exception as error:  # the database, most likely: try again later
            logger.warning("outbox item %s could not be rendered now: %r", item.id, error)
            return await self._retry(item, backoff(item.attempts), f"render: {error!r}")
        done = 0 if item.followers else int(item.data.get("_done", 0))  # a merged message is sent whole
        for index in range(done, len(methods)):
            try:
                async with self._pacer.turn(item.chat_id):  # each message keeps Telegram's pace
                    if self._stopping and not sending:
                        return False
                    sending.append(True)
                    self.heartbeat.beat()
                    sent = await self._bot(methods[index])
            except TelegramRetryAfter as error:  # the chat is on hold (bot/flood_guard.py): so is the item
                return await self._retry(
                    item, timedelta(seconds=error.retry_after), f"429: {error.retry_after}s"
                )
            except (TelegramServerError, TelegramNetworkError) as error:
                return await self._retry(item, backoff(item.attempts), f"{type(error).__name__}: {error}")
            except TelegramUnauthorizedError:
                raise  # the token was revoked: nothing can be sent, and the whole bot must say so
            except TelegramForbiddenError as error:  # the person blocked the bot: the team hears it once
                logger.warning("outbox item %s: chat %s blocked the bot: %s", item.id, item.chat_id, error)
                await self._queue.mark_failed(item.ids, error=f"blocked: {error}")
                # "bot can't initiate conversation with a user": they never pressed Start.
                await self._note_blocked(item.chat_id, str(error), never_started="initiate" in str(error))
                return True
            except TelegramAPIError as error:  # blocked, chat gone, bad request: permanent
                logger.warning("outbox item %s to %s failed for good: %s", item.id, item.chat_id, error)
                await self._queue.mark_failed(item.ids, error=f"{type(error).__name__}: {error}")
                return True
            if item.kind in LINKED:  # copyMessages answers a list: each copy stands for the deal
                for each in sent if isinstance(sent, list) else [sent]:
                    await self._link(item, getattr(each, "message_id", None))
            if index + 1 < len(methods) and not item.followers:  # a merged message is one part
                await self._queue.progress(item.id, done=index + 1, data=item.data)
        await self._queue.mark_sent(item.ids, now=self._clock.now())
        return True

    async def _note_blocked(self, chat_id: int, reason: str, *, never_started: bool) -> None:
        try:
            async with self._make_uow() as uow:
                await note_blocked(
                    uow, chat_id, reason=reason, never_started=never_started, now=self._clock.now()
                )
        except Exception as error:
            log_failure(logger, "could not record that chat %s blocked the bot", error, chat_id)

    async def _link(self, item: OutboxItem, message_id: int | None) -> None:
        """Remember which deal a delivered message belongs to, so a reply to it reaches the client.
        Best effort: the message is already delivered, and must not be sent again for this."""
        if message_id is None or "deal_id" not in item.data:
            return
        try:
            async with self._make_uow() as uow:
                await uow.links.add(
                    chat_id=item.chat_id, message_id=message_id, deal_id=int(item.data["deal_id"]),
                    at=self._clock.now(),
                )  # fmt: skip
                await uow.commit()
        except Exception as error:
            log_failure(
                logger, "could not link message %s in chat %s to its deal", error, message_id, item.chat_id
            )

    async def _retry(self, item: OutboxItem, after: timedelta, error: str) -> bool:
        await self._queue.retry_at(item.ids, at=self._clock.now() + after, error=error)
        return True
