"""Storms of new leads made through a running bot, and what the team hears of them (``bench.fanout``).

Leads come from prospects answering a questionnaire of one text question (``ONE_QUESTION``, a CRM_CONFIG
replacing ``intake.questions``): /start, one answer, the confirmation with the lead's number. Whether a
staff member was told of a lead is read off the messages to them: its number anywhere in the text ("№12",
"#12", or a range "#101–#112" of a merged message).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import tomllib
from dataclasses import dataclass

from bench.checkout import Checkout
from bench.crowd import Chats, EchoChatter, Prospect, Talker, text_of
from bench.stage import Team
from tests.e2e.bot_api_server import ApiCall, FakeBotApi

ONE_QUESTION = """[business_hours]
always = true

[[intake.questions]]
key = "need"
kind = "text"
label = { ru = "Задача", en = "Need" }
text = { ru = "Расскажите коротко, что вам нужно?", en = "In a few words, what do you need?" }
"""
# "№12", "#12", "№1, №2", "#101–#112" (a range counts every number in it)
NUMBERS = re.compile(r"[№#]\s*(\d+)(?:\s*[–—-]\s*[№#]?\s*(\d+))?")


def numbers_in(text: str) -> set[int]:
    found: set[int] = set()
    for match in NUMBERS.finditer(text):
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        found.update(range(first, min(last, first + 10_000) + 1))
    return found


class Told:
    """When each lead's number first reached each staff chat."""

    def __init__(self, api: FakeBotApi, staff: set[int]) -> None:
        self.staff = staff
        self.first: dict[tuple[int, int], float] = {}
        self._news = asyncio.Event()
        self.stop = api.listen(self._heard)

    def _heard(self, call: ApiCall) -> None:
        chat = call.params.get("chat_id")
        if call.failed or call.method not in ("sendMessage", "editMessageText") or chat not in self.staff:
            return
        for number in numbers_in(text_of(call)):
            self.first.setdefault((chat, number), call.at)
        self._news.set()

    def to(self, chat: int, leads: set[int]) -> dict[int, float]:
        return {n: at for (c, n), at in self.first.items() if c == chat and n in leads}

    def untold(self, leads: set[int]) -> set[int]:
        return leads - {n for (_, n) in self.first}

    async def everyone(self, leads: set[int], *, within: float) -> None:
        """Wait until every lead reached someone, or ``within`` seconds passed."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while self.untold(leads):
                    self._news.clear()
                    await self._news.wait()


async def make_leads(
    api: FakeBotApi,
    checkout: Checkout,
    count: int,
    *,
    echo: bool,
    pace_s: float | None,
    at_once: int,
    first_id: int = 10_000_001,
    patience: float = 120,
) -> tuple[list[Talker], float]:
    """``count`` people, started every ``pace_s`` seconds (None: ``at_once`` at a time, as fast as they
    go). Returns them and the moment the first one started."""
    questionnaire = checkout.questionnaire(tomllib.loads(ONE_QUESTION))
    chats = Chats(api, questionnaire.failure)
    talkers: list[Talker] = [
        (EchoChatter if echo else Prospect)(api, chats, first_id + n, patience=patience) for n in range(count)
    ]
    gate, start = asyncio.Semaphore(at_once), time.monotonic()

    async def one(n: int, talker: Talker) -> None:
        if pace_s is not None:
            await asyncio.sleep(max(0.0, start + n * pace_s - time.monotonic()))
        async with gate:
            if isinstance(talker, Prospect):
                await talker.run(questionnaire)
            elif isinstance(talker, EchoChatter):
                await talker.run(2)

    await asyncio.gather(*(one(n, t) for n, t in enumerate(talkers)))
    chats.stop()
    return talkers, start


@dataclass(frozen=True)
class Storm:
    """One storm against a running bot (or the echo bot, ``echo``): how many leads, how they come."""

    label: str
    echo: bool
    leads: int
    team: Team
    wait_s: float
    pace_s: float | None = None  # None: ``at_once`` prospects at a time, as fast as they go
    at_once: int = 100
    first_id: int = 10_000_001


@dataclass
class Wave:
    """Leads made by a storm, and what the team was told of them."""

    made: int
    numbers: set[int]
    started: float
    last_lead: float
    told: Told


async def make_wave(api: FakeBotApi, checkout: Checkout, storm: Storm, staff: set[int]) -> Wave:
    """Make the storm's leads, then wait (up to ``storm.wait_s``) until each reached someone in ``staff``.
    The echo bot tells no one, and has no limiter: a flood-limited stand-in refuses some of its replies,
    which it never retries, so its people wait only briefly."""
    told = Told(api, staff)
    talkers, start = await make_leads(
        api, checkout, storm.leads, echo=storm.echo, pace_s=storm.pace_s, at_once=storm.at_once,
        first_id=storm.first_id, patience=2 if storm.echo else 120,
    )  # fmt: skip
    last_lead = max((t.outcome.finished_at or 0.0) for t in talkers) or time.monotonic()
    numbers = {t.outcome.deal for t in talkers if t.outcome.deal is not None}
    if not storm.echo:
        await told.everyone(numbers, within=storm.wait_s)
    told.stop()
    return Wave(sum(t.outcome.finished for t in talkers), numbers, start, last_lead, told)
