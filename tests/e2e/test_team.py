"""The team over real HTTP: invites by link, duty, the /staff screen and removing people."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build_app
from bot.outbox_pacing import OutboxPacer
from bot.settings import Settings
from domain.crm_config import CrmConfig
from domain.models import DealStatus

from .bot_api_people import FakeUser
from .bot_api_server import FakeBotApi
from .conftest import CLOCK_START, MANAGER, SUPERVISOR, FixedClock, RunningBot, count, make_settings
from .test_deal_lists import change_deal, leave_request

ADMIN = 3001
NEWBIE, LATECOMER = 5001, 5002
LINK = re.compile(r"https://t\.me/voronka_test_bot\?start=(inv_[\w-]+)")


@pytest.fixture
def bot_settings(api: FakeBotApi, tmp_path: Path) -> Settings:
    return make_settings(api, tmp_path / "voronka.db", admin_ids=[ADMIN])


async def invite_link(admin: FakeUser, role: str = "manager") -> str:
    await admin.send(f"/invite {role}")
    answer = await admin.expect("Приглашение в команду")
    found = LINK.search(answer["text"] or "")
    assert found is not None, answer["text"]
    assert "сработает один раз и действует 24 часа" in answer["text"]
    return found.group(1)


async def test_an_admin_invites_a_manager_who_joins_by_the_link_and_the_link_works_once(
    api: FakeBotApi, running: RunningBot
) -> None:
    admin = api.user(ADMIN, first_name="Ирина")
    payload = await invite_link(admin)
    petr = api.user(NEWBIE, first_name="Пётр", username="petr")
    await petr.send(f"/start {payload}")
    welcome = await petr.expect("Добро пожаловать в команду, Пётр! Ваша роль: менеджер.")
    assert "Взять в работу" in welcome["text"]
    await admin.expect("Пётр (@petr) теперь в команде по вашему приглашению: менеджер.")
    assert await running.scalar("select roles from staff where telegram_id = :id", id=NEWBIE) == "manager"

    await petr.send("/start")
    menu = await petr.expect("вы в команде: менеджер")
    assert "Вы на смене" in menu["text"]
    await petr.send(f"/start {payload}")  # opened once more: nothing breaks, nothing changes
    await petr.expect("Вы уже присоединились к команде по этой ссылке")

    latecomer = api.user(LATECOMER, first_name="Гость")
    await latecomer.send(f"/start {payload}")
    await latecomer.expect("Эта ссылка-приглашение уже использована")
    assert await running.scalar("select count(*) from staff where telegram_id = :id", id=LATECOMER) == 0
    assert not any("Вопрос 1 из 4" in (m.get("text") or "") for m in latecomer.messages())


async def test_a_prospect_half_way_through_the_questionnaire_joins_by_invite(
    api: FakeBotApi, running: RunningBot
) -> None:
    payload = await invite_link(api.user(ADMIN), "supervisor")
    maria = api.user(NEWBIE, first_name="Мария")
    await maria.send("/start")
    await maria.expect("Вопрос 1 из 4")
    await maria.send("Хочу работать у вас")
    await maria.expect("Вопрос 2 из 4")
    await maria.send(f"/start {payload}")
    welcome = await maria.expect("Добро пожаловать в команду, Мария! Ваша роль: руководитель.")
    assert welcome["params"]["reply_markup"] == {"remove_keyboard": True}
    assert "/unsorted — неразобранное" in welcome["text"]
    await maria.send("/start")
    await maria.expect("вы в команде: руководитель")
    assert await running.scalar("select count(*) from deals") == 0


async def test_a_forged_or_unknown_invite_is_refused(api: FakeBotApi, running: RunningBot) -> None:
    guest = api.user(LATECOMER, first_name="Гость")
    await guest.send("/start inv_forged-token")
    await guest.expect("Такое приглашение не найдено")
    assert await running.scalar("select count(*) from staff where telegram_id = :id", id=LATECOMER) == 0


async def test_an_invite_link_expires_after_24_hours(
    api: FakeBotApi, bot_settings: Settings, crm_config: CrmConfig
) -> None:
    clock = FixedClock(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    app = build_app(bot_settings, crm_config, clock=clock, pacer=OutboxPacer(private_per_second=50))
    task = asyncio.create_task(app.run(handle_signals=False, polling_timeout=1))
    try:
        await api.wait_for_long_poll(timeout=15)
        admin = api.user(ADMIN)
        fresh, stale = await invite_link(admin), await invite_link(admin, "supervisor")
        assert "до 26.11 11:00" in (admin.last_message()["text"] or "")  # 24 h later, Moscow time
        clock.at += timedelta(hours=23, minutes=59)
        petr = api.user(NEWBIE, first_name="Пётр")
        await petr.send(f"/start {fresh}")
        await petr.expect("Добро пожаловать в команду")
        clock.at += timedelta(minutes=1)
        late = api.user(LATECOMER, first_name="Гость")
        await late.send(f"/start {stale}")
        await late.expect("Срок действия ссылки истёк")
    finally:
        app.stop()
        await asyncio.wait_for(task, timeout=15)


@pytest.mark.parametrize("with_colleague", [True, False])
async def test_a_paused_manager_gets_no_new_leads_until_they_resume(
    api: FakeBotApi, running: RunningBot, with_colleague: bool
) -> None:
    oleg = api.user(MANAGER, first_name="Олег")
    colleague = api.user(NEWBIE, first_name="Пётр")
    if with_colleague:
        await colleague.send(f"/start {await invite_link(api.user(ADMIN))}")
        await colleague.expect("Добро пожаловать")
    await oleg.send("/pause")
    paused = await oleg.expect("Вы ушли со смены")
    assert "напоминания по-прежнему приходят" in paused["text"]
    if with_colleague:
        assert "На смене 1 менеджер — новые заявки пойдут ему" in paused["text"]
    else:
        assert "На смене не осталось ни одного менеджера" in paused["text"]
    await oleg.send("/pause")
    await oleg.expect("Вы и так не на смене")

    first = await leave_request(api.user(801, first_name="Анна"), "+7 916 555-00-01")
    owner = await running.scalar("select manager_id from deals where id = :id", id=first)
    if with_colleague:
        assert owner == NEWBIE
        await colleague.expect("Новая заявка")
    else:
        assert owner is None
        await api.user(SUPERVISOR).expect(f"Сделка №{first} ждёт в неразобранном")

    await oleg.send("/resume")
    await oleg.expect("Вы снова на смене")
    second = await leave_request(api.user(802, first_name="Борис"), "+7 916 555-00-02")
    assert await running.scalar("select manager_id from deals where id = :id", id=second) == MANAGER
    await oleg.expect(f"Сделка №{second}")


async def test_duty_is_a_manager_s_and_team_commands_are_the_team_s(
    api: FakeBotApi, running: RunningBot
) -> None:
    supervisor = api.user(SUPERVISOR)
    await supervisor.send("/pause")
    await supervisor.expect("Смена бывает только у менеджеров")
    stranger = api.user(LATECOMER, first_name="Гость")
    await stranger.send("/pause")
    await stranger.expect("Эта команда — для сотрудников отдела продаж")
    await stranger.send("/staff")
    await stranger.expect("Список команды доступен только сотрудникам")
    await stranger.send("/invite manager")
    await stranger.expect("Приглашать в команду может только администратор")


async def test_removing_a_manager_sends_their_deals_unsorted_and_tells_the_supervisor(
    api: FakeBotApi, running: RunningBot
) -> None:
    admin, supervisor = api.user(ADMIN, first_name="Ирина"), api.user(SUPERVISOR, first_name="Сергей")
    await supervisor.send("/start")  # the bot learns the supervisor's name
    await supervisor.expect("вы в команде")
    oleg = api.user(MANAGER, first_name="Олег")
    await oleg.send("/pause")  # leads go to the new manager
    await oleg.expect("Вы ушли со смены")
    petr = api.user(NEWBIE, first_name="Пётр", username="petr")
    await petr.send(f"/start {await invite_link(admin)}")
    await petr.expect("Добро пожаловать")
    deal_id = await leave_request(api.user(803, first_name="Анна"), "+7 916 555-00-03")
    await petr.expect("Новая заявка")
    await petr.press("✅ Взять в работу")
    assert "ваша" in (await petr.answer_of_callback())["text"]

    await admin.send("/staff")
    roster = await admin.expect("Команда: 4 человека")
    for line in (
        "Ирина 📌 (вы) — администратор",
        "Сергей 📌 — руководитель",
        "Олег 📌 — менеджер · ⏸ не на смене",
        "Пётр @petr — менеджер · 🟢 на смене · открытых сделок: 1 / 30",
    ):
        assert line in roster["text"], line
    assert "✖ Удалить: Ирина" not in roster["buttons"]

    await admin.press("✖ Удалить: Олег")  # named in MANAGER_IDS: would come back at restart
    pinned = await admin.answer_of_callback()
    assert pinned["show_alert"] and "Уберите id 1001" in pinned["text"] and len(pinned["text"]) <= 200
    assert await running.scalar("select active from staff where telegram_id = :id", id=MANAGER)

    await admin.press("✖ Удалить: Пётр")
    confirm = await admin.expect("Удалить из команды: Пётр?")
    assert "1 открытая сделка вернётся в неразобранное" in confirm["text"]
    await admin.press("Да, удалить")
    done = await admin.expect("Пётр больше не в команде")
    assert done["message_id"] == confirm["message_id"]
    assert f"1 сделка вернулась в неразобранное: №{deal_id}" in done["text"]
    assert "Команда: 3 человека" in done["text"]

    told = await supervisor.expect("👋 Пётр больше не в команде")
    assert f"№{deal_id}" in told["text"]
    await supervisor.send("/unsorted")
    queue = await supervisor.expect("Неразобранное: 1 заявка")
    assert f"№{deal_id} · Анна" in queue["text"]
    await supervisor.press(f"✅ Взять №{deal_id}")
    assert f"Сделка №{deal_id} ваша" in (await supervisor.answer_of_callback())["text"]

    await admin.press_data(f"st:confirm:{NEWBIE}", confirm["message_id"])  # the stale confirmation again
    assert "уже нет в команде" in (await admin.answer_of_callback())["text"]
    await petr.send("/deals")
    await petr.expect("Эта команда — для сотрудников отдела продаж")


async def test_a_manager_can_neither_invite_nor_remove(api: FakeBotApi, running: RunningBot) -> None:
    oleg = api.user(MANAGER, first_name="Олег")
    await oleg.send("/invite manager")
    await oleg.expect("Приглашать в команду может только администратор")
    assert await running.scalar("select count(*) from invites") == 0
    await oleg.send("/staff")
    roster = await oleg.expect("Команда: 3 человека")
    assert roster["buttons"] == []
    await oleg.press_data(f"st:confirm:{SUPERVISOR}", roster["message_id"])  # a forged button
    refused = await oleg.answer_of_callback()
    assert refused["show_alert"] and "только администратор" in refused["text"]
    assert await running.scalar("select active from staff where telegram_id = :id", id=SUPERVISOR)


async def test_an_admin_is_told_how_to_invite_and_that_admins_are_not_invited(
    api: FakeBotApi, running: RunningBot
) -> None:
    admin = api.user(ADMIN)
    await admin.send("/invite")
    usage = await admin.expect("Кого пригласить?")
    assert "/invite manager" in usage["text"] and "/invite supervisor" in usage["text"]
    await admin.send("/invite boss")
    await admin.expect("Кого пригласить?")
    await admin.send("/invite admin")
    await admin.expect("ADMIN_IDS")
    await admin.send("/staff")
    await admin.expect("Команда")
    await admin.press("✖ Удалить: сотрудник id 1001")
    assert "переменной окружения" in (await admin.answer_of_callback())["text"]
    assert await running.scalar("select count(*) from invites") == 0


def command_menu(api: FakeBotApi, *, chat_id: int | None = None, language: str = "") -> list[str]:
    """The commands Telegram would show in a chat (its own scope) or to everyone (the default one)."""
    scope = {"type": "chat", "chat_id": chat_id} if chat_id else {"type": "default"}
    key = json.dumps([scope, language], sort_keys=True)
    return [c["command"] for c in api._commands.get(key, [])]


async def menu_set(api: FakeBotApi, chat_id: int, method: str) -> None:
    await api.wait_for(
        lambda c: c.method == method and (c.params.get("scope") or {}).get("chat_id") == chat_id, timeout=5
    )


async def test_each_person_sees_the_commands_of_their_roles_and_a_removed_one_loses_them(
    api: FakeBotApi, running: RunningBot
) -> None:
    for member in (MANAGER, ADMIN):  # set as the bot starts answering
        await menu_set(api, member, "setMyCommands")
    assert command_menu(api, language="ru") == ["start", "myid"]  # prospects: nothing of the team's
    assert command_menu(api, chat_id=MANAGER) == [
        "start",
        "myid",
        "deals",
        "find",
        "unsorted",
        "pause",
        "resume",
        "report",
        "export",
        "staff",
        "preview",
    ]
    assert "invite" in command_menu(api, chat_id=ADMIN) and "pause" not in command_menu(api, chat_id=ADMIN)

    admin, newbie = api.user(ADMIN, first_name="Ирина"), api.user(NEWBIE, first_name="Пётр")
    payload = await invite_link(admin)
    await newbie.send(f"/start {payload}")
    await newbie.expect("менеджер")
    await menu_set(api, NEWBIE, "setMyCommands")
    assert "deals" in command_menu(api, chat_id=NEWBIE)

    await admin.send("/staff")
    await admin.expect("Команда")
    await admin.press("✖ Удалить: Пётр")
    await admin.next_message()  # the confirmation
    await admin.press("Да, удалить")
    await admin.expect("больше не в команде")
    await menu_set(api, NEWBIE, "deleteMyCommands")
    assert command_menu(api, chat_id=NEWBIE) == []


async def test_an_admin_sets_a_norm_by_buttons_and_a_returning_client_lands_with_their_manager(
    api: FakeBotApi, running: RunningBot
) -> None:
    admin, oleg = api.user(ADMIN, first_name="Ирина"), api.user(MANAGER, first_name="Олег")
    await oleg.send("/start")  # the bot learns his name
    await oleg.expect("вы в команде")
    petr = api.user(NEWBIE, first_name="Пётр")
    await petr.send(f"/start {await invite_link(admin)}")
    await petr.expect("Добро пожаловать")
    await petr.send("/pause")
    await petr.expect("Вы ушли со смены")
    anna = api.user(801, first_name="Анна")
    first = await leave_request(anna, "+7 916 555-00-11")
    await oleg.expect(f"Сделка №{first}")
    other = await leave_request(api.user(802, first_name="Борис"), "+7 916 555-00-12")
    await oleg.expect(f"Сделка №{other}")
    await change_deal(running, first, status=DealStatus.WON, stage="won", closed_at=CLOCK_START)
    await petr.send("/resume")
    await petr.expect("Вы снова на смене")

    await admin.send("/staff")
    roster = await admin.expect("Команда: 4 человека")
    assert "Олег 📌 — менеджер · 🟢 на смене · открытых сделок: 1 / 30" in roster["text"]
    assert "⚖️ Норма: Ирина" not in roster["buttons"]  # an admin, not a manager: no norm
    await admin.press("⚖️ Норма: Олег")
    choice = await admin.expect("Норма нагрузки: Олег")
    assert choice["message_id"] == roster["message_id"]
    assert "Сейчас норма команды по умолчанию: 30 открытых сделок." in choice["text"]
    assert "✓ по умолчанию (30)" in choice["buttons"]
    await admin.press("10")
    assert "Норма для Олег: 10" in (await admin.answer_of_callback())["text"]
    redrawn = await admin.expect("Команда: 4 человека")
    assert "Олег 📌 — менеджер · 🟢 на смене · открытых сделок: 1 / 10" in redrawn["text"]
    assert await running.scalar("select max_open_deals from staff where telegram_id = :id", id=MANAGER) == 10

    await oleg.send("/staff")  # a manager pressing a forged norm button is refused, nothing changes
    seen = await oleg.expect("Команда: 4 человека")
    assert seen["buttons"] == []
    await oleg.press_data(f"st:norm_50:{MANAGER}", seen["message_id"])
    refused = await oleg.answer_of_callback()
    assert refused["show_alert"] and "только администратор" in refused["text"]
    await admin.press_data(f"st:norm_5:{LATECOMER}", redrawn["message_id"])  # a stale one: nobody there
    assert "уже нет в команде" in (await admin.answer_of_callback())["text"]
    assert await running.scalar("select max_open_deals from staff where telegram_id = :id", id=MANAGER) == 10

    again = await leave_request(anna, "+7 916 555-00-11")  # least loaded alone would give Petr
    assert await running.scalar("select manager_id from deals where id = :id", id=again) == MANAGER
    card = await oleg.expect(f"Сделка №{again}")
    assert "↩️ Вернувшийся клиент — раньше с ним работали вы" in card["text"]
    assert count(api, 0, NEWBIE, f"Сделка №{again}") == 0
