"""/deals, /find and /unsorted over real HTTP: what staff see, in which order, and what they may not see."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from domain.crm_config import CrmConfig
from handlers.common.callbacks import DealAction

from .bot_api_people import FakeUser
from .bot_api_server import FakeBotApi
from .conftest import MANAGER, MANAGER_2, SUPERVISOR, RunningBot, make_settings

LONG_AGO = datetime(2000, 1, 3, 9, 0, tzinfo=UTC)  # a next contact long overdue, whatever the clock says
FAR_AHEAD = datetime(2999, 1, 1, 9, 0, tzinfo=UTC)


async def leave_request(person: FakeUser, phone: str, *, need: str = "Нужен сайт") -> int:
    """The whole questionnaire with a typed phone (typed phones never merge contacts); the deal number."""
    await person.send("/start")
    await person.expect("Вопрос 1 из 4")
    await person.send(need)
    await person.expect("Вопрос 2 из 4")
    await person.press("до 100 тыс. ₽")
    await person.expect("Вопрос 3 из 4")
    await person.press("позже")
    await person.expect("Вопрос 4 из 4")
    await person.send(phone)
    done = await person.expect("Ваша заявка №")
    found = re.search(r"№(\d+)", done["text"] or "")
    assert found is not None
    return int(found.group(1))


async def change_deal(running: RunningBot, deal_id: int, **fields: Any) -> None:
    """Set fields of a deal as other screens (stages, next contact) would, straight in the database."""
    assert running.app is not None
    async with running.app.unit_of_work() as uow:
        deal = await uow.deals.get(deal_id)
        assert deal is not None
        for name, value in fields.items():
            setattr(deal, name, value)
        await uow.deals.save(deal)
        await uow.commit()


def opening(deal_id: int) -> str:
    """The payload of a list button that opens a deal's card."""
    return DealAction(action="open", deal_id=deal_id, v=0).pack()


def callback_data(message: dict[str, Any]) -> list[str]:
    rows = (message["reply_markup"] or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]


@pytest.fixture
def bot_settings(api: FakeBotApi, tmp_path: Path) -> Settings:
    return make_settings(api, tmp_path / "voronka.db", manager_ids=[MANAGER, MANAGER_2])


async def test_deals_are_grouped_by_stage_with_the_overdue_first_and_paged_by_eight(
    api: FakeBotApi, running: RunningBot
) -> None:
    manager = api.user(MANAGER, first_name="Олег")
    await api.user(MANAGER_2).send("/pause")  # every lead goes to Oleg
    ids = [
        await leave_request(api.user(700 + n, first_name=f"Клиент{n}"), f"+7916000000{n}") for n in range(10)
    ]
    await change_deal(running, ids[3], stage="qualified")
    await change_deal(running, ids[5], stage="qualified", next_contact_at=FAR_AHEAD)
    await change_deal(running, ids[7], next_contact_at=LONG_AGO)

    await manager.send("/deals")
    first = await manager.expect("Ваши открытые сделки")
    text = first["text"]
    assert "Ваши открытые сделки: 10 · стр. 1 из 2" in text
    assert text.index("Просрочен следующий контакт (1)") < text.index("Новая заявка · Продажи (7)")
    assert "Квалификация" not in text  # 1 overdue + 7 new fill the first page
    assert f"№{ids[7]} · Клиент7 · Новая заявка (Продажи) · ⏰ контакт был 03.01 12:00" in text
    assert first["buttons"][0] == f"⏰ №{ids[7]} · Клиент7"
    opens = [d for d in callback_data(first) if d.startswith("d:open:")]
    assert len(opens) == 8 and opens[0] == opening(ids[7])
    assert first["buttons"][-1] == "Дальше ▶"

    await manager.press("Дальше ▶")
    second = await manager.expect("стр. 2 из 2")
    assert second["method"] == "editMessageText" and second["message_id"] == first["message_id"]
    assert "Квалификация · Продажи (2)" in second["text"]
    # The deal with a next contact planned comes first in its stage, the one without last.
    assert second["text"].index(f"№{ids[5]} ·") < second["text"].index(f"№{ids[3]} ·")
    assert second["buttons"] == [f"№{ids[5]} · Клиент5", f"№{ids[3]} · Клиент3", "◀ Назад"]

    await manager.press(f"№{ids[5]} · Клиент5")  # a deal from the list opens its card
    card = await manager.expect(f"Сделка №{ids[5]}")
    assert "Клиент5" in card["text"]


async def test_a_supervisor_s_list_holds_every_open_deal_with_who_works_it(
    api: FakeBotApi, running: RunningBot
) -> None:
    oleg, ivan = api.user(MANAGER, first_name="Олег"), api.user(MANAGER_2, first_name="Иван")
    for person in (oleg, ivan):
        await person.send("/start")  # the bot learns their names
        await person.expect("вы в команде")
    for n in range(2):
        await leave_request(api.user(710 + n, first_name=f"Клиент{n}"), f"+7916000001{n}")
    supervisor = api.user(SUPERVISOR)
    await supervisor.send("/deals")
    listed = await supervisor.expect("Все открытые сделки: 2")
    assert "👤 Олег" in listed["text"] and "👤 Иван" in listed["text"]
    assert listed["text"].count("не взята в работу") == 2


