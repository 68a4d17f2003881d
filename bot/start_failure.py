"""What ends a start with one line for people (bot/launch.py prints it; README.md, "Running in
production"): the part that failed and what to check, never a traceback (LOG_LEVEL=DEBUG logs that).
Light on purpose (no aiogram): bot/launch.py imports it before the heavy modules."""

from __future__ import annotations


class CannotStart(Exception):
    """Its message is one line for people: what could not be done, and which setting to look at."""


class BotApiRefused(Exception):
    """Telegram will not take this token or URL: a setting to fix, not an outage to wait out (exit 2)."""


def redacted(text: str, token: str) -> str:
    """`text` without the token: a client error may quote the URL it called, token and all."""
    return text.replace(token, "<BOT_TOKEN>") if token else text


def one_line(error: BaseException) -> str:
    """`Type: the first line of the message`, short enough for one line of a terminal or a log."""
    lines = str(error).strip().splitlines()
    text = lines[0][:300] if lines else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
