"""Deadlines and reminders across restarts: what fell due while no bot ran fires once, late, at the next
start, whether the bot was stopped cleanly or its process was killed."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.settings import Settings
from storage.engine import create_engine
from storage.tables import TimerRow

from .bot_api_server import FakeBotApi
from .conftest import (
    CLOCK_START,
    MANAGER,
    SUPERVISOR,
    TOKEN,
    FixedClock,
    RunningBot,
    count,
    make_settings,
    sent_since,
)
from .test_deal_lists import leave_request
from .test_deal_work import open_menu
from .test_process import run_bot

START = CLOCK_START  # Wednesday 11:00 in Moscow
LATE = "⏳ С опозданием: бот был недоступен"


async def lead_with_a_contact_in_an_hour(api: FakeBotApi, prospect_id: int, phone: str) -> int:
    """A lead the manager takes, moves to Qualification (its stage deadline is a day) and plans the next
    contact for in an hour; the deal number."""
    deal = await leave_request(api.user(prospect_id, first_name=f"Клиент{prospect_id}"), phone)
    manager = api.user(MANAGER, first_name="Олег")
    await manager.expect(f"Сделка №{deal}")
    await manager.press("✅ Взять в работу")
    await manager.expect("В работе: вы")
    await manager.press("➡️ Квалификация")
    await manager.expect("Этап: Квалификация")
    await open_menu(manager, "📅 След. контакт")
    await manager.press("Через час")
    await manager.expect("Следующий контакт:")
    return deal


@pytest.fixture
def bot_settings(api: FakeBotApi, tmp_path: Path) -> Settings:
    return make_settings(api, tmp_path / "voronka.db", scheduler_tick=0.1)


async def test_deadlines_missed_while_the_bot_was_stopped_alert_once_and_late_at_the_next_start(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    manager = api.user(MANAGER, first_name="Олег")
    untaken = await leave_request(api.user(601, first_name="Анна"), "+7 916 555-01-01")
    await manager.expect(f"Сделка №{untaken}")
    planned = await lead_with_a_contact_in_an_hour(api, 602, "+7 916 555-01-02")
    await bot.eventually("select count(*) from outbox where state != 'sent'", 0)
    assert await bot.scalar("select count(*) from timers where state = 'fired'") == 0

    await bot.stop()  # the take deadline (11:15) and the contact (12:00) fall due while it is down
    clock.at += timedelta(hours=2, minutes=30)
    since = api.mark()
    await bot.start()

    # Fired at the start: the take deadline, the untaken lead's stage deadline (recorded, not announced,
    # since the take deadline speaks for it), and the contact. The contact's overdue step counts from
    # the late reminder, not from 12:00: the manager is not told "overdue" in the same breath.
    await bot.eventually("select count(*) from timers where state = 'fired'", 3)
    await bot.eventually("select count(*) from outbox where state != 'sent'", 0)
    expected = [
        (SUPERVISOR, f"Заявку №{untaken} не взяли в работу"),
        (MANAGER, f"Вы ещё не взяли заявку №{untaken}"),
        (MANAGER, f"Пора связаться с клиентом · сделка №{planned}"),
    ]
    delivered = sent_since(api, since)
    assert len(delivered) == len(expected), delivered
    for chat_id, words in expected:
        matching = [text for chat, text in delivered if chat == chat_id and words in text]
        assert len(matching) == 1, (words, delivered)
        assert matching[0].startswith(LATE), matching[0]
    assert await bot.scalar("select count(*) from timers where state = 'fired' and late") == 3
    assert await bot.scalar("select count(*) from timers where state = 'pending' and kind = 'take_sla'") == 0
    # Breaches kept for reports: the lead's take and stage deadlines.
    assert await bot.scalar("select count(*) from breaches") == 2
    for step in ("contact_overdue", "contact_escalate"):  # an hour and four from the reminder: ahead
        assert await bot.scalar("select state from timers where kind = :kind", kind=step) == "pending"

    outbox, fired = await bot.scalar("select count(*) from outbox"), 3
    since = api.mark()
    app = await bot.restart()  # a second start finds nothing left to fire
    assert await app.scheduler.sweep() == 0
    assert await bot.scalar("select count(*) from timers where state = 'fired'") == fired
    assert await bot.scalar("select count(*) from outbox") == outbox
    await bot.eventually("select count(*) from outbox where state != 'sent'", 0)
    assert sent_since(api, since) == []


@pytest.mark.parametrize(("after_due", "late"), [(timedelta(seconds=1), False), (timedelta(hours=1), True)])
async def test_a_running_bot_marks_an_alert_late_only_when_it_fires_long_after_the_deadline(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock, after_due: timedelta, late: bool
) -> None:
    """The bot was running but could not fire in time (the process stalled, the database was away): an
    alert an hour after its deadline says it is late; one a second after it does not."""
    lead = await leave_request(api.user(611, first_name="Анна"), "+7 916 555-01-11")
    await api.user(MANAGER).expect(f"Сделка №{lead}")
    since = api.mark()
    clock.at += timedelta(minutes=15) + after_due
    alert = await api.user(SUPERVISOR).expect(f"Заявку №{lead} не взяли в работу")
    assert alert["text"].startswith(LATE) is late, alert["text"]
    await bot.eventually("select count(*) from timers where kind = 'take_sla' and state = 'fired'", 1)
    assert bool(await bot.scalar("select late from timers where kind = 'take_sla'")) is late
    assert count(api, since, SUPERVISOR, "не взяли в работу") == 1


# ---------------------------------------------------------------------- `python -m bot`, killed
async def read_timers(database: Path, kind: str) -> list[Any]:
    """(due_at, state, late) of the timers of a kind, read the way the bot reads them (aware UTC)."""
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(TimerRow.due_at, TimerRow.state, TimerRow.late).where(TimerRow.kind == kind)
            )
            return [tuple(row) for row in rows]
    finally:
        await engine.dispose()


async def scalar_of(database: Path, sql: str) -> Any:
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(sql))).scalar()
    finally:
        await engine.dispose()


async def until_the_database_says(
    database: Path,
    sql: str,
    expected: Any,
    *,
    timeout: float = 20.0,  # noqa: ASYNC109 - like RunningBot.eventually
) -> None:
    value = None
    for _ in range(int(timeout / 0.1)):
        if (value := await scalar_of(database, sql)) == expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{sql!r} gave {value!r}, not {expected!r}, within {timeout}s")


async def test_a_take_deadline_due_while_the_process_was_killed_fires_once_late_after_the_restart(
    api: FakeBotApi, tmp_path: Path
) -> None:
    (tmp_path / "crm.toml").write_text(
        '[business_hours]\nalways = true\n\n[intake]\ntake_sla = "3s"\n', encoding="utf-8"
    )
    database = tmp_path / "voronka.db"
    env = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "MANAGER_IDS": str(MANAGER),
        "SUPERVISOR_IDS": str(SUPERVISOR),
        "CRM_CONFIG": "crm.toml",
        "SCHEDULER_TICK": "0.2",
        "LOG_LEVEL": "warning",
    }
    anna, manager = api.user(701, first_name="Анна"), api.user(MANAGER, first_name="Олег")
    first = await run_bot(env, cwd=tmp_path)
    try:
        await api.wait_for_long_poll(timeout=60)
        await anna.send("/start src_telegram_ads")
        await anna.expect("Вопрос 1 из 4")
        await anna.send("Сайт")
        await anna.expect("Вопрос 2 из 4")
        await anna.press("пока не знаю")
        await anna.expect("Вопрос 3 из 4")
        await anna.press("в течение месяца")
        await anna.expect("Вопрос 4 из 4")
        await anna.send_contact("79160000701")
        await manager.expect("Новая заявка", timeout=10)
        # Killed once the card is recorded as delivered: a process killed between a send and its record
        # leaves the item leased, and its chat waits for the lease to run out (by design: see OutboxQueue).
        await until_the_database_says(database, "select count(*) from outbox where state != 'sent'", 0)
    finally:
        first.kill()  # SIGKILL: no shutdown of any kind
        await asyncio.wait_for(first.communicate(), timeout=30)
    assert first.returncode == -signal.SIGKILL

    [(due, state, _)] = await read_timers(database, "take_sla")
    assert state == "pending", "the deadline fired before the kill: the machine is slower than 4s allows"
    # No bot runs while the deadline passes.
    await asyncio.sleep(max((due - datetime.now(UTC)).total_seconds(), 0) + 0.5)

    since = api.mark()
    second = await run_bot(env, cwd=tmp_path)
    try:
        supervisor = api.user(SUPERVISOR)
        alert = await supervisor.expect("Заявку №1 не взяли в работу", timeout=60)
        reminder = await manager.expect("Вы ещё не взяли заявку №1", timeout=10)
        await until_the_database_says(database, "select count(*) from outbox where state != 'sent'", 0)
    finally:
        second.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(second.communicate(), timeout=30)
    assert second.returncode == 0, stderr.decode()[-2000:]

    assert alert["text"].startswith(LATE), alert["text"]
    assert reminder["text"].startswith(LATE), reminder["text"]
    assert count(api, since, SUPERVISOR, "не взяли в работу") == 1
    assert count(api, since, MANAGER, "Вы ещё не взяли заявку") == 1
    assert await read_timers(database, "take_sla") == [(due, "fired", True)]
    assert await scalar_of(database, "select count(*) from deals") == 1  # a redelivered update: one deal
    assert await scalar_of(database, "select count(*) from outbox where kind = 'take_overdue'") == 1
