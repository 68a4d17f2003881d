"""Long polling that confirms an update to Telegram only once it is stored.

aiogram's own polling asks for the next batch (which confirms the last one: Telegram forgets updates
below the `offset`) before the last batch is handled, so a kill -9 or a database outage lost every update
fetched and not yet finished. Here the offset moves past a batch only after the inbox stored it
(bot/inbox.py); a batch that could not be stored is fetched again, and Telegram keeps it for 24 hours.
A network error or a 5xx is asked again with backoff; a 401 (the token revoked) ends the run.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.methods import GetUpdates
from aiogram.utils.backoff import Backoff, BackoffConfig

from bot.failure_kinds import Failure, classify
from bot.inbox import UpdateInbox
from bot.outage import OutageWatch
from bot.start_failure import BotApiRefused
from bot.telegram_reach import TOKEN_REFUSED

logger = logging.getLogger(__name__)

FETCH_BACKOFF = BackoffConfig(min_delay=1.0, max_delay=30.0, factor=1.5, jitter=0.1)
STORE_RETRY_S = 1.0


class Poller:
    def __init__(
        self, bot: Bot, inbox: UpdateInbox, outage: OutageWatch, *, timeout_s: int,
        allowed_updates: list[str] | None,
    ) -> None:  # fmt: skip
        self._bot, self._inbox, self._outage = bot, inbox, outage
        self._timeout_s = timeout_s
        self._allowed = allowed_updates
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        """Until `stop`: fetch, store, confirm. A fetch in flight is dropped at the stop (nothing of it
        is confirmed, so nothing is lost)."""
        fetching = asyncio.create_task(self._loop(), name="polling")
        stopping = asyncio.create_task(self._stop.wait())
        try:
            await asyncio.wait({fetching, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (fetching, stopping):
                task.cancel()
            await asyncio.gather(fetching, stopping, return_exceptions=True)
        if fetching.done() and not fetching.cancelled() and fetching.exception() is not None:
            raise fetching.exception()  # type: ignore[misc]

    async def _loop(self) -> None:
        offset: int | None = None
        backoff = Backoff(config=FETCH_BACKOFF)
        request_timeout = int((self._bot.session.timeout or 60) + self._timeout_s)
        failing = False
        while True:
            try:
                updates = await self._bot(
                    GetUpdates(offset=offset, timeout=self._timeout_s, allowed_updates=self._allowed),
                    request_timeout=request_timeout,
                )
            except TelegramUnauthorizedError:
                # The token was revoked (or replaced in @BotFather) while running: asking again would
                # only be refused again, silently. End the run, saying so (bot/launch.py: exit code 2).
                raise BotApiRefused(TOKEN_REFUSED) from None
            except Exception as error:
                if not failing:
                    logger.warning("cannot fetch updates from Telegram (%s: %s); trying again",
                                   type(error).__name__, error)  # fmt: skip
                failing = True
                await backoff.asleep()
                continue
            if failing:
                logger.warning("fetching updates from Telegram again")
                failing = False
                backoff.reset()
            if not updates:
                continue
            if not await self._stored(updates):
                continue  # the same batch again: nothing of it was confirmed
            offset = updates[-1].update_id + 1

    async def _stored(self, updates: list) -> bool:  # type: ignore[type-arg]
        try:
            await self._inbox.accept(updates)
            return True
        except Exception as error:
            if classify(error) is Failure.OUTAGE:
                await self._outage.wait_until_back(error)
            else:
                logger.exception("could not store %s update(s); fetching them again", len(updates))
                await asyncio.sleep(STORE_RETRY_S)
            return False
