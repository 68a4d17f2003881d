"""`voronka check`: read the settings (the environment and `.env`) and the CRM config, and say what is wrong.

One line per problem and exit 2, or one line starting with "ok" that sums up what the bot would run
with, and exit 0. Nothing is connected to: this runs anywhere, before a deploy.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.settings import Settings
    from domain.crm_config import CrmConfig

HELP = "check the settings (.env) and the CRM config: one line per problem, or ok (exit 0 or 2)"
EXIT_PROBLEMS = 2


def configure(parser: argparse.ArgumentParser) -> None:
    """No options: it checks what `voronka run` would read."""


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from bot.crm_config_file import ConfigFileError, load_crm_config
    from bot.settings import Settings

    problems: list[str] = []
    settings: Settings | None = None
    try:
        settings = Settings()  # pydantic-settings reads the environment and .env
    except ValidationError as error:
        problems += [_describe(problem) for problem in error.errors()]
    config: CrmConfig | None = None
    try:  # the CRM config too when a setting is wrong: every problem in one go
        config = load_crm_config(settings.crm_config if settings is not None else _config_path())
    except ConfigFileError as error:
        problems.append(str(error))
    if problems:
        for problem in problems:
            print(f"voronka: {problem}", file=sys.stderr)
        return EXIT_PROBLEMS
    assert settings is not None and config is not None
    print(f"ok: {summary(settings, config)}")
    return 0


def _config_path() -> Path | None:
    """CRM_CONFIG as the bot would read it (the environment, then `.env`), when other settings fail."""
    from pydantic_settings import BaseSettings

    from bot.settings import Settings

    class ConfigPath(BaseSettings):
        model_config = Settings.model_config
        crm_config: str | None = None

    path = ConfigPath().crm_config
    return Path(path) if path and path.strip() else None


def summary(settings: Settings, config: CrmConfig) -> str:
    from sqlalchemy.engine import make_url

    mode = f"webhook at {settings.webhook_url}" if settings.webhook_url else "long polling"
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    redis = "Redis" if settings.redis_url else "no Redis"
    source = str(settings.crm_config) if settings.crm_config else "the shipped default"
    crm = ", ".join(
        (
            _count(len(config.pipelines), "pipeline"),
            _count(len(config.intake.questions), "question"),
            _count(len(config.sources), "source"),
        )
    )
    staff = ", ".join(
        (
            _count(len(settings.admin_ids), "admin"),
            _count(len(settings.supervisor_ids), "supervisor"),
            _count(len(settings.manager_ids), "manager"),
        )
    )
    return (
        f"{mode}; database {database}; {redis}; CRM config {source}: {crm}; staff from the settings: {staff}"
    )


def _describe(problem: Any) -> str:
    """One problem in the words `bot.settings.load_settings` uses for the first one."""
    from bot.settings import MISSING_TOKEN

    message = str(problem["msg"]).removeprefix("Value error, ")
    if not problem["loc"]:  # a rule across variables names them itself
        return message
    name = str(problem["loc"][0]).upper()
    if name == "BOT_TOKEN" and problem["type"] == "missing":
        return MISSING_TOKEN
    return f"{name}: {message}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
