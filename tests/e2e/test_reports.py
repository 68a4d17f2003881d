"""/report and /export over real HTTP (README.md, "Reports"): each report in at most three taps as a
picture with its numbers in the caption, the spreadsheets, a manager's own numbers only, the refusals."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from PIL import Image

from bot.settings import Settings
from domain.deal_stages import lose_deal, move_stage, win_deal
from domain.taking import take_deal
from handlers.common.callbacks import ReportMenu

from .bot_api_people import FakeUser
from .bot_api_server import ApiCall, FakeBotApi
from .conftest import MANAGER, MANAGER_2, SUPERVISOR, FixedClock, RunningBot, make_settings
from .test_deal_lists import leave_request

PROSPECT = 5005


@pytest.fixture
def bot_settings(api: FakeBotApi, tmp_path: Path) -> Settings:
    return make_settings(api, tmp_path / "voronka.db", manager_ids=[MANAGER, MANAGER_2])


async def hand_made_deals(api: FakeBotApi, bot: RunningBot, clock: FixedClock) -> list[int]:
    """Four leads of the Sales pipeline, by hand: Oleg's first reaches Qualification and is won for
    100 000, his second is lost as too expensive, his third stays new; Ivan's is lost to a competitor."""
    oleg, ivan = api.user(MANAGER, first_name="Олег"), api.user(MANAGER_2, first_name="Иван")
    for person in (oleg, ivan):
        await person.send("/start")
        await person.expect("вы в команде")
    await ivan.send("/pause")
    await ivan.expect("смены")
    ids = [
        await leave_request(api.user(900 + n, first_name=f"Клиент{n}"), f"+7916100000{n}") for n in range(3)
    ]
    await ivan.send("/resume")
    await oleg.send("/pause")
    ids.append(await leave_request(api.user(903, first_name="Клиент3"), "+79161000003"))
    await oleg.send("/resume")
    assert bot.app is not None
    config = bot.config
    async with bot.app.unit_of_work() as uow:
        boss = await uow.staff.get(SUPERVISOR)
        await uow.rollback()
        for deal_id, owner in zip(ids, (MANAGER, MANAGER, MANAGER, MANAGER_2), strict=True):
            manager = await uow.staff.get(owner)
            assert (await take_deal(uow, deal_id=deal_id, staff=manager, now=clock.at)).deal is not None
        moved = await move_stage(
            uow, config, deal_id=ids[0], staff=boss, version=None, stage="qualified", now=clock.at
        )
        assert moved.error is None
        for result in (
            await win_deal(
                uow, config, deal_id=ids[0], staff=boss, version=None, amount=100_000, now=clock.at
            ),
            await lose_deal(
                uow, config, deal_id=ids[1], staff=boss, version=None, reason="too_expensive", now=clock.at
            ),
            await lose_deal(
                uow, config, deal_id=ids[3], staff=boss, version=None, reason="competitor", now=clock.at
            ),
        ):
            assert result.error is None
    return ids


def caption_of(call: ApiCall) -> str:
    """The caption as the person reads it (Telegram's narrow spaces in numbers read as spaces)."""
    assert call.message is not None
    return str(call.message["caption"]).replace("\xa0", " ")


def picture(call: ApiCall) -> Image.Image:
    """The PNG the bot sent (sendPhoto) or put in place of the old one (editMessageMedia)."""
    upload = call.params["photo"] if call.method == "sendPhoto" else call.params["media"]["media"]
    image = Image.open(io.BytesIO(upload["content"]))
    assert image.format == "PNG"
    return image


async def report_call(person: FakeUser, api: FakeBotApi) -> ApiCall:
    """The next picture the bot sent to the person or put in place of their report's (other messages,
    a deadline's alert say, may come between)."""
    since = person._cursor
    index = await api.wait_index(
        lambda c: c.method in ("sendPhoto", "editMessageMedia") and c.params.get("chat_id") == person.id,
        since=since,
        timeout=20,
    )
    person._cursor = index + 1
    return api.calls[index]


