"""DATABASE_URL for the data commands (`voronka backup`, `voronka copy-db`), read as the bot reads it.

They need no bot token, so they do not load the whole `Settings` (which requires BOT_TOKEN): the same
`.env`, the same default and the same check of the URL, and nothing else.
"""

from __future__ import annotations

import logging
import sys
import traceback

from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.settings import Settings, SettingsError

DEFAULT_DATABASE_URL: str = Settings.model_fields["database_url"].default


class DatabaseSetting(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    log_level: str = "INFO"


def database_url(given: str | None = None) -> str:
    """`given` (a command's --database or --from), else DATABASE_URL; SettingsError for no async URL."""
    url = given if given is not None else DatabaseSetting().database_url
    try:
        return Settings._async_database_url(url)  # the bot's own check of the URL
    except ValueError as error:
        name = "the given URL" if given is not None else "DATABASE_URL"
        raise SettingsError(f"{name}: {error}") from None


def say_failure(command: str, error: BaseException) -> None:
    """One line on stderr; the traceback too with LOG_LEVEL=DEBUG (README.md, "Environment")."""
    try:
        debug = DatabaseSetting().log_level.upper() == "DEBUG"
    except ValueError:
        debug = False
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    logging.getLogger("bot.cli").debug("%s failed", command, exc_info=error)
    print(f"voronka {command}: {error}", file=sys.stderr)
