"""``python -m bench.memory``: what the bot holds in memory and how long it takes to start, next to the
echo bot: idle RSS, RSS added per prospect in the middle of the questionnaire, and start-up time (the
process spawned → its first getUpdates long poll at the stand-in), a few runs of each.

The first start of the bot is on an empty SQLite database (migrations run); the later ones restart on
it, as a deployed bot restarts. RSS is read with psutil from the process itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import sys
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path

from bench.backends import LABELS, Servers
from bench.bot_process import Observed
from bench.checkout import Checkout, Questionnaire
from bench.crowd import Chats, EchoChatter, Outcome, Prospect, gather_bounded
from bench.figures import median, num, ratio, table
from bench.stage import arguments, backends, on_stage, scratch
from tests.e2e.bot_api_server import FakeBotApi

TARGET_IDLE, TARGET_KB, TARGET_START = 1.2, 25, 1.3
SETTLE_S = 1.5
ANSWERS = 2  # prospects stop after this many answers: in the middle of the questionnaire
MB = 1024 * 1024


async def idle_rss(process: Observed, settle_s: float = SETTLE_S) -> int:
    await asyncio.sleep(settle_s)
    return process.rss()


async def per_person(
    api: FakeBotApi,
    questionnaire: Questionnaire,
    process: Observed,
    people: int,
    *,
    echo: bool,
    first_id: int,
    at_once: int = 200,
    settle_s: float = SETTLE_S,
) -> tuple[float, int]:
    """(bytes of RSS added per person, people who got where they should): each prospect presses /start,
    answers ANSWERS questions (fewer when the questionnaire is shorter, so it stays in the middle) and
    stays put; an echo person sends as many messages."""
    answers = min(ANSWERS, len(questionnaire.kinds) - 1)
    chats = Chats(api, questionnaire.failure)
    before = await idle_rss(process, settle_s)
    runs: list[Awaitable[Outcome]] = []
    for n in range(people):
        if echo:
            runs.append(EchoChatter(api, chats, first_id + n, patience=120).run(answers + 1))
        else:
            runs.append(
                Prospect(api, chats, first_id + n, patience=120).run(questionnaire, stop_after=answers)
            )
    outcomes = await gather_bounded(runs, at_once=at_once)
    chats.stop()
    after = await idle_rss(process, settle_s)
    arrived = sum(len(o.latencies) == answers + 1 for o in outcomes)
    return (after - before) / people, arrived


@dataclass
class Measured:
    ready: list[float] = field(default_factory=list)  # start-up of each start, s
    idle: list[float] = field(default_factory=list)  # idle RSS after each start, bytes
    grew: float = math.nan  # bytes per person
    arrived: int = 0

    @property
    def restarts(self) -> list[float]:
        return self.ready[1:] or self.ready


async def starts_of(
    checkout: Checkout,
    servers: Servers,
    backend: str | None,
    starts: int,
    people: int,
    workdir: Path,
    *,
    at_once: int = 200,
) -> Measured:
    """Start the process ``starts`` times on the same data; the last time, hold ``people`` prospects."""
    measured = Measured()
    async with contextlib.AsyncExitStack() as stack:
        database = None
        if backend is not None:
            database = await stack.enter_async_context(servers.database(backend, workdir))
        for n in range(starts):
            async with on_stage(checkout, servers, backend, workdir, database=database) as (api, process):
                measured.ready.append(process.ready_after or math.nan)
                measured.idle.append(await idle_rss(process))
                if n == starts - 1:
                    measured.grew, measured.arrived = await per_person(
                        api,
                        checkout.questionnaire(),
                        process,
                        people,
                        echo=backend is None,
                        first_id=10_000_001,
                    )
    return measured


def rows(bot: Measured, echo: Measured, people: int) -> list[list[str]]:
    return [
        [
            "idle RSS, MB (median)",
            num(median(bot.idle) / MB),
            num(median(echo.idle) / MB),
            ratio(median(bot.idle), median(echo.idle)),
            f"≤ {TARGET_IDLE}× echo",
        ],
        [
            f"RSS per prospect, KB ({people} people, {ANSWERS} answers each)",
            num(bot.grew / 1024),
            num(echo.grew / 1024),
            ratio(bot.grew, echo.grew),
            f"≤ {TARGET_KB} KB",
        ],
        [
            "start-up, s (median of restarts)",
            num(median(bot.restarts), 2),
            num(median(echo.restarts), 2),
            ratio(median(bot.restarts), median(echo.restarts)),
            f"≤ {TARGET_START}× echo",
        ],
        [
            "first start on an empty database, s",
            num(bot.ready[0], 2),
            num(echo.ready[0], 2),
            ratio(bot.ready[0], echo.ready[0]),
            "",
        ],
    ]


def print_table(checkout: Checkout, label: str, bot: Measured, echo: Measured, people: int) -> None:
    print(
        f"memory: {checkout.root}, bot on {label}, {len(bot.ready)} start(s) each; start-up = spawn → first "
        f"getUpdates long poll; {bot.arrived}/{people} prospects and {echo.arrived}/{people} echo people "
        "got where they should",
        flush=True,
    )
    print(table(("what", "bot", "echo", "bot/echo", "target"), rows(bot, echo, people)))


async def measure(
    checkout: Checkout, servers: Servers, db: str, starts: int, people: int, workdir: Path, at_once: int
) -> None:
    echo = await starts_of(checkout, servers, None, starts, people, workdir / "echo", at_once=at_once)
    bot = await starts_of(checkout, servers, db, starts, people, workdir / "bot", at_once=at_once)
    print_table(checkout, f"{LABELS[db]}, {min(at_once, people)} people at a time", bot, echo, people)


def main(argv: list[str] | None = None) -> int:
    parser = arguments("memory and start-up, bot against echo")
    parser.add_argument(
        "--db", type=backends, default=backends("sqlite"), help="one of sqlite, postgres, redis"
    )
    parser.add_argument("--starts", type=int, default=3, help="starts of each process")
    parser.add_argument("--prospects", type=int, default=1000, help="prospects held mid-questionnaire")
    parser.add_argument("--at-once", type=int, default=200, help="of them, answering at the same time")
    args = parser.parse_args(argv)
    if args.smoke:
        args.starts, args.prospects = 1, 5
    checkout, servers = Checkout.at(args.repo), Servers(args.pg, args.redis)
    db = args.db[0]
    with scratch() as tmp:
        if reason := asyncio.run(servers.missing(db)):
            print(f"{LABELS[db]} skipped: {reason}")
            return 0
        asyncio.run(measure(checkout, servers, db, args.starts, args.prospects, Path(tmp), args.at_once))
    return 0


if __name__ == "__main__":
    sys.exit(main())
