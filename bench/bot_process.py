"""A bot under test as its own process: ``python -m bot`` of a checkout, or the echo bot, started against
the stand-in and stopped with SIGINT as a person would, its output kept in a log file for when it fails.
The interpreter is started directly (no shell, no wrapper), so memory and CPU are read off the bot itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import time
from pathlib import Path
from typing import Protocol

import psutil

from bench.checkout import BENCH_ROOT, Checkout
from tests.e2e.bot_api_server import FakeBotApi

TOKEN = "123456:BENCH-token"
MANAGER, SUPERVISOR = 1001, 2001
STOP_GRACE_S = 25
# Settings a bench must not inherit from the shell that runs it.
_OWN = ("_IDS", "_URL", "TOKEN", "CRM_CONFIG", "LOG_LEVEL", "SCHEDULER_TICK", "DEFAULT_LOCALE")


class Observed(Protocol):
    """What the benches read off a running bot."""

    ready_after: float | None

    def rss(self) -> int: ...

    def cpu_seconds(self) -> float: ...


class ThisProcess:
    """The bench's own process, measured like a bot for what runs inside it (the smoke run's echo bot)."""

    ready_after: float | None = None

    def rss(self) -> int:
        return int(psutil.Process().memory_info().rss)

    def cpu_seconds(self) -> float:
        return time.process_time()


class BotProcess:
    def __init__(self, process: asyncio.subprocess.Process, log: Path, started: float) -> None:
        self.process, self.log, self.started = process, log, started
        self.ready_after: float | None = None  # seconds from spawn to its first long poll
        self._target: psutil.Process | None = None

    @classmethod
    async def start(
        cls,
        api: FakeBotApi,
        checkout: Checkout,
        workdir: Path,
        *,
        echo: bool = False,
        env: dict[str, str] | None = None,
        ready_timeout: float = 90,
    ) -> BotProcess:
        """Spawn the bot (or the echo bot) and wait for its first getUpdates."""
        command = (
            [checkout.python, str(BENCH_ROOT / "bench" / "echo_bot.py")]
            if echo
            else [checkout.python, "-m", "bot"]
        )
        clean = {k: v for k, v in os.environ.items() if not k.endswith(_OWN)}
        full_env = {
            **clean,
            "PYTHONPATH": str(checkout.root),
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api.url,
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        log = workdir / ("echo.log" if echo else "bot.log")
        started = time.monotonic()
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                *command, cwd=workdir, env=full_env, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out
            )
        bot = cls(process, log, started)
        try:
            # A getUpdates is recorded when it returns, a long poll later; its start is what counts.
            await api.wait_for_long_poll(timeout=ready_timeout)
        except AssertionError:
            await bot.stop()
            raise RuntimeError(f"{' '.join(command[-3:])} did not start polling:\n{bot.log_tail()}") from None
        bot.ready_after = time.monotonic() - started
        return bot

    @property
    def target(self) -> psutil.Process:
        if self._target is None:
            self._target = psutil.Process(self.process.pid)
        return self._target

    def rss(self) -> int:
        return int(self.target.memory_info().rss)

    def cpu_seconds(self) -> float:
        times = self.target.cpu_times()
        return float(times.user + times.system)

    async def stop(self) -> int | None:
        """SIGINT, then wait (the bot lets running handlers finish); killed if it hangs."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError, psutil.Error):
                self.target.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=STOP_GRACE_S)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError, psutil.Error):
                    self.target.kill()
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                await self.process.wait()
        return self.process.returncode

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def error_seen(self) -> str | None:
        """The exception line of the first traceback in its log, to say what went wrong."""
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return None
        found = (line for line in lines if re.match(r"^[\w.]+(Error|Exception|Exit)\b.*", line))
        return next(found, None)

    def errors_logged(self) -> int:
        """Lines at ERROR level in its log (a failed update logs one)."""
        try:
            return sum(" ERROR " in line for line in self.log.read_text(errors="replace").splitlines())
        except OSError:
            return 0
