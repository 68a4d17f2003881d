"""While the database cannot be reached: everyone who needs it waits here, one probe runs at a time, and
the log gets one line a minute instead of a traceback per update."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

PROBE_EVERY_S = 1.0
SAY_EVERY_S = 60.0


class OutageWatch:
    def __init__(self, probe: Callable[[], Awaitable[None]], *, probe_every_s: float = PROBE_EVERY_S) -> None:
        self._probe = probe
        self._probe_every_s = probe_every_s
        self._back = asyncio.Event()
        self._back.set()
        self._prober: asyncio.Task[None] | None = None
        self._since: float | None = None
        self._on_back: list[Callable[[], None]] = []

    @property
    def away(self) -> bool:
        return not self._back.is_set()

    def on_back(self, callback: Callable[[], None]) -> None:
        """Called once each time the database is back after an outage."""
        self._on_back.append(callback)

    async def wait_until_back(self, error: BaseException) -> None:
        """The caller saw the database fail with `error`: returns once it answers again."""
        self.noticed(error)
        await self._back.wait()

    def noticed(self, error: BaseException) -> None:
        """The database failed with `error`: probe it until it answers (once at a time)."""
        if self._back.is_set():
            self._back.clear()
            self._since = time.monotonic()
            logger.warning(
                "the database cannot be reached (%s); updates wait in Telegram until it is back",
                _one_line(error),
            )
        if self._prober is None or self._prober.done():
            self._prober = asyncio.create_task(self._probe_until_back(), name="outage-probe")

    async def _probe_until_back(self) -> None:
        said_at = time.monotonic()
        while True:
            await asyncio.sleep(self._probe_every_s)
            try:
                await self._probe()
            except Exception as error:  # still away
                if time.monotonic() - said_at >= SAY_EVERY_S:
                    said_at = time.monotonic()
                    away_s = said_at - (self._since or said_at)
                    logger.warning(
                        "the database is still unreachable after %.0f s (%s)", away_s, _one_line(error)
                    )
                continue
            away_s = time.monotonic() - (self._since or time.monotonic())
            logger.warning("the database is back after %.0f s; handling what waited", away_s)
            self._since = None
            self._back.set()
            for callback in self._on_back:
                callback()
            return

    async def close(self) -> None:
        if self._prober is not None:
            self._prober.cancel()
            await asyncio.gather(self._prober, return_exceptions=True)
        self._back.set()


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200]}" if text else type(error).__name__


_said_at: dict[str, float] = {}


def log_failure(log: logging.Logger, message: str, error: BaseException, *args: object) -> None:
    """Log a background task's failure (`message % args`): with its traceback when it is a bug, and in
    one line at most once a minute (per message) when the database is away."""
    from bot.failure_kinds import Failure, classify  # (failure_kinds imports the storage layer)

    if classify(error) is not Failure.OUTAGE:
        log.error(message, *args, exc_info=error)
        return
    now = time.monotonic()
    if now - _said_at.get(message, -SAY_EVERY_S) >= SAY_EVERY_S:
        _said_at[message] = now
        log.warning("%s: the database is unreachable (%s)", message % args, _one_line(error))
