"""INTAKE_TOKEN in the settings: unset or empty is off, short is refused in one line."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings

BOT_TOKEN = "123456:ABC-def_1"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ("BOT_TOKEN", "INTAKE_TOKEN", "WEBHOOK_URL", "WEBHOOK_SECRET", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_TOKEN", BOT_TOKEN)
    monkeypatch.chdir(str(tmp_path))  # no .env from the developer's checkout


@pytest.mark.parametrize("value", [None, "", "   "])
def test_no_intake_token_means_no_endpoint(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is not None:
        monkeypatch.setenv("INTAKE_TOKEN", value)
    assert load_settings().intake_token is None


def test_an_intake_token_is_kept_secret_and_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_TOKEN", "  Zm9vYmFyYmF6cXV4MTIz  ")
    settings = load_settings()
    assert settings.intake_token is not None
    assert settings.intake_token.get_secret_value() == "Zm9vYmFyYmF6cXV4MTIz"
    assert "Zm9v" not in repr(settings)


def test_a_short_intake_token_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_TOKEN", "letmein")
    with pytest.raises(SettingsError, match=r"^INTAKE_TOKEN: must be at least 16 characters long") as refused:
        load_settings()
    assert "\n" not in str(refused.value)


def test_the_webhook_may_not_sit_on_the_intake_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_TOKEN", "x" * 20)
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.com/api/leads")
    monkeypatch.setenv("WEBHOOK_SECRET", "s3cret")
    with pytest.raises(SettingsError, match=r"^WEBHOOK_URL: its path must not be /api/leads"):
        load_settings()
