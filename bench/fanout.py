"""``python -m bench.fanout``: alert storms, where many new leads must reach the team at once.

(a) 200 leads in about a minute, one manager and one supervisor: with ``distribution.max_open_deals``
30 the manager gets 30 and the rest wait unsorted, and the supervisor must be told of each (a card, or
a merged "N new leads are waiting: #101–#112" message). Measured: seconds after the last lead until the
supervisor has been told of every lead meant for them (every lead's number in some message to them).
(b) 600 leads to 40 managers with the stand-in enforcing Telegram's flood limits: the notices' send
rate and the 429s the bot ran into.

Leads are made through the running bot (see ``bench/storm.py``). The echo bot gets the same
messages at the same pace, as the yardstick of the stand-in and the pacing (it tells no one, so its rows
show how fast the messages themselves were answered).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bench.backends import LABELS, Servers, label
from bench.bot_process import MANAGER
from bench.checkout import Checkout
from bench.figures import num, table
from bench.stage import Team, arguments, backends, on_stage, scratch
from bench.storm import ONE_QUESTION, Storm, make_wave
from tests.e2e.bot_api_server import FakeBotApi

TARGET_AFTER_LAST_S = 10
HOW = "leads made by prospects through the bot: /start + one typed answer (CRM_CONFIG with one text question)"


@dataclass(frozen=True)
class Result:
    row: list[str]
    made: int  # leads made (echo: people answered to the end)
    untold: int  # leads nobody on the team heard of by the end of the wait


async def supervisor_told(api: FakeBotApi, checkout: Checkout, storm: Storm) -> Result:
    """(a): how long until the supervisor was told of every lead meant for them."""
    supervisor_id = storm.team.supervisors[0]
    wave = await make_wave(api, checkout, storm, {*storm.team.managers, supervisor_id})
    made, numbers, start, last_lead, told = wave.made, wave.numbers, wave.started, wave.last_lead, wave.told
    if storm.echo:
        return Result([storm.label, str(made), num(last_lead - start), *["—"] * 6], made, 0)
    manager = {n for m in storm.team.managers for n in told.to(m, numbers)}  # any manager's
    supervisor = told.to(supervisor_id, numbers)
    untold = numbers - manager - set(supervisor)
    last_told = max(supervisor.values()) if supervisor else None
    after_last = None if last_told is None or untold else max(0.0, last_told - last_lead)
    verdict = "met" if after_last is not None and after_last <= TARGET_AFTER_LAST_S else "missed"
    row = [
        storm.label,
        str(made),
        num(last_lead - start),
        str(len(manager)),
        str(len(supervisor)),
        str(len(untold)),
        num(after_last) if after_last is not None else f"> {storm.wait_s:.0f}" if untold else "—",
        num(last_told - start) if last_told is not None else "—",
        verdict if supervisor or untold else "—",
    ]
    return Result(row, made, len(untold))


async def notices_sent(api: FakeBotApi, checkout: Checkout, storm: Storm) -> Result:
    """(b): how fast the team's notices went out, and how often Telegram's limits answered 429."""
    staff = set(storm.team.managers) | set(storm.team.supervisors)
    mark = api.mark()
    wave = await make_wave(api, checkout, storm, staff)
    made, numbers, start, last_lead, told = wave.made, wave.numbers, wave.started, wave.last_lead, wave.told
    calls = api.calls[mark:]
    notices = [
        c.at for c in calls if not c.failed and c.method == "sendMessage" and c.params.get("chat_id") in staff
    ]
    refused = [c for c in calls if c.failed and (c.error or "").startswith("Too Many Requests")]
    to_staff = sum(c.params.get("chat_id") in staff for c in refused)
    sends = sorted(c.at for c in calls if not c.failed and c.method.startswith("send"))
    peak = max((_in_window(sends, i) for i in range(len(sends))), default=0)
    span = (max(notices) - min(notices)) if len(notices) > 1 else None
    untold = len(told.untold(numbers)) if not storm.echo else 0
    row = [
        storm.label,
        str(made),
        num(made / (last_lead - start)) if made else "—",
        str(len(notices)),
        num(len(notices) / span) if span else "—",
        str(to_staff),
        str(len(refused) - to_staff),
        str(peak),
        str(untold),
        num(max(0.0, max(notices) - last_lead)) if notices else "—",
    ]
    return Result(row, made, untold)


A_HEADERS = (
    "run",
    "leads",
    "made in s",
    "to managers",
    "to supervisor",
    "untold",
    "supervisor told of all, s after last lead",
    "…after first lead",
    "target",
)
B_HEADERS = (
    "run",
    "leads",
    "leads/s",
    "notices",
    "notices/s",
    "429 to staff",
    "429 to prospects",
    "peak sends/s",
    "untold",
    "last notice after last lead, s",
)


def _in_window(times: list[float], i: int) -> int:
    """Sends in the one-second window that starts at send ``i``."""
    j = i
    while j < len(times) and times[j] < times[i] + 1.0:
        j += 1
    return j - i


def main(argv: list[str] | None = None) -> int:
    parser = arguments("alert storms: leads reaching the team")
    parser.add_argument("--db", type=backends, default=backends("sqlite"), help="sqlite, postgres, redis")
    parser.add_argument("--leads", type=int, default=200, help="(a) leads")
    parser.add_argument("--over", type=float, default=60, help="(a) seconds over which they come")
    parser.add_argument("--many-leads", type=int, default=600, help="(b) leads")
    parser.add_argument("--managers", type=int, default=40, help="(b) managers")
    parser.add_argument("--at-once", type=int, default=100, help="(b) prospects answering at once")
    parser.add_argument("--wait", type=float, default=300, help="seconds to wait for the last notice")
    parser.add_argument("--max-open-deals", type=int, help="(a) distribution.max_open_deals (default: 30)")
    parser.add_argument("--only", choices=("a", "b"), help="run one of the two")
    args = parser.parse_args(argv)
    if args.smoke:
        args.leads, args.over, args.many_leads, args.managers, args.at_once, args.wait = 3, 0.3, 4, 2, 4, 3
        args.max_open_deals = 1
    checkout, servers = Checkout.at(args.repo), Servers(args.pg, args.redis)
    with scratch() as tmp:
        asyncio.run(_run(args, checkout, servers, Path(tmp)))
    return 0


async def _run(args: argparse.Namespace, checkout: Checkout, servers: Servers, tmp: Path) -> None:
    runs: list[str | None] = [None, *args.db]
    if args.only != "b":
        print(
            f"fanout (a): {args.leads} leads over {args.over:.0f} s, 1 manager + 1 supervisor, "
            f"max_open_deals {args.max_open_deals or 30}; {HOW}; told = the lead's number in a message to "
            f"them; target ≤ {TARGET_AFTER_LAST_S} s after the last lead",
            flush=True,
        )
        extra = f"\n[distribution]\nmax_open_deals = {args.max_open_deals}\n" if args.max_open_deals else ""

        async def a(db: str | None) -> list[str]:
            storm = Storm(
                label(db), db is None, args.leads, Team(), args.wait, args.over / args.leads, args.leads
            )
            async with on_stage(checkout, servers, db, tmp / f"a-{db}", crm=ONE_QUESTION + extra) as (api, _):
                return (await supervisor_told(api, checkout, storm)).row

        print(table(A_HEADERS, await _each(servers, runs, a)) + "\n", flush=True)
    if args.only != "a":
        print(
            f"fanout (b): {args.many_leads} leads to {args.managers} managers, {args.at_once} prospects at "
            f"once, stand-in enforcing Telegram's flood limits on the bulk sending, the notices to the team "
            f"(30/s overall, 1/s per private chat; replies to the prospects are answers, not bulk, and are "
            f"counted but not limited); {HOW}",
            flush=True,
        )
        team = Team(managers=tuple(MANAGER + n for n in range(args.managers)))

        async def b(db: str | None) -> list[str]:
            storm = Storm(label(db), db is None, args.many_leads, team, args.wait, at_once=args.at_once)
            stage = on_stage(
                checkout, servers, db, tmp / f"b-{db}", crm=ONE_QUESTION, team=team, flood_limits=True,
                bulk_chats=team.staff_ids,
            )  # fmt: skip
            async with stage as (api, _):
                return (await notices_sent(api, checkout, storm)).row

        print(table(B_HEADERS, await _each(servers, runs, b)) + "\n", flush=True)


async def _each(
    servers: Servers, runs: list[str | None], scenario: Callable[[str | None], Awaitable[list[str]]]
) -> list[list[str]]:
    """The scenario's row for each run (None: the echo bot), leaving out servers that are down."""
    rows = []
    for db in runs:
        if db is not None and (reason := await servers.missing(db)):
            print(f"{LABELS[db]} skipped: {reason}")
            continue
        rows.append(await scenario(db))
    return rows


if __name__ == "__main__":
    sys.exit(main())