async def test_find_by_name_phone_and_number_but_never_a_colleague_s_deal(
    api: FakeBotApi, running: RunningBot
) -> None:
    oleg, ivan = api.user(MANAGER), api.user(MANAGER_2)
    await ivan.send("/pause")
    olegs = await leave_request(api.user(720, first_name="Анна", username="anna_k"), "+7 916 555-44-33")
    await ivan.send("/resume")
    await oleg.send("/pause")
    ivans = await leave_request(api.user(721, first_name="Борис"), "+7 916 555-44-34")

    await oleg.send("/find анна")
    by_name = await oleg.expect("Найдено: 1 сделка")
    assert f"№{olegs} · Анна" in by_name["text"] and "Поиск идёт только по вашим сделкам" in by_name["text"]
    assert "Telegram, напрямую" in by_name["text"]  # its channel and source
    assert callback_data(by_name) == [opening(olegs)]
    await oleg.send("/find @anna_k")
    await oleg.expect("Найдено: 1 сделка")
    await oleg.send("/find 8 (916) 555-44-33")
    by_phone = await oleg.expect("Найдено: 1 сделка")
    assert f"№{olegs}" in by_phone["text"]
    await oleg.send(f"/find №{olegs}")
    await oleg.expect(f"№{olegs} · Анна")

    await oleg.send(f"/find {ivans}")
    hidden = await oleg.expect(f"Сделка №{ivans} не найдена")
    assert "Борис" not in hidden["text"] and hidden["buttons"] == []
    await oleg.send("/find Борис")
    await oleg.expect("По запросу «Борис» ничего не найдено")
    await oleg.send("/find +7 916 555-44-34")
    await oleg.expect("По телефону +7 916 555-44-34 сделок не найдено")

    supervisor = api.user(SUPERVISOR)
    await supervisor.send(f"/find #{ivans}")
    seen = await supervisor.expect("Найдено: 1 сделка")
    assert "Борис" in seen["text"] and "только по вашим" not in seen["text"]


async def test_find_explains_itself_when_there_is_nothing_to_look_for(
    api: FakeBotApi, running: RunningBot
) -> None:
    oleg = api.user(MANAGER)
    await oleg.send("/find")
    usage = await oleg.expect("Напишите после команды, что искать")
    assert "/find 12" in usage["text"] and "/find Анна" in usage["text"]
    await oleg.send("/find я")
    await oleg.expect("Слишком короткий запрос")
    await oleg.send("/find +7 916")
    await oleg.expect("не похоже ни на номер сделки, ни на полный телефон")


async def test_the_unsorted_queue_offers_take_and_empties_once_taken(
    api: FakeBotApi, running: RunningBot
) -> None:
    oleg, ivan = api.user(MANAGER), api.user(MANAGER_2)
    for manager in (oleg, ivan):
        await manager.send("/pause")
        await manager.expect("Вы ушли со смены")
    deal_id = await leave_request(api.user(730, first_name="Вера"), "+7 916 555-44-35")
    await api.user(SUPERVISOR).expect("ждёт в неразобранном")

    await oleg.send("/unsorted")
    queue = await oleg.expect("Неразобранное: 1 заявка")
    assert f"№{deal_id} · Вера" in queue["text"] and "взять до" in queue["text"]
    assert queue["buttons"] == [f"№{deal_id} · Вера", f"✅ Взять №{deal_id}"]
    await oleg.press(f"✅ Взять №{deal_id}")
    assert f"Сделка №{deal_id} ваша" in (await oleg.answer_of_callback())["text"]
    assert await running.scalar("select manager_id from deals where id = :id", id=deal_id) == MANAGER

    await oleg.send("/unsorted")
    await oleg.expect("В неразобранном пусто")
    await oleg.send("/deals")
    await oleg.expect("Ваши открытые сделки: 1")


async def test_staff_lists_are_refused_to_prospects_and_the_queue_to_managers_when_closed(
    api: FakeBotApi, bot_settings: Settings, crm_config: CrmConfig
) -> None:
    closed = crm_config.model_copy(
        update={"deals": crm_config.deals.model_copy(update={"managers_see_unsorted": False})}
    )
    bot = RunningBot(api, bot_settings, closed)
    await bot.start()
    try:
        stranger = api.user(740, first_name="Гость")
        for command in ("/deals", "/unsorted", "/find 1"):
            await stranger.send(command)
            await stranger.expect("Эта команда — для сотрудников отдела продаж")
        await stranger.press_data("dl:mine:1", 1)
        assert "для сотрудников" in (await stranger.answer_of_callback())["text"]
        oleg = api.user(MANAGER)
        await oleg.send("/unsorted")
        await oleg.expect("Неразобранное видят только руководители")
        await api.user(SUPERVISOR).send("/unsorted")
        await api.user(SUPERVISOR).expect("В неразобранном пусто")
    finally:
        await bot.stop()


async def test_a_forged_or_outdated_page_button_gets_a_polite_answer(
    api: FakeBotApi, running: RunningBot
) -> None:
    oleg = api.user(MANAGER)
    await oleg.send("/deals")
    await oleg.expect("У вас нет открытых сделок")
    for forged in ("dl:mine:1", "dl:mine:n9999.1.1", "dl:unsorted:n0..5", "dl:mine:p0.x.1", "dl:bogus:n0..1"):
        await oleg.press_data(forged, 1)
        answer = await oleg.answer_of_callback()
        assert "устарел" in answer["text"], forged
    await oleg.send("/deals")  # and the bot is still there
    await oleg.expect("У вас нет открытых сделок")
