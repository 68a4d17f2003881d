"""The data `bench/queries.py` measures on: a year of a busy sales team, written in bulk.

100,000 deals (about a tenth open, a tenth of those unsorted), each with its contact, a few events and
messages, ten managers; a handful of deals with long histories; breaches; 1,000,000 pending timers of
which 10,000 are due. Rows are made by a seeded random generator, so every run (and the before/after
comparison) measures the same data, and written with executemany (SQLite) or COPY (PostgreSQL), never
row by row through the ORM. Columns the schema does not have (an older revision) are left out.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # a Wednesday, 11:00 in Moscow: working time
MANAGERS = tuple(range(101, 111))
SUPERVISOR = 201
LONG_HISTORY = 300  # events of the few deals whose history is paged
OPEN_STAGES = {
    "sales": ("new", "qualified", "proposal", "negotiation", "invoice"),
    "rewarm": ("new", "contacted", "proposal"),
    "repeat": ("new", "offer", "invoice"),
}
REASONS = ("too_expensive", "no_need", "competitor", "no_answer", "postponed", "cannot_deliver", "other")
FIRST = ("Иван", "Анна", "Пётр", "Мария", "Сергей", "Ольга", "Алексей", "Елена", "Дмитрий", "Наталья",
         "Андрей", "Татьяна", "Михаил", "Юлия", "Николай", "Ирина", "Павел", "Света", "John")  # fmt: skip
LAST = ("Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов",
        "Новиков", "Морозов", "Волков", "Фёдоров", "Михайлов", "Белов", "Орлов", "Smith")  # fmt: skip
CHUNK = 20_000


@dataclass(frozen=True)
class Size:
    deals: int
    timers: int
    due_timers: int
    long_histories: int
    later_pages: tuple[int, int]  # which pages further down are timed: of every deal, of fewer


FULL = Size(deals=100_000, timers=1_000_000, due_timers=10_000, long_histories=5, later_pages=(50, 10))
SMOKE = Size(deals=1_000, timers=10_000, due_timers=100, long_histories=1, later_pages=(4, 2))


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: Iterator[tuple[Any, ...]]


@dataclass(frozen=True)
class Facts:
    """What the measurements need to know about the data: whom to ask as, and what to look for."""

    busiest_manager: int
    long_history_deal: int
    phone: str
    name_query: str
    deal_number: int
    later_pages: tuple[int, int]


def tables(size: Size) -> tuple[list[Table], Facts]:
    """Every table's rows, in the order foreign keys allow; rows are made as they are written."""
    rnd = random.Random(20261125)
    deals = [_deal(rnd, n) for n in range(1, size.deals + 1)]
    long = [d["id"] for d in deals[:: max(len(deals) // size.long_histories, 1)][: size.long_histories]]
    loads: dict[int, int] = {}
    for d in deals:
        if d["status"] == "open" and d["manager_id"] is not None:
            loads[d["manager_id"]] = loads.get(d["manager_id"], 0) + 1
    facts = Facts(
        busiest_manager=max(loads, key=lambda m: loads[m]),
        long_history_deal=long[0],
        phone=_phone(size.deals // 2),
        name_query="петров",
        deal_number=size.deals // 3,
        later_pages=size.later_pages,
    )
    return [
        _staff(),
        _contacts(random.Random(1), size.deals),
        _rows("deals", deals),
        _events(random.Random(2), deals, set(long)),
        _messages(random.Random(3), deals),
        _breaches(random.Random(4), deals),
        _timers(random.Random(5), size),
    ], facts


def _staff() -> Table:
    rows = [(m, "manager", f"Менеджер {m}", None, "ru", True, True, None) for m in MANAGERS]
    rows.append((SUPERVISOR, "supervisor", "Руководитель", None, "ru", True, True, None))
    columns = ("telegram_id", "roles", "name", "username", "locale", "on_duty", "active", "last_assigned_at")
    return Table("staff", columns, iter(rows))


def _phone(n: int) -> str:
    return f"+7916{n:07d}"


def _contacts(rnd: random.Random, count: int) -> Table:
    try:
        from domain.search_keys import contact_search_key
    except ImportError:  # a revision without the search key: the column is not there either

        def contact_search_key(name: str, username: str | None) -> str:
            return ""

    def rows() -> Iterator[tuple[Any, ...]]:
        for n in range(1, count + 1):
            name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
            username = f"user{n}" if rnd.random() < 0.3 else None
            yield (n, 10_000_000 + n, name, username, _phone(n), "ru", "active", NOW - timedelta(days=365),
                   contact_search_key(name, username))  # fmt: skip

    columns = (
        "id",
        "telegram_id",
        "name",
        "username",
        "phone",
        "locale",
        "status",
        "created_at",
        "search_name",
    )
    return Table("contacts", columns, rows())


def _deal(rnd: random.Random, n: int) -> dict[str, Any]:
    created = NOW - timedelta(seconds=rnd.randint(60, 365 * 86400))
    pipeline = rnd.choices(("sales", "rewarm", "repeat"), weights=(8, 1, 1))[0]
    deal: dict[str, Any] = {
        "id": n, "contact_id": n, "pipeline": pipeline, "stage": "won", "status": "won",
        "chat_id": 10_000_000 + n, "source": rnd.choice((None, "instagram", "site")),
        "answers": {"need": "Сайт", "budget": "medium"}, "temperature": rnd.choice(("cold", "warm", "hot")),
        "target": rnd.random() < 0.9, "created_at": created,
        "stage_entered_at": created, "manager_id": rnd.choice(MANAGERS), "assigned_at": created,
        "taken_at": created + timedelta(minutes=5), "take_due_at": created + timedelta(minutes=15),
        "closed_at": None, "loss_reason": None, "loss_note": None, "amount": None, "next_contact_at": None,
        "version": 1,
    }  # fmt: skip
    if rnd.random() < 0.1:  # open
        deal.update(status="open", stage=rnd.choice(OPEN_STAGES[pipeline]))
        if rnd.random() < 0.01:
            deal["stage"] = "retired"  # a stage the config no longer has
        if rnd.random() < 0.1:
            deal.update(manager_id=None, assigned_at=None, taken_at=None)
        roll = rnd.random()
        if roll < 0.2:
            deal["next_contact_at"] = NOW - timedelta(seconds=rnd.randint(60, 30 * 86400))
        elif roll < 0.7:
            deal["next_contact_at"] = NOW + timedelta(seconds=rnd.randint(60, 30 * 86400))
        return deal
    closed = created + (NOW - created) * rnd.random()
    if rnd.random() < 0.3:
        deal.update(status="won", stage="won", closed_at=closed, amount=rnd.randint(10, 5000) * 1000)
    else:
        deal.update(status="lost", stage="lost", closed_at=closed, loss_reason=rnd.choice(REASONS))
        deal["amount"] = rnd.randint(10, 5000) * 1000 if rnd.random() < 0.3 else None
    return deal


def _rows(name: str, dicts: Sequence[dict[str, Any]]) -> Table:
    columns = tuple(dicts[0])
    return Table(name, columns, (tuple(d[c] for c in columns) for d in dicts))


def _events(rnd: random.Random, deals: Sequence[dict[str, Any]], long: set[int]) -> Table:
    def rows() -> Iterator[tuple[Any, ...]]:
        for d in deals:
            at, actor = d["created_at"], d["manager_id"]
            yield d["id"], "created", None, at, {}
            for step in range(LONG_HISTORY if d["id"] in long else rnd.randint(1, 4)):
                at += timedelta(minutes=rnd.randint(1, 600))
                kind = rnd.choice(("note", "stage_changed", "message_in", "next_contact_set"))
                data: dict[str, Any] = {"kind": "call", "text": f"Звонок {step}: обсудили условия"}
                if kind == "stage_changed":
                    data = {"from": "new", "to": "qualified"}
                elif kind == "message_in":
                    data = {"kind": "text", "text": "Здравствуйте, когда сможете позвонить?"}
                elif kind == "next_contact_set":
                    data = {"at": (at + timedelta(days=1)).isoformat()}
                yield d["id"], kind, actor, at, data

    return Table("deal_events", ("deal_id", "kind", "actor_id", "at", "data"), rows())


def _messages(rnd: random.Random, deals: Sequence[dict[str, Any]]) -> Table:
    def rows() -> Iterator[tuple[Any, ...]]:
        for d in deals:
            for step in range(rnd.randint(1, 3)):
                at = d["created_at"] + timedelta(minutes=step * 7)
                yield d["id"], "in", "text", "Добрый день! Интересует сайт.", d["chat_id"], step + 1, None, at

    columns = ("deal_id", "direction", "kind", "text", "chat_id", "telegram_message_id", "author_id", "at")
    return Table("messages", columns, rows())


def _breaches(rnd: random.Random, deals: Sequence[dict[str, Any]]) -> Table:
    def rows() -> Iterator[tuple[Any, ...]]:
        for d in deals[::20]:
            due = d["created_at"] + timedelta(minutes=15)
            detected = due + timedelta(minutes=1)
            if rnd.random() < 0.3:  # recent ones, for the digest
                due = NOW - timedelta(seconds=rnd.randint(60, 86400))
                detected = due + timedelta(seconds=30)
            kind = rnd.choice(("take", "stage", "contact"))
            resolved = detected + timedelta(minutes=rnd.randint(1, 300)) if rnd.random() < 0.5 else None
            yield kind, d["id"], d["manager_id"], d["pipeline"], d["stage"], due, detected, resolved

    columns = ("kind", "deal_id", "manager_id", "pipeline", "stage", "due_at", "detected_at", "resolved_at")
    return Table("breaches", columns, rows())


def _timers(rnd: random.Random, size: Size) -> Table:
    def rows() -> Iterator[tuple[Any, ...]]:
        for n in range(size.timers):
            if n < size.due_timers:
                due = NOW - timedelta(seconds=rnd.randint(1, 3600))
            else:
                due = NOW + timedelta(seconds=rnd.randint(60, 90 * 86400))
            retry = due + timedelta(minutes=5) if rnd.random() < 0.01 else None
            deal = rnd.randint(1, size.deals)
            yield "contact_overdue", deal, due, "pending", {}, None, False, None, 0, None, retry, retry or due

    columns = ("kind", "subject_id", "due_at", "state", "payload", "fired_at", "late", "key", "attempts",
               "error", "retry_at", "next_try_at")  # fmt: skip
    return Table("timers", columns, rows())


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


def _keep(table: Table, present: set[str]) -> tuple[list[str], list[int]]:
    kept = [i for i, column in enumerate(table.columns) if column in present]
    return [table.columns[i] for i in kept], kept


def load_sqlite(path: str, size: Size) -> Facts:
    """Write the data into the migrated SQLite database at `path`."""
    rows, facts = tables(size)
    insert_into_sqlite(path, rows)
    return facts


def insert_into_sqlite(path: str, rows: Iterable[Table]) -> None:
    """Insert each table's rows (only the columns the schema has), in one transaction."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA synchronous=OFF")
        for table in rows:
            present = {row[1] for row in connection.execute(f"PRAGMA table_info({table.name})")}
            columns, kept = _keep(table, present)
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            for chunk in _chunks(table.rows):
                connection.executemany(sql, [[_sqlite_value(row[i]) for i in kept] for row in chunk])
        connection.commit()
    finally:
        connection.close()


def _sqlite_value(value: Any) -> Any:
    """As SQLAlchemy stores values in SQLite: naive UTC text for moments, JSON as text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def _postgres_value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict) else value


async def load_postgres(dsn: str, size: Size) -> Facts:
    """Write the data into the migrated PostgreSQL database `dsn` (an asyncpg DSN) with COPY."""
    rows, facts = tables(size)
    await copy_into_postgres(
        dsn, rows, sequences=("contacts", "deals", "deal_events", "messages", "breaches", "timers")
    )
    return facts


async def copy_into_postgres(dsn: str, rows: Iterable[Table], *, sequences: Iterable[str]) -> None:
    """COPY each table's rows (only the columns the schema has), move the id sequences past them, then
    ANALYZE, as autovacuum would soon after such a load."""
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        for table in rows:
            present = {
                r["column_name"]
                for r in await connection.fetch(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = $1", table.name
                )
            }
            columns, kept = _keep(table, present)
            for chunk in _chunks(table.rows):
                records = [[_postgres_value(row[i]) for i in kept] for row in chunk]
                await connection.copy_records_to_table(table.name, records=records, columns=columns)
        for name in sequences:
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
            )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
