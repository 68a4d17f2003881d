"""The `voronka` command in-process: which sub-command runs, and what `migrate` and `check` say."""

from __future__ import annotations

import sqlite3
import sys
import types
from pathlib import Path

import pytest

import bot.cli
from bot.cli import SUB_COMMANDS, main
from storage.migrator import head_revision
from storage.tables import Base

GOOD_TOKEN = "123456:" + "A" * 35


@pytest.fixture(autouse=True)
def no_settings_around(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A folder with no .env and an environment with no bot settings, as on a fresh machine."""
    from bot.settings import Settings

    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def launches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A stand-in for `bot.launch` (the bot's start-up) that records its calls and returns 7."""
    calls: list[str] = []
    stand_in = types.ModuleType("bot.launch")

    def launch_main() -> int:
        calls.append("launched")
        return 7

    stand_in.main = launch_main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.launch", stand_in)
    return calls


@pytest.mark.parametrize("argv", [[], ["run"]])
def test_the_bot_runs_without_a_sub_command_and_with_run(argv: list[str], launches: list[str]) -> None:
    assert main(argv) == 7
    assert launches == ["launched"]


def test_help_lists_every_sub_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    listed = capsys.readouterr().out
    for name in ("run", "migrate", "check", "backup", "copy-db"):
        assert f"\n    {name} " in listed


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("voronka ")


def test_an_unknown_sub_command_is_refused(capsys: pytest.CaptureFixture[str], launches: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve"])
    assert exited.value.code == 2
    assert "invalid choice: 'serve'" in capsys.readouterr().err
    assert launches == []


def test_a_sub_command_module_not_there_is_not_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.cli, "SUB_COMMANDS", (*SUB_COMMANDS, ("later", "not_written_yet")))
    assert "later" not in bot.cli.build_parser().format_help()


def test_a_sub_command_whose_import_fails_is_not_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a module that is not there is left out; one that is there and breaks says so."""
    (tmp_path / "broken.py").write_text("import a_library_not_installed_here\n", encoding="utf-8")
    monkeypatch.setattr(bot.cli, "__path__", [*bot.cli.__path__, str(tmp_path)])
    monkeypatch.setattr(bot.cli, "SUB_COMMANDS", (("broken", "broken"),))
    monkeypatch.delitem(sys.modules, "bot.cli.broken", raising=False)
    with pytest.raises(ModuleNotFoundError) as failed:
        bot.cli.build_parser()
    assert failed.value.name == "a_library_not_installed_here"


def test_migrate_builds_the_schema_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "data" / "voronka.db"
    url = f"sqlite+aiosqlite:///{database}"
    assert main(["migrate", "--database", url]) == 0
    assert capsys.readouterr().out.strip() == f"{url}: migrated from an empty database to {head_revision()}"
    assert main(["migrate", "--database", url]) == 0
    assert capsys.readouterr().out.strip() == f"{url}: up to date (migration {head_revision()})"
    with sqlite3.connect(database) as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(Base.metadata.tables) <= tables


def test_migrate_on_each_database(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy.engine import make_url

    shown = make_url(database_url).render_as_string(hide_password=True)
    assert main(["migrate", "--database", database_url]) == 0
    assert capsys.readouterr().out.strip() == f"{shown}: migrated from an empty database to {head_revision()}"
    assert main(["migrate", "--database", database_url]) == 0
    assert capsys.readouterr().out.strip() == f"{shown}: up to date (migration {head_revision()})"


def test_migrate_reads_database_url_and_needs_no_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/from-env.db")
    assert main(["migrate"]) == 0
    assert "from-env.db: migrated" in capsys.readouterr().out


def test_migrate_says_in_one_line_why_it_cannot(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--database", "mysql://somewhere/voronka"]) == 2
    refused = capsys.readouterr().err.splitlines()
    assert len(refused) == 1 and "needs an async driver" in refused[0]

    # Nothing listens on port 9 (discard): refused at once, and the password is not shown.
    unreachable = "postgresql+asyncpg://voronka:secret@127.0.0.1:9/voronka"
    assert main(["migrate", "--database", unreachable]) == 1
    failed = capsys.readouterr().err.splitlines()
    assert len(failed) == 1 and failed[0].startswith("voronka migrate: cannot migrate")
    assert "secret" not in failed[0] and "***" in failed[0]


def test_check_says_ok_with_a_summary(
    no_settings_around: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (no_settings_around / ".env").write_text(
        f"BOT_TOKEN={GOOD_TOKEN}\nADMIN_IDS=1,2\nREDIS_URL=redis://127.0.0.1:6379/0\n", encoding="utf-8"
    )
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://voronka:secret@db:5432/voronka")
    assert main(["check"]) == 0
    said = capsys.readouterr()
    assert said.err == ""
    assert said.out.startswith("ok: long polling; database postgresql+asyncpg://voronka:***@db:5432/voronka;")
    assert "; Redis;" in said.out and "2 admins, 0 supervisors, 0 managers" in said.out
    assert "secret" not in said.out and GOOD_TOKEN not in said.out


def test_check_names_every_problem_in_a_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://nowhere")
    monkeypatch.setenv("WEB_PORT", "0")
    assert main(["check"]) == 2
    said = capsys.readouterr()
    assert said.out == ""
    lines = said.err.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("voronka: BOT_TOKEN is not set")
    assert any(line.startswith("voronka: DATABASE_URL: needs an async driver") for line in lines)
    assert any(line.startswith("voronka: WEB_PORT: ") for line in lines)


def test_check_names_a_bad_crm_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "crm.toml"
    config.write_text('timezone = "Mars/Olympus"\n', encoding="utf-8")
    monkeypatch.setenv("BOT_TOKEN", GOOD_TOKEN)
    monkeypatch.setenv("CRM_CONFIG", str(config))
    assert main(["check"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and str(config) in lines[0] and "Mars/Olympus" in lines[0]

    monkeypatch.setenv("MANAGER_IDS", "1,x")  # and a bad setting besides: both are named
    assert main(["check"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and "MANAGER_IDS" in lines[0] and "Mars/Olympus" in lines[1], lines


def test_python_m_bot_is_the_same_command(no_settings_around: Path) -> None:
    """`python -m bot --help` lists the sub-commands; it does not start a second bot beside a running one
    (without BOT_TOKEN, a start would say so and exit 2)."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], cwd=no_settings_around, capture_output=True, text=True,
        timeout=60, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)}, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert all(name in done.stdout for name, _ in SUB_COMMANDS), done.stdout
