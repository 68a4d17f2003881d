"""How long the bot's busiest reads take at scale, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.queries               # 100,000 deals and 1,000,000 timers (a few minutes)
    .venv/bin/python -m bench.queries --smoke       # small data: proves it still runs (CI)
    .venv/bin/python -m bench.queries --postgres postgresql+asyncpg://user@host/db

Each database is made fresh (SQLite in a temporary file; PostgreSQL as a new database next to the one
TEST_DATABASE_URL or --postgres names, dropped afterwards), migrated, filled by `bench/queries_seed.py`,
then every read is run through the code the bot runs (use cases through `SqlUnitOfWork`, the
scheduler's `TimerQueue`, the handlers' screens), several times; the table shows the median in
milliseconds beside the target. A page further down a list is reached as a person reaches it, by
pressing the page buttons, and then timed.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench.figures import against_targets
from bot.crm_config_file import load_crm_config
from domain.crm_config import CrmConfig
from domain.deal_lists import find_deals, my_deals, unsorted_queue
from domain.digest import send_digest
from domain.history_pages import history_window
from domain.models import Timer
from handlers.common.callbacks import DealAction, DealList, cursor_of
from handlers.common.i18n import Texts, Translator
from handlers.desk.lists import deals_screen, unsorted_screen
from handlers.desk.views.history import history_cursor_of, history_page
from storage.engine import create_engine, session_factory
from storage.migrator import upgrade_async
from storage.timer_repository import TimerQueue
from storage.unit_of_work import SqlUnitOfWork

# bench/ has no __init__.py (it is not a package of the app), so `mypy .` would meet the seed module under
# two names ("queries_seed" and "bench.queries_seed") if it were imported by name here.
seed = importlib.import_module("bench.queries_seed")
NOW, SUPERVISOR = seed.NOW, seed.SUPERVISOR
MakeUow = Callable[[], SqlUnitOfWork]
Facts = Any  # bench.queries_seed.Facts


# --- Reading a page as a person does. What differs between revisions of the code is here alone. ---------


@dataclass(frozen=True)
class Ctx:
    make_uow: MakeUow
    config: CrmConfig
    t: Texts


async def list_screen(ctx: Ctx, kind: str, staff_id: int, place: Any) -> tuple[str, Any]:
    """The screen of /deals ("mine") or /unsorted at `place` (None: the first page)."""
    async with ctx.make_uow() as uow:
        staff = await uow.staff.get(staff_id)
    async with ctx.make_uow() as uow:
        if kind == "mine":
            listing = await my_deals(uow, staff=staff, config=ctx.config, now=NOW, cursor=place)
            return deals_screen(listing, config=ctx.config, t=ctx.t)
        queue = await unsorted_queue(uow, staff=staff, config=ctx.config, cursor=place)
        return unsorted_screen(queue, config=ctx.config, t=ctx.t)


async def list_place(ctx: Ctx, kind: str, staff_id: int, page: int) -> Any:
    """Where page `page` (1-based) is: reached by pressing "next" on each page before it."""
    place = None
    for _ in range(page - 1):
        _, markup = await list_screen(ctx, kind, staff_id, place)
        data = [
            b.callback_data
            for row in markup.inline_keyboard
            for b in row
            if b.callback_data.startswith("dl:")
        ]
        place = cursor_of(DealList.unpack(data[-1]).cursor)
    return place


async def history_screen(ctx: Ctx, deal_id: int, place: Any) -> tuple[str, Any]:
    async with ctx.make_uow() as uow:
        window = await history_window(uow, deal_id, cursor=place)
    return history_page(window, ctx.config, ctx.t, deal_id=deal_id, pipeline="sales")


async def history_place(ctx: Ctx, deal_id: int, back: int) -> Any:
    """Where the page `back` pages before the last one is: reached by pressing "earlier"."""
    place = None
    for _ in range(back):
        _, markup = await history_screen(ctx, deal_id, place)
        arg = DealAction.unpack(markup.inline_keyboard[0][0].callback_data).arg
        place = history_cursor_of(arg)
    return place


# --- The measurements ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    label: str
    target_ms: float
    run: Callable[[], Awaitable[object]]


async def cases(ctx: Ctx, queue: TimerQueue, facts: Facts) -> list[Case]:
    due = await queue.due(now=NOW, limit=1)
    manager = facts.busiest_manager

    async def claim() -> object:
        async with ctx.make_uow() as uow:  # rolled back: the same timer is claimed on every run
            return await uow.timers.claim(due[0], now=NOW, late_before=NOW)

    async def find(query: str) -> object:
        async with ctx.make_uow() as uow:
            staff = await uow.staff.get(SUPERVISOR)
        async with ctx.make_uow() as uow:
            return await find_deals(uow, staff=staff, config=ctx.config, query=query)

    async def digest() -> object:
        timer = Timer("digest", 0, NOW, payload={"since": (NOW - timedelta(days=1)).isoformat()})
        async with ctx.make_uow() as uow:  # rolled back: nothing is sent or planned
            return await send_digest(uow, ctx.config, timer, now=NOW, late=False)

    def page(kind: str, staff_id: int, place: Any) -> Callable[[], Awaitable[object]]:
        return lambda: list_screen(ctx, kind, staff_id, place)

    far, near = facts.later_pages
    later_all = await list_place(ctx, "mine", SUPERVISOR, far)
    later_own = await list_place(ctx, "mine", manager, near)
    later_queue = await list_place(ctx, "unsorted", SUPERVISOR, near)
    history = await history_place(ctx, facts.long_history_deal, near)
    return [
        Case("timers: due to fire (TimerQueue.due, 50)", 5, lambda: queue.due(now=NOW, limit=50)),
        Case("timers: claim one (TimerRepository.claim)", 5, claim),
        Case("timers: next_due_at", 5, queue.next_due_at),
        Case("/deals page 1, supervisor (every deal)", 50, page("mine", SUPERVISOR, None)),
        Case(f"/deals page {far}, supervisor", 50, page("mine", SUPERVISOR, later_all)),
        Case("/deals page 1, manager (own deals)", 50, page("mine", manager, None)),
        Case(f"/deals page {near}, manager", 50, page("mine", manager, later_own)),
        Case("/unsorted page 1", 50, page("unsorted", SUPERVISOR, None)),
        Case(f"/unsorted page {near}", 50, page("unsorted", SUPERVISOR, later_queue)),
        Case(
            f"history: {near} pages back of {seed.LONG_HISTORY} entries",
            50,
            lambda: history_screen(ctx, facts.long_history_deal, history),
        ),
        Case(f"/find by name «{facts.name_query}»", 50, lambda: find(facts.name_query)),
        Case("/find by phone", 50, lambda: find(facts.phone)),
        Case("/find by deal number", 50, lambda: find(f"№{facts.deal_number}")),
        Case("digest (send_digest)", 200, digest),
    ]


async def measure(url: str, facts: Facts, *, runs: int) -> dict[str, tuple[float, float]]:
    """{label: (median ms, target ms)} for every case on the database at `url`."""
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        ctx = Ctx(lambda: SqlUnitOfWork(sessions), load_crm_config(), Translator().bind("ru"))
        results = {}
        for case in await cases(ctx, TimerQueue(sessions), facts):
            await case.run()  # warm: caches, prepared statements
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                await case.run()
                times.append((time.perf_counter() - started) * 1000)
            results[case.label] = (statistics.median(times), case.target_ms)
        return results
    finally:
        await engine.dispose()


async def on_sqlite(size: Any, runs: int) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory(prefix="voronka-bench-") as folder:
        path = Path(folder) / "bench.db"
        url = f"sqlite+aiosqlite:///{path}"
        await upgrade_async(url)
        started = time.perf_counter()
        facts = await asyncio.to_thread(seed.load_sqlite, str(path), size)
        print(f"SQLite: seeded in {time.perf_counter() - started:.0f} s ({path})", flush=True)
        return await measure(url, facts, runs=runs)


async def on_postgres(admin_url: str, size: Any, runs: int) -> dict[str, tuple[float, float]]:
    import asyncpg

    admin = make_url(admin_url)
    name = f"voronka_bench_{uuid.uuid4().hex[:10]}"
    server = dict(host=admin.host, port=admin.port or 5432, user=admin.username, password=admin.password)
    connection = await asyncpg.connect(database=admin.database, **server)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    url = admin.set(database=name).render_as_string(hide_password=False)
    try:
        await upgrade_async(url)
        started = time.perf_counter()
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        facts = await seed.load_postgres(dsn, size)
        print(f"PostgreSQL: seeded in {time.perf_counter() - started:.0f} s (database {name})", flush=True)
        return await measure(url, facts, runs=runs)
    finally:
        connection = await asyncpg.connect(database=admin.database, **server)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.queries", description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="small data, a few runs: proves the bench runs")
    parser.add_argument("--postgres", help="a PostgreSQL URL to make the bench database next to")
    parser.add_argument("--runs", type=int, help="timed runs per query (median shown)")
    args = parser.parse_args(argv)
    size, runs = (seed.SMOKE, args.runs or 3) if args.smoke else (seed.FULL, args.runs or 7)
    print(f"{size.deals:,} deals, {size.timers:,} timers ({size.due_timers:,} due); median of {runs} runs")
    sqlite = await on_sqlite(size, runs)
    postgres = None
    admin_url = args.postgres or os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        print("PostgreSQL: not measured — no server given (set TEST_DATABASE_URL or pass --postgres URL)")
    else:
        try:
            postgres = await on_postgres(admin_url, size, runs)
        except OSError as error:
            host = make_url(admin_url).host
            print(f"PostgreSQL: not measured — no server could be reached at {host} ({error})")
    print()
    print(against_targets("query", sqlite, postgres, digits=1))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
