"""Copying a SQLite database into an empty PostgreSQL one (README.md, "Moving from SQLite to PostgreSQL").

Both are brought to the newest migration first, so the target's schema is the migrations' own (its
indexes, constraints, sequences and `alembic_version`), never one guessed from the source. Then every
table the migrations made is copied in foreign-key order: read from SQLite in one read transaction (one
moment of the database, even while something writes), inserted in batches into PostgreSQL in one
transaction (all or nothing). The columns keep their meaning, not SQLite's storage: each is read and
written through its type in `storage/tables.py` (`UtcDateTime`: text → aware UTC → timestamptz; Boolean:
0/1 → boolean; JSON as its text, so a JSON `null` and an SQL NULL stay apart), or through the type the
target's table has for a column `storage/tables.py` does not name. Then the sequences behind the ids are
set past the largest id copied, and the rows of every table are counted on both sides.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    MetaData,
    Table,
    bindparam,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.types import DateTime, Text, TypeEngine

from storage.engine import create_engine
from storage.migrator import upgrade_async
from storage.tables import Base
from storage.types import UtcDateTime

BATCH_ROWS = 2000  # rows a batch: read from SQLite, then one executemany on PostgreSQL
VERSION_TABLE = "alembic_version"  # written by the migrations on each side, never copied


class CopyRefused(Exception):
    """One line for people: why nothing was copied (the target is left as it was, or only migrated)."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def matches(self) -> bool:
        return self.source == self.target


@dataclass(frozen=True)
class CopyResult:
    counts: list[TableCount]
    sequences: list[str]  # "table.column" whose sequence was set past the largest id
    skipped: list[str]  # the source's tables that no migration makes (not copied)

    @property
    def complete(self) -> bool:
        return all(count.matches for count in self.counts)


def target_url(url: str) -> str:
    """The PostgreSQL URL copy-db writes to, with the async driver the bot uses; CopyRefused otherwise."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise CopyRefused(f"--to is not a database URL: {url!r}") from None
    if parsed.get_backend_name() != "postgresql" or parsed.drivername not in (
        "postgresql", "postgresql+asyncpg",
    ):  # fmt: skip
        raise CopyRefused(
            f"--to must be a PostgreSQL URL for asyncpg (postgresql+asyncpg://user:password@host:5432/name), "
            f"not {parsed.drivername}"
        )
    if not parsed.database:
        raise CopyRefused("--to names no database: postgresql+asyncpg://user:password@host:5432/name")
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def source_url(url: str) -> str:
    """The SQLite database copy-db reads; CopyRefused when it is not one, or not there."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise CopyRefused(f"copy-db copies from SQLite; the source is {parsed.drivername} (give --from)")
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise CopyRefused(f"the source names no SQLite file: {url}")
    if not Path(database).expanduser().is_file():  # migrating it would make an empty one
        raise CopyRefused(f"no SQLite database at {database}")
    return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)


async def copy_database(
    source: str, target: str, *, batch_rows: int = BATCH_ROWS,
    on_migrated: Callable[[], None] | None = None, on_table: Callable[[str, int], None] | None = None,
) -> CopyResult:  # fmt: skip
    """Copy the SQLite database `source` into the empty PostgreSQL database `target` (URLs checked by
    `source_url` and `target_url`); CopyRefused, with nothing copied, when the target holds anything."""
    target_engine = create_engine(target)
    source_engine = create_engine(source)
    try:
        await _refuse_unless_empty(target_engine)  # before migrating: a stranger's database stays untouched
        await upgrade_async(source)  # as the bot does at its start
        await upgrade_async(target)
        if on_migrated is not None:
            on_migrated()
        async with source_engine.connect() as reading, target_engine.connect() as writing:
            # One read transaction for every table: one moment of the source (WAL lets the bot write on).
            await reading.exec_driver_sql("BEGIN")
            tables, skipped = await _copied_tables(reading, writing)
            await _check_empty(writing)  # again, in the copy's transaction
            source_counts = {table.name: await _count(reading, table.name) for table in tables}
            for table in tables:
                await _copy_table(reading, writing, table, batch_rows)
                if on_table is not None:
                    on_table(table.name, source_counts[table.name])
            sequences = await _set_sequences(writing)
            await writing.commit()
            await reading.rollback()
        async with target_engine.connect() as checking:
            counts = [
                TableCount(table.name, source_counts[table.name], await _count(checking, table.name))
                for table in tables
            ]
    finally:
        await source_engine.dispose()
        await target_engine.dispose()
    return CopyResult(counts, sequences, skipped)


@dataclass(frozen=True)
class _Column:
    name: str
    read_type: TypeEngine[Any]
    write_type: TypeEngine[Any]
    is_json: bool


@dataclass(frozen=True)
class _Table:
    name: str
    columns: list[_Column]
    primary_key: list[str]
    self_references: list[str]  # columns naming a row of the same table: set after all its rows are in

    def reading(self) -> Table:
        return Table(self.name, MetaData(), *(Column(c.name, c.read_type) for c in self.columns))

    def writing(self) -> Table:
        columns = (Column(c.name, c.write_type, primary_key=c.name in self.primary_key) for c in self.columns)
        return Table(self.name, MetaData(), *columns)


async def _refuse_unless_empty(engine: AsyncEngine) -> None:
    try:
        async with engine.connect() as connection:
            await _check_empty(connection)
    except (OSError, DBAPIError) as error:
        first = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise CopyRefused(f"cannot read the target database: {first}") from error


