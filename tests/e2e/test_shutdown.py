"""SIGTERM and SIGINT stop `python -m bot` gracefully in both modes (README.md, "Running in production"):
the update in hand finishes, the process says "stopped" and exits 0."""

from __future__ import annotations

import asyncio
import signal
import socket
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from .bot_api_server import FakeBotApi
from .conftest import MANAGER, TOKEN
from .test_process import BotProcess

SECRET = "s3cret-token"
SLOW_TELEGRAM_S = 1.5  # every Bot API answer takes this long: the reply is still in flight at the signal
SIGNALS = [signal.SIGTERM, signal.SIGINT]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def inbox_state(database: Path, update_id: int) -> str | None:
    if not database.exists():
        return None
    with sqlite3.connect(database) as connection:
        row = connection.execute("select state from inbox where update_id = ?", (update_id,)).fetchone()
    return row[0] if row else None


async def until(check: Callable[[], Any], *, timeout: float = 30) -> Any:  # noqa: ASYNC109
    """Wait until `check()` gives something true (polling the bot's database, timing nothing)."""
    for _ in range(int(timeout / 0.05)):
        if value := check():
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {timeout}s")


async def stop_with_an_update_in_hand(
    bot: BotProcess, api: FakeBotApi, database: Path, signum: int, deliver: Callable[[], Awaitable[int]]
) -> int:
    """Deliver an update while Telegram is slow, signal once it is stored (in hand), and return its id."""
    api.delay(SLOW_TELEGRAM_S)
    update_id = await deliver()
    await until(lambda: inbox_state(database, update_id))  # stored and claimed: in hand
    bot.signal(signum)
    return update_id


def assert_stopped_gracefully(bot: BotProcess, code: int, signum: int) -> None:
    assert code == 0, bot.stderr[-3000:]
    name = signal.Signals(signum).name
    assert any(line.endswith(f"{name}: stopping; what is in hand finishes first") for line in bot.lines)
    assert bot.lines[-1].endswith("INFO bot.app: stopped"), bot.stderr[-3000:]
    assert "Traceback" not in bot.stderr and "KeyboardInterrupt" not in bot.stderr, bot.stderr


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
async def test_polling_stops_on_a_signal_after_finishing_the_update_in_hand(
    api: FakeBotApi, tmp_path: Path, signum: int
) -> None:
    env = {"BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.url, "MANAGER_IDS": str(MANAGER), "LOG_LEVEL": "INFO"}
    bot = await BotProcess.start(env, cwd=tmp_path)
    database = tmp_path / "data" / "voronka.db"
    anna = api.user(711, first_name="Анна")

    async def deliver() -> int:
        message = await anna.send("/start")
        call = await api.wait_for(lambda c: c.method == "getUpdates" and bool(c.result), timeout=30)
        assert call.result[0]["message"]["message_id"] == message["message_id"]
        return int(call.result[0]["update_id"])

    try:
        await api.wait_for_long_poll(timeout=60)
        update_id = await stop_with_an_update_in_hand(bot, api, database, signum, deliver)
    except BaseException:
        bot.signal(signal.SIGTERM)
        raise
    finally:
        code = await bot.finish(timeout=60)
    assert_stopped_gracefully(bot, code, signum)
    assert inbox_state(database, update_id) == "done"
    assert any("Вопрос 1 из 4" in text["text"] for text in api.sent_to(anna.chat_id))


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
async def test_the_webhook_stops_on_a_signal_after_finishing_the_update_in_hand(
    api: FakeBotApi, tmp_path: Path, signum: int
) -> None:
    port = free_port()
    env = {
        "BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.url, "MANAGER_IDS": str(MANAGER), "LOG_LEVEL": "INFO",
        "WEBHOOK_URL": "https://bot.example.com/hook", "WEBHOOK_SECRET": SECRET,
        "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port),
    }  # fmt: skip
    bot = await BotProcess.start(env, cwd=tmp_path)
    database = tmp_path / "data" / "voronka.db"
    update = {
        "update_id": 9001,
        "message": {
            "message_id": 1, "date": 1_795_000_000, "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            "chat": {"id": 712, "type": "private", "first_name": "Вера"},
            "from": {"id": 712, "is_bot": False, "first_name": "Вера", "language_code": "ru"},
        },
    }  # fmt: skip

    async def deliver() -> int:
        async with aiohttp.ClientSession() as http:
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with http.post(f"http://127.0.0.1:{port}/hook", json=update, headers=headers) as response:
                assert response.status == 200  # answered once stored
        return 9001

    try:
        registered = await api.wait_for(lambda call: call.method == "setWebhook", timeout=60)
        assert registered.params["url"] == "https://bot.example.com/hook"
        await bot.wait_line(lambda line: "Telegram posts updates to https://bot.example.com/hook" in line)
        update_id = await stop_with_an_update_in_hand(bot, api, database, signum, deliver)
    except BaseException:
        bot.signal(signal.SIGTERM)
        raise
    finally:
        code = await bot.finish(timeout=60)
    assert_stopped_gracefully(bot, code, signum)
    assert inbox_state(database, update_id) == "done"
    assert any("Вопрос 1 из 4" in text["text"] for text in api.sent_to(712))
    assert api.calls_of("deleteWebhook") == []  # the webhook stays: Telegram keeps what comes meanwhile
