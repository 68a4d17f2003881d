"""The Dockerfile, .dockerignore and compose.yaml, checked without a Docker engine.

Where `docker compose` runs, `docker compose config -q` judges compose.yaml. Everywhere, compose.yaml
is validated against the Compose Specification's JSON schema as check-jsonschema ships it (its
`vendor.compose-spec`, refreshed from the compose-spec/compose-spec repository by its maintainers), and
the points that matter are checked one by one: healthchecks, restart policies, the order of start-up.
The Dockerfile is read with dockerfile-parse, and .dockerignore is applied with docker-py's own
implementation of its rules (`docker.utils.build.exclude_paths`), as a build would apply it.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from docker.utils.build import exclude_paths
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
RESTARTS = {"always", "unless-stopped", "on-failure"}


def instructions() -> list[dict[str, Any]]:
    return list(DockerfileParser(path=str(ROOT / "Dockerfile")).structure)


def stages() -> list[list[dict[str, Any]]]:
    found: list[list[dict[str, Any]]] = []
    for instruction in instructions():
        if instruction["instruction"] == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def values(stage: list[dict[str, Any]], name: str) -> list[str]:
    return [str(instruction["value"]) for instruction in stage if instruction["instruction"] == name]


def words(value: str) -> list[str]:
    """An instruction's arguments, in the JSON (exec) form or the plain one."""
    return [str(word) for word in json.loads(value)] if value.lstrip().startswith("[") else shlex.split(value)


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


# --- Dockerfile -----------------------------------------------------------------------------------


def test_a_slim_python_base_and_two_stages() -> None:
    bases = [words(values(stage, "FROM")[0])[0] for stage in stages()]
    assert len(bases) >= 2, "the wheel is built in one stage and installed in another"
    assert all(base.startswith("python:3.11-slim") for base in bases), bases
    final = stages()[-1]
    assert any(value.startswith("--from=") for value in values(final, "COPY")), (
        "the final stage takes the wheel"
    )


def test_the_wheel_is_installed_with_the_constraints() -> None:
    final = stages()[-1]
    installs = [run for run in values(final, "RUN") if "pip install" in run]
    assert installs, "the final stage installs the wheel"
    assert any(("--constraint" in run or " -c " in run) and "constraints.txt" in run for run in installs)
    assert any(".whl" in run for run in installs)
    assert any("constraints.txt" in copy for copy in values(final, "COPY"))


def test_it_runs_the_voronka_command_as_a_user_without_rights() -> None:
    final = stages()[-1]
    names = [instruction["instruction"] for instruction in final]
    assert names.count("CMD") == 1 and words(values(final, "CMD")[0]) == ["voronka"]
    users_before_cmd = values(final[: names.index("CMD")], "USER")
    assert users_before_cmd, "no USER before CMD: the bot would run as root"
    assert users_before_cmd[-1].split(":")[0] not in {"root", "0"}


def test_data_lives_in_a_volume_and_the_environment_says_so() -> None:
    final = stages()[-1]
    volumes = [path for value in values(final, "VOLUME") for path in words(value)]
    assert "/data" in volumes
    env = " ".join(values(final, "ENV"))
    assert "DATABASE_URL=sqlite+aiosqlite:////data/voronka.db" in env
    assert "WEB_PORT=8080" in env and "PYTHONUNBUFFERED=1" in env
    assert "8080" in " ".join(values(final, "EXPOSE"))


def test_the_healthcheck_asks_healthz_without_curl() -> None:
    (check,) = values(stages()[-1], "HEALTHCHECK")
    command = words(check[check.index("CMD") + len("CMD") :])
    assert command[:2] == ["python", "-c"]
    assert "urllib.request" in command[2] and "http://127.0.0.1:" in command[2] and "/healthz" in command[2]
    compile(command[2], "HEALTHCHECK", "exec")  # the one-liner is Python


def test_every_copied_file_exists_and_gets_through_dockerignore() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    in_context = exclude_paths(str(ROOT), patterns)
    copied = []
    for stage in stages():
        for copy in values(stage, "COPY"):
            arguments = [word for word in words(copy) if not word.startswith("--")]
            if copy.startswith("--from="):
                continue
            copied += arguments[:-1]
    assert copied
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert source in in_context, f"COPY {source}: excluded by .dockerignore"
    for secret_or_bulky in (".env", ".venv", "data", ".git", "tests"):
        assert secret_or_bulky not in in_context
    # Every file of the packages reaches the build (a pattern that ate some would make a broken wheel).
    for package in ("bot", "handlers", "domain", "storage", "locales"):
        files = {
            path.relative_to(ROOT).as_posix()
            for path in (ROOT / package).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }
        assert files <= in_context, sorted(files - in_context)[:5]


# --- compose.yaml ---------------------------------------------------------------------------------


def test_compose_config_accepts_the_file() -> None:
    if shutil.which("docker") is None or (
        subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode != 0
    ):
        pytest.skip("no `docker compose` here: the schema test below checks compose.yaml instead")
    done = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def _schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_compose_file_follows_the_compose_specification(tmp_path: Path) -> None:
    done = _schema_check(COMPOSE)
    assert done.returncode == 0, done.stdout + done.stderr
    # The schema does judge: a condition Compose does not know is refused.
    broken = tmp_path / "compose.yaml"
    broken.write_text(
        COMPOSE.read_text(encoding="utf-8").replace("service_completed_successfully", "service_finished"),
        encoding="utf-8",
    )
    assert _schema_check(broken).returncode == 1


def test_every_service_restarts_and_reports_its_health() -> None:
    services = compose()["services"]
    assert {"bot", "migrate", "postgres", "redis"} <= set(services)
    for name, service in services.items():
        if name == "migrate":
            continue
        assert service.get("restart") in RESTARTS, f"{name}: restart policy"
        assert service.get("healthcheck", {}).get("test"), f"{name}: healthcheck"
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    bot_check = " ".join(services["bot"]["healthcheck"]["test"])
    assert "http://127.0.0.1:" in bot_check and "/healthz" in bot_check


def test_migrations_run_once_before_the_bots_start() -> None:
    services = compose()["services"]
    migrate, bot = services["migrate"], services["bot"]
    assert migrate["command"] == ["voronka", "migrate"]
    assert migrate.get("restart") in (None, "no")
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert bot["depends_on"]["redis"]["condition"] == "service_healthy"
    for service in (migrate, bot):
        assert service["build"] == "."
        assert service["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert "@postgres:5432/" in service["environment"]["DATABASE_URL"]
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:6379/")
        assert [entry["path"] for entry in service["env_file"]] == [".env"]


def test_the_databases_keep_their_data_in_named_volumes() -> None:
    document = compose()
    declared = set(document["volumes"])
    for name, inside in (("postgres", "/var/lib/postgresql/data"), ("redis", "/data"), ("bot", "/data")):
        mounts = [volume.split(":") for volume in document["services"][name]["volumes"]]
        assert any(volume == inside and source in declared for source, volume in mounts), name
