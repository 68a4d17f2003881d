"""Callback data is forged, colleagues press each other's buttons, two managers press "Take" at once,
deals change hands: each person gets a clear answer and the deal changes only as it should."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.settings import Settings
from domain.crm_config import CrmConfig

from .bot_api_people import FakeUser
from .bot_api_server import FakeBotApi
from .conftest import MANAGER, MANAGER_2, SUPERVISOR, RunningBot, make_settings
from .test_deal_work import open_menu
from .test_intake import answer_everything_in_russian


@pytest.fixture
async def team(api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig) -> AsyncIterator[RunningBot]:
    """Two managers and a supervisor, working 24/7."""
    settings: Settings = make_settings(api, tmp_path / "voronka.db", manager_ids=[MANAGER, MANAGER_2])
    config = crm_config.model_copy(
        update={"business_hours": crm_config.business_hours.model_copy(update={"always": True})}
    )
    bot = RunningBot(api, settings, config)
    await bot.start()
    yield bot
    await bot.stop()


async def introduce(*people: FakeUser) -> None:
    """Each staff member presses /start once, so the bot knows their names."""
    for person in people:
        await person.send("/start")
        await person.expect("вы в команде")


async def lead_taken_by_owner(
    api: FakeBotApi, team: RunningBot, prospect_id: int
) -> tuple[FakeUser, FakeUser]:
    """A new lead, taken by whichever manager it was assigned to; returns (owner, colleague)."""
    oleg, maria = api.user(MANAGER, first_name="Олег"), api.user(MANAGER_2, first_name="Мария")
    await introduce(oleg, maria)
    await answer_everything_in_russian(api.user(prospect_id, first_name="Анна"))
    await team.eventually("select manager_id is not null from deals where id = 1", True)
    owner_id = await team.scalar("select manager_id from deals where id = 1")
    owner, colleague = (oleg, maria) if owner_id == MANAGER else (maria, oleg)
    await owner.expect("Новая заявка")
    await owner.press("✅ Взять в работу")
    await owner.expect("В работе: вы")
    return owner, colleague


async def test_a_prospect_forging_staff_buttons_changes_nothing(api: FakeBotApi, team: RunningBot) -> None:
    await lead_taken_by_owner(api, team, 901)
    anna = api.user(901, first_name="Анна")
    version = await team.scalar("select version from deals where id = 1")
    for forged in (
        f"d:next:1:{version}:qualified",
        f"d:reason:1:{version}:no_need",
        "d:open:1:0:",
        "d:hist:1:0:",
    ):
        await anna.press_data(forged, 1)
        assert "для сотрудников" in (await anna.answer_of_callback())["text"]
    assert await team.scalar("select stage || ',' || status from deals where id = 1") == "new,open"
    assert await team.scalar("select count(*) from deal_events where kind in ('stage_changed', 'lost')") == 0


async def test_a_manager_cannot_touch_a_colleague_s_deal(api: FakeBotApi, team: RunningBot) -> None:
    owner, colleague = await lead_taken_by_owner(api, team, 902)
    version = await team.scalar("select version from deals where id = 1")
    for forged in (
        f"d:next:1:{version}:qualified",
        f"d:won:1:{version}:",
        "d:open:1:0:",
        "d:handto:1:0:1002",
    ):
        await colleague.press_data(forged, 1, chat_id=colleague.chat_id)
        assert "не ваша сделка" in (await colleague.answer_of_callback())["text"]
    await colleague.send("/start")  # typing to the bot afterwards is not taken as a note or a reply
    await colleague.expect("вы в команде")
    assert await team.scalar("select stage from deals where id = 1") == "new"
    assert await team.scalar("select manager_id from deals where id = 1") == owner.id


async def test_a_forged_take_on_a_colleague_s_lead_shows_nothing_of_it(
    api: FakeBotApi, team: RunningBot
) -> None:
    """A lead assigned to one manager and not yet taken: a colleague forging its Take button is told whose it
    is, and no message of theirs becomes the deal's card (the client's need and phone are not theirs)."""
    oleg, maria = api.user(MANAGER, first_name="Олег"), api.user(MANAGER_2, first_name="Мария")
    await introduce(oleg, maria)
    await answer_everything_in_russian(api.user(904, first_name="Анна"))
    await team.eventually("select manager_id is not null from deals where id = 1", True)
    owner_id = await team.scalar("select manager_id from deals where id = 1")
    colleague = maria if owner_id == MANAGER else oleg
    greeting = next(m for m in api.sent_to(colleague.chat_id) if "вы в команде" in m.get("text", ""))
    mark = api.mark()
    await colleague.press_data("d:take:1:0:", greeting["message_id"], chat_id=colleague.chat_id)
    assert "назначена другому менеджеру" in (await colleague.answer_of_callback())["text"]
    await colleague.send("/start")  # one update at a time per person: the press is fully handled now
    await colleague.expect("вы в команде")
    to_colleague = [c for c in api.calls[mark:] if c.params.get("chat_id") == colleague.chat_id]
    shown = [c.message for c in to_colleague if c.message]
    assert all("кофейни" not in (m.get("text") or "") for m in shown), shown
    assert "кофейни" not in str(api.sent_to(colleague.chat_id))
    assert await team.scalar("select manager_id from deals where id = 1 and taken_at is null") == owner_id


async def test_two_managers_pressing_take_at_once_one_gets_it(api: FakeBotApi, team: RunningBot) -> None:
    oleg, maria = api.user(MANAGER, first_name="Олег"), api.user(MANAGER_2, first_name="Мария")
    await introduce(oleg, maria)
    for manager in (oleg, maria):  # both off duty: the lead waits unsorted
        await manager.send("/pause")
        await manager.next_message()
    await answer_everything_in_russian(api.user(903, first_name="Анна"))
    await api.user(SUPERVISOR).expect("ждёт в неразобранном")
    await asyncio.gather(oleg.press_data("d:take:1:1:", 1), maria.press_data("d:take:1:1:", 1))
    answers = [(await m.answer_of_callback())["text"] for m in (oleg, maria)]
    assert sum("ваша" in a for a in answers) == 1, answers
    loser = answers[1] if "ваша" in answers[0] else answers[0]
    winner_name = "Олег" if "ваша" in answers[0] else "Мария"
    assert f"уже в работе: {winner_name}" in loser
    assert await team.scalar("select count(*) from deal_events where kind = 'taken'") == 1


async def test_a_deal_handed_over_reaches_the_new_owner_with_why_and_the_old_owner_is_told(
    api: FakeBotApi, team: RunningBot
) -> None:
    owner, colleague = await lead_taken_by_owner(api, team, 904)
    await open_menu(owner, "🔁 Передать")
    await owner.press(colleague.first_name)
    await owner.expect("Коротко напишите, почему передаёте")
    await owner.send("Ухожу в отпуск на две недели")
    await owner.expect("Сделка передана ✓")
    mine_no_more = await owner.expect(f"В работе: {colleague.first_name}")  # redrawn: no longer theirs
    assert "🔁 Передать" not in mine_no_more["buttons"]

    handed = await colleague.expect("Вам передана сделка №1")
    assert f"Вам передана сделка №1. Прежний ответственный: {owner.first_name}" in handed["text"]
    assert "Причина: Ухожу в отпуск на две недели" in handed["text"]
    assert "➡️ Квалификация" in handed["buttons"]  # in work at once, with the history on the card
    assert "сделка передана (" in handed["text"]  # the hand-over is on the card's history too
    await colleague.press("➡️ Квалификация")
    await colleague.expect("Этап: Квалификация")
    assert await team.scalar("select manager_id from deals where id = 1") == colleague.id


async def test_a_supervisor_hands_a_deal_over_and_both_managers_are_told(
    api: FakeBotApi, team: RunningBot
) -> None:
    owner, colleague = await lead_taken_by_owner(api, team, 905)
    supervisor = api.user(SUPERVISOR, first_name="Ирина")
    await introduce(supervisor)
    await supervisor.press_data("d:open:1:0:", 1, chat_id=SUPERVISOR)
    await supervisor.expect("Сделка №1")
    await open_menu(supervisor, "🔁 Передать")
    await supervisor.press(colleague.first_name)
    await supervisor.send("Мария лучше знает эту нишу")
    await supervisor.expect("Сделка передана ✓")
    told = await owner.expect(f"Новый ответственный: {colleague.first_name}")
    assert "Кто передал: Ирина" in told["text"] and "лучше знает эту нишу" in told["text"]
    await colleague.expect("Вам передана сделка №1")
