"""`python -m bot` starting in a world that is not ready (README.md, "Running in production"): Telegram
unreachable, a token Telegram refuses, a database that is not there, a port taken. One line each, the
right exit code, and a traceback only with LOG_LEVEL=DEBUG."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

import aiohttp
import pytest

from .bot_api_server import FakeBotApi
from .conftest import MANAGER, TOKEN
from .test_process import BotProcess, run_bot

TOKEN_REFUSED = "voronka: the token was refused by Telegram (401 Unauthorized): check BOT_TOKEN"
NO_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:1/voronka"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_env(api_url: str, **more: str) -> dict[str, str]:
    return {"BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api_url, "MANAGER_IDS": str(MANAGER), **more}


async def test_with_telegram_unreachable_the_bot_waits_with_one_warning_and_starts_when_it_answers(
    tmp_path: Path,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"  # nothing listens there yet
    bot = await BotProcess.start(bot_env(url, LOG_LEVEL="INFO"), cwd=tmp_path)
    api = FakeBotApi()
    try:
        warning = await bot.wait_line(lambda line: " WARNING " in line and url in line)
        assert "cannot reach the Telegram Bot API" in warning and "until it answers" in warning
        await api.start(port=port)  # the network is back
        await bot.wait_line(lambda line: f"Telegram answers at {url}: this is @voronka_test_bot" in line)
        await api.wait_for_long_poll(timeout=30)
        anna = api.user(701, first_name="Анна")
        await anna.send("/start")
        await anna.expect("Вопрос 1 из 4", timeout=15)
    finally:
        bot.signal(signal.SIGTERM)
        code = await bot.finish()
        await api.stop()
    assert code == 0, bot.stderr[-3000:]
    assert [line for line in bot.lines if url in line and " WARNING " in line] == [warning]
    assert sum("Running upgrade  -> 0001" in line for line in bot.lines) == 1  # migrated once, not per try
    assert len(api.calls_of("getMe")) == 1  # asked again only until it answered
    assert "Traceback" not in bot.stderr and TOKEN not in bot.stderr, bot.stderr
    assert bot.lines[-1].endswith("INFO bot.app: stopped")


async def test_while_telegram_is_unreachable_website_leads_are_taken_and_health_says_what_waits(
    tmp_path: Path,
) -> None:
    port, web = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    intake_token = "site-token-" + "x" * 16
    env = bot_env(url, WEB_HOST="127.0.0.1", WEB_PORT=str(web), INTAKE_TOKEN=intake_token, LOG_LEVEL="INFO")
    bot = await BotProcess.start(env, cwd=tmp_path)
    api = FakeBotApi()
    try:
        await bot.wait_line(lambda line: " WARNING " in line and url in line)
        async with aiohttp.ClientSession(f"http://127.0.0.1:{web}") as http:
            async with http.get("/healthz") as answer:
                health = await answer.json()
            assert answer.status == 503 and health["checks"]["notifier"] == "not started", health
            lead = {"name": "Ирина", "phone": "+7 916 555-44-33", "comment": "Нужен сайт"}
            headers = {"Authorization": f"Bearer {intake_token}"}
            async with http.post("/api/leads", json=lead, headers=headers) as answer:
                assert answer.status == 201, await answer.text()
            await api.start(port=port)  # Telegram is back: the lead stored meanwhile reaches the manager
            await api.wait_for(
                lambda call: (
                    call.params.get("chat_id") == MANAGER and "Ирина" in str(call.params.get("text"))
                ),
                timeout=30,
            )
            async with asyncio.timeout(30):  # healthy once the notifier and the scheduler run
                while True:
                    async with http.get("/healthz") as answer:
                        if answer.status == 200:
                            break
                    await asyncio.sleep(0.2)
    finally:
        bot.signal(signal.SIGTERM)
        code = await bot.finish()
        await api.stop()
    assert code == 0, bot.stderr[-3000:]
    assert "Traceback" not in bot.stderr, bot.stderr


async def test_a_stop_while_waiting_for_telegram_ends_the_process_at_once_with_exit_code_0(
    tmp_path: Path,
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    bot = await BotProcess.start(bot_env(url, LOG_LEVEL="INFO"), cwd=tmp_path)
    try:
        await bot.wait_line(lambda line: " WARNING " in line and url in line)
    finally:
        bot.signal(signal.SIGINT)
        code = await bot.finish(timeout=20)
    assert code == 0, bot.stderr[-3000:]
    assert "Traceback" not in bot.stderr and "KeyboardInterrupt" not in bot.stderr
    assert bot.lines[-2:][0].endswith("SIGINT: stopping; what is in hand finishes first")
    assert bot.lines[-1].endswith("INFO bot.app: stopped")


@pytest.mark.parametrize("log_level", ["WARNING", "INFO"])
async def test_a_token_telegram_refuses_ends_the_start_with_one_line_and_exit_code_2(
    api: FakeBotApi, tmp_path: Path, log_level: str
) -> None:
    api.fail("getMe", times=100, error_code=401, description="Unauthorized")
    process = await run_bot(bot_env(api.url, LOG_LEVEL=log_level), cwd=tmp_path)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2, stderr.decode()[-3000:]
    lines = stderr.decode().strip().splitlines()
    said = [line for line in lines if line.startswith("voronka:")]
    assert len(said) == 1 and said[0].startswith(TOKEN_REFUSED) and said[0] == lines[-1], stderr.decode()
    if log_level == "WARNING":
        assert lines == said
    assert "Traceback" not in stderr.decode() and TOKEN not in stderr.decode() and stdout == b""
    assert len(api.calls_of("getMe")) == 1  # not asked again: it will not change its mind


async def test_a_token_revoked_while_running_ends_the_run_with_the_same_line(
    api: FakeBotApi, tmp_path: Path
) -> None:
    bot = await BotProcess.start(bot_env(api.url, LOG_LEVEL="WARNING"), cwd=tmp_path)
    try:
        await api.wait_for_long_poll(timeout=60)
        api.fail("getUpdates", times=100, error_code=401, description="Unauthorized")
        anna = api.user(702, first_name="Анна")
        await anna.send("/start")  # ends the long poll in flight; the next one is refused
        await anna.expect("Вопрос 1 из 4", timeout=15)  # the update in hand still finished
    except BaseException:
        bot.signal(signal.SIGTERM)
        raise
    finally:
        code = await bot.finish(timeout=30)
    assert code == 2, bot.stderr[-3000:]
    assert bot.lines == [line for line in bot.lines if "WARNING" in line] + [bot.lines[-1]]
    assert bot.lines[-1].startswith(TOKEN_REFUSED)
    assert "Traceback" not in bot.stderr


async def test_an_unreachable_database_ends_the_start_with_one_line(api: FakeBotApi, tmp_path: Path) -> None:
    process = await run_bot(bot_env(api.url, DATABASE_URL=NO_DATABASE), cwd=tmp_path)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1, stderr.decode()
    assert lines[0].startswith(f"voronka: cannot start: cannot prepare the database at {NO_DATABASE}")
    assert "(DATABASE_URL)" in lines[0] and stdout == b""
    assert api.calls == []  # Telegram is not asked before the database is ready


async def test_with_log_level_debug_a_failed_start_shows_its_traceback_too(
    api: FakeBotApi, tmp_path: Path
) -> None:
    process = await run_bot(bot_env(api.url, DATABASE_URL=NO_DATABASE, LOG_LEVEL="DEBUG"), cwd=tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
    text = stderr.decode()
    assert "Traceback (most recent call last)" in text and "ConnectionRefusedError" in text
    assert text.strip().splitlines()[-1].startswith("voronka: cannot start: cannot prepare the database")


async def test_a_port_in_use_ends_the_start_with_one_line_naming_it(api: FakeBotApi, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = bot_env(api.url, WEB_HOST="127.0.0.1", WEB_PORT=str(port), LOG_LEVEL="WARNING")
        process = await run_bot(env, cwd=tmp_path)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1 and stdout == b""
    assert stderr.decode().strip().splitlines() == [
        f"voronka: cannot start: cannot listen on 127.0.0.1:{port} (WEB_HOST, WEB_PORT): the port is in use "
        "by another program"
    ]
