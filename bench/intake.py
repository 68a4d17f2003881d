"""``python -m bench.intake``: how fast prospects get through the questionnaire when many answer at once.

Each prospect presses /start and answers every question as soon as it arrives; latency is from an
answer injected into the stand-in to the next question (or the confirmation) reaching it. The bot runs
as ``python -m bot`` in a subprocess on SQLite, PostgreSQL and PostgreSQL + Redis; the echo bot runs the
same number of people through the same stand-in, each sending as many messages as a prospect sends
updates. Throughput counts the updates answered per second of the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from pathlib import Path

from bench.backends import LABELS, Servers
from bench.bot_process import Observed
from bench.checkout import Checkout, Questionnaire
from bench.crowd import Chats, EchoChatter, Outcome, Prospect, Talker
from bench.figures import RunFigures, ms, num, ratio, table
from bench.profiling import print_profile, sampling
from bench.stage import arguments, backends, numbers, on_stage, scratch
from tests.e2e.bot_api_server import FakeBotApi

PROFILES = Path(tempfile.gettempdir())
HEADERS = (
    "run",
    "people",
    "updates",
    "upd/s",
    "×echo",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "p50 ×echo",
    "CPU ms/upd",
    "×echo",
    "calls/upd",
    "msgs/s",
    "failed",
    "missing",
    "bench CPU",
)


async def crowd(
    api: FakeBotApi,
    process: Observed,
    questionnaire: Questionnaire,
    people: int,
    *,
    echo: bool,
    label: str,
    patience: float,
    run_limit: float,
    warmup: bool = True,
) -> RunFigures:
    """``people`` at once against the running bot; everyone starts at the same moment, after one person
    went through alone to warm the process up (first-use imports and caches are start-up, not load)."""
    chats = Chats(api, questionnaire.failure)
    if warmup:
        first = (EchoChatter if echo else Prospect)(api, chats, 10_000_000, patience=patience)
        await _talk(first, questionnaire, len(questionnaire.kinds) + 1)
    ids = {10_000_001 + n for n in range(people)}
    steps = len(questionnaire.kinds) + 1
    talkers = [(EchoChatter if echo else Prospect)(api, chats, i, patience=patience) for i in sorted(ids)]
    mark, cpu, own = api.mark(), process.cpu_seconds(), time.process_time()
    start = time.monotonic()
    tasks = [asyncio.create_task(_talk(t, questionnaire, steps)) for t in talkers]
    _, late = await asyncio.wait(tasks, timeout=run_limit)
    for task in late:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    cpu, own, wall = process.cpu_seconds() - cpu, time.process_time() - own, time.monotonic() - start
    chats.stop()
    theirs = [c for c in api.calls[mark:] if c.method != "getUpdates" and chats.chat_of(c) in ids]
    return RunFigures(
        label=label,
        people=people,
        updates=sum(len(t.outcome.latencies) for t in talkers),
        seconds=(max(c.at for c in theirs) - start) if theirs else wall,
        latencies=[x for t in talkers for x in t.outcome.latencies],
        cpu_seconds=cpu,
        calls=len(theirs),
        messages=sum(c.method.startswith(("send", "edit")) and not c.failed for c in theirs),
        failed=sum(t.outcome.failed for t in talkers),
        missing=sum(not t.outcome.finished for t in talkers),
        bench_busy=own / wall,
    )


async def _talk(talker: Talker, questionnaire: Questionnaire, steps: int) -> Outcome:
    if isinstance(talker, Prospect):
        return await talker.run(questionnaire)
    assert isinstance(talker, EchoChatter)
    return await talker.run(steps)


def row(run: RunFigures, echo: RunFigures | None) -> list[str]:
    return [
        run.label,
        str(run.people),
        str(run.updates),
        num(run.rate),
        ratio(run.rate, echo.rate if echo else None),
        ms(run.p(0.5)),
        ms(run.p(0.95)),
        ms(run.p(0.99)),
        ratio(run.p(0.5), echo.p(0.5) if echo else None),
        num(run.cpu_per_update and run.cpu_per_update * 1000, 2),
        ratio(run.cpu_per_update, echo.cpu_per_update if echo else None),
        num(run.calls_per_update, 2),
        num(run.messages_per_second),
        str(run.failed),
        str(run.missing),
        f"{run.bench_busy:.0%}" if run.bench_busy is not None else "—",
    ]


async def measure(
    checkout: Checkout,
    servers: Servers,
    dbs: list[str],
    levels: list[int],
    *,
    patience: float,
    run_limit: float,
    profile: bool,
    workdir: Path,
) -> list[list[str]]:
    questionnaire = checkout.questionnaire()
    rows: list[list[str]] = []
    notes: list[str] = []

    async def run(db: str | None, people: int) -> RunFigures:
        label = LABELS[db] if db else "echo"
        async with on_stage(checkout, servers, db, workdir / f"{label}-{people}") as (api, process):
            spy = PROFILES / f"intake-{label}-{people}.txt"
            sampled = (
                sampling(process.target.pid, spy) if profile and db == "sqlite" else contextlib.nullcontext()
            )
            async with sampled as sampling_now:
                figures = await crowd(api, process, questionnaire, people, echo=db is None, label=label,
                                      patience=patience, run_limit=run_limit)  # fmt: skip
            if errors := process.errors_logged():
                notes.append(
                    f"{label} at {people}: {errors} ERROR lines in its log, first: {process.error_seen()}"
                )
        if sampling_now:
            title = f"py-spy of the bot during the run, {label}, {people} prospects ({spy})"
            print_profile(spy, title=title, roots=(str(checkout.root),))
        return figures

    for people in levels:
        echo = await run(None, people)
        rows.append(row(echo, None))
        for db in dbs:
            if reason := await servers.missing(db):
                notes.append(f"{LABELS[db]} skipped: {reason}")
                continue
            rows.append(row(await run(db, people), echo))
        print(table(HEADERS, rows[-(1 + len(dbs)) :]), flush=True)
        print(flush=True)
    for note in dict.fromkeys(notes):
        print(note)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__doc__.splitlines()[0] if __doc__ else "intake")
    parser.add_argument(
        "--db",
        type=backends,
        default=backends("sqlite,postgres,redis"),
        help="comma-separated: sqlite, postgres, redis (= PostgreSQL + Redis)",
    )
    parser.add_argument(
        "--concurrency",
        type=numbers,
        default=[5, 100, 200, 300],
        help="comma-separated numbers of prospects at once",
    )
    parser.add_argument("--patience", type=float, default=120, help="seconds a prospect waits for one answer")
    parser.add_argument("--run-limit", type=float, default=600, help="seconds one run may take at most")
    parser.add_argument("--profile", action="store_true", help="sample the SQLite runs with py-spy")
    args = parser.parse_args(argv)
    if args.smoke:
        args.concurrency, args.patience, args.run_limit = [2], 10, 15
    checkout = Checkout.at(args.repo)
    questionnaire = checkout.questionnaire()
    print(
        f"intake: {checkout.root} ({len(questionnaire.kinds)} questions: {', '.join(questionnaire.kinds)});"
        " /start + every answer, all prospects at once; latency = update injected -> next question or"
        " confirmation at the stand-in; calls/upd = Bot API calls to the prospects per update, msgs/s = of"
        " them, sends and edits per second",
        flush=True,
    )
    with scratch() as tmp:
        rows = asyncio.run(
            measure(
                checkout,
                Servers(args.pg, args.redis),
                args.db,
                args.concurrency,
                patience=args.patience,
                run_limit=args.run_limit,
                profile=args.profile,
                workdir=Path(tmp),
            )
        )
    print("all runs:")
    print(table(HEADERS, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
