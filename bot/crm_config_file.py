"""Reading the CRM config: the shipped default, with the file named by CRM_CONFIG merged over it.

The default is the `bot` package's data (`bot/defaults/crm.toml`), found through `importlib.resources`:
the same in a source checkout and in an installed wheel, whatever the current folder.
"""

from __future__ import annotations

import tomllib
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from domain.crm_config import CrmConfig
from domain.durations import DurationError
from domain.working_time import CalendarError

DEFAULT_CONFIG: Traversable = files("bot") / "defaults" / "crm.toml"


class ConfigFileError(Exception):
    """One line for people: the file, the key and what is wrong."""


def load_crm_config(path: Path | None = None) -> CrmConfig:
    merged = _read(DEFAULT_CONFIG)
    if path is not None:
        merged = merge(merged, _read(path))
    where = str(path or DEFAULT_CONFIG)
    try:
        return CrmConfig.model_validate(merged)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigFileError(f"CRM config {where}: {key + ': ' if key else ''}{message}") from None
    except (DurationError, CalendarError) as error:
        raise ConfigFileError(f"CRM config {where}: {error}") from None


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; anything else (lists included) is replaced whole."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = value
    return result


def _read(path: Path | Traversable) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        raise ConfigFileError(f"CRM config {path}: file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigFileError(f"CRM config {path}: not valid TOML: {error}") from None
