"""`voronka backup`: SQLite copied with its online backup API while another connection writes; PostgreSQL
dumped with pg_dump (when it is installed), the password kept off the command line."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import stat
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.cli import backup
from domain.crm_config import CrmConfig
from storage.backup import BackupError, backup_postgresql, take_backup
from storage.engine import create_engine, session_factory
from storage.migrator import upgrade_async
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import _create_database, _drop_database
from tests.integration.test_intake_use_case import ANSWERS, prospect, staff_with, submit

TAKEN_AT = datetime(2026, 11, 27, 3, 4, 5, tzinfo=UTC)
WRITES_BEFORE = 200  # rows the writer has committed before the backup starts
CHECK_TIMEOUT_S = 30


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    backup.configure(parser)
    return backup.run(parser.parse_args(list(argv)))


async def leads(url: str, config: CrmConfig, count: int) -> None:
    """`count` leads, each a contact and a deal with its history, the way the bot stores them."""
    await upgrade_async(url)
    engine = create_engine(url)
    sessions = session_factory(engine)

    def make_uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions)

    try:
        await staff_with(make_uow, manager=[101])
        for n in range(count):
            phone = f"+7916123{n:04d}"
            await submit(
                make_uow, config, who=prospect(500 + n, f"Клиент {n}"), answers={**ANSWERS, "phone": phone}
            )
    finally:
        await engine.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path, crm_config: CrmConfig) -> Path:
    path = tmp_path / "data" / "voronka.db"
    asyncio.run(leads(f"sqlite+aiosqlite:///{path}", crm_config, 3))
    return path


class Writer(threading.Thread):
    """Another connection, committing a row at a time (WAL mode, as the bot's), until told to stop."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.committed = 0
        self.progress = threading.Condition()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("CREATE TABLE IF NOT EXISTS writes (n INTEGER PRIMARY KEY, filler TEXT)")
            while not self.stop.is_set():
                connection.execute(
                    "INSERT INTO writes (n, filler) VALUES (?, ?)", (self.committed + 1, "x" * 500)
                )
                with self.progress:
                    self.committed += 1
                    self.progress.notify_all()
            connection.close()
        except BaseException as error:
            self.error = error

    def wait_for(self, rows: int) -> None:
        with self.progress:
            assert self.progress.wait_for(
                lambda: self.committed >= rows or self.error is not None, CHECK_TIMEOUT_S
            )
        assert self.error is None, self.error


def test_a_sqlite_copy_taken_while_another_connection_writes_opens_with_its_rows(
    sqlite_database: Path, tmp_path: Path
) -> None:
    writer = Writer(sqlite_database)
    writer.start()
    try:
        writer.wait_for(WRITES_BEFORE)
        taken = take_backup(f"sqlite+aiosqlite:///{sqlite_database}", tmp_path / "out" / "copy.db", TAKEN_AT)
        writer.wait_for(writer.committed + 10)  # it wrote on after the copy, undisturbed
    finally:
        writer.stop.set()
        writer.join(CHECK_TIMEOUT_S)
    assert writer.error is None

    assert taken.path == tmp_path / "out" / "copy.db" and taken.size == taken.path.stat().st_size > 0
    assert "integrity ok" in taken.checks and "deals 3" in taken.checks and "contacts 3" in taken.checks
    assert not list(taken.path.parent.glob("*.partial"))
    copy = sqlite3.connect(f"file:{taken.path}?mode=ro", uri=True)  # on its own, no -wal beside it
    try:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        copied = copy.execute("SELECT count(*), max(n) FROM writes").fetchone()
        assert copied[0] == copied[1]  # one moment: every write up to one, none after it half-copied
        assert WRITES_BEFORE <= copied[0] < writer.committed
        assert copy.execute("SELECT count(*) FROM deals").fetchone()[0] == 3
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        copy.close()


def test_the_command_names_the_file_by_the_utc_time_and_prints_path_size_and_time(
    sqlite_database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()

    assert run_cli("--database", f"sqlite+aiosqlite:///{sqlite_database}", "--to", str(folder)) == 0

    [made] = folder.iterdir()
    assert made.name.startswith("voronka-") and made.name.endswith("Z.db")
    stamp = datetime.strptime(made.name, "voronka-%Y%m%d-%H%M%SZ.db").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 120
    out = capsys.readouterr().out
    assert f"Backup: {made}" in out and "KB" in out and f"{stamp:%Y-%m-%d %H:%M:%S} UTC" in out
    assert "integrity ok" in out and "deals 3" in out


def test_a_folder_not_made_yet_named_with_a_slash_gets_a_file_named_by_the_time_night_after_night(
    sqlite_database: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "nightly"  # as in the README's cron line: --to /var/backups/voronka/
    database = f"sqlite+aiosqlite:///{sqlite_database}"

    assert run_cli("--database", database, "--to", f"{folder}/") == 0
    assert folder.is_dir() and [p.name.startswith("voronka-") for p in folder.iterdir()] == [True]
    # The next night: the folder exists, and another file goes beside the first.
    take_backup(database, f"{folder}/", datetime.now(UTC) + timedelta(days=1))
    assert len(list(folder.iterdir())) == 2 and all(p.is_file() for p in folder.iterdir())


def test_an_existing_file_or_a_missing_database_is_refused_in_one_line(
    sqlite_database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "mine.db"
    existing.write_bytes(b"keep me")

    assert run_cli("--database", f"sqlite+aiosqlite:///{sqlite_database}", "--to", str(existing)) == 1
    assert existing.read_bytes() == b"keep me"
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "exists already" in err

    missing = tmp_path / "nothing.db"
    assert run_cli("--database", f"sqlite+aiosqlite:///{missing}", "--to", str(tmp_path / "x.db")) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "no SQLite database at" in err
    assert not missing.exists()

    assert run_cli("--database", "sqlite:///./sync-driver.db") == 2
    assert "needs an async driver" in capsys.readouterr().err


def fake_tool(folder: Path, name: str, script: str) -> Path:
    """A `pg_dump` (or `pg_restore`) of the test's own, first on PATH."""
    folder.mkdir(exist_ok=True)
    program = folder / name
    program.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return program


def test_the_password_goes_in_pgpassword_not_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "seen"
    fake_tool(
        tmp_path / "bin",
        "pg_dump",
        f'[ "$1" = --version ] && echo "pg_dump (PostgreSQL) 99.1" && exit 0\n'
        f'echo "$@" > {seen}.args; echo "$PGPASSWORD" > {seen}.password\n'
        'for a in "$@"; do case "$a" in --file=*) echo dump > "${a#--file=}";; esac; done',
    )
    fake_tool(tmp_path / "bin", "pg_restore", 'echo "215; 0 16390 TABLE DATA public deals postgres"')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    url = make_url("postgresql+asyncpg://bot:s3cret@db.example:6543/voronka?ssl=require")

    taken = backup_postgresql(url, tmp_path / "out" / "v.dump", TAKEN_AT)

    args = (tmp_path / "seen.args").read_text(encoding="utf-8")
    assert "s3cret" not in args
    assert (
        "--format=custom" in args
        and "--dbname=postgresql://bot@db.example:6543/voronka?sslmode=require" in args
    )
    assert (tmp_path / "seen.password").read_text(encoding="utf-8").strip() == "s3cret"
    assert taken.path.read_text(encoding="utf-8") == "dump\n" and "pg_dump (PostgreSQL) 99.1" in taken.method
    assert taken.checks == ["archive readable by pg_restore: 1 tables"]


def test_pg_dump_older_than_the_server_is_its_own_error_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tool(
        tmp_path / "bin",
        "pg_dump",
        '[ "$1" = --version ] && echo "pg_dump (PostgreSQL) 14.9" && exit 0\n'
        'echo "pg_dump: error: aborting because of server version mismatch" >&2\n'
        'echo "pg_dump: detail: server version: 16.2; pg_dump version: 14.9" >&2\nexit 1',
    )
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))

    with pytest.raises(BackupError) as raised:
        backup_postgresql(make_url("postgresql+asyncpg://u@h/db"), tmp_path / "v.dump", TAKEN_AT)

    message = str(raised.value)
    assert "\n" not in message and "server version mismatch" in message and "server version: 16.2" in message
    assert not list(tmp_path.glob("v.dump*"))


def test_without_pg_dump_one_line_and_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing there

    assert (
        run_cli("--database", "postgresql+asyncpg://u:p@127.0.0.1/db", "--to", str(tmp_path / "v.dump")) == 1
    )

    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "pg_dump is not installed" in err


@pytest.fixture
def postgres_database(crm_config: CrmConfig) -> Iterator[str]:
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        pytest.skip("pg_dump backup not tested: TEST_DATABASE_URL is not set (.ci/run sets it)")
    if not all(shutil.which(tool) for tool in ("pg_dump", "pg_restore", "psql")):
        pytest.skip("pg_dump backup not tested: pg_dump, pg_restore or psql is not installed")
    try:
        url = asyncio.run(_create_database(admin_url))
    except OSError as error:
        pytest.skip(f"pg_dump backup not tested: no server at TEST_DATABASE_URL ({error})")
    asyncio.run(leads(url, crm_config, 3))
    yield url
    asyncio.run(_drop_database(admin_url, make_url(url).database or ""))


def test_postgresql_is_dumped_by_pg_dump_and_restores_with_its_rows(
    postgres_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("--database", postgres_database, "--to", f"{tmp_path}/") == 0

    [dump] = tmp_path.glob("voronka-*Z.dump")
    out = capsys.readouterr().out
    assert "pg_dump" in out and "PGPASSWORD" in out and f"Backup: {dump}" in out
    assert "archive readable by pg_restore" in out
    admin_url = os.environ["TEST_DATABASE_URL"]
    restored = asyncio.run(_create_database(admin_url))
    try:
        plain = make_url(restored).set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={plain}", str(dump)], check=True)
        counted = subprocess.run(
            ["psql", "-XAtc", "SELECT count(*) FROM deals", plain], check=True, capture_output=True, text=True
        )
        assert counted.stdout.strip() == "3"
    finally:
        asyncio.run(_drop_database(admin_url, make_url(restored).database or ""))
