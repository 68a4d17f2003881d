"""A consistent copy of the database while the bot runs (README.md, "Backups").

SQLite: the online backup API (`sqlite3.Connection.backup`, all pages in one step, so the copy is one
moment of the database even while the bot writes), into a file of its own, then checked there
(`PRAGMA integrity_check`, the rows of a table or two). PostgreSQL: `pg_dump` in its custom format
(restored with `pg_restore`), given the URL in libpq's form and the password in `PGPASSWORD`, so that
it never shows in the process list; the archive is then read back with `pg_restore --list`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

DEFAULT_FOLDER = Path("backups")
COUNTED_TABLES = ("deals", "contacts")  # the rows a check counts: what an owner recognises
# asyncpg's name for libpq's `sslmode` (postgresql+asyncpg://...?ssl=require): libpq knows only the latter.
_ASYNCPG_TO_LIBPQ = {"ssl": "sslmode"}
_SSL_VALUES = {"true": "require", "false": "disable"}


class BackupError(Exception):
    """One line for people: what went wrong and what to do."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int  # bytes
    taken_at: datetime
    method: str  # how it was taken, said to the owner
    checks: list[str] = field(default_factory=list)  # what was verified on the copy


def backup_name(taken_at: datetime, suffix: str) -> str:
    """`voronka-20261127-111017Z.db`: sorts by time, and says it is UTC."""
    return f"voronka-{taken_at:%Y%m%d-%H%M%S}Z{suffix}"


def destination(to: str | Path | None, taken_at: datetime, suffix: str) -> Path:
    """Where the copy goes: `to` itself, or a file named by the time in `to` (a folder: one that exists,
    or a path ending in a slash, as typed: `Path` would drop the slash), or in ./backups when `to` is
    not given."""
    if to is None:
        folder: Path | None = DEFAULT_FOLDER
    elif Path(to).is_dir() or str(to).endswith(("/", os.sep)):
        folder = Path(to)
    else:
        folder = None
    path = folder / backup_name(taken_at, suffix) if folder is not None else Path(str(to))
    if path.exists():
        raise BackupError(f"{path} exists already: name another file or folder with --to")
    return path


def take_backup(url: str, to: str | Path | None, taken_at: datetime) -> Backup:
    """Back up the database at `url` (the bot's SQLAlchemy URL), blocking; see the module's docstring."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return backup_sqlite(parsed, to, taken_at)
    if backend == "postgresql":
        return backup_postgresql(parsed, to, taken_at)
    raise BackupError(f"cannot back up a {backend} database: only SQLite and PostgreSQL")


def backup_sqlite(url: URL, to: str | Path | None, taken_at: datetime) -> Backup:
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"DATABASE_URL names no SQLite file to back up ({url})")
    source_path = Path(database).expanduser()
    if not source_path.is_file():  # sqlite3.connect would make an empty one
        raise BackupError(f"no SQLite database at {source_path}")
    path = destination(to, taken_at, ".db")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")  # never a half-written file under the final name
    partial.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(source_path, timeout=30)
        try:
            copy = sqlite3.connect(partial)
            try:
                # All pages in one step (the default): a read transaction for its length, so no write of
                # the bot's lands half in the copy. In WAL mode it does not stop the bot from writing.
                source.backup(copy)
                # A file that stands alone: no -wal beside it is needed to open it.
                copy.execute("PRAGMA journal_mode=DELETE").fetchall()
            finally:
                copy.close()
        finally:
            source.close()
        checks = check_sqlite_copy(partial)
        partial.replace(path)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the SQLite backup failed: {error}") from error
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    return Backup(path, path.stat().st_size, taken_at, "SQLite's online backup API", checks)


def check_sqlite_copy(path: Path) -> list[str]:
    """Open the copy on its own: SQLite checks every page and index, and a table or two is counted."""
    copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if verdict != ["ok"]:
            raise BackupError(f"the copy failed SQLite's integrity check: {'; '.join(verdict[:3])}")
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        counts = [
            f"{name} {copy.execute(f'SELECT count(*) FROM {name}').fetchone()[0]}"
            for name in COUNTED_TABLES
            if name in tables
        ]
    finally:
        copy.close()
    return ["integrity ok", f"{len(tables)} tables", *counts]


def libpq_url(url: URL) -> tuple[str, str | None]:
    """The URL as libpq (pg_dump, psql) takes it, without the password; and the password, for
    PGPASSWORD. `postgresql+asyncpg://u:p@h:5432/db?ssl=require` → `postgresql://u@h:5432/db?sslmode=require`."""
    query: dict[str, str | tuple[str, ...]] = {}
    for key, value in url.query.items():
        name = _ASYNCPG_TO_LIBPQ.get(key, key)
        if name == "sslmode" and isinstance(value, str):
            value = _SSL_VALUES.get(value.lower(), value)
        query[name] = value
    # URL.create, not url.set: set() takes password=None for "leave it as it is".
    plain = URL.create(
        "postgresql", username=url.username, host=url.host, port=url.port, database=url.database, query=query
    )
    return plain.render_as_string(hide_password=False), url.password


def backup_postgresql(
    url: URL, to: str | Path | None, taken_at: datetime, pg_dump: str = "pg_dump"
) -> Backup:
    program = shutil.which(pg_dump)
    if program is None:
        raise BackupError(
            "pg_dump is not installed: install PostgreSQL's client tools of the server's major version "
            "(e.g. apt install postgresql-client), or back up on the database server"
        )
    version = _run([program, "--version"], os.environ.copy()).stdout.strip()
    path = destination(to, taken_at, ".dump")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    dbname, password = libpq_url(url)
    environment = os.environ.copy()
    if password is not None:
        environment["PGPASSWORD"] = password
    command = [program, "--format=custom", f"--file={partial}", f"--dbname={dbname}"]
    result = _run(command, environment)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        # pg_dump's own words in one line; an older pg_dump than the server says "server version mismatch".
        raise BackupError(f"pg_dump failed: {_one_line(result.stderr) or f'exit code {result.returncode}'}")
    checks = _check_archive(partial, program)
    partial.replace(path)
    method = f"{version or 'pg_dump'} (custom format; the password in PGPASSWORD, not on the command line)"
    return Backup(path, path.stat().st_size, taken_at, method, checks)


def _check_archive(path: Path, pg_dump: str) -> list[str]:
    """`pg_restore --list` reads the archive's table of contents: a truncated file fails it."""
    pg_restore = shutil.which("pg_restore", path=str(Path(pg_dump).parent)) or shutil.which("pg_restore")
    if pg_restore is None:
        return ["not read back: pg_restore is not installed"]
    result = _run([pg_restore, "--list", str(path)], os.environ.copy())
    if result.returncode != 0:
        path.unlink(missing_ok=True)
        raise BackupError(f"pg_restore cannot read the archive pg_dump wrote: {_one_line(result.stderr)}")
    tables = sum(" TABLE DATA " in line for line in result.stdout.splitlines())
    return [f"archive readable by pg_restore: {tables} tables"]


def _run(command: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    except OSError as error:
        raise BackupError(f"cannot run {command[0]}: {error}") from error


def _one_line(text: str) -> str:
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())
