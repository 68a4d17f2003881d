"""Putting a bot on stage for one measured run: a fresh stand-in, a fresh database, the process started,
and everything stopped and dropped afterwards. Also the command-line options every bench shares."""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.backends import DEFAULT_PG, DEFAULT_REDIS, NAMES, Servers
from bench.bot_process import MANAGER, SUPERVISOR, BotProcess
from bench.checkout import Checkout
from tests.e2e.bot_api_server import FakeBotApi

AROUND_THE_CLOCK = "[business_hours]\nalways = true\n"


@dataclass(frozen=True)
class Team:
    managers: tuple[int, ...] = (MANAGER,)
    supervisors: tuple[int, ...] = (SUPERVISOR,)

    @property
    def staff_ids(self) -> frozenset[int]:
        return frozenset(self.managers) | frozenset(self.supervisors)

    def env(self) -> dict[str, str]:
        return {
            "MANAGER_IDS": ",".join(map(str, self.managers)),
            "SUPERVISOR_IDS": ",".join(map(str, self.supervisors)),
        }


@asynccontextmanager
async def on_stage(
    checkout: Checkout,
    servers: Servers,
    backend: str | None,
    workdir: Path,
    *,
    crm: str = AROUND_THE_CLOCK,
    team: Team = Team(),
    flood_limits: bool = False,
    bulk_chats: Collection[int] | None = None,
    env: dict[str, str] | None = None,
    database: dict[str, str] | None = None,
) -> AsyncIterator[tuple[FakeBotApi, BotProcess]]:
    """The bot on ``backend`` (None: the echo bot) polling a stand-in of its own, on a fresh database
    (or on ``database``, env vars from ``Servers.database``, to restart on the same data)."""
    prepare(workdir)
    async with FakeBotApi() as api:
        if flood_limits:
            api.enforce_flood_limits(bulk_chats=bulk_chats)
        if backend is None:
            process = await BotProcess.start(api, checkout, workdir, echo=True)
            try:
                yield api, process
            finally:
                await process.stop()
            return
        async with contextlib.AsyncExitStack() as stack:
            if database is None:
                database = await stack.enter_async_context(servers.database(backend, workdir))
            settings = {**database, **team.env(), "CRM_CONFIG": str(prepare(workdir, crm)), **(env or {})}
            process = await BotProcess.start(api, checkout, workdir, env=settings)
            try:
                yield api, process
            finally:
                await process.stop()


def prepare(workdir: Path, crm: str | None = None) -> Path:
    """The run's directory, with the CRM config file the bot is given (its path is returned)."""
    workdir.mkdir(parents=True, exist_ok=True)
    if crm is not None:
        (workdir / "crm.toml").write_text(crm, encoding="utf-8")
    return workdir / "crm.toml"


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--repo", help="checkout whose `python -m bot` (and .venv) to measure; default: this one"
    )
    parser.add_argument(
        "--pg", default=DEFAULT_PG, help="PostgreSQL admin URL (bench databases go beside it)"
    )
    parser.add_argument("--redis", default=DEFAULT_REDIS, help="Redis URL of a database the bench may flush")
    parser.add_argument("--smoke", action="store_true", help="a tiny run that checks the bench itself works")
    return parser


def backends(text: str) -> list[str]:
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in NAMES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown --db {', '.join(unknown)} (choose from {', '.join(NAMES)})"
        )
    return chosen


def numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def scratch() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="voronka-bench-")
