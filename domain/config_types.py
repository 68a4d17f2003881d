"""The building blocks of the team's config file (`domain/crm_config.py`): strict models that refuse
unknown keys, texts needed in every language, durations written like `15m` or `1h30m`."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

from domain.durations import parse_duration

LANGUAGES = ("ru", "en")


def needs_every_language(value: dict[str, str]) -> dict[str, str]:
    missing = [lang for lang in LANGUAGES if not value.get(lang, "").strip()]
    if missing:
        raise ValueError(f"needs a text for every language, missing: {', '.join(missing)}")
    return value


def duration_value(value: object) -> object:
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, timedelta):
        return value
    raise ValueError("a duration is a string like 90s, 15m, 4h, 2d or 1h30m")


Localized = Annotated[dict[str, str], AfterValidator(needs_every_language)]


Duration = Annotated[timedelta, BeforeValidator(duration_value)]


class Strict(BaseModel):
    """Unknown keys are refused (a typo in the file is an error, not a silently ignored setting)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
