"""`python -m bot` as a person runs it: a clear one-line error on bad settings, and a whole intake."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from .bot_api_server import FakeBotApi
from .conftest import MANAGER, TOKEN

ROOT = Path(__file__).resolve().parents[2]


async def run_bot(env: dict[str, str], *, cwd: Path) -> asyncio.subprocess.Process:
    clean = {k: v for k, v in os.environ.items() if not k.endswith(("_IDS", "_URL", "TOKEN"))}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=cwd, env={**clean, "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({}, "BOT_TOKEN is not set: open @BotFather"),
        ({"BOT_TOKEN": "oops"}, "BOT_TOKEN: does not look like a bot token"),
        ({"BOT_TOKEN": TOKEN, "MANAGER_IDS": "1,x"}, "MANAGER_IDS: expected comma-separated"),
        ({"BOT_TOKEN": TOKEN, "CRM_CONFIG": "missing.toml"}, "CRM config missing.toml: file not found"),
    ],
)
async def test_a_bad_setting_stops_the_start_with_one_line_and_exit_code_2(
    tmp_path: Path, env: dict[str, str], says: str
) -> None:
    process = await run_bot(env, cwd=tmp_path)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1 and says in lines[0], stderr.decode()
    assert "Traceback" not in stderr.decode() and stdout == b""


async def test_python_m_bot_carries_a_prospect_through_intake_to_the_manager_s_card(
    api: FakeBotApi, tmp_path: Path
) -> None:
    (tmp_path / "crm.toml").write_text("[business_hours]\nalways = true\n", encoding="utf-8")
    process = await run_bot(
        {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api.url,
            "MANAGER_IDS": str(MANAGER),
            "CRM_CONFIG": "crm.toml",
            "LOG_LEVEL": "warning",
        },
        cwd=tmp_path,
    )
    try:
        await api.wait_for_long_poll(timeout=60)
        assert (tmp_path / "data" / "voronka.db").exists()
        anna, manager = api.user(701, first_name="Анна"), api.user(MANAGER)
        await anna.send("/start src_telegram_ads")
        await anna.expect("Вопрос 1 из 4")
        await anna.send("Сайт")
        await anna.expect("Вопрос 2 из 4")
        await anna.press("пока не знаю")
        await anna.expect("Вопрос 3 из 4")
        await anna.press("в течение месяца")
        await anna.expect("Вопрос 4 из 4")
        await anna.send_contact("79160000701")
        await anna.expect("Ваша заявка №1 принята")
        card = await manager.expect("Новая заявка")
        assert "telegram_ads" in card["text"]
        await manager.press("✅ Взять в работу")
        await manager.expect("В работе:")
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()[-2000:]
