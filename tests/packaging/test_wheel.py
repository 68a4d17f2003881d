"""The wheel carries the whole product: built, installed (not editable) into a fresh venv outside the
repository with the pinned versions of constraints.txt, and used from a folder outside the repository.

This is what `pip install .` in a Dockerfile does; an editable install (the README's test command) hides
a file missing from the wheel, because it imports from the source tree (README.md, "Running in
production"). The wheel is built and installed once per test session (most of this file's minute or
so); each test then runs the installed commands.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.settings import Settings
from storage.tables import Base

ROOT = Path(__file__).resolve().parents[2]
SUB_COMMANDS = ("run", "migrate", "check", "backup", "copy-db")
# What the source tree has that a wheel must not need, nor carry.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "venv", "data", "backups", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
    ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis", ".import_linter_cache", ".env",
)  # fmt: skip
INSTALL_TIMEOUT_S = 600
COMMAND_TIMEOUT_S = 120


@dataclass(frozen=True)
class Installed:
    wheel: Path
    python: Path
    voronka: Path
    site_packages: Path
    elsewhere: Path  # a folder outside the repository, the current one for every command
    env: dict[str, str]

    def run(self, *args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(arg) for arg in args],
            cwd=self.elsewhere,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )


def _clean_env() -> dict[str, str]:
    """The environment without anything that would import from the source tree or set the bot up."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH"):
        env.pop(name, None)
    for name in Settings.model_fields:
        env.pop(name.upper(), None)
    return env


def _check(command: list[str], *, cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    work = tmp_path_factory.mktemp("wheel")
    assert not work.resolve().is_relative_to(ROOT), "the venv must be outside the repository"
    env = _clean_env()
    # Built from a copy: an in-tree build would write build/ and voronka.egg-info into the checkout,
    # which the editable install of the developers' venv reads.
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    dist = work / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    _check([*pip, "wheel", "--no-deps", "--wheel-dir", str(dist), str(source)], cwd=work, env=env)
    (wheel,) = dist.glob("voronka-*.whl")

    target = work / "venv"
    venv.EnvBuilder(with_pip=False, clear=True).create(target)
    python = target / "bin" / "python"
    # The venv's own pip would cost a few seconds of ensurepip: this interpreter's pip installs into it.
    # --no-compile: the commands below compile what they import (a third of all), not pip everything.
    constraints = ["--constraint", str(ROOT / "constraints.txt")]
    _check(
        [*pip, "--python", str(python), "install", "--no-compile", *constraints, str(wheel)],
        cwd=work,
        env=env,
    )
    site_packages = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], env=env, text=True
        ).strip()
    )
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    yield Installed(wheel, python, target / "bin" / "voronka", site_packages, elsewhere, env)


def test_the_wheel_carries_the_texts_the_default_config_and_the_migrations(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    in_repo = {
        path.relative_to(ROOT).as_posix()
        for pattern in ("locales/*/*.ftl", "storage/migrations/versions/*.py")
        for path in ROOT.glob(pattern)
    }
    assert in_repo, "nothing found to compare with"
    assert in_repo <= names, f"missing from the wheel: {sorted(in_repo - names)}"
    for needed in (
        "locales/__init__.py",
        "bot/defaults/crm.toml",
        "bot/cli/__init__.py",
        "storage/migrations/env.py",
        "storage/migrations/script.py.mako",
    ):
        assert needed in names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert not any(name.startswith(("tests/", "bench/")) for name in names)


RENDER = """
import sys
from pathlib import Path

import handlers.common.i18n as i18n
from bot.crm_config_file import load_crm_config

assert Path(i18n.__file__).resolve().is_relative_to(Path(sys.argv[1]).resolve()), i18n.__file__
translator = i18n.Translator()
for locale, name in (("ru", "Анна"), ("en", "Anna")):
    text = translator.get(locale, "intake-greeting", name=name, company="Voronka", count=3)
    print(text.replace("\\n", " "))
config = load_crm_config()
print(len(config.pipelines), len(config.intake.questions))
"""


def test_texts_render_as_texts_and_the_default_config_loads(installed: Installed) -> None:
    done = installed.run(installed.python, "-c", RENDER, installed.site_packages)
    assert done.returncode == 0, done.stderr
    assert "missing text" not in done.stderr
    ru, en, counts = done.stdout.splitlines()
    for text, name in ((ru, "Анна"), (en, "Anna")):
        assert text != "intake-greeting" and name in text and "3" in text
    assert any("а" <= letter <= "я" for letter in ru.lower())
    assert not any("а" <= letter <= "я" for letter in en.lower())
    pipelines, questions = map(int, counts.split())
    assert pipelines >= 1 and questions >= 1


def test_the_command_lists_its_sub_commands_and_its_version(installed: Installed) -> None:
    helped = installed.run(installed.voronka, "--help")
    assert helped.returncode == 0, helped.stderr
    for name in SUB_COMMANDS:
        assert f"\n    {name} " in helped.stdout, f"{name} is not listed:\n{helped.stdout}"
    versioned = installed.run(installed.voronka, "--version")
    assert versioned.returncode == 0 and versioned.stdout.split() == ["voronka", "0.1.0"]


def test_migrations_run_from_the_installed_package(installed: Installed, tmp_path: Path) -> None:
    database = tmp_path / "nested" / "voronka.db"
    url = f"sqlite+aiosqlite:///{database}"
    first = installed.run(installed.voronka, "migrate", "--database", url)
    assert first.returncode == 0, first.stderr
    assert "migrated from an empty database" in first.stdout
    again = installed.run(installed.voronka, "migrate", "--database", url)
    assert again.returncode == 0 and "up to date" in again.stdout, again.stderr

    with sqlite3.connect(database) as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert {*Base.metadata.tables, "alembic_version"} <= tables
    assert again.stdout.strip().endswith(f"(migration {version})")


def test_check_reads_the_env_file_of_the_current_folder(installed: Installed, tmp_path: Path) -> None:
    folder = tmp_path / "deploy"
    folder.mkdir()
    (folder / ".env").write_text(
        f"BOT_TOKEN=123456:{'A' * 35}\nDATABASE_URL=sqlite+aiosqlite:///{tmp_path}/v.db\n", encoding="utf-8"
    )
    command = [str(installed.voronka), "check"]
    ok = subprocess.run(command, cwd=folder, env=installed.env, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("ok: long polling;") and "the shipped default" in ok.stdout

    (folder / ".env").write_text("DATABASE_URL=mysql://nowhere\n", encoding="utf-8")
    bad = subprocess.run(command, cwd=folder, env=installed.env, capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and bad.stdout == ""
    lines = bad.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("voronka: BOT_TOKEN") and "DATABASE_URL" in lines[1]
