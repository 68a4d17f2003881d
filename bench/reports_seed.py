"""The data `bench/reports.py` measures on: three months of a busy sales team, written in bulk.

100,000 deals created over the 90 days before `NOW`, from Telegram (most) and the website, under several
sources, ten managers. Each deal walks its pipeline as deals do: it stays in the stages it reached (a
`stage_visits` row each, one in ten goes back a stage and forward again), is won, lost to a reason (with a
note for "other"; some clients are lost more than once) or still open; it was taken and first answered
after a few working minutes (`take_work_s`, `reply_work_s`, some taken from the queue, a few never
answered), and its history has the events that say so. Every lead has its inquiry (a questionnaire or a
web form) and a third more questionnaires were left unfinished; one deal in twelve missed a deadline.

The staff, contacts and the bulk writing (executemany on SQLite, COPY on PostgreSQL) are those of
`bench/queries_seed.py`; rows come from a seeded random generator, so every run measures the same data.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bench.queries_seed import (
    MANAGERS,
    NOW,
    OPEN_STAGES,
    Table,
    _contacts,
    _rows,
    _staff,
    copy_into_postgres,
    insert_into_sqlite,
)

DAYS = 90
# (channel, source, weight): the website's leads come through forms, Telegram's through /start links.
SOURCES = (
    ("telegram", None, 30), ("telegram", "instagram", 20), ("telegram", "vk", 10),
    ("telegram", "yandex_ads", 10), ("site", "site", 20), ("site", "google_ads", 10),
)  # fmt: skip
SPEND = {"instagram": 60_000, "vk": 30_000, "yandex_ads": 90_000, "google_ads": 120_000}
REASONS = ("too_expensive", "no_need", "competitor", "no_answer", "postponed", "cannot_deliver", "other")
REASON_WEIGHTS = (30, 15, 12, 18, 12, 5, 8)
QUESTIONS = 4  # the default questionnaire's


@dataclass(frozen=True)
class Size:
    deals: int


FULL = Size(deals=100_000)
SMOKE = Size(deals=300)


def sources_toml() -> str:
    """The `[[sources]]` the bench's config adds to the default one: named, with a month's spend."""
    return "".join(
        f'[[sources]]\nkey = "{key}"\nname = {{ ru = "{key}", en = "{key}" }}\nspend = {spend}\n\n'
        for key, spend in SPEND.items()
    )


@dataclass
class Built:
    deals: list[dict[str, Any]]
    visits: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    inquiries: list[tuple[Any, ...]]
    breaches: list[tuple[Any, ...]]


def tables(size: Size) -> list[Table]:
    """Every table's rows, in the order foreign keys allow."""
    rnd = random.Random(20261213)
    built = Built([], [], [], [], [])
    for n in range(1, size.deals + 1):
        _deal(rnd, n, built)
    visits = ("deal_id", "pipeline", "stage", "entered_at", "left_at", "seconds")
    events = ("deal_id", "kind", "actor_id", "at", "data")
    inquiries = ("channel", "telegram_id", "chat_id", "name", "username", "locale", "source", "state",
                 "step", "answers", "wrote_first", "started_at", "updated_at", "ended_at", "deal_id",
                 "external_id")  # fmt: skip
    breaches = ("kind", "deal_id", "manager_id", "pipeline", "stage", "due_at", "detected_at", "resolved_at")
    return [
        _staff(),
        _contacts(random.Random(1), size.deals),
        _rows("deals", built.deals),
        Table("stage_visits", visits, iter(built.visits)),
        Table("deal_events", events, iter(built.events)),
        Table("inquiries", inquiries, iter(built.inquiries)),
        Table("breaches", breaches, iter(built.breaches)),
    ]


