"""The inbox (the outbox's mirror): every update is stored before Telegram is told it arrived, and
handled from here, one chat's updates in order, each marked done in the same transaction as its effects.

Polling (bot/polling.py) and the webhook (bot/webhook.py) call `accept` with what Telegram sent; only
when it returns do they confirm the batch (the next getUpdates offset, or the webhook's 200). So a kill -9
or a database outage costs time, never an update: at start, and when the database is back, what is not
done is handled, oldest first per chat.

A failure is judged by its kind (bot/failure_kinds.py): the database away → wait for it, the update
keeps its place; Telegram failing the replies for longer than their own retries → try again later; the
person blocked the bot → done, without another word to them; anything else is a bug → tried again a
few times, then set aside, the supervisors told once (the update's kind and chat, never its text) and the
person told we could not handle it, and the chat's later updates go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.clock import Clock
from bot.failure_kinds import Failure, classify
from bot.flood_guard import patient_replies
from bot.observability import metrics
from bot.outage import OutageWatch
from domain.unreachable import note_blocked
from domain.update_faults import tell_update_set_aside
from handlers.common.errors import apologise
from handlers.common.i18n import Translator
from storage.inbox_repository import InboxEntry, InboxStore
from storage.unit_of_work import SqlUnitOfWork

logger = logging.getLogger(__name__)

# A process holds the updates it stored or took over this long; another process takes over those of
# one that died once it runs out (one process alone takes over at its start, see `recover`).
# Renewed every RECOVER_EVERY_S while they are in hand (`keep_recovering`), so it can be short: a worker
# killed with updates in hand gives them up within a lease and a round (README.md, "Several workers").
LEASE = timedelta(seconds=20)
MAX_TRIES = 3  # a bug's tries before the update is set aside
BUG_PAUSES_S = (1.0, 5.0)
TELEGRAM_PAUSE_S = 30.0  # Telegram failed the replies for a minute already: the next try, later
RECOVER_BATCH = 500
RECOVER_EVERY_S = 5.0  # one UPDATE of the leases in hand and one indexed look for pending rows
MAX_SKIPPED = 5000  # updates in hand past which a periodic look for others' leftovers waits a round
# An update left for its turn (an older one of its chat is another process's) is looked for again after
# these pauses, so it goes soon after that one is done rather than at the next round.
TURN_PAUSES_S = (0.2, 0.5, 1.0, 2.0)


def entry_of(update: Update) -> InboxEntry:
    payload = update.model_dump(mode="json", exclude_none=True, by_alias=True)
    return entry_of_payload(payload)


def entry_of_payload(payload: dict[str, Any]) -> InboxEntry:
    kind = next((key for key in payload if key != "update_id"), "unknown")
    return InboxEntry(int(payload["update_id"]), chat_key(payload), kind, payload)


def chat_key(payload: dict[str, Any]) -> int | None:
    """Whose updates keep their order among themselves: the person's (who pressed, wrote, blocked), else
    the chat's. The same person as the per-person lock of aiogram's event isolation."""
    for key, event in payload.items():
        if key == "update_id" or not isinstance(event, dict):
            continue
        person = event.get("from") or event.get("user")
        if isinstance(person, dict) and isinstance(person.get("id"), int):
            return int(person["id"])
        chat = event.get("chat") or (event.get("message") or {}).get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    return None


class UpdateInbox:
    def __init__(
        self, *, store: InboxStore, dispatcher: Dispatcher, bot: Bot, make_uow: Callable[[], SqlUnitOfWork],
        clock: Clock, translator: Translator, outage: OutageWatch, several_processes: bool = False,
    ) -> None:  # fmt: skip
        """`several_processes` (REDIS_URL set): a chat's updates may be stored by different processes,
        so one is claimed only in its turn, after the older ones of its chat (a process killed with one
        in hand leaves it for its lease; the chat's next update waits for it rather than overtake it)."""
        self._store, self._dispatcher, self._bot = store, dispatcher, bot
        self._in_turn = several_processes
        self._make_uow, self._clock, self._translator = make_uow, clock, translator
        self._outage = outage
        self._lanes: dict[int | None, deque[tuple[InboxEntry, Update | None]]] = {}
        self._workers: dict[int | None, asyncio.Task[None]] = {}
        self._in_hand: set[int] = set()
        self._stopping = False
        # Updates are taken once the start is done (`App.run`): the webhook's server is up before that,
        # for the website's leads and /healthz, and asks Telegram to post again later (bot/webhook.py).
        self.taking = False
        self._recovering = asyncio.Lock()
        outage.on_back(self._recover_soon)

    @property
    def in_hand(self) -> int:
        return len(self._in_hand)

    async def accept(self, updates: Sequence[Update]) -> None:
        """Store a batch (one transaction) and start handling what is new. Raises when it could not be
        stored: the caller must not confirm the batch to Telegram then."""
        entries = [entry_of(update) for update in updates]
        claimed = await self._store.store(
            entries, now=self._clock.now(), lease=LEASE, in_turn_besides=self._held_here(entries)
        )
        for entry, update in zip(entries, updates, strict=True):
            if entry.update_id in claimed and entry.update_id not in self._in_hand:
                self._enqueue(entry, update)
        self._look_again_if_waiting(entries, claimed)

    async def accept_payload(self, payload: dict[str, Any]) -> None:
        """The webhook's: one update as Telegram posted it."""
        entry = entry_of_payload(payload)
        claimed = await self._store.store(
            [entry], now=self._clock.now(), lease=LEASE, in_turn_besides=self._held_here([entry])
        )
        if entry.update_id in claimed and entry.update_id not in self._in_hand:
            self._enqueue(entry, None)
        self._look_again_if_waiting([entry], claimed)

    async def recover(self, *, anyones: bool = False) -> int:
        """Take up what is stored and not done, oldest first (with `anyones`, also what a previous run
        of this process held: it is gone). Returns how many were taken up."""
        async with self._recovering:
            taken = 0
            while not self._stopping:
                entries = await self._store.claim_pending(
                    now=self._clock.now(), lease=LEASE, limit=RECOVER_BATCH, skip=sorted(self._in_hand),
                    anyones=anyones, in_turn=self._in_turn and not anyones,
                )  # fmt: skip
                for entry in entries:
                    self._enqueue(entry, None)
                taken += len(entries)
                if len(entries) < RECOVER_BATCH:
                    break
            if taken:
                logger.info("took up %s stored update(s) not handled yet", taken)
            return taken

    async def keep_recovering(self) -> None:
        """Now and then, keep the leases of what this process has in hand, and take up what another
        process left behind (its lease ran out)."""
        while not self._stopping:
            await asyncio.sleep(RECOVER_EVERY_S)
            if self._outage.away:
                continue
            try:
                if self._in_hand:
                    await self._store.renew(sorted(self._in_hand), now=self._clock.now(), lease=LEASE)
                if len(self._in_hand) > MAX_SKIPPED:
                    continue  # (a peak in hand: what others left waits a round more, not this process)
                await self.recover()
            except Exception as error:
                if classify(error) is not Failure.OUTAGE:
                    logger.exception("taking up stored updates failed; trying again later")

    async def stop(self, *, grace_s: float) -> None:
        """Finish the updates in hand (for up to `grace_s`); what waits behind them stays stored, for the
        next start."""
        self._stopping = True
        workers = list(self._workers.values())
        if workers:
            _, unfinished = await asyncio.wait(workers, timeout=grace_s)
            for task in unfinished:
                task.cancel()
            if unfinished:
                logger.warning("%s update(s) still running at shutdown were cut off; kept for the next start",
                               len(unfinished))  # fmt: skip
                await asyncio.gather(*unfinished, return_exceptions=True)

    def _held_here(self, entries: Sequence[InboxEntry]) -> list[int] | None:
        """With several processes: the updates of these entries' chats that this process has in hand."""
        if not self._in_turn:
            return None
        chats = {entry.chat_id for entry in entries}
        return [held.update_id for chat in chats for held, _ in self._lanes.get(chat, ())]

    def _look_again_if_waiting(self, entries: Sequence[InboxEntry], claimed: set[int]) -> None:
        """Stored and not claimed, with several processes: perhaps left for its turn. Looked for again
        a few times soon (an older update of the chat in another process's hand is usually done within
        a second); past that, `keep_recovering` takes it up in its turn."""
        if self._in_turn and not self._stopping and any(e.update_id not in claimed for e in entries):
            waiting = {e.update_id for e in entries} - claimed
            task = asyncio.create_task(self._in_its_turn(waiting), name="inbox-turn")
            task.add_done_callback(lambda t: None if t.cancelled() else t.exception())

    async def _in_its_turn(self, waiting: set[int]) -> None:
        for pause in TURN_PAUSES_S:
            await asyncio.sleep(pause)
            if self._stopping:
                return
            with contextlib.suppress(Exception):
                await self.recover()
            if waiting & self._in_hand:  # claimed here (or another process took it: looked for in vain)
                return

    def _recover_soon(self) -> None:
        if not self._stopping:
            task = asyncio.create_task(self._recover_quietly(), name="inbox-recover")
            task.add_done_callback(lambda t: None if t.cancelled() else t.exception())

    async def _recover_quietly(self) -> None:
        with contextlib.suppress(Exception):
            await self.recover()

    def _enqueue(self, entry: InboxEntry, update: Update | None) -> None:
        if self._stopping:
            return  # stored: the next start handles it
        self._in_hand.add(entry.update_id)
        self._lanes.setdefault(entry.chat_id, deque()).append((entry, update))
        if entry.chat_id not in self._workers:
            self._workers[entry.chat_id] = asyncio.create_task(
                self._work(entry.chat_id), name=f"inbox-{entry.chat_id}"
            )

    async def _work(self, key: int | None) -> None:
        """One chat's updates, one at a time, in order. (No await between the lane found empty and the
        worker gone: an update enqueued meanwhile always finds a worker, or starts one.)"""
        lane = self._lanes[key]
        try:
            while lane and not self._stopping:
                entry, update = lane[0]
                try:
                    await self._handle(entry, update)
                finally:
                    lane.popleft()
                    self._in_hand.discard(entry.update_id)
        finally:
            del self._workers[key]
            for entry, _ in lane:  # stopping: they stay stored, for the next start
                self._in_hand.discard(entry.update_id)
            del self._lanes[key]

    async def _handle(self, entry: InboxEntry, update: Update | None) -> None:
        tries, retry = entry.attempts, False
        while not self._stopping:
            began = time.perf_counter()  # each try is counted (bot/observability/metrics.py), in memory
            try:
                if update is None:
                    update = Update.model_validate(entry.payload, context={"bot": self._bot})
                with patient_replies():
                    await self._dispatcher.feed_update(
                        self._bot, update, inbox_entry=entry, inbox_retry=retry
                    )
                metrics.count_update(entry.kind, metrics.HANDLED, time.perf_counter() - began)
                return
            except asyncio.CancelledError:
                metrics.count_update(entry.kind, metrics.CUT_OFF, time.perf_counter() - began)
                raise
            except Exception as error:
                took = time.perf_counter() - began
                retry = True
                failure = classify(error)
                if failure is Failure.HANDLED:
                    metrics.count_update(entry.kind, metrics.HANDLED_ELSEWHERE, took)
                    logger.info("update %s was handled meanwhile by another process", entry.update_id)
                    return
                if failure is Failure.OUTAGE:
                    metrics.count_update(entry.kind, metrics.DATABASE_AWAY, took)
                    await self._outage.wait_until_back(error)
                    continue
                if failure is Failure.BLOCKED:
                    metrics.count_update(entry.kind, metrics.BLOCKED, took)
                    await self._blocked(entry, error)
                    return
                if failure is Failure.TELEGRAM:
                    metrics.count_update(entry.kind, metrics.TELEGRAM_FAILED, took)
                    logger.warning("update %s: Telegram kept failing its replies (%s); next try in %.0fs",
                                   entry.update_id, error, TELEGRAM_PAUSE_S)  # fmt: skip
                    await asyncio.sleep(TELEGRAM_PAUSE_S)
                    continue
                tries = await self._count_try(entry, error, tries)
                last = tries >= MAX_TRIES
                metrics.count_update(entry.kind, metrics.SET_ASIDE if last else metrics.FAILED, took)
                if last:
                    await self._set_aside(entry, update, error)
                    return
                await asyncio.sleep(BUG_PAUSES_S[min(tries - 1, len(BUG_PAUSES_S) - 1)])

    async def _count_try(self, entry: InboxEntry, error: Exception, tries: int) -> int:
        try:
            counted = await self._store.failed(entry.update_id, error=type(error).__name__)
        except Exception as store_error:
            if classify(store_error) is Failure.OUTAGE:
                await self._outage.wait_until_back(store_error)
            counted = tries + 1
        first = tries == 0
        if first:
            logger.exception("update %s (%s) failed; trying it again", entry.update_id, entry.kind,
                             exc_info=error)  # fmt: skip
        else:
            logger.warning("update %s (%s) failed again (try %s of %s): %r", entry.update_id, entry.kind,
                           counted, MAX_TRIES, error)  # fmt: skip
        return max(counted, tries + 1)

    async def _set_aside(self, entry: InboxEntry, update: Update | None, error: Exception) -> None:
        logger.error("update %s (%s, chat %s) set aside after %s tries: %r", entry.update_id, entry.kind,
                     entry.chat_id, MAX_TRIES, error)  # fmt: skip
        while True:
            try:
                async with self._make_uow() as uow:
                    now = self._clock.now()
                    await uow.set_aside_update(entry.update_id, now=now, error=type(error).__name__)
                    await tell_update_set_aside(
                        uow, update_id=entry.update_id, kind=entry.kind, chat_id=entry.chat_id, now=now
                    )
                    await uow.commit()
                break
            except Exception as store_error:
                if classify(store_error) is not Failure.OUTAGE:
                    logger.exception("could not set update %s aside", entry.update_id)
                    return
                await self._outage.wait_until_back(store_error)
        if update is not None:
            await apologise(self._bot, update, self._translator)

    async def _blocked(self, entry: InboxEntry, error: Exception) -> None:
        """The person blocked the bot while we answered: recorded (the team hears it once), the update
        done; nothing more is sent to them, and no traceback."""
        logger.warning("update %s: chat %s blocked the bot while it answered: %s", entry.update_id,
                       entry.chat_id, error)  # fmt: skip
        now = self._clock.now()
        try:
            await self._store.finish(entry.update_id, now=now, error="blocked")
            if entry.chat_id is not None:
                async with self._make_uow() as uow:
                    await note_blocked(uow, entry.chat_id, reason=str(error)[:200], now=now)
        except Exception:
            logger.warning("could not record that chat %s blocked the bot", entry.chat_id, exc_info=True)
