"""kill -9 with updates fetched and not handled: after the restart each is handled, in order per chat,
and nobody has to start again (`python -m bot` as a person runs it, on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from .bot_api_server import FakeBotApi
from .conftest import MANAGER, TOKEN, count
from .test_process import run_bot

PEOPLE = 12


async def _scalar(url: str, sql: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(text(sql))).scalar() or 0)
    except Exception:  # the file or the schema is not there yet
        return -1
    finally:
        await engine.dispose()


async def _until(url: str, sql: str, predicate: object, *, timeout: float) -> int:  # noqa: ASYNC109
    value = -1
    for _ in range(int(timeout / 0.1)):
        value = await _scalar(url, sql)
        if callable(predicate) and predicate(value):
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"{sql!r} stayed at {value} for {timeout}s")


async def test_updates_in_hand_at_a_kill_9_are_handled_after_the_restart_once_and_in_order(
    api: FakeBotApi, tmp_path: Path, database_url: str
) -> None:
    (tmp_path / "crm.toml").write_text("[business_hours]\nalways = true\n", encoding="utf-8")
    env = {
        "BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.url, "MANAGER_IDS": str(MANAGER),
        "CRM_CONFIG": "crm.toml", "LOG_LEVEL": "warning", "DATABASE_URL": database_url,
    }  # fmt: skip
    process = await run_bot(env, cwd=tmp_path)
    await api.wait_for_long_poll(timeout=60)
    api.delay(30)  # every reply hangs: the handlers are all mid-way when the process dies
    people = [api.user(900 + n, first_name=f"Гость{n}") for n in range(PEOPLE)]
    for person in people:
        await person.send("/start")
        await person.send("Нужен интернет-магазин")  # the answer to question 1, after the /start
    await _until(database_url, "select count(*) from inbox", lambda n: n == 2 * PEOPLE, timeout=30)
    process.send_signal(signal.SIGKILL)
    await process.wait()
    api.clear_faults()
    since = api.mark()

    process = await run_bot(env, cwd=tmp_path)
    try:
        for person in people:
            await person.expect("Вопрос 2 из 4", timeout=30)  # the answer came after its /start
            assert count(api, since, person.chat_id, "Вопрос 2 из 4") == 1
        done = "select count(*) from inbox where state = 'done'"
        assert await _until(database_url, done, lambda n: n == 2 * PEOPLE, timeout=10) == 2 * PEOPLE
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert "Traceback" not in stderr.decode(), stderr.decode()[-3000:]
