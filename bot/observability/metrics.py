"""The process's own counters (README.md, "Health and metrics"), on prometheus-client's default registry:
each worker process counts what it did itself. Updating one is an in-memory operation, cheap enough for
the hot path. What is read from the database at scrape time is in bot/observability/database_figures.py.

Labels are few-valued by construction: an update's kind is one of the Update object's fields, a Bot API
method one of aiogram's, a timer kind one the bot fires; anything else is counted as "other". Never a
chat, a person or a text."""

from __future__ import annotations

from aiogram.types import Update
from prometheus_client import Counter, Histogram

from domain.timer_firing import FIRINGS

OTHER = "other"
UPDATE_KINDS = frozenset(name for name in Update.model_fields if name != "update_id")
TIMER_KINDS = frozenset(FIRINGS)

# What became of one try at an update (bot/inbox.py): every try is counted once.
HANDLED = "handled"
HANDLED_ELSEWHERE = "handled_elsewhere"  # another process had done it meanwhile
BLOCKED = "blocked"  # the person blocked the bot while it answered: done, recorded
FAILED = "failed"  # a bug: tried again after a pause
SET_ASIDE = "set_aside"  # a bug, the last try: set aside, the supervisors told
DATABASE_AWAY = "database_away"  # waits for the database, then tried again
TELEGRAM_FAILED = "telegram_failed"  # Telegram kept failing the replies: tried again later
CUT_OFF = "cut_off"  # the process stopped mid-way: stored, handled at the next start

# Seconds an update takes to handle (one try): a reply is expected within a second or two; 10 s is far
# too long (a person has tapped again by then).
HANDLING_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

UPDATES = Counter(
    "voronka_updates_total", "Tries at handling an update, by its kind and what became of the try.",
    ["kind", "outcome"],
)  # fmt: skip
UPDATE_SECONDS = Histogram(
    "voronka_update_handling_seconds", "Seconds one try at handling an update took, by its kind.",
    ["kind"], buckets=HANDLING_BUCKETS,
)  # fmt: skip
TELEGRAM_REQUESTS = Counter(
    "voronka_telegram_requests_total",
    "Bot API requests made, by method and result (ok, 429, bad_request, forbidden, not_found, ..., 5xx, "
    "network).",
    ["method", "result"],
)
TELEGRAM_TOO_MANY = Counter(
    "voronka_telegram_429_total", "Bot API requests Telegram refused with 429 (flood limit), by method.",
    ["method"],
)  # fmt: skip
TIMERS_FIRED = Counter("voronka_timers_fired_total", "Timers fired by this process, by kind.", ["kind"])
TIMERS_FIRED_LATE = Counter(
    "voronka_timers_fired_late_total",
    "Timers fired after their time (due while no bot ran, or long ago), by kind.",
    ["kind"],
)


def update_kind(kind: str) -> str:
    return kind if kind in UPDATE_KINDS else OTHER


def timer_kind(kind: str) -> str:
    return kind if kind in TIMER_KINDS else OTHER


def count_update(kind: str, outcome: str, seconds: float) -> None:
    label = update_kind(kind)
    UPDATES.labels(label, outcome).inc()
    UPDATE_SECONDS.labels(label).observe(seconds)


def count_timer(kind: str, *, late: bool) -> None:
    label = timer_kind(kind)
    TIMERS_FIRED.labels(label).inc()
    if late:
        TIMERS_FIRED_LATE.labels(label).inc()
