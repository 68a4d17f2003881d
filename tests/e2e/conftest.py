"""The real bot, started through the same factory as `python -m bot`, against the local Bot API stand-in."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.app import App, build_app
from bot.outbox_pacing import OutboxPacer
from bot.settings import Settings
from domain.crm_config import CrmConfig

from .bot_api_server import FakeBotApi

TOKEN = "123456:TEST-token"
CLOCK_START = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
MANAGER, MANAGER_2, SUPERVISOR = 1001, 1002, 2001


class FixedClock:
    """The bot's clock in a test: it moves only when the test moves it (`at += ...`)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


class RunningBot:
    """Starts, stops and restarts the bot; the database (and so every lead and state) stays. With a
    `clock`, the bot reads the time from it (a test moves it to make deadlines fall due)."""

    def __init__(
        self, api: FakeBotApi, settings: Settings, config: CrmConfig, *, clock: FixedClock | None = None
    ) -> None:
        self.api, self.settings, self.config, self.clock = api, settings, config, clock
        self.app: App | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> App:
        # Telegram's real per-chat pace for notices (1/s) would make each scripted story crawl; the
        # pacer itself is the same class, only faster.
        self.app = build_app(
            self.settings, self.config, clock=self.clock, pacer=OutboxPacer(private_per_second=50)
        )
        self._task = asyncio.create_task(self.app.run(handle_signals=False, polling_timeout=1))
        await self.api.wait_for_long_poll(timeout=15)
        return self.app

    async def stop(self) -> None:
        if self.app is None or self._task is None:
            return
        self.app.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self._task, timeout=15)
        self.app, self._task = None, None

    async def restart(self) -> App:
        await self.stop()
        return await self.start()

    async def eventually(self, sql: str, expected: Any, *, timeout: float = 5.0, **params: Any) -> Any:  # noqa: ASYNC109
        """Wait until a query gives `expected` (the bot writes it after the Telegram call a test sees);
        polling the database, not timing anything. Fails the test when it never does."""
        value = None
        for _ in range(int(timeout / 0.05)):
            if (value := await self.scalar(sql, **params)) == expected:
                return value
            await asyncio.sleep(0.05)
        raise AssertionError(f"{sql!r} gave {value!r}, not {expected!r}, within {timeout}s")

    async def scalar(self, sql: str, **params: Any) -> Any:
        """Read the bot's database directly, for checks a person cannot see."""
        from storage.engine import create_engine

        engine = create_engine(self.settings.database_url)
        try:
            async with engine.connect() as connection:
                return (await connection.execute(text(sql), params)).scalar()
        finally:
            await engine.dispose()


def around_the_clock(config: CrmConfig) -> CrmConfig:
    """The config with every minute working time, so deadlines do not depend on when tests run."""
    return config.model_copy(
        update={"business_hours": config.business_hours.model_copy(update={"always": True})}
    )


def sent_since(api: FakeBotApi, since: int, chat_id: int | None = None) -> list[tuple[int, str]]:
    """(chat, text) of every message the bot delivered after call #since, oldest first."""
    return [
        (call.params["chat_id"], (call.message or {}).get("text", ""))
        for call in api.calls[since:]
        if call.method == "sendMessage"
        and not call.failed
        and (chat_id is None or call.params.get("chat_id") == chat_id)
    ]


def count(api: FakeBotApi, since: int, chat_id: int, words: str) -> int:
    return sum(words in text for _, text in sent_since(api, since, chat_id))


def make_settings(api: FakeBotApi, database: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "telegram_api_url": api.url,
        "database_url": f"sqlite+aiosqlite:///{database}",
        "manager_ids": [MANAGER],
        "supervisor_ids": [SUPERVISOR],
        "default_locale": "ru",
        **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
def bot_settings(api: FakeBotApi, tmp_path: Path) -> Settings:
    return make_settings(api, tmp_path / "voronka.db")


@pytest.fixture
def clock() -> FixedClock:
    """The bot's time in tests that make deadlines fall due: Wednesday 25.11.2026, 11:00 in Moscow."""
    return FixedClock(CLOCK_START)


@pytest.fixture
async def bot(
    api: FakeBotApi, bot_settings: Settings, crm_config: CrmConfig, clock: FixedClock
) -> AsyncIterator[RunningBot]:
    """The bot on `clock`, with the shipped config made 24/7."""
    running = RunningBot(api, bot_settings, around_the_clock(crm_config), clock=clock)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def running(
    api: FakeBotApi, bot_settings: Settings, crm_config: CrmConfig
) -> AsyncIterator[RunningBot]:
    """The bot with the shipped config made 24/7, so promises do not depend on the hour the tests run."""
    config = crm_config.model_copy(
        update={"business_hours": crm_config.business_hours.model_copy(update={"always": True})}
    )
    bot = RunningBot(api, bot_settings, config)
    await bot.start()
    yield bot
    await bot.stop()


@pytest.fixture
async def any_db_bot(
    api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig, database_url: str
) -> AsyncIterator[RunningBot]:
    settings = make_settings(api, tmp_path / "unused.db", database_url=database_url)
    running = RunningBot(api, settings, around_the_clock(crm_config))
    await running.start()
    yield running
    await running.stop()