async def test_a_supervisor_opens_every_report_in_at_most_three_taps(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    await hand_made_deals(api, bot, clock)
    boss = api.user(SUPERVISOR, first_name="Мария")
    await boss.send("/report")
    menu = await boss.expect("Отчёты")
    assert "30 дней" in menu["text"]
    assert menu["buttons"][:4] == [
        "🔻 Воронка",
        "❌ Причины отказов",
        "👥 Менеджеры",
        "📣 Каналы и источники",
    ]

    await boss.press("🔻 Воронка")  # one tap
    call = await report_call(boss, api)
    assert call.method == "sendPhoto" and picture(call).width >= 1080
    caption = call.message["caption"]  # type: ignore[index]
    assert "Воронка" in caption and "Продажи" in caption
    await api.wait_for(  # the text menu made way for the picture: one message, not two
        lambda c: c.method == "deleteMessage" and c.params["message_id"] == menu["message_id"]
    )

    shown = boss.last_message()
    for button, words in (
        ("Причины отказов", "Причины отказов"),
        ("Менеджеры", "Олег"),
        ("Каналы", "Telegram"),
    ):
        await boss.press(button, message=boss.last_message())  # one tap from a report to another
        call = await report_call(boss, api)
        assert call.method == "editMessageMedia" and call.message["message_id"] == shown["message_id"]  # type: ignore[index]
        assert picture(call).width >= 1080 and words in call.message["caption"]  # type: ignore[index]

    # Another period: two taps.
    await boss.press("📅 30 дней", message=boss.last_message())
    picker = await boss.next_message()
    assert picker["method"] == "editMessageReplyMarkup" and "Прошлый месяц" in picker["buttons"]
    await boss.press("Прошлый месяц", message=boss.last_message())
    call = await report_call(boss, api)
    assert "Прошлый месяц (01.10–31.10)" in call.message["caption"]  # type: ignore[index]


async def test_the_caption_s_numbers_match_the_hand_made_deals(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    await hand_made_deals(api, bot, clock)
    boss = api.user(SUPERVISOR)
    await boss.send("/report")
    await boss.expect("Отчёты")
    await boss.press("🔻 Воронка")
    funnel = caption_of(await report_call(boss, api))
    assert "Продажи: 4 сделки, успешно 1, отказ 2, в работе 1; конверсия 25 %" in funnel
    assert "Новая заявка 4 → Квалификация 1 (25 %)" in funnel
    await boss.press("❌ Причины отказов", message=boss.last_message())
    losses = caption_of(await report_call(boss, api))
    assert "Отказов за период: 2" in losses
    assert "• Дорого: 50 % (1)" in losses and "• Выбрали конкурента: 50 % (1)" in losses
    await boss.press("Менеджеры", message=boss.last_message())
    managers = caption_of(await report_call(boss, api))
    assert "Олег: лидов 3," in managers and "успешно 1, отказ 1, конверсия 50 %, сумма 100 000 ₽" in managers
    assert "Иван: лидов 1," in managers and "успешно 0, отказ 1, конверсия 0 %, сумма 0 ₽" in managers

    # A filter: two taps (the picker, the value), the report redrawn for it.
    await boss.press("❌ Причины отказов", message=boss.last_message())
    await report_call(boss, api)
    await boss.press("👤 Все менеджеры", message=boss.last_message())
    picker = await boss.next_message()
    assert picker["buttons"][0] == "✓ Все менеджеры" and "Иван" in picker["buttons"]
    await boss.press("Иван", message=boss.last_message())
    ivans = caption_of(await report_call(boss, api))
    assert "Фильтры: Иван" in ivans and "Отказов за период: 1" in ivans and "Дорого" not in ivans


async def test_export_sends_a_workbook_and_csv_files_with_the_numbers(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    ids = await hand_made_deals(api, bot, clock)
    boss = api.user(SUPERVISOR)
    await boss.send("/report")
    await boss.expect("Отчёты")
    await boss.press("🔻 Воронка")
    await report_call(boss, api)
    since = api.mark()
    await boss.send("/export")  # straight after a report: its period and filters, no question asked
    await boss.expect("Готовлю выгрузку")  # said before the files are written
    said = await boss.expect("Выгрузка отчётов", timeout=20)
    assert "30 дней" in said["text"]
    await boss.send("/start")  # one person's updates are handled in order: once answered, every file is out
    await boss.expect("вы в команде")
    documents = [c for c in api.calls[since:] if c.method == "sendDocument" and not c.failed]
    files = {c.params["document"]["filename"]: c.params["document"]["content"] for c in documents}
    workbook_name = next(name for name in files if name.endswith(".xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(files[workbook_name]))
    assert {"Воронка", "Отказы", "Менеджеры", "Каналы", "Сделки", "События"} <= set(book.sheetnames)
    deals = book["Сделки"]
    numbers = [row[0] for row in deals.iter_rows(min_row=2, values_only=True) if row[0] is not None]
    assert sorted(int(n) for n in numbers) == sorted(ids)
    header = [cell.value for cell in deals[1]]
    amounts = [row[header.index("Сумма")] for row in deals.iter_rows(min_row=2, values_only=True)]
    assert sorted(a or 0 for a in amounts) == [0, 0, 0, 100_000]
    csv_files = [name for name in files if name.endswith(".csv")]
    assert csv_files and all(files[name].startswith(b"\xef\xbb\xbf") for name in csv_files)  # BOM for Excel
    rows = list(csv.reader(io.StringIO(files[csv_files[0]].decode("utf-8-sig"))))
    assert rows and rows[0]


async def test_a_manager_sees_only_their_own_numbers_and_no_managers_report(
    api: FakeBotApi, bot: RunningBot, clock: FixedClock
) -> None:
    ids = await hand_made_deals(api, bot, clock)
    ivan = api.user(MANAGER_2)
    await ivan.send("/report")
    menu = await ivan.expect("Отчёты")
    assert "Только ваши сделки" in menu["text"]
    assert "👥 Менеджеры" not in menu["buttons"] and not any(b.startswith("👤") for b in menu["buttons"])
    await ivan.press("❌ Причины отказов")
    caption = caption_of(await report_call(ivan, api))
    assert "Отказов за период: 1" in caption and "• Выбрали конкурента: 100 % (1)" in caption
    assert "Дорого" not in caption  # Oleg's loss is not his

    # A Managers button forged from his own menu is refused, and so is another manager's filter.
    forged = ReportMenu(do="show", r="m", p="30d", m=MANAGER_2).pack()
    await ivan.press_data(forged, ivan.last_message()["message_id"])
    answer = await ivan.answer_of_callback()
    assert answer.get("show_alert") is True and "устарела" in answer["text"]
    since = api.mark()
    await ivan.press_data(
        ReportMenu(do="show", r="l", p="30d", m=MANAGER).pack(), ivan.last_message()["message_id"]
    )
    caption = caption_of(await report_call(ivan, api))
    assert "Дорого" not in caption, "a manager's scope is always their own, whatever the button says"
    assert "Отказов за период: 1" in caption
    assert api.mark() > since and ids


async def test_a_prospect_is_refused_and_a_forged_or_stale_button_answered(
    api: FakeBotApi, bot: RunningBot
) -> None:
    prospect = api.user(PROSPECT, first_name="Пётр")
    await prospect.send("/report")
    await prospect.expect("Отчёты — для сотрудников отдела продаж")
    await prospect.send("/export")
    await prospect.expect("Отчёты — для сотрудников отдела продаж")
    await prospect.press_data(ReportMenu(do="show", r="f").pack(), 1)
    assert "для сотрудников" in (await prospect.answer_of_callback())["text"]

    boss = api.user(SUPERVISOR)
    await boss.send("/report")
    menu = await boss.expect("Отчёты")
    for data in (
        "rp:show:f:30d:7::telegram:",  # a pipeline the config does not have
        "rp:show:f:d261399261401::::",  # no such days
        "rp:show:x:30d::::",  # no such report
        "rp:show:f:30d:abc::::",  # does not even unpack
        "rp:explode",
    ):
        await boss.press_data(data, menu["message_id"])
        answer = await boss.answer_of_callback()
        assert answer.get("show_alert") is True and "устарела" in answer["text"], data
    assert boss.last_message()["text"] == menu["text"]  # nothing changed


async def test_a_typed_range_and_a_bad_one(api: FakeBotApi, bot: RunningBot, clock: FixedClock) -> None:
    await hand_made_deals(api, bot, clock)
    boss = api.user(SUPERVISOR)
    await boss.send("/report")
    await boss.expect("Отчёты")
    await boss.press("🔻 Воронка")
    await report_call(boss, api)
    await boss.press("📅 30 дней", message=boss.last_message())
    await boss.next_message()
    await boss.press("✍️ Ввести даты", message=boss.last_message())
    prompt = await boss.next_message()
    assert "01.10–15.10" in prompt["text"] and prompt["buttons"] == ["✖️ Отмена"]

    await boss.send("с 40 по 45 октября")
    await boss.expect("Не получилось понять период")
    await boss.send("в прошлую пятницу до завтра")
    await boss.expect("Не получилось понять период")
    await boss.send("с 1 по 25 ноября")
    call = await report_call(boss, api)
    assert call.method == "sendPhoto" and "01.11–25.11" in call.message["caption"]  # type: ignore[index]
    await api.wait_for(  # the old picture, which asked for the dates, is gone: one report in the chat
        lambda c: c.method == "deleteMessage" and c.params["message_id"] == prompt["message_id"]
    )

    await boss.send("привет")  # the range is read: any other words are not taken for one
    reply = await boss.next_message()
    assert "Не получилось понять период" not in (reply["text"] or "")
