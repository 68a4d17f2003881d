"""Environment settings (README.md, "Environment"). `.env` is read; `.env.example` lists every variable."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
INTAKE_TOKEN_MIN = 16
INTAKE_PATH = "/api/leads"  # where the website posts leads (bot/intake_api.py)
DEFAULT_WEB_PORT = 8080  # the web server's port when it runs and WEB_PORT is not set

IdList = Annotated[list[int], NoDecode]
ASYNC_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr
    telegram_api_url: str = "https://api.telegram.org"
    database_url: str = "sqlite+aiosqlite:///./data/voronka.db"
    redis_url: str | None = None
    crm_config: Path | None = None
    admin_ids: IdList = []
    supervisor_ids: IdList = []
    manager_ids: IdList = []
    default_locale: Literal["ru", "en"] = "ru"
    scheduler_tick: float = Field(default=15.0, gt=0)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    web_host: str = "0.0.0.0"
    # Unset: polling mode runs no web server unless INTAKE_TOKEN is set (bot/web_server.py); the one that
    # runs listens on DEFAULT_WEB_PORT then (`listen_port`).
    web_port: int | None = Field(default=None, ge=1, le=65535)
    # The website's leads (README.md, "Leads from the website"): set, the intake endpoint is served.
    intake_token: SecretStr | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    @field_validator("bot_token")
    @classmethod
    def _token_looks_like_one(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("is not set: put the token @BotFather gave you into .env (BOT_TOKEN=...)")
        if not TOKEN_PATTERN.match(value.get_secret_value().strip()):
            raise ValueError("does not look like a bot token (digits, a colon, then letters and digits)")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("admin_ids", "supervisor_ids", "manager_ids", mode="before")
    @classmethod
    def _comma_separated_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            bad = [p for p in parts if not p.lstrip("-").isdigit()]
            if bad:
                raise ValueError(f"expected comma-separated Telegram user ids, got {', '.join(bad)}")
            return [int(p) for p in parts]
        return value

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_SECRET: required with WEBHOOK_URL (1-256 of A-Z a-z 0-9 _ -), so that nobody "
                "else can post updates to the webhook"
            )
        return self

    @model_validator(mode="after")
    def _webhook_path_is_not_the_intake_s(self) -> Settings:
        if self.webhook_url and self.intake_token and urlparse(self.webhook_url).path == INTAKE_PATH:
            raise ValueError(
                f"WEBHOOK_URL: its path must not be {INTAKE_PATH}, where the website posts leads"
            )
        return self

    @field_validator("webhook_secret", "intake_token", mode="before")
    @classmethod
    def _empty_secret_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("intake_token")
    @classmethod
    def _intake_token_is_long(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        token = value.get_secret_value().strip()
        if len(token) < INTAKE_TOKEN_MIN:
            raise ValueError(
                f"must be at least {INTAKE_TOKEN_MIN} characters long, so that it cannot be guessed "
                "(python3 -c 'import secrets; print(secrets.token_urlsafe(32))' makes one)"
            )
        return SecretStr(token)

    @property
    def serves_web(self) -> bool:
        """Whether the process runs its web server: always for the webhook, else when asked for."""
        return bool(self.webhook_url) or self.web_port is not None or self.intake_token is not None

    @property
    def listen_port(self) -> int:
        return self.web_port if self.web_port is not None else DEFAULT_WEB_PORT

    @field_validator("redis_url", "webhook_url", "crm_config", "web_port", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url")
    @classmethod
    def _async_database_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            driver = make_url(value).drivername
        except ArgumentError:
            raise ValueError("is not a database URL (e.g. sqlite+aiosqlite:///./data/voronka.db)") from None
        if driver not in ASYNC_DRIVERS:
            raise ValueError(f"needs an async driver: {' or '.join(ASYNC_DRIVERS)}, not {driver}")
        return value

    @field_validator("telegram_api_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class SettingsError(Exception):
    """One line for people: which variable and what is wrong."""


MISSING_TOKEN = (
    "BOT_TOKEN is not set: open @BotFather in Telegram, send /newbot, and put the token it gives you "
    "into .env as BOT_TOKEN=123456:ABC..."
)


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        if not first["loc"]:  # a rule across variables names them itself
            raise SettingsError(first["msg"].removeprefix("Value error, ")) from None
        name = str(first["loc"][0]).upper()
        if name == "BOT_TOKEN" and first["type"] == "missing":
            raise SettingsError(MISSING_TOKEN) from None
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name}: {message}") from None