def _moments(rnd: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    span = (end - start).total_seconds()
    return [start + timedelta(seconds=s) for s in sorted(rnd.uniform(60, span) for _ in range(count))]


def _path(rnd: random.Random, furthest: int) -> list[int]:
    """The open stages a deal stood in, in order, up to `furthest`; one in ten goes back once."""
    path = list(range(furthest + 1))
    if furthest >= 1 and rnd.random() < 0.1:
        at = rnd.randint(1, furthest)
        path[at + 1 : at + 1] = [at - 1, at]
    return path


def _deal(rnd: random.Random, n: int, built: Built) -> None:
    created = NOW - timedelta(seconds=rnd.randint(600, DAYS * 86400))
    channel, source, _ = rnd.choices(SOURCES, weights=[w for *_, w in SOURCES])[0]
    pipeline = rnd.choices(("sales", "rewarm", "repeat"), weights=(8, 1, 1))[0]
    stages = OPEN_STAGES[pipeline]
    manager = rnd.choice(MANAGERS)
    # Some clients come back and are lost again: their deal shares an earlier deal's contact.
    contact = rnd.randint(max(1, n - 5000), n) if n > 1 and rnd.random() < 0.05 else n
    age_days = (NOW - created).total_seconds() / 86400
    roll = rnd.random()
    status = "open" if roll < (0.7 if age_days < 3 else 0.15) else "won" if roll < 0.45 else "lost"
    deal: dict[str, Any] = {
        "id": n, "contact_id": contact, "pipeline": pipeline, "stage": stages[0], "status": status,
        "chat_id": 10_000_000 + n, "source": source, "answers": {"need": "Сайт", "budget": "medium"},
        "temperature": rnd.choice(("cold", "warm", "hot")), "target": rnd.random() < 0.9,
        "created_at": created, "stage_entered_at": created, "manager_id": manager, "assigned_at": created,
        "taken_at": None, "take_due_at": created + timedelta(minutes=15), "closed_at": None,
        "loss_reason": None, "loss_note": None, "amount": None, "next_contact_at": None, "version": 1,
        "channel": channel, "first_reply_at": None, "take_work_s": None, "reply_work_s": None,
    }  # fmt: skip
    events = built.events
    events.append((n, "created", None, created, {}))
    if status == "open" and rnd.random() < 0.05:  # still in the unsorted queue
        deal.update(manager_id=None, assigned_at=None)
        events.append((n, "queued", None, created, {}))
        _visits(deal, [0], created, [], built)
        _inquiries(rnd, deal, built)
        built.deals.append(deal)
        return
    take_s = min(int(rnd.lognormvariate(6.0, 1.0)), 8 * 3600)
    taken = created + timedelta(seconds=take_s * rnd.uniform(1, 3))  # working seconds, nights between
    if rnd.random() < 0.15:  # taken from the queue: assigned as it was taken
        deal["assigned_at"] = taken
        events.append((n, "queued", None, created, {}))
    else:
        events.append((n, "assigned", None, created, {"to": manager}))
    deal.update(taken_at=taken, take_work_s=take_s)
    events.append((n, "taken", manager, taken, {}))
    moved_from = taken
    if rnd.random() < 0.92:
        reply_s = min(int(rnd.lognormvariate(6.5, 1.1)), 8 * 3600)
        replied = taken + timedelta(seconds=reply_s * rnd.uniform(1, 2))
        deal.update(first_reply_at=replied, reply_work_s=reply_s)
        events.append((n, "message_out", manager, replied, {"kind": "text", "text": "Здравствуйте!"}))
        moved_from = replied
    moved_from = min(moved_from, NOW - timedelta(seconds=30))
    # Won deals went through every stage; the others stopped mostly early, as funnels narrow.
    furthest = len(stages) - 1 if status == "won" else min(int(rnd.expovariate(1.0)), len(stages) - 1)
    path = _path(rnd, furthest)
    closing = None if status == "open" else status
    end = moved_from + (NOW - moved_from) * rnd.uniform(0.2, 0.95)
    changes = _moments(rnd, moved_from, end, len(path) - 1 + (closing is not None))
    _visits(deal, path, created, changes, built)
    for at, before, after in zip(changes, path, path[1:], strict=False):
        events.append((n, "stage_changed", manager, at, {"from": stages[before], "to": stages[after]}))
        if after >= 2:
            deal["amount"] = rnd.randint(10, 5000) * 1000
    if rnd.random() < 0.6:
        events.append((n, "note", manager, moved_from, {"kind": "call", "text": "Созвонились, обсудили"}))
    last = changes[-1] if changes else moved_from
    if closing is not None:
        deal.update(status=closing, stage=closing, closed_at=last, stage_entered_at=last)
        if closing == "won":
            deal["amount"] = deal["amount"] or rnd.randint(10, 5000) * 1000
            events.append((n, "won", manager, last, {"amount": deal["amount"]}))
        else:
            reason = rnd.choices(REASONS, weights=REASON_WEIGHTS)[0]
            note = "Ушли думать, перезвонить весной" if reason == "other" else None
            deal.update(loss_reason=reason, loss_note=note)
            events.append((n, "lost", manager, last, {"reason": reason, "note": note}))
    else:
        deal.update(stage=stages[path[-1]], stage_entered_at=last if changes else created)
        deal["next_contact_at"] = NOW + timedelta(seconds=rnd.randint(-5 * 86400, 10 * 86400))
    if n % 12 == 0:
        kind = rnd.choice(("take", "stage", "contact"))
        later = last + timedelta(hours=rnd.randint(1, 72))
        due = created + timedelta(minutes=15) if kind == "take" else later
        due = min(due, NOW - timedelta(minutes=1))
        resolved = due + timedelta(minutes=rnd.randint(5, 600)) if rnd.random() < 0.7 else None
        built.breaches.append((kind, n, manager, pipeline, deal["stage"], due, due + timedelta(seconds=30),
                               resolved if resolved is None or resolved < NOW else None))  # fmt: skip
    _inquiries(rnd, deal, built)
    built.deals.append(deal)


def _visits(
    deal: dict[str, Any], path: Sequence[int], created: datetime, changes: Sequence[datetime], built: Built
) -> None:
    """A row per stay: the first from the deal's creation, each left at the next change; the last open
    one still there, or left when the deal closed (at the last change) for its closing stage."""
    stages = OPEN_STAGES[deal["pipeline"]]
    entered = created
    for k, stage in enumerate(path):
        left = changes[k] if k < len(changes) else None
        seconds = None if left is None else int((left - entered).total_seconds())
        built.visits.append((deal["id"], deal["pipeline"], stages[stage], entered, left, seconds))
        entered = left or entered
    if len(changes) == len(path):  # closed: in its closing stage since
        built.visits.append((deal["id"], deal["pipeline"], deal["status"], changes[-1], None, None))


def _inquiries(rnd: random.Random, deal: dict[str, Any], built: Built) -> None:
    n, created = deal["id"], deal["created_at"]
    person = 10_000_000 + n
    if deal["channel"] == "site":
        built.inquiries.append(("site", None, None, "Клиент с сайта", None, "ru", deal["source"], "finished",
                                0, {}, False, created, created, created, n, f"form-{n}"))  # fmt: skip
    else:
        started = created - timedelta(minutes=rnd.randint(1, 10))
        unfinished = rnd.random() < 0.08  # a lead made of an abandoned questionnaire
        state, step = ("abandoned", rnd.randint(1, QUESTIONS - 1)) if unfinished else ("finished", QUESTIONS)
        built.inquiries.append(("telegram", person, person, "Клиент", None, "ru", deal["source"], state, step,
                                {}, False, started, created, created, n, None))  # fmt: skip
    if deal["channel"] == "telegram" and rnd.random() < 0.35:  # someone else started and never became a lead
        started = created - timedelta(minutes=rnd.randint(1, 600))
        state = rnd.choices(("abandoned", "cancelled", "restarted", "open"), weights=(70, 15, 10, 5))[0]
        ended = None if state == "open" else started + timedelta(hours=1)
        built.inquiries.append(("telegram", person + 50_000_000, person + 50_000_000, "Гость", None, "ru",
                                deal["source"], state, rnd.randint(0, QUESTIONS - 1), {}, False, started,
                                started, ended, None, None))  # fmt: skip


SEQUENCES = ("contacts", "deals", "stage_visits", "deal_events", "inquiries", "breaches")


def load_sqlite(path: str, size: Size) -> None:
    """Write the data into the migrated SQLite database at `path`."""
    insert_into_sqlite(path, tables(size))


async def load_postgres(dsn: str, size: Size) -> None:
    """Write the data into the migrated PostgreSQL database `dsn` (an asyncpg DSN) with COPY, then
    ANALYZE, as autovacuum would soon after such a load."""
    await copy_into_postgres(dsn, tables(size), sequences=SEQUENCES)
