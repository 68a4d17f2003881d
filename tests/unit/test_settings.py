from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in (
        *("BOT_TOKEN", "ADMIN_IDS", "MANAGER_IDS", "SUPERVISOR_IDS", "DEFAULT_LOCALE", "REDIS_URL"),
        *("WEB_PORT", "INTAKE_TOKEN", "WEBHOOK_URL", "WEBHOOK_SECRET"),
    ):
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


def test_web_port_unset_or_empty_runs_no_web_server_in_polling_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:ABC")
    monkeypatch.setenv("WEB_PORT", "")
    settings = load_settings()
    assert settings.web_port is None and not settings.serves_web
    assert settings.listen_port == 8080


@pytest.mark.parametrize(
    ("env", "port"),
    [
        ({"WEB_PORT": "9100"}, 9100),  # health and metrics in polling mode
        ({"INTAKE_TOKEN": "x" * 16}, 8080),  # the website's leads
        ({"WEBHOOK_URL": "https://bot.example.com/tg", "WEBHOOK_SECRET": "s3cret"}, 8080),  # always
    ],
)
def test_the_web_server_runs_when_something_needs_it(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], port: int
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:ABC")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.serves_web and settings.listen_port == port


def test_a_web_port_out_of_range_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:ABC")
    monkeypatch.setenv("WEB_PORT", "70000")
    with pytest.raises(SettingsError, match=r"^WEB_PORT: "):
        load_settings()
