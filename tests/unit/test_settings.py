from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ("BOT_TOKEN", "ADMIN_IDS", "MANAGER_IDS", "SUPERVISOR_IDS", "DEFAULT_LOCALE", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(str(tmp_path))  # no .env from the developer's checkout


def test_a_missing_token_says_how_to_get_one() -> None:
    with pytest.raises(SettingsError, match="@BotFather"):
        load_settings()


def test_an_empty_token_as_in_the_example_env_says_it_is_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "")
    with pytest.raises(SettingsError, match=r"^BOT_TOKEN: is not set"):
        load_settings()


def test_a_malformed_token_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "not a token")
    with pytest.raises(SettingsError, match=r"^BOT_TOKEN: does not look like a bot token"):
        load_settings()


def test_role_ids_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:ABC-def_1")
    monkeypatch.setenv("MANAGER_IDS", " 11, 12 ,13")
    monkeypatch.setenv("ADMIN_IDS", "")
    settings = load_settings()
    assert settings.manager_ids == [11, 12, 13]
    assert settings.admin_ids == []
    assert settings.database_url == "sqlite+aiosqlite:///./data/voronka.db"
    assert settings.redis_url is None


def test_a_bad_id_list_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:ABC")
    monkeypatch.setenv("SUPERVISOR_IDS", "12,bob")
    with pytest.raises(SettingsError, match=r"^SUPERVISOR_IDS: .*bob"):
        load_settings()


def test_an_unknown_locale_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:ABC")
    monkeypatch.setenv("DEFAULT_LOCALE", "de")
    with pytest.raises(SettingsError, match=r"^DEFAULT_LOCALE"):
        load_settings()


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("DATABASE_URL", "sqlite:///./x.db", "needs an async driver"),
        ("DATABASE_URL", "not a url", "is not a database URL"),
        ("REDIS_URL", "localhost:6379", "must start with redis://"),
        ("TELEGRAM_API_URL", "127.0.0.1:8081", "must start with http://"),
    ],
)
def test_a_bad_url_is_named(monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:ABC")
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=rf"^{name}: {says}"):
        load_settings()


def test_a_webhook_without_a_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:ABC")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.com/tg")
    monkeypatch.setenv("WEBHOOK_SECRET", "")
    with pytest.raises(SettingsError, match=r"^WEBHOOK_SECRET: required with WEBHOOK_URL"):
        load_settings()
