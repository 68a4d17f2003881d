"""`python -m bot` as a person runs it: a clear one-line error on bad settings, and a whole intake.
`BotProcess` is shared with test_startup.py and test_shutdown.py."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .bot_api_server import FakeBotApi
from .conftest import MANAGER, TOKEN

ROOT = Path(__file__).resolve().parents[2]
# What the developer's shell may have set that would change the bot under test.
OWN_VARIABLES = ("_IDS", "_URL", "TOKEN", "LOG_LEVEL", "WEB_HOST", "WEB_PORT", "WEBHOOK_SECRET", "CRM_CONFIG")


async def run_bot(env: dict[str, str], *, cwd: Path) -> asyncio.subprocess.Process:
    clean = {k: v for k, v in os.environ.items() if not k.endswith(OWN_VARIABLES)}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=cwd, env={**clean, "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


class BotProcess:
    """`python -m bot` running, its stderr read line by line as it comes (a test waits for a line)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._changed = asyncio.Condition()
        self._reading = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, env: dict[str, str], *, cwd: Path) -> BotProcess:
        return cls(await run_bot(env, cwd=cwd))

    @property
    def stderr(self) -> str:
        return "\n".join(self.lines)

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            async with self._changed:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()

    async def wait_line(self, wanted: Callable[[str], bool], *, timeout: float = 60) -> str:  # noqa: ASYNC109
        """The first line of stderr for which `wanted` holds, waiting for it; fails when the process
        ends or the time runs out without one."""
        try:
            async with self._changed, asyncio.timeout(timeout):
                while True:
                    if found := next((line for line in self.lines if wanted(line)), None):
                        return found
                    if self._reading.done():
                        raise AssertionError(f"the bot ended without that line:\n{self.stderr[-3000:]}")
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(f"no such line within {timeout}s:\n{self.stderr[-3000:]}") from None

    def signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signum)

    async def finish(self, *, timeout: float = 60) -> int:  # noqa: ASYNC109
        """Its exit code, once it has ended (killed, and the test failed, if it does not in time)."""
        try:
            await asyncio.wait_for(self.process.wait(), timeout=timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"the bot did not end within {timeout}s:\n{self.stderr[-3000:]}") from None
        await self._reading
        assert self.process.returncode is not None
        return self.process.returncode


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
