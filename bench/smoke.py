"""``python -m bench smoke``: every bench at a tiny size, for CI, in about ten seconds.

Starting ``python -m bot`` costs seconds (imports), so the smoke run starts one bot and one echo bot
side by side and puts every subprocess bench through them: intake, both alert storms (flood limits
switched on for the second), memory and start-up. The statement counts run on a bot built in this
process on SQLite, PostgreSQL and PostgreSQL + Redis (a line says so when a server is unreachable).
``bench.queries --smoke`` and ``bench.reports --smoke`` run after, side by side. The figures mean
nothing at this size and with everything sharing the machine; the exit code says whether every bench
ran: 1 when one broke or a person it drove never got where they should (the bench can no longer read
the bot), never for a missed target.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import math
import subprocess
import sys
import time
import tomllib
import traceback
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING

from bench import IMPORTED_AT, fanout, intake, memory, statements
from bench.backends import LABELS, NAMES, Servers
from bench.bot_process import MANAGER, TOKEN, Observed, ThisProcess
from bench.checkout import BENCH_ROOT, Checkout
from bench.figures import table
from bench.stage import Team, arguments, on_stage, scratch
from bench.storm import ONE_QUESTION, Storm
from tests.e2e.bot_api_server import FakeBotApi

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher

CRM = ONE_QUESTION + "\n[distribution]\nmax_open_deals = 1\n"  # the supervisor hears of the rest
TEAM = Team(managers=(MANAGER, MANAGER + 1))
AFTER_LIMIT_S = 120  # bench.queries and bench.reports, run side by side


class Smoke:
    def __init__(self, checkout: Checkout, servers: Servers, workdir: Path) -> None:
        self.checkout, self.servers, self.workdir = checkout, servers, workdir
        self.questionnaire = checkout.questionnaire(tomllib.loads(CRM))
        self.problems: list[str] = []
        self.started = time.monotonic()

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.problems.append(what)

    async def part(self, name: str, work: Awaitable[None]) -> None:
        try:
            await work
        except Exception as error:
            self.problems.append(f"{name} broke: {error!r}")
            traceback.print_exc()
        print(f"[{name} done at {time.monotonic() - self.started:.1f} s]", flush=True)

    async def run(self) -> None:
        # The bot's interpreter starts while this one imports the bot and aiogram, then counts the
        # statements on bots built here, on the other core, while the bot still starts.
        importing = asyncio.create_task(asyncio.to_thread(_import_the_bot))
        counting = asyncio.create_task(self.part("statements", self.statements(importing)))
        bot_side, echo_side = contextlib.AsyncExitStack(), contextlib.AsyncExitStack()
        try:
            stage = on_stage(self.checkout, self.servers, "sqlite", self.workdir / "bot", crm=CRM, team=TEAM)
            bot_api, bot = await bot_side.enter_async_context(stage)
            await importing
            from bench import echo_bot  # aiogram: imported by now, in the thread

            echo_api = await echo_side.enter_async_context(FakeBotApi())
            dispatcher, echoer = echo_bot.build(echo_api.url, TOKEN)
            polling = asyncio.create_task(dispatcher.start_polling(echoer, handle_signals=False))
            echo_side.push_async_callback(_stop, dispatcher, echoer, polling)
            await echo_api.wait_for_long_poll(timeout=10)
            print(f"[bot and echo bot polling at {time.monotonic() - self.started:.1f} s]", flush=True)
            echo = ThisProcess()
            await asyncio.gather(
                self.part("memory", self.memory(echo_api, echo, bot_api, bot)),
                self.part("intake", self.intake(echo_api, echo, bot_api, bot)),
                self.part("fanout (a)", self.fanout_a(echo_api, bot_api)),
            )
            bot_api.enforce_flood_limits()  # the second storm meets Telegram's limits
            await self.part("fanout (b)", self.fanout_b(bot_api))
            await counting
        finally:
            await asyncio.gather(bot_side.aclose(), echo_side.aclose())

    async def memory(self, echo_api: FakeBotApi, echo: Observed, bot_api: FakeBotApi, bot: Observed) -> None:
        measured = {}
        for name, api, process in (("echo", echo_api, echo), ("bot", bot_api, bot)):
            grew, arrived = await memory.per_person(
                api, self.questionnaire, process, 3, echo=name == "echo", first_id=40_000_001, settle_s=0.1
            )
            measured[name] = memory.Measured(
                [process.ready_after or math.nan], [process.rss()], grew, arrived
            )
            self.check(arrived == 3, f"memory: {3 - arrived} of 3 {name} people did not get there")
        memory.print_table(self.checkout, "sqlite (smoke)", measured["bot"], measured["echo"], 3)

    async def statements(self, importing: Awaitable[None]) -> None:
        await importing
        names = statements.labels(self.checkout.questionnaire())
        starting = asyncio.Lock()  # one migration at a time: Alembic's context is one per process

        async def one(db: str) -> str:
            if reason := await self.servers.missing(db):
                return f"statements on {LABELS[db]} skipped: {reason}"
            samples = await statements.count(
                self.checkout, self.servers, db, 1, self.workdir / f"sql-{db}", smoke=True, starting=starting
            )
            return (
                f"statements on {LABELS[db]}:\n{table(statements.HEADERS, statements.rows(samples, names))}"
            )

        for text in await asyncio.gather(*(one(db) for db in NAMES)):
            print(text, flush=True)

    async def intake(self, echo_api: FakeBotApi, echo: Observed, bot_api: FakeBotApi, bot: Observed) -> None:
        runs = await asyncio.gather(
            *(
                intake.crowd(
                    api,
                    process,
                    self.questionnaire,
                    2,
                    echo=label == "echo",
                    label=label,
                    patience=5,
                    run_limit=8,
                    warmup=False,
                )
                for api, process, label in ((echo_api, echo, "echo"), (bot_api, bot, "sqlite"))
            )
        )
        print("intake (smoke: one question; PostgreSQL and Redis are in the statements part):")
        print(table(intake.HEADERS, [intake.row(runs[0], None), intake.row(runs[1], runs[0])]), flush=True)
        for run in runs:
            self.check(not run.missing and not run.failed, f"intake: {run.label} lost {run.missing} people")

    async def fanout_a(self, echo_api: FakeBotApi, bot_api: FakeBotApi) -> None:
        a = Storm("sqlite", False, 2, TEAM, wait_s=2, pace_s=0.05, first_id=20_000_001)
        a_echo = Storm("echo", True, 2, TEAM, wait_s=2, pace_s=0.05, first_id=20_000_001)
        told, told_echo = await asyncio.gather(
            fanout.supervisor_told(bot_api, self.checkout, a),
            fanout.supervisor_told(echo_api, self.checkout, a_echo),
        )
        print("fanout (a) (smoke: 2 leads, max_open_deals 1, two managers):")
        print(table(fanout.A_HEADERS, [told_echo.row, told.row]))
        # Every lead made, and at least one read back from a message to the team: at this size, with
        # every part sharing the supervisor's chat, a card still queued at the end is no breakage.
        self.check(told.made == 2 and told.untold < 2, f"fanout (a): {told.row}")

    async def fanout_b(self, bot_api: FakeBotApi) -> None:
        b = Storm("sqlite", False, 2, TEAM, wait_s=2, at_once=2, first_id=30_000_001)
        sent = await fanout.notices_sent(bot_api, self.checkout, b)
        print("fanout (b) (smoke: 2 leads, flood limits on):")
        print(table(fanout.B_HEADERS, [sent.row]), flush=True)
        self.check(sent.made == 2 and sent.untold < 2, f"fanout (b): {sent.row}")


async def _stop(dispatcher: Dispatcher, bot: Bot, polling: asyncio.Task[None]) -> None:
    with contextlib.suppress(RuntimeError):
        await dispatcher.stop_polling()
    await polling
    await bot.session.close()


def _import_the_bot() -> None:
    """The in-process parts need ``bot.app`` and aiogram; importing them takes seconds, so it happens
    while the bot's own interpreter starts."""
    import bench.echo_bot  # noqa: F401
    import bot.app  # noqa: F401


