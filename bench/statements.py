"""``python -m bench.statements``: what one update costs the database, by kind of update.

The bot is built in this process with ``bot.app.build_app`` against the stand-in, and SQLAlchemy's
engine events count every SQL statement and transaction (see ``bench/statement_counter.py``). Prospects
go through the questionnaire one at a time; after each update the bench waits until the bot is quiet,
so each count belongs to one update. Work the update set off in the background (the notifier sending
the new lead's card) is counted apart. The echo bot makes no SQL at all; the yardstick here is the
target for an ordinary questionnaire answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.backends import LABELS, Servers
from bench.bot_process import TOKEN
from bench.checkout import Checkout, Questionnaire
from bench.crowd import Chats, Prospect
from bench.figures import num, table
from bench.stage import AROUND_THE_CLOCK, Team, arguments, backends, prepare, scratch
from bench.statement_counter import BACKGROUND, UPDATE, StatementCounter, Tally
from tests.e2e.bot_api_server import FakeBotApi

TARGET_STATEMENTS, TARGET_WRITES = 6, 1
HEADERS = (
    "update",
    "SQL",
    "txns",
    "write",
    "read-only",
    "empty",
    "redis",
    "API calls",
    "staff calls",
    "bg SQL",
    "bg txns",
    "target: ≤6 SQL, ≤1 write",
)


class Sample:
    """What one update cost: its own tally, the background tally, and Bot API calls."""

    def __init__(self, own: Tally, background: Tally, to_prospect: int, to_staff: int) -> None:
        self.own, self.background, self.to_prospect, self.to_staff = own, background, to_prospect, to_staff


def labels(questionnaire: Questionnaire) -> list[str]:
    """The label of each update of a questionnaire, in order (two choice questions share one)."""
    kinds = questionnaire.kinds
    return [
        "/start",
        *(f"{k} answer{', finishes' if i == len(kinds) - 1 else ''}" for i, k in enumerate(kinds)),
    ]


class Meter:
    """Reads the counters after each update of one prospect at a time, once the bot is quiet."""

    def __init__(self, api: FakeBotApi, chats: Chats, counter: StatementCounter, names: list[str]) -> None:
        self.api, self.chats, self.counter, self.names = api, chats, counter, names
        self.samples: dict[str, list[Sample]] = defaultdict(list)
        self.quiet = 0.3
        self._last = (counter.snapshot(), api.mark())

    def follow(self, prospect: Prospect, *, counted: bool) -> None:
        async def read(step: int) -> None:
            await self._read(prospect, step, counted)

        self._last = (self.counter.snapshot(), self.api.mark())
        prospect.after_answer = read

    async def _read(self, prospect: Prospect, step: int, counted: bool) -> None:
        await self.counter.settle(quiet=self.quiet)
        (tallies, mark), now = self._last, (self.counter.snapshot(), self.api.mark())
        calls = [c for c in self.api.calls[mark : now[1]] if c.method != "getUpdates"]
        mine = sum(self.chats.chat_of(c) == prospect.user.chat_id for c in calls)
        if counted:
            own, background = (
                now[0][UPDATE].minus(tallies[UPDATE]),
                now[0][BACKGROUND].minus(tallies[BACKGROUND]),
            )
            self.samples[self.names[step - 1]].append(Sample(own, background, mine, len(calls) - mine))
        self._last = now


async def count(
    checkout: Checkout,
    servers: Servers,
    backend: str,
    people: int,
    workdir: Path,
    *,
    smoke: bool = False,
    starting: asyncio.Lock | None = None,
) -> dict[str, list[Sample]]:
    """Samples by update label; one warm-up prospect goes first and is not counted (none in smoke)."""
    from bench.inprocess_bot import InProcessBot

    questionnaire = checkout.questionnaire()
    crm = prepare(workdir, AROUND_THE_CLOCK)
    async with FakeBotApi() as api, servers.database(backend, workdir) as database:
        env = {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api.url,
            "CRM_CONFIG": str(crm),
            "LOG_LEVEL": "WARNING",
        }
        counters: list[StatementCounter] = []

        def instrument(app: Any) -> None:
            counter = StatementCounter(app.engine)
            counter.watch_updates(app.dispatcher)
            if (client := getattr(app.dispatcher.storage, "redis", None)) is not None:
                counter.watch_redis(client)
            counters.append(counter)

        bot = InProcessBot(api, {**env, **database, **Team().env()})
        async with starting or contextlib.nullcontext():
            await bot.start(before_run=instrument)
        try:
            chats = Chats(api, questionnaire.failure)
            meter = Meter(api, chats, counters[0], labels(questionnaire))
            meter.quiet = 0.05 if smoke else 0.3
            await counters[0].settle(quiet=meter.quiet)
            warmups = 0 if smoke else 1
            for n in range(people + warmups):
                prospect = Prospect(api, chats, 10_000_000 + n, patience=30)
                meter.follow(prospect, counted=n >= warmups)
                outcome = await prospect.run(questionnaire)
                if not outcome.finished:
                    raise RuntimeError(
                        f"prospect {prospect.user.id} did not finish the questionnaire: {outcome}"
                    )
            chats.stop()
        finally:
            await bot.stop()
    return meter.samples


def rows(samples: dict[str, list[Sample]], names: list[str]) -> list[list[str]]:
    unique = list(dict.fromkeys(names))
    out = [_row(name, samples.get(name, [])) for name in unique]
    answers = [s for name in unique[1:] for s in samples.get(name, [])]
    out.append(_row("every answer, on average", answers))
    return out


def _row(name: str, got: list[Sample]) -> list[str]:
    if not got:
        return [name, *["—"] * (len(HEADERS) - 1)]

    def mean(pick: Callable[[Sample], float]) -> float:
        return sum(pick(s) for s in got) / len(got)

    sql, writes = mean(lambda s: s.own.statements), mean(lambda s: s.own.writes)
    ordinary = not name.startswith(("/start", "every")) and "finishes" not in name
    verdict = (
        ("met" if sql <= TARGET_STATEMENTS and writes <= TARGET_WRITES else "missed") if ordinary else ""
    )
    return [
        name,
        num(sql),
        num(mean(lambda s: s.own.transactions)),
        num(writes),
        num(mean(lambda s: s.own.reads)),
        num(mean(lambda s: s.own.empty)),
        num(mean(lambda s: s.own.redis)),
        num(mean(lambda s: s.to_prospect)),
        num(mean(lambda s: s.to_staff)),
        num(mean(lambda s: s.background.statements)),
        num(mean(lambda s: s.background.transactions)),
        verdict,
    ]


async def measure(
    checkout: Checkout, servers: Servers, dbs: list[str], people: int, workdir: Path, *, smoke: bool = False
) -> None:
    names = labels(checkout.questionnaire())
    for db in dbs:
        if reason := await servers.missing(db):
            print(f"{LABELS[db]} skipped: {reason}\n")
            continue
        samples = await count(checkout, servers, db, people, workdir / db, smoke=smoke)
        print(f"{LABELS[db]}: per update, average over {people} prospect(s) after one warm-up")
        print(table(HEADERS, rows(samples, names)))
        print()


def main(argv: list[str] | None = None) -> int:
    parser = arguments("SQL statements and transactions per update")
    parser.add_argument(
        "--db",
        type=backends,
        default=backends("sqlite,postgres,redis"),
        help="comma-separated: sqlite, postgres, redis (= PostgreSQL + Redis)",
    )
    parser.add_argument("--prospects", type=int, default=5, help="prospects counted (after one warm-up)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    checkout = Checkout.at(args.repo)
    checkout.run_in_process("bench.statements", sys.argv[1:] if argv is None else argv)
    people = 1 if args.smoke else args.prospects
    print(
        f"statements: {checkout.root}; SQL = statements sent to the database (transaction control left out);"
        " a write transaction ran INSERT/UPDATE/DELETE; bg = background work the update set off"
        " (notifier, scheduler); API calls = to the prospect, staff calls = to the team",
        flush=True,
    )
    with scratch() as tmp:
        asyncio.run(
            measure(checkout, Servers(args.pg, args.redis), args.db, people, Path(tmp), smoke=args.smoke)
        )
    if (measured := sys.modules.get("bot")) is not None and measured.__file__:
        print(f"(the bot measured was imported from {Path(measured.__file__).parent})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