async def _check_empty(connection: AsyncConnection) -> None:
    """Only the migrations' own tables, and no row in any (but their version)."""
    known = set(Base.metadata.tables) | {VERSION_TABLE}
    names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    strangers = sorted(set(names) - known)
    if strangers:
        raise CopyRefused(
            f"the target database has tables the migrations did not make ({', '.join(strangers[:5])}): "
            "copy-db copies only into an empty database (CREATE DATABASE a new one)"
        )
    for name in sorted(set(names) - {VERSION_TABLE}):
        rows = await _count(connection, name)
        if rows:
            raise CopyRefused(
                f"the target database is not empty (rows in {name}: {rows}): copy-db copies only into an "
                "empty database (CREATE DATABASE a new one)"
            )


async def _copied_tables(
    reading: AsyncConnection, writing: AsyncConnection
) -> tuple[list[_Table], list[str]]:
    """Every table of the migrated target (but the version), parents first, as both sides have it; and
    the source's tables the target has not (made by hand or another program: not copied)."""
    target = MetaData()
    await writing.run_sync(lambda sync: target.reflect(sync))
    source_columns = await reading.run_sync(_columns_by_table)
    tables = []
    for table in target.sorted_tables:  # foreign-key order
        if table.name == VERSION_TABLE:
            continue
        if table.name not in source_columns:
            raise CopyRefused(f"the source has no table {table.name}, which the migrations make")
        names = [column.name for column in table.columns]
        if differ := sorted(set(names) ^ set(source_columns[table.name])):
            raise CopyRefused(
                f"{table.name} has other columns in the source and the target: {', '.join(differ)}"
            )
        tables.append(
            _Table(
                table.name,
                [_column(table.name, column) for column in table.columns],
                [column.name for column in table.primary_key.columns],
                sorted({
                    element.parent.name
                    for constraint in table.foreign_key_constraints
                    for element in constraint.elements
                    if element.column.table.name == table.name
                }),
            )
        )  # fmt: skip
    skipped = sorted(set(source_columns) - set(target.tables) - {VERSION_TABLE})
    return tables, skipped


def _columns_by_table(connection: Connection) -> dict[str, list[str]]:
    inspector = inspect(connection)
    return {
        name: [column["name"] for column in inspector.get_columns(name)]
        for name in inspector.get_table_names()
    }


def _column(table: str, reflected: Column[Any]) -> _Column:
    """How a column is read from SQLite and written to PostgreSQL: its type in storage/tables.py, else
    the target's own (a timestamptz as UTC, which SQLite keeps as naive text)."""
    declared = Base.metadata.tables.get(table)
    if declared is not None and reflected.name in declared.columns:
        kind: TypeEngine[Any] = declared.columns[reflected.name].type
    elif isinstance(reflected.type, DateTime) and reflected.type.timezone:
        kind = UtcDateTime()
    else:
        kind = reflected.type
    if isinstance(kind, JSON):
        # Read as the text SQLite holds; written with SQL NULL for NULL and JSON null for 'null'.
        return _Column(reflected.name, Text(), JSON(none_as_null=True), is_json=True)
    return _Column(reflected.name, kind, kind, is_json=False)


async def _count(connection: AsyncConnection, table: str) -> int:
    quoted = connection.dialect.identifier_preparer.quote(table)
    return int((await connection.execute(text(f"SELECT count(*) FROM {quoted}"))).scalar_one())


async def _copy_table(
    reading: AsyncConnection, writing: AsyncConnection, table: _Table, batch_rows: int
) -> None:
    source, target = table.reading(), table.writing()
    order = [source.c[name] for name in table.primary_key] or list(source.c)
    json_columns = [column.name for column in table.columns if column.is_json]
    later: list[dict[str, Any]] = []  # the self-references, once every row of the table is in
    result = await reading.stream(select(source).order_by(*order))
    async for batch in result.partitions(batch_rows):
        rows = [dict(row._mapping) for row in batch]
        for row in rows:
            for name in json_columns:
                row[name] = _json_value(row[name])
            if any(row[name] is not None for name in table.self_references):
                later.append({f"key_{k}": row[k] for k in table.primary_key} | {
                    f"new_{name}": row[name] for name in table.self_references
                })  # fmt: skip
                for name in table.self_references:
                    row[name] = None
        await writing.execute(target.insert(), rows)
    if later:
        statement = (
            update(target)
            .where(*(target.c[k] == bindparam(f"key_{k}") for k in table.primary_key))
            .values({name: bindparam(f"new_{name}") for name in table.self_references})
        )
        for start in range(0, len(later), batch_rows):
            await writing.execute(statement, later[start : start + batch_rows])


def _json_value(stored: str | None) -> object:
    if stored is None:
        return None  # SQL NULL (the column is written with none_as_null)
    value = json.loads(stored)
    return JSON.NULL if value is None else value


async def _set_sequences(writing: AsyncConnection) -> list[str]:
    """Every sequence behind a column (serial or identity) set so its next value is past the largest one
    copied: new rows get new ids."""
    owned = await writing.execute(
        text(
            "SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) "
            "FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL "
            "ORDER BY table_name, column_name"
        )
    )
    done = []
    preparer = writing.dialect.identifier_preparer
    for table, column, sequence in owned.all():
        await writing.execute(
            text(
                f"SELECT setval(:sequence, coalesce(max({preparer.quote(column)}), 0) + 1, false) "
                f"FROM {preparer.quote(table)}"
            ),
            {"sequence": sequence},
        )
        done.append(f"{table}.{column}")
    return done


def mismatches(counts: Sequence[TableCount]) -> list[TableCount]:
    return [count for count in counts if not count.matches]
