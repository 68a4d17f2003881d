"""Alerts reach people through Telegram's bad moments: flood waits and server errors delay them but lose
or repeat none; a person who blocked the bot is recorded and the team told once."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings

from .bot_api_people import FakeUser
from .bot_api_server import BOT_USER, FakeBotApi
from .conftest import (
    CLOCK_START,
    MANAGER,
    MANAGER_2,
    SUPERVISOR,
    FixedClock,
    RunningBot,
    count,
    make_settings,
    sent_since,
)
from .test_deal_lists import leave_request
from .test_deal_work import open_menu

START = CLOCK_START  # Wednesday 11:00 in Moscow
UNSETTLED = "select count(*) from outbox where state in ('pending', 'sending')"


async def let_time_run(
    running: RunningBot,
    clock: FixedClock,
    sql: str,
    expected: Any,
    *,
    timeout: float = 30.0,  # noqa: ASYNC109 - like RunningBot.eventually
    **params: Any,
) -> None:
    """The bot's clock runs (a second every 50 ms, so retries planned on it come round) until a query
    gives `expected`. Fails the test when it never does."""
    value = None
    for _ in range(int(timeout / 0.05)):
        if (value := await running.scalar(sql, **params)) == expected:
            return
        clock.at += timedelta(seconds=1)
        await asyncio.sleep(0.05)
    raise AssertionError(f"{sql!r} gave {value!r}, not {expected!r}, within {timeout}s")


async def take_and_plan_in_an_hour(manager: FakeUser, deal: int) -> None:
    """The manager takes the lead, moves it on to Qualification (a day's deadline) and plans the next
    contact for in an hour."""
    await manager.expect(f"Сделка №{deal}")
    await manager.press("✅ Взять в работу")
    await manager.expect("В работе: вы")
    await manager.press("➡️ Квалификация")
    await manager.expect("Этап: Квалификация")
    await open_menu(manager, "📅 След. контакт")
    await manager.press("Через час")
    await manager.expect("Следующий контакт:")


@pytest.fixture
def bot_settings(api: FakeBotApi, tmp_path: Path) -> Settings:
    return make_settings(api, tmp_path / "voronka.db", manager_ids=[MANAGER, MANAGER_2], scheduler_tick=0.1)


async def test_flood_waits_and_server_errors_delay_alerts_but_lose_and_repeat_none(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    oleg, ivan = api.user(MANAGER, first_name="Олег"), api.user(MANAGER_2, first_name="Иван")
    await ivan.send("/pause")  # the first two leads go to Oleg, who plans a contact for each
    await ivan.expect("Вы ушли со смены")
    planned = []
    for n in range(2):
        planned.append(await leave_request(api.user(901 + n, first_name=f"Клиент{n}"), f"+7916555020{n}"))
        await take_and_plan_in_an_hour(oleg, planned[-1])
    await ivan.send("/resume")
    await ivan.expect("Вы снова на смене")
    untaken = [
        await leave_request(api.user(911 + n, first_name=f"Гость{n}"), f"+7916555021{n}") for n in range(3)
    ]
    owners = {
        deal: await bot.scalar("select manager_id from deals where id = :id", id=deal) for deal in untaken
    }
    assert set(owners.values()) == {MANAGER, MANAGER_2}, owners
    await bot.eventually(UNSETTLED, 0)
    before = await bot.scalar("select max(id) from outbox")
    since = api.mark()

    api.fail("sendMessage", times=3, error_code=429, retry_after=1)
    api.fail("sendMessage", times=4, error_code=502)
    clock.at += timedelta(hours=1, seconds=30)  # the take deadlines (11:15) and the contacts (12:00) pass
    expected = len(untaken) * 2 + len(planned)
    await let_time_run(
        bot,
        clock,
        "select count(*) from outbox where id > :before and state = 'sent'",
        expected,
        before=before,
    )

    for deal in untaken:
        assert count(api, since, SUPERVISOR, f"Заявку №{deal} не взяли в работу") == 1, deal
        assert count(api, since, owners[deal], f"Вы ещё не взяли заявку №{deal}") == 1, deal
    for deal in planned:
        assert count(api, since, MANAGER, f"Пора связаться с клиентом · сделка №{deal}") == 1, deal
    assert len(sent_since(api, since)) == expected, sent_since(api, since)
    # A chat's alerts keep the order they were raised in, retries or not.
    told = [text for _, text in sent_since(api, since, SUPERVISOR)]
    assert [next(d for d in untaken if f"Заявку №{d} " in text) for text in told] == untaken
    failed = [c for c in api.calls[since:] if c.method == "sendMessage" and c.failed]
    # Every injected fault was met, and the send tried again.
    assert [c.error for c in failed] == ["Too Many Requests: retry after 1"] * 3 + ["Bad Gateway"] * 4
    assert await bot.scalar("select count(*) from outbox where state != 'sent'") == 0
    assert await bot.scalar("select count(*) from unreachable_chats") == 0


async def test_a_manager_who_blocked_the_bot_is_recorded_and_the_supervisor_told_once(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    oleg, ivan = api.user(MANAGER, first_name="Олег"), api.user(MANAGER_2, first_name="Иван")
    await ivan.send("/pause")
    await ivan.expect("Вы ушли со смены")
    deal = await leave_request(api.user(921, first_name="Анна"), "+7 916 555-03-01")
    await take_and_plan_in_an_hour(oleg, deal)
    await bot.eventually(UNSETTLED, 0)
    since = api.mark()

    api.block(MANAGER)
    clock.at += timedelta(hours=1, seconds=30)  # the contact (12:00) is due: its reminder cannot go
    await api.user(SUPERVISOR).expect("Олег заблокировал(а) бота")
    await bot.eventually(
        "select state from outbox where kind = 'contact_reminder' and chat_id = :id", "failed", id=MANAGER
    )
    assert await bot.scalar("select count(*) from unreachable_chats where chat_id = :id", id=MANAGER) == 1
    assert "blocked" in await bot.scalar(
        "select reason from unreachable_chats where chat_id = :id", id=MANAGER
    )

    clock.at += timedelta(hours=1)  # an hour later the contact is overdue: that notice fails too
    await bot.eventually(
        "select state from outbox where kind = 'contact_overdue' and chat_id = :id", "failed", id=MANAGER
    )
    await bot.stop()  # the notifier finishes the item in hand, recording included
    assert await bot.scalar("select count(*) from outbox where kind = 'person_blocked'") == 1
    assert await bot.scalar("select count(*) from unreachable_chats") == 1
    assert count(api, since, SUPERVISOR, "заблокировал") == 1
    assert sent_since(api, since, MANAGER) == []


def membership(api: FakeBotApi, person: FakeUser, old: str, new: str) -> dict[str, Any]:
    """The `my_chat_member` update Telegram sends when a person blocks ("kicked") or unblocks ("member")
    the bot in their private chat."""

    def member(status: str) -> dict[str, Any]:
        return {"status": status, "user": dict(BOT_USER), **({"until_date": 0} if status == "kicked" else {})}

    return {
        "chat": api.chat(person.id),
        "from": person.as_user(),
        "date": int(time.time()),
        "old_chat_member": member(old),
        "new_chat_member": member(new),
    }


async def test_a_client_who_blocks_the_bot_is_recorded_once_and_forgotten_when_they_come_back(
    api: FakeBotApi, bot: RunningBot
) -> None:
    oleg, ivan = api.user(MANAGER, first_name="Олег"), api.user(MANAGER_2, first_name="Иван")
    await ivan.send("/pause")
    await ivan.expect("Вы ушли со смены")
    anna = api.user(931, first_name="Анна")
    deal = await leave_request(anna, "+7 916 555-04-01")
    await oleg.expect(f"Сделка №{deal}")
    await bot.eventually(UNSETTLED, 0)
    since = api.mark()
    handled = "select count(*) from inbox where update_id = :id and state = 'done'"

    blocked = await api.inject_update("my_chat_member", membership(api, anna, "member", "kicked"))
    await bot.eventually(handled, 1, id=blocked["update_id"])
    assert await bot.scalar("select count(*) from unreachable_chats where chat_id = :id", id=anna.id) == 1
    told = f"Клиент Анна заблокировал бота · сделка №{deal}"
    await api.user(SUPERVISOR).expect(told)
    await oleg.expect(told)  # the manager of the client's deal hears it too

    again = await api.inject_update("my_chat_member", membership(api, anna, "member", "kicked"))
    await bot.eventually(handled, 1, id=again["update_id"])
    await bot.eventually(UNSETTLED, 0)
    assert await bot.scalar("select count(*) from outbox where kind = 'person_blocked'") == 2  # one each
    assert count(api, since, SUPERVISOR, "заблокировал бота") == 1
    assert count(api, since, MANAGER, "заблокировал бота") == 1
    assert await bot.scalar("select count(*) from unreachable_chats") == 1

    back = await api.inject_update("my_chat_member", membership(api, anna, "kicked", "member"))
    await bot.eventually(handled, 1, id=back["update_id"])
    assert await bot.scalar("select count(*) from unreachable_chats") == 0

    since = api.mark()  # blocking once more is news again
    await api.inject_update("my_chat_member", membership(api, anna, "member", "kicked"))
    await api.user(SUPERVISOR).expect(told)
    await bot.eventually("select count(*) from unreachable_chats where chat_id = :id", 1, id=anna.id)
    assert count(api, since, SUPERVISOR, "заблокировал бота") == 1


async def test_a_manager_who_never_opened_the_bot_gets_leads_once_they_press_start(
    api: FakeBotApi, bot: RunningBot
) -> None:
    """Telegram refuses to write first ("bot can't initiate conversation"): the supervisor hears it, the
    manager is left out of new leads, and pressing Start (which Telegram announces with no update of
    its own) brings them back."""
    ivan = api.user(MANAGER_2, first_name="Иван")
    await ivan.send("/pause")
    await ivan.expect("Вы ушли со смены")
    api.fail(
        "sendMessage",
        times=1,
        error_code=403,
        description="Forbidden: bot can't initiate conversation with a user",
        chat_id=MANAGER,
    )
    first = await leave_request(api.user(931, first_name="Анна"), "+7 916 555-04-01")
    await bot.eventually("select count(*) from unreachable_chats where chat_id = :id", 1, id=MANAGER)
    await api.user(SUPERVISOR).expect("ещё не открывал(а) бота")
    assert await bot.scalar("select manager_id from deals where id = :id", id=first) == MANAGER

    second = await leave_request(api.user(932, first_name="Борис"), "+7 916 555-04-02")
    assert await bot.scalar("select manager_id from deals where id = :id", id=second) is None  # unsorted

    oleg = api.user(MANAGER, first_name="Олег")
    await oleg.send("/start")
    await oleg.expect("вы в команде")
    await bot.eventually("select count(*) from unreachable_chats", 0)
    third = await leave_request(api.user(933, first_name="Вера"), "+7 916 555-04-03")
    assert await bot.scalar("select manager_id from deals where id = :id", id=third) == MANAGER


async def test_a_reminder_held_up_by_telegram_is_dropped_once_its_contact_was_moved(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    """Telegram kept the reminder back; meanwhile the contact was moved from the card (the manager saw
    the card): when Telegram is back, the out-of-date reminder is not sent."""
    oleg, ivan = api.user(MANAGER, first_name="Олег"), api.user(MANAGER_2, first_name="Иван")
    await ivan.send("/pause")
    await ivan.expect("Вы ушли со смены")
    deal = await leave_request(api.user(941, first_name="Анна"), "+7 916 555-05-01")
    await take_and_plan_in_an_hour(oleg, deal)
    await bot.eventually(UNSETTLED, 0)
    since = api.mark()
    api.fail("sendMessage", times=3, error_code=502, chat_id=MANAGER)  # and the 5xx retries in place
    clock.at += timedelta(hours=1, seconds=30)
    await bot.eventually("select count(*) from outbox where kind = 'contact_reminder' and attempts >= 1", 1)
    await open_menu(oleg, "📅 След. контакт")  # the card still works: edits, not new messages
    await oleg.press("Через 3 дня")
    await oleg.expect("Следующий контакт:")
    await let_time_run(bot, clock, UNSETTLED, 0)
    assert count(api, since, MANAGER, "Пора связаться с клиентом") == 0
