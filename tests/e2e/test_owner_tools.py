"""The owner's tools over real HTTP (README.md, "First run"): the id hint while nobody is on the team,
/myid anywhere, a staff member's /preview of the questionnaire, and deleting the test deal it makes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from domain.crm_config import CrmConfig
from handlers.common.callbacks import DealAction

from .bot_api_people import FakeUser, button_texts
from .bot_api_server import ApiCall, FakeBotApi
from .conftest import MANAGER, MANAGER_2, SUPERVISOR, RunningBot, around_the_clock, make_settings, sent_since
from .test_intake import answer_everything_in_russian

OWNER, ANNA, GROUP = 7001, 501, -100500
ADMIN = 3001


@pytest.fixture
async def empty_team(api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig) -> AsyncIterator[RunningBot]:
    """The bot as it first starts: a token and nobody named in ADMIN_IDS, SUPERVISOR_IDS, MANAGER_IDS."""
    settings = make_settings(api, tmp_path / "voronka.db", manager_ids=[], supervisor_ids=[])
    running = RunningBot(api, settings, around_the_clock(crm_config))
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def team(api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig) -> AsyncIterator[RunningBot]:
    """Two managers, a supervisor and an admin."""
    settings = make_settings(
        api, tmp_path / "voronka.db", manager_ids=[MANAGER, MANAGER_2], admin_ids=[ADMIN]
    )
    running = RunningBot(api, settings, around_the_clock(crm_config))
    await running.start()
    yield running
    await running.stop()


async def preview_everything(person: FakeUser) -> tuple[dict[str, Any], dict[str, Any]]:
    """A staff member's /preview, answered through: the confirmation a client gets and the card a
    manager gets, in whichever order the outbox sends them."""
    await person.send("/preview")
    await person.expect("Просмотр анкеты")
    await person.expect("Вопрос 1 из 4")
    await person.send("Нужен сайт для кофейни")
    await person.expect("Вопрос 2 из 4")
    await person.press("больше 500 тыс. ₽")
    await person.expect("Вопрос 3 из 4")
    await person.press("в ближайшие дни")
    await person.expect("Вопрос 4 из 4")
    since = person.api.mark()
    await person.send_contact("79161234567")
    said: dict[str, dict[str, Any]] = {}
    for words in ("Ваша заявка №", "🧪 Тестовая заявка"):

        def sent(call: ApiCall, words: str = words) -> bool:
            text = (call.message or {}).get("text") or ""
            return call.method == "sendMessage" and call.params.get("chat_id") == person.id and words in text

        found = await person.api.wait_for(sent, timeout=5, since=since)
        message = found.message or {}
        said[words] = {
            "text": message.get("text", ""),
            "params": found.params,
            "buttons": button_texts(found.params.get("reply_markup")),
        }
    return said["Ваша заявка №"], said["🧪 Тестовая заявка"]


async def test_while_nobody_is_on_the_team_whoever_writes_is_told_their_id_and_logged_once(
    api: FakeBotApi, empty_team: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    owner = api.user(OWNER, first_name="Ольга", username="olga_owner", language_code="ru")
    with caplog.at_level(logging.WARNING):
        await owner.send("/start")
        hint = await owner.expect("Ваш Telegram ID: 7001")
        assert "<code>7001</code>" in hint["params"]["text"]
        assert "<code>ADMIN_IDS=7001</code>" in hint["params"]["text"]
        assert "перезапустите бота" in hint["text"]
        await owner.send("Здравствуйте, хочу заказать сайт")
        await owner.expect("ADMIN_IDS=7001")
    english = api.user(7002, first_name="Tom", language_code="en")
    await english.send("hello")
    said = await english.expect("Your Telegram ID: 7002")
    assert "ADMIN_IDS=7002" in said["text"] and "restart the bot" in said["text"]
    # No questionnaire, so no lead: nobody is there to take one.
    assert await empty_team.scalar("SELECT count(*) FROM inquiries") == 0
    assert await empty_team.scalar("SELECT count(*) FROM deals") == 0
    logged = [
        r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "7001" in r.getMessage()
    ]
    assert len(logged) == 1 and "@olga_owner" in logged[0], logged
    [tom] = [r.getMessage() for r in caplog.records if "7002 " in r.getMessage()]
    assert "@" not in tom and "(" not in tom, tom  # no username: no empty "(@-)"


async def test_once_the_owner_is_admin_the_hint_stops_and_prospects_get_the_questionnaire(
    api: FakeBotApi, empty_team: RunningBot
) -> None:
    owner = api.user(OWNER, first_name="Ольга", language_code="ru")
    await owner.send("/start")
    await owner.expect("ADMIN_IDS=7001")
    empty_team.settings = make_settings(
        api, Path(empty_team.settings.database_url.split("///", 1)[1]), manager_ids=[], supervisor_ids=[],
        admin_ids=[OWNER],
    )  # fmt: skip
    await empty_team.restart()
    await owner.send("/start")
    await owner.expect("вы в команде")
    anna = api.user(ANNA, first_name="Анна", language_code="ru")
    await anna.send("/start")
    await anna.expect("Вопрос 1 из 4")
    assert all("ADMIN_IDS" not in text for _, text in sent_since(api, 0, ANNA))


async def test_myid_answers_a_prospect_a_staff_member_and_a_group(api: FakeBotApi, team: RunningBot) -> None:
    anna = api.user(ANNA, first_name="Анна", language_code="ru")
    await anna.send("/myid")
    mine = await anna.expect("Ваш Telegram ID: 501")
    assert "<code>501</code>" in mine["params"]["text"] and "чата" not in mine["text"]
    manager = api.user(MANAGER, first_name="Олег", language_code="en")
    await manager.send("/myid")
    await manager.expect("Your Telegram ID: 1001")
    group = api.user(GROUP, first_name="Команда")
    await api.inject_message(GROUP, anna.as_user(), {
        "text": "/myid@voronka_test_bot", "entities": [{"type": "bot_command", "offset": 0, "length": 22}],
    })  # fmt: skip
    said = await group.expect("Ваш Telegram ID: 501")
    assert f"ID этого чата: {GROUP}" in said["text"] and f"<code>{GROUP}</code>" in said["params"]["text"]
    assert await team.scalar("SELECT count(*) FROM inquiries") == 0  # /myid starts no questionnaire


async def test_the_command_menus_offer_myid_and_staff_get_preview(api: FakeBotApi, team: RunningBot) -> None:
    def menus() -> list[dict[str, Any]]:
        return [c.params for c in api.calls if c.method == "setMyCommands" and not c.failed]

    await api.wait_for(lambda c: c.method == "setMyCommands" and "scope" in c.params, timeout=5)
    manager = api.user(MANAGER, first_name="Олег", language_code="ru")
    await manager.send("/start")
    await manager.expect("вы в команде")

    def names(params: dict[str, Any]) -> list[str]:
        return [c["command"] for c in params["commands"]]

    everyone = [p for p in menus() if "scope" not in p]
    assert everyone and all(names(p) == ["start", "myid"] for p in everyone)
    groups = [
        p
        for p in menus()
        if '"all_group_chats"' in str(p.get("scope")) or "all_group_chats" in str(p.get("scope"))
    ]
    assert groups and all(names(p) == ["myid"] for p in groups)
    staff = [p for p in menus() if f"{MANAGER}" in str(p.get("scope"))]
    assert staff and "preview" in names(staff[-1]) and "myid" in names(staff[-1])


async def test_a_managers_preview_makes_a_test_deal_only_they_hear_of(
    api: FakeBotApi, team: RunningBot
) -> None:
    manager = api.user(MANAGER, first_name="Олег", language_code="ru")
    supervisor = api.user(SUPERVISOR, first_name="Ирина", language_code="ru")
    other = api.user(MANAGER_2, first_name="Пётр", language_code="ru")
    start = api.mark()
    done, card = await preview_everything(manager)
    assert "Ваша заявка №1 принята" in done["text"] and "в течение 15 минут" in done["text"]
    assert "Новая заявка" in card["text"]
    assert "🧪 Тестовая заявка" in card["text"] and "Нужен сайт для кофейни" in card["text"]
    assert "🗑 Удалить тестовую заявку" in card["buttons"]
    assert await team.scalar("SELECT is_test FROM deals WHERE id = 1") in (True, 1)
    assert await team.scalar("SELECT is_test FROM inquiries WHERE deal_id = 1") in (True, 1)

    # A real lead after it: the manager's test deal is no load, and nobody else heard of the test.
    anna = api.user(ANNA, first_name="Анна", language_code="ru")
    await answer_everything_in_russian(anna)
    await manager.expect("Сделка №2")  # least loaded: 0 and 0, the first in turn, not the other manager
    assert not sent_since(api, start, SUPERVISOR) and not sent_since(api, start, ADMIN)
    assert all("№1" not in text for _, text in sent_since(api, start, MANAGER_2))
    del supervisor, other

    # Their own words afterwards are a staff member's, not a client's: nothing is relayed.
    before = api.mark()
    await manager.send("Проверка связи")
    await manager.expect("Не понял")
    assert await team.scalar("SELECT count(*) FROM messages WHERE deal_id = 1") == 0
    assert not [c for c in api.calls[before:] if c.method in ("copyMessage", "forwardMessage")]

    # Lists of others leave it out; the maker's own list has it.
    await manager.send("/deals")
    mine = await manager.expect("Ваши открытые сделки")
    assert "№1 · Олег" in mine["buttons"] and "№2 · Анна" in mine["buttons"]
    admin = api.user(ADMIN, first_name="Админ", language_code="ru")
    await admin.send("/deals")
    everyone = await admin.expect("сделки")
    assert "№2 · Анна" in everyone["buttons"] and not any(b.startswith("№1 ") for b in everyone["buttons"])
    await admin.send("/find 1")
    await admin.expect("Сделка №1 не найдена")
    await manager.send("/find 1")
    assert "№1 · Олег" in (await manager.expect("Олег"))["buttons"]


async def test_a_preview_is_left_with_cancel_and_other_commands_work_meanwhile(
    api: FakeBotApi, team: RunningBot
) -> None:
    manager = api.user(MANAGER, first_name="Олег", language_code="ru")
    await manager.send("/preview")
    await manager.expect("Вопрос 1 из 4")
    await manager.send("Нужен сайт")
    await manager.expect("Вопрос 2 из 4")
    await manager.send("/myid")  # a command in the middle is that command, and the preview goes on
    await manager.expect("Ваш Telegram ID: 1001")
    await manager.send("/cancel")
    left = await manager.expect("Просмотр анкеты завершён")
    assert left["params"]["reply_markup"] == {"remove_keyboard": True}
    assert await team.scalar("SELECT count(*) FROM deals") == 0
    assert await team.scalar("SELECT state FROM inquiries") == "cancelled"
    await manager.send("Нужен сайт")  # no longer an answer
    await manager.expect("Не понял")
    assert await team.scalar("SELECT count(*) FROM deals") == 0


async def test_the_test_deal_is_deleted_with_everything_of_it_once(api: FakeBotApi, team: RunningBot) -> None:
    manager = api.user(MANAGER, first_name="Олег", language_code="ru")
    await preview_everything(manager)
    await manager.press("✅ Взять в работу")
    await manager.expect("В работе: вы")
    await manager.press("🗑 Удалить тестовую заявку")
    question = await manager.expect("Удалить тестовую заявку №1?")
    await manager.press("✖ Нет")
    await manager.expect("Сделка №1")
    assert await team.scalar("SELECT count(*) FROM deals") == 1
    await manager.press("🗑 Удалить тестовую заявку")
    question = await manager.expect("Удалить тестовую заявку №1?")
    yes = next(
        b for row in question["params"]["reply_markup"]["inline_keyboard"] for b in row if "Да" in b["text"]
    )
    await manager.press("🗑 Да, удалить")
    await manager.expect("Тестовая заявка №1 удалена")
    for table, column in (
        ("deal_events", "deal_id"), ("stage_visits", "deal_id"), ("inquiries", "deal_id"),
        ("messages", "deal_id"), ("message_links", "deal_id"), ("timers", "subject_id"),
    ):  # fmt: skip
        assert await team.scalar(f"SELECT count(*) FROM {table} WHERE {column} = 1") == 0, table
    # The deal's row stays, blank, only to keep its number taken; its contact with it, blank too.
    assert await team.scalar("SELECT count(*) FROM deals WHERE id = 1 AND manager_id IS NULL") == 1
    assert await team.scalar("SELECT count(*) FROM deals WHERE chat_id IS NOT NULL") == 0
    assert await team.scalar("SELECT count(*) FROM contacts WHERE phone IS NOT NULL OR name <> ''") == 0
    assert await team.scalar("SELECT count(*) FROM outbox WHERE deal_id = 1 AND state = 'pending'") == 0

    # The same "yes" again (a double tap, an old message): told it is gone, nothing else happens.
    await manager.press_data(yes["callback_data"], question["message_id"])
    assert "уже нет" in (await manager.answer_of_callback())["text"]

    # The next client's deal gets a new number, and the test card's old buttons do not open it.
    anna = api.user(ANNA, first_name="Анна", language_code="ru")
    await answer_everything_in_russian(anna)
    await manager.expect("Сделка №2")
    assert await team.scalar("SELECT max(id) FROM deals WHERE manager_id IS NOT NULL") == 2
    for action in ("open", "hist"):
        before = api.mark()
        await manager.press_data(DealAction(action=action, deal_id=1, v=0).pack(), question["message_id"])
        assert "Такой сделки нет" in (await manager.answer_of_callback())["text"], action
        assert all("Анна" not in text for _, text in sent_since(api, before, MANAGER)), action


async def test_only_a_test_deal_and_only_its_maker_or_an_admin_may_delete_it(
    api: FakeBotApi, team: RunningBot
) -> None:
    manager = api.user(MANAGER, first_name="Олег", language_code="ru")
    other = api.user(MANAGER_2, first_name="Пётр", language_code="ru")
    supervisor = api.user(SUPERVISOR, first_name="Ирина", language_code="ru")
    admin = api.user(ADMIN, first_name="Админ", language_code="ru")
    anna = api.user(ANNA, first_name="Анна", language_code="ru")
    await answer_everything_in_russian(anna)  # deal 1: a real one
    await preview_everything(manager)  # deal 2: the manager's test

    def forged(deal_id: int, action: str = "tdel") -> str:
        return DealAction(action=action, deal_id=deal_id, v=0).pack()

    for person, deal_id, action, why in (
        (manager, 1, "tdel", "только тестовую"),
        (admin, 1, "tdelok", "только тестовую"),
        (other, 2, "tdelok", "только тот, кто её создал"),
        (supervisor, 2, "tdel", "только тот, кто её создал"),
        (anna, 2, "tdelok", "для сотрудников"),
    ):
        await person.press_data(forged(deal_id, action), 1)
        answer = await person.answer_of_callback()
        assert why in answer["text"], (person.id, answer)
    assert await team.scalar("SELECT count(*) FROM deals") == 2
    await admin.press_data(forged(2, "tdelok"), 1)
    assert "Удалено" in (await admin.answer_of_callback())["text"]
    assert await team.scalar("SELECT count(*) FROM deals WHERE manager_id IS NOT NULL") == 1
    assert await team.scalar("SELECT is_test FROM deals WHERE manager_id IS NOT NULL") in (False, 0)


async def test_start_takes_a_previewing_staff_member_to_their_menu_and_a_desk_input_ends_the_preview(
    api: FakeBotApi, team: RunningBot
) -> None:
    manager = api.user(MANAGER, first_name="Олег", language_code="ru")
    await manager.send("/preview")
    await manager.expect("Вопрос 1 из 4")
    await manager.send("/start")
    menu = await manager.expect("вы в команде")
    assert menu["params"]["reply_markup"] == {"remove_keyboard": True}  # the questionnaire's keyboard goes
    await manager.send("Нужен сайт")
    await manager.expect("Не понял")

    await preview_everything(manager)  # deal 1, then a second preview interrupted by the card's Reply
    await manager.send("/preview")
    await manager.expect("Вопрос 1 из 4")
    await manager.press("✅ Взять в работу")
    await manager.expect("В работе: вы")
    await manager.press("💬 Ответить")
    stopped = await manager.expect("Просмотр анкеты прерван")
    assert stopped["params"]["reply_markup"] == {"remove_keyboard": True}
    await manager.send("Здравствуйте! Это тест ответа")  # goes to the test client: their own chat
    await manager.expect("Здравствуйте! Это тест ответа")
    assert await team.scalar("SELECT count(*) FROM deals") == 1


async def test_an_admins_own_test_deal_is_in_their_deals_and_nobody_elses(
    api: FakeBotApi, team: RunningBot
) -> None:
    admin = api.user(ADMIN, first_name="Админ", language_code="ru")
    await preview_everything(admin)
    await admin.send("/deals")
    listed = await admin.expect("сделки")
    assert any(b.startswith("№1 ") for b in listed["buttons"]), listed["buttons"]
    supervisor = api.user(SUPERVISOR, first_name="Ирина", language_code="ru")
    await supervisor.send("/deals")
    await supervisor.expect("Открытых сделок нет")