def after(pg: str) -> list[str]:
    """Another engineer's ``bench.queries --smoke`` and ``bench.reports --smoke`` (each when that module
    exists here), side by side: each makes its own databases."""
    runs = {
        "bench.queries": ["--smoke"],
        "bench.reports": ["--smoke", "--postgres", pg],
    }
    started, running = time.monotonic(), {}
    for module, options in runs.items():
        if importlib.util.find_spec(module) is None:
            print(f"{module}: not in this checkout, skipped")
            continue
        running[module] = subprocess.Popen([sys.executable, "-m", module, *options], cwd=BENCH_ROOT)
    problems = []
    for module, process in running.items():
        try:
            code = process.wait(timeout=max(AFTER_LIMIT_S - (time.monotonic() - started), 1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            problems.append(f"{module} --smoke took over {AFTER_LIMIT_S} s")
            continue
        print(f"[{module} --smoke: {time.monotonic() - started:.1f} s, exit {code}]")
        if code != 0:
            problems.append(f"{module} --smoke exited {code}")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = arguments("every bench at a tiny size").parse_args(argv)
    checkout = Checkout.at(args.repo)
    checkout.run_in_process("bench", ["smoke", *(sys.argv[2:] if argv is None else argv)])
    started = time.monotonic()
    with scratch() as tmp:
        smoke = Smoke(checkout, Servers(args.pg, args.redis), Path(tmp))
        asyncio.run(smoke.run())
    since_start = time.monotonic() - IMPORTED_AT
    ran = time.monotonic() - started
    print(f"smoke: every bench ran in {ran:.1f} s ({since_start:.1f} s since the bench was imported)")
    problems = smoke.problems + after(args.pg)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0
