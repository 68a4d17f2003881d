"""How a background loop shows it is alive: it beats on every turn, idle turns too, and says when it has
stopped or died. `/healthz` (bot/observability/health.py) reads it; beating is an in-memory write."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    NOT_STARTED = "not started"
    RUNNING = "running"
    STOPPED = "stopped"
    CRASHED = "crashed"


@dataclass(frozen=True)
class Pulse:
    phase: Phase
    silent_s: float  # since the last beat (or the start, before the first beat)
    error: str | None = None  # the type of what ended the loop (CRASHED), never its message


class Heartbeat:
    """Times are monotonic seconds (`monotonic`, injected by tests): a loop's liveness is about real
    time passing, whatever the bot's clock says (bot/clock.py; tests move theirs by days)."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._phase = Phase.NOT_STARTED
        self._last = 0.0
        self._error: str | None = None

    def start(self) -> None:
        self._phase, self._last, self._error = Phase.RUNNING, self._monotonic(), None

    def beat(self) -> None:
        self._last = self._monotonic()

    def stop(self) -> None:
        if self._phase is not Phase.CRASHED:
            self._phase = Phase.STOPPED

    def crash(self, error: BaseException) -> None:
        self._phase, self._error = Phase.CRASHED, type(error).__name__

    def pulse(self) -> Pulse:
        silent = max(self._monotonic() - self._last, 0.0) if self._phase is Phase.RUNNING else 0.0
        return Pulse(self._phase, silent, self._error)
