"""A manager picks the next contact on a calendar, on the team's real calendar (Moscow, Russian holidays):
"🗓 Календарь", a day, an hour; the card keeps its text while its buttons change, and is then redrawn
with the contact. Days past and colleagues' presses change nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from domain.crm_config import CrmConfig

from .bot_api_people import FakeUser
from .bot_api_server import FakeBotApi
from .conftest import MANAGER, MANAGER_2, RunningBot, make_settings
from .test_deal_permissions import lead_taken_by_owner
from .test_deal_work import data_of, open_menu

EDITS = ("editMessageText", "editMessageReplyMarkup")


@pytest.fixture
def bot_settings(api: FakeBotApi, tmp_path: Path) -> Settings:
    """Two managers: a lead goes to either, and the other is the colleague who must not touch it."""
    return make_settings(api, tmp_path / "voronka.db", manager_ids=[MANAGER, MANAGER_2])


@pytest.fixture
async def office_bot(bot: RunningBot, crm_config: CrmConfig) -> RunningBot:
    """The bot on its fixed clock (Wednesday 25.11.2026, 11:00 in Moscow), on the shipped calendar as it
    is (09:00-18:00 on working days, Russian holidays) rather than around the clock."""
    bot.config = crm_config
    await bot.restart()
    return bot


async def the_calendar(
    api: FakeBotApi, running: RunningBot, prospect_id: int
) -> tuple[FakeUser, FakeUser, dict[str, Any], dict[str, Any]]:
    """A deal taken by its owner, the calendar opened on its card: (owner, colleague, menu, month grid)."""
    owner, colleague = await lead_taken_by_owner(api, running, prospect_id)
    menu = await open_menu(owner, "📅 След. контакт")
    await owner.press("🗓 Календарь")
    return owner, colleague, menu, await owner.next_message()


async def test_calendar_day_and_hour_set_the_next_contact(api: FakeBotApi, office_bot: RunningBot) -> None:
    manager, _, menu, month = await the_calendar(api, office_bot, 921)
    assert "🗓 Календарь" in menu["buttons"] and "✏️ Ввести дату" in menu["buttons"]
    assert "·7· — выходной" in (await manager.answer_of_callback())["text"]
    assert month["method"] == "editMessageReplyMarkup" and month["message_id"] == menu["message_id"]
    assert "Следующий контакт не запланирован" in month["text"], "the card's text stays"
    shown = set(month["buttons"])
    assert {"ноябрь 2026", "пн", "вс", "24", "[25]", "26", "27", "·28·", "·29·", "30", "« Назад"} <= shown

    await manager.press("27")
    hours = await manager.next_message()
    assert hours["message_id"] == menu["message_id"]
    assert "📅 пт, 27 нояб." in hours["buttons"]
    assert [b for b in hours["buttons"] if b.endswith(":00")] == [f"{h:02d}:00" for h in range(9, 18)]

    await manager.press("15:00")
    assert (await manager.answer_of_callback())["text"] == "Следующий контакт: пт, 27 нояб., 15:00 ✓"
    redrawn = await manager.expect("Следующий контакт: пт, 27 нояб., 15:00")
    assert redrawn["message_id"] == menu["message_id"] and "📅 След. контакт" in redrawn["buttons"]
    planned = await office_bot.scalar("select next_contact_at from deals where id = 1")
    assert str(planned).startswith("2026-11-27 12:00")  # 15:00 in Moscow, stored in UTC
    assert await office_bot.scalar("select count(*) from deal_events where kind = 'next_contact_set'") == 1


async def test_a_day_off_is_said_and_today_offers_only_the_hours_ahead(
    api: FakeBotApi, office_bot: RunningBot
) -> None:
    manager, _, _, _ = await the_calendar(api, office_bot, 922)
    await manager.press("·28·")
    assert "Это выходной день" in (await manager.answer_of_callback())["text"]
    saturday = await manager.next_message()
    assert "📅 сб, 28 нояб. — выходной" in saturday["buttons"] and "10:00" in saturday["buttons"]
    await manager.press("➡️ Ближайший рабочий: пн, 30 нояб.")
    monday = await manager.next_message()
    assert "📅 пн, 30 нояб." in monday["buttons"]

    await manager.press("« К календарю")
    await manager.next_message()
    await manager.press("[25]")  # today, 11:00 now: the hours from noon
    today = await manager.next_message()
    assert "11:00" not in today["buttons"] and "12:00" in today["buttons"] and "17:00" in today["buttons"]

    await manager.press("« К календарю")
    await manager.next_message()
    await manager.press("›")
    december = await manager.next_message()
    assert "декабрь 2026" in december["buttons"] and "‹" in december["buttons"]
    await manager.press("« Назад")  # back to the next-contact menu
    menu = await manager.next_message()
    assert "Завтра в 10:00" in menu["buttons"] and "🗓 Календарь" in menu["buttons"]
    assert await office_bot.scalar("select next_contact_at from deals where id = 1") is None


async def test_a_past_day_or_hour_changes_nothing(api: FakeBotApi, office_bot: RunningBot) -> None:
    manager, _, menu, month = await the_calendar(api, office_bot, 923)
    card_id, version = menu["message_id"], await office_bot.scalar("select version from deals where id = 1")
    mark = api.mark()
    await manager.press("24")
    assert (await manager.answer_of_callback())["text"] == "Этот день уже прошёл — выберите другой."
    await manager.press_data(f"d:ncday:1:{version}:20261124", card_id)  # forged: the same answer
    assert "уже прошёл" in (await manager.answer_of_callback())["text"]
    await manager.press_data(f"d:ncat:1:{version}:2026112510", card_id)  # 10:00 today, gone
    assert "время уже прошло" in (await manager.answer_of_callback())["text"]
    await manager.press_data(f"d:ncat:1:{version}:2026113199", card_id)  # no such hour
    assert "устарела" in (await manager.answer_of_callback())["text"]
    await manager.send("/start")  # one update at a time per person: the presses are handled by now
    await manager.next_message()
    assert not [c for c in api.calls[mark:] if c.method in EDITS], "the card stays as it was"
    shown = api.find_message(manager.chat_id, card_id)
    assert shown is not None and shown["reply_markup"] == month["reply_markup"]
    assert await office_bot.scalar("select next_contact_at from deals where id = 1") is None


async def test_a_colleague_pressing_the_calendar_is_refused(api: FakeBotApi, office_bot: RunningBot) -> None:
    owner, colleague, menu, month = await the_calendar(api, office_bot, 924)
    await owner.press("27")
    hours = await owner.next_message()
    for data in (data_of(menu, "🗓 Календарь"), data_of(month, "27"), data_of(hours, "15:00")):
        await colleague.press_data(data, 1, chat_id=colleague.chat_id)
        assert "не ваша сделка" in (await colleague.answer_of_callback())["text"], data
    assert await office_bot.scalar("select next_contact_at from deals where id = 1") is None

    await owner.press("15:00")  # the owner's own buttons still work
    await owner.expect("Следующий контакт: пт, 27 нояб., 15:00")
