"""Reminders, deadlines and supervisor alerts over real HTTP, on a clock the test moves.

The bot reads the time from a `FixedClock`; moving it makes timers fall due, and the scheduler's next
tick (every `TICK` seconds here) fires them. A step goes to just after the due moment: a timer fired
much later than its time is marked late. "Once" is checked by moving the clock further, letting a sweep
pass at that time and the outbox drain, and then counting what people got.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from domain.crm_config import CrmConfig
from domain.models import Deal
from handlers.common.callbacks import DealAction

from .bot_api_people import FakeUser
from .bot_api_server import FakeBotApi
from .conftest import CLOCK_START, MANAGER, MANAGER_2, SUPERVISOR, FixedClock, RunningBot, make_settings
from .test_deal_lists import leave_request

START = CLOCK_START  # Wednesday 11:00 in Moscow
TICK = 0.1
JUST_AFTER = timedelta(seconds=1)  # a step past a due moment, well inside the "on time" grace
LATE_MARK = "С опозданием"
REMINDER = "Пора связаться с клиентом"
OVERDUE = "Контакт просрочен"
ESCALATED = "Клиент ждёт звонка"


def always(config: CrmConfig, **reminders: Any) -> CrmConfig:
    """The config made 24/7 (deadlines do not depend on the hour the tests run), reminders changed."""
    hours = config.business_hours.model_copy(update={"always": True})
    return config.model_copy(
        update={"business_hours": hours, "reminders": config.reminders.model_copy(update=reminders)}
    )


@pytest.fixture
def bot_settings(api: FakeBotApi, tmp_path: Path) -> Settings:
    return make_settings(api, tmp_path / "voronka.db", manager_ids=[MANAGER, MANAGER_2], scheduler_tick=TICK)


@pytest.fixture
async def running(
    api: FakeBotApi, bot_settings: Settings, crm_config: CrmConfig, clock: FixedClock
) -> AsyncIterator[RunningBot]:
    bot = RunningBot(api, bot_settings, always(crm_config), clock=clock)
    await bot.start()
    yield bot
    await bot.stop()


# ---------------------------------------------------------------------------------------------- helpers
def sent(api: FakeBotApi, chat_id: int, piece: str) -> list[str]:
    """Texts of the messages the bot sent to a chat (new messages, not edits) that contain `piece`."""
    texts = [
        str(call.message.get("text") or "")
        for call in api.calls
        if call.method == "sendMessage" and not call.failed and call.message is not None
        if call.message["chat"]["id"] == chat_id
    ]
    return [text for text in texts if piece in text]


def dangling_reason(text: str) -> bool:
    """A "Причина:" label with nothing after it."""
    return any(line.rstrip().endswith("Причина:") for line in text.splitlines())


async def settled(running: RunningBot) -> None:
    """A sweep has run at the clock's time (as a tick does: it waits for one in progress and fires
    everything due), and everything it had to say has been sent."""
    assert running.app is not None
    await running.app.scheduler.sweep()
    await running.eventually("select count(*) from outbox where state in ('pending', 'sending')", 0)


async def deal(running: RunningBot, deal_id: int) -> Deal:
    assert running.app is not None
    async with running.app.unit_of_work() as uow:
        found = await uow.deals.get(deal_id)
    assert found is not None
    return found


async def oleg_alone_on_shift(api: FakeBotApi) -> tuple[FakeUser, FakeUser]:
    """Both managers introduce themselves (the bot learns their names); Ivan leaves the shift, so every
    new lead goes to Oleg."""
    oleg, ivan = api.user(MANAGER, first_name="Олег"), api.user(MANAGER_2, first_name="Иван")
    for person in (oleg, ivan):
        await person.send("/start")
        await person.expect("вы в команде")
    await ivan.send("/pause")
    await ivan.expect("Вы ушли со смены")
    return oleg, ivan


async def new_lead(api: FakeBotApi, manager: FakeUser, prospect_id: int, name: str) -> dict[str, Any]:
    """A prospect's questionnaire; returns the "new lead" card as the manager got it."""
    deal_id = await leave_request(api.user(prospect_id, first_name=name), f"+7916000{prospect_id:04d}")
    card = await manager.expect(f"Сделка №{deal_id}")
    assert "✅ Взять в работу" in card["buttons"]
    return card


async def worked_lead(
    api: FakeBotApi, manager: FakeUser, prospect_id: int, name: str, *, qualify: bool = True
) -> dict[str, Any]:
    """A lead the manager took (and moved on to "Квалификация", whose deadline is a day away, so the
    15-minute deadline of the first stage stays out of the way); returns the card as redrawn."""
    card = await new_lead(api, manager, prospect_id, name)
    await manager.press("✅ Взять в работу", message=api.find_message(manager.id, card["message_id"]))
    card = await manager.expect("В работе: вы")
    if qualify:
        await manager.press("➡️ Квалификация", message=api.find_message(manager.id, card["message_id"]))
        card = await manager.expect("Этап: Квалификация")
    return card


async def plan_in_an_hour(api: FakeBotApi, manager: FakeUser, card: dict[str, Any]) -> None:
    """ "📅 След. контакт" → "Через час" on the card."""
    await manager.press("📅 След. контакт", message=api.find_message(manager.id, card["message_id"]))
    menu = await manager.next_message()
    await manager.press("Через час", message=api.find_message(manager.id, menu["message_id"]))
    assert "Следующий контакт:" in (await manager.answer_of_callback())["text"]


# ---------------------------------------------------------------------------------------------- tests
async def test_a_next_contact_reminder_comes_at_its_time_and_its_buttons_work(
    api: FakeBotApi, running: RunningBot, clock: FixedClock
) -> None:
    oleg, _ = await oleg_alone_on_shift(api)
    card = await worked_lead(api, oleg, 801, "Анна")
    await plan_in_an_hour(api, oleg, card)
    due = START + timedelta(hours=1)  # 12:00 Moscow, on a 5-minute mark already
    assert (await deal(running, 1)).next_contact_at == due

    clock.at = due - JUST_AFTER  # a tick a second before the time: nothing yet
    await settled(running)
    assert sent(api, MANAGER, REMINDER) == []
    assert await running.scalar("select state from timers where kind = 'next_contact'") == "pending"

    clock.at = due + JUST_AFTER
    reminder = await oleg.expect(REMINDER)
    assert "сделка №1" in reminder["text"] and "Анна" in reminder["text"]
    assert LATE_MARK not in reminder["text"]
    # The card under it agrees: due now, not overdue (that is for `overdue_after` later).
    assert "Пора связаться: контакт назначен" in reminder["text"] and "просрочен" not in reminder["text"]
    assert reminder["buttons"] == ["✅ Связался", "⏰ Через час", "📅 Завтра", "📂 Открыть сделку"]

    await oleg.press("📂 Открыть сделку", message=api.find_message(MANAGER, reminder["message_id"]))
    opened = await oleg.expect("Сделка №1")
    assert opened["method"] == "sendMessage" and opened["message_id"] != reminder["message_id"]
    assert "📋 Этапы" in opened["buttons"] and REMINDER not in opened["text"]

    await oleg.press("⏰ Через час", message=api.find_message(MANAGER, reminder["message_id"]))
    assert "Следующий контакт:" in (await oleg.answer_of_callback())["text"]
    later = due + timedelta(hours=1, minutes=5)  # an hour after 12:00:01, up to the next 5 minutes
    assert (await deal(running, 1)).next_contact_at == later
    clock.at = later - JUST_AFTER
    await settled(running)
    assert len(sent(api, MANAGER, REMINDER)) == 1
    clock.at = later + JUST_AFTER
    again = await oleg.expect(REMINDER)
    assert "сделка №1" in again["text"] and "✅ Связался" in again["buttons"]

    await oleg.press("✅ Связался", message=api.find_message(MANAGER, again["message_id"]))
    await oleg.expect("Как прошёл контакт с клиентом Анна?")
    await oleg.send("Договорились о встрече в пятницу")
    await oleg.expect("✅ Записал результат.")
    offer = await oleg.expect("Когда следующий контакт?")
    assert {"Через час", "Завтра в 10:00", "Через 3 дня", "На следующей неделе"} <= set(offer["buttons"])
    assert (await deal(running, 1)).next_contact_at is None

    clock.at = later + timedelta(hours=4, minutes=1)  # past the overdue and escalation times of both
    await settled(running)
    assert sent(api, MANAGER, OVERDUE) == [] and sent(api, SUPERVISOR, ESCALATED) == []
    assert len(sent(api, MANAGER, REMINDER)) == 2
    assert (
        await running.scalar(
            "select count(*) from timers where state = 'pending' and kind in"
            " ('next_contact', 'contact_overdue', 'contact_escalate')"
        )
        == 0
    )
    assert await running.scalar("select count(*) from breaches where kind = 'contact'") == 0


async def test_an_old_reminder_does_nothing_to_a_contact_moved_since(
    api: FakeBotApi, running: RunningBot, clock: FixedClock
) -> None:
    oleg, _ = await oleg_alone_on_shift(api)
    card = await worked_lead(api, oleg, 805, "Нина")
    await plan_in_an_hour(api, oleg, card)
    clock.at = START + timedelta(hours=1) + JUST_AFTER
    reminder = await oleg.expect(REMINDER)
    assert reminder["buttons"][:3] == ["✅ Связался", "⏰ Через час", "📅 Завтра"]
    # Moved from the card instead ("in 3 days"); then the old reminder's buttons are pressed.
    version = (await deal(running, 1)).version
    await oleg.press_data(DealAction(action="ncq", deal_id=1, v=version, arg="3d").pack(), card["message_id"])
    assert "Следующий контакт:" in (await oleg.answer_of_callback())["text"]
    moved = (await deal(running, 1)).next_contact_at
    assert moved is not None and moved > clock.at + timedelta(days=2)
    planned = str(int((START + timedelta(hours=1)).timestamp()))  # what the reminder's buttons carry
    for action, arg in (("cdone", planned), ("rsnz", f"1h-{planned}")):
        await oleg.press_data(
            DealAction(action=action, deal_id=1, v=0, arg=arg).pack(), reminder["message_id"]
        )
        answer = await oleg.answer_of_callback()
        assert "напоминание устарело" in answer["text"], answer
        assert (await deal(running, 1)).next_contact_at == moved
    assert sent(api, MANAGER, "Как прошёл контакт") == []


async def test_an_overdue_contact_alerts_the_owner_then_the_supervisors_once_each(
    api: FakeBotApi, running: RunningBot, clock: FixedClock
) -> None:
    oleg, _ = await oleg_alone_on_shift(api)
    card = await worked_lead(api, oleg, 802, "Борис")
    await plan_in_an_hour(api, oleg, card)
    due = START + timedelta(hours=1)
    supervisor = api.user(SUPERVISOR, first_name="Ирина")

    clock.at = due + JUST_AFTER
    await oleg.expect(REMINDER)
    await settled(running)  # delivered and recorded: a step is held back while its reminder is on the way
    clock.at = due + timedelta(hours=1, seconds=30)
    overdue = await oleg.expect(OVERDUE)
    assert "сделка №1" in overdue["text"] and LATE_MARK not in overdue["text"]
    assert "✅ Связался" in overdue["buttons"]
    assert sent(api, SUPERVISOR, ESCALATED) == []
    assert await running.scalar("select count(*) from breaches where kind = 'contact'") == 1

    clock.at = due + timedelta(hours=4, seconds=30)
    escalated = await supervisor.expect(ESCALATED)
    assert "сделка №1" in escalated["text"] and "Олег" in escalated["text"]
    assert LATE_MARK not in escalated["text"]
    assert escalated["buttons"] == ["🔁 Передать", "📂 Открыть сделку"]
    await supervisor.press("🔁 Передать", message=api.find_message(SUPERVISOR, escalated["message_id"]))
    assert (await supervisor.answer_of_callback())["text"] == "Кому передать сделку?"
    menu = await supervisor.next_message()
    assert menu["message_id"] == escalated["message_id"]
    assert any(text.startswith("Иван") for text in menu["buttons"]), menu["buttons"]

    clock.at = due + timedelta(hours=6)  # well past both: several sweeps, nothing more
    await settled(running)
    await settled(running)
    assert (
        await running.scalar("select count(*) from timers where state = 'pending' and kind like 'contact_%'")
        == 0
    )
    assert len(sent(api, MANAGER, OVERDUE)) == 1 and sent(api, SUPERVISOR, OVERDUE) == []
    assert len(sent(api, SUPERVISOR, ESCALATED)) == 1 and sent(api, MANAGER, ESCALATED) == []
    assert len(sent(api, MANAGER, REMINDER)) == 1


async def test_a_lead_not_taken_alerts_the_supervisor_who_assigns_it_to_another_manager(
    api: FakeBotApi, running: RunningBot, clock: FixedClock
) -> None:
    oleg, ivan = await oleg_alone_on_shift(api)
    await new_lead(api, oleg, 803, "Вера")
    await ivan.send("/resume")
    await ivan.expect("Вы снова на смене")
    supervisor = api.user(SUPERVISOR, first_name="Ирина")

    clock.at = START + timedelta(minutes=15) + JUST_AFTER
    alert = await supervisor.expect("Заявку №1 не взяли в работу")
    assert "назначена: Олег" in alert["text"] and LATE_MARK not in alert["text"]
    assert alert["buttons"] == ["👤 Иван · 0 в работе", "📂 Открыть сделку"]  # not Oleg: it is his
    reminder = await oleg.expect("Вы ещё не взяли заявку №1")
    assert "✅ Взять в работу" in reminder["buttons"]
    assert await running.eventually("select count(*) from breaches where kind = 'take'", 1)
    # The first stage ran out at the same moment: recorded, but the take alert is what people hear.
    assert await running.eventually("select count(*) from breaches where kind = 'stage'", 1)

    await supervisor.press("👤 Иван", message=api.find_message(SUPERVISOR, alert["message_id"]))
    assert (await supervisor.answer_of_callback())["text"] == "Ответственный назначен: Иван ✓"
    assigned = await ivan.expect("сделка №1")  # "Вам назначена/передана сделка №1", with the card
    assert "Вера" in assigned["text"] and "✅ Взять в работу" in assigned["buttons"]
    assert not dangling_reason(assigned["text"]), assigned["text"]  # no reason was asked, none is shown
    told = await oleg.expect("Заявка №1 передана другому менеджеру")
    assert "Иван" in told["text"] and not dangling_reason(told["text"]), told["text"]
    assert await running.scalar("select manager_id from deals where id = 1") == MANAGER_2
    await ivan.press("✅ Взять в работу", message=api.find_message(MANAGER_2, assigned["message_id"]))
    await ivan.expect("В работе: вы")

    clock.at += timedelta(hours=1)
    await settled(running)
    assert len(sent(api, SUPERVISOR, "не взяли в работу")) == 1
    assert len(sent(api, MANAGER, "Вы ещё не взяли заявку")) == 1
    assert sent(api, MANAGER_2, "Вы ещё не взяли заявку") == []
    for person in (MANAGER, MANAGER_2, SUPERVISOR):
        assert sent(api, person, "задержалась на этапе") == []


async def test_a_stage_breach_is_alerted_once_and_leaving_the_stage_in_time_stops_it(
    api: FakeBotApi, running: RunningBot, clock: FixedClock
) -> None:
    oleg, _ = await oleg_alone_on_shift(api)
    await worked_lead(api, oleg, 804, "Глеб", qualify=False)  # №1 stays in "Новая заявка" (15 min)
    clock.at = START + timedelta(seconds=30)
    await worked_lead(api, oleg, 805, "Дина")  # №2 leaves it at once
    supervisor = api.user(SUPERVISOR, first_name="Ирина")

    clock.at = START + timedelta(minutes=15, seconds=45)  # past both first-stage deadlines
    alert = await oleg.expect("Сделка №1 задержалась на этапе «Новая заявка»")
    assert "срок 15 мин" in alert["text"] and LATE_MARK not in alert["text"]
    assert alert["buttons"] == ["📂 Открыть сделку"]
    seen = await supervisor.expect("Сделка №1 задержалась на этапе «Новая заявка»")
    assert "Ответственный: Олег" in seen["text"]
    assert await running.eventually("select count(*) from breaches where kind = 'stage'", 1)
    assert await running.scalar("select deal_id from breaches where kind = 'stage'") == 1

    clock.at += timedelta(hours=1)
    await settled(running)
    for person in (MANAGER, SUPERVISOR):
        assert len(sent(api, person, "задержалась на этапе")) == 1
    assert await running.scalar("select count(*) from breaches where kind = 'stage'") == 1
    assert (
        await running.scalar("select count(*) from timers where kind = 'stage_sla' and state = 'pending'")
        == 1
    )  # №2 in "Квалификация", a day to go


async def test_a_won_client_comes_back_as_a_repeat_deal_when_their_contact_is_due(
    api: FakeBotApi, running: RunningBot, clock: FixedClock
) -> None:
    oleg, _ = await oleg_alone_on_shift(api)
    card = await worked_lead(api, oleg, 806, "Ева")
    await oleg.press("➡️ КП отправлено", message=api.find_message(MANAGER, card["message_id"]))
    await oleg.expect("укажите сумму сделки")
    await oleg.send("150 000")
    await oleg.expect("Этап: КП отправлено")
    await oleg.press("🏆 Успешно", message=api.find_message(MANAGER, card["message_id"]))
    await oleg.next_message()
    await oleg.press("✅ Успешно: 150\u00a0000 ₽", message=api.find_message(MANAGER, card["message_id"]))
    won = await oleg.expect("Этап: Успешно")
    assert "📅 Вернуться к клиенту" in won["buttons"]

    await oleg.press("📅 Вернуться к клиенту", message=api.find_message(MANAGER, card["message_id"]))
    assert "откроется новая сделка" in (await oleg.answer_of_callback())["text"]
    menu = await oleg.next_message()
    await oleg.press("Через час", message=api.find_message(MANAGER, menu["message_id"]))
    assert "Следующий контакт:" in (await oleg.answer_of_callback())["text"]
    due = START + timedelta(hours=1)
    assert (await deal(running, 1)).next_contact_at == due
    assert await running.scalar("select count(*) from deals") == 1

    clock.at = due + JUST_AFTER
    reminder = await oleg.expect(REMINDER)
    assert "сделка №2" in reminder["text"] and LATE_MARK not in reminder["text"]
    assert "♻️ Клиент снова в работе" in reminder["text"] and "«Повторные продажи»" in reminder["text"]
    assert "прежняя — №1" in reminder["text"] and "✅ Связался" in reminder["buttons"]
    back = await deal(running, 2)
    assert (back.pipeline, back.stage, back.status.value) == ("repeat", "new", "open")
    assert back.manager_id == MANAGER and back.taken_at is not None and back.next_contact_at == due
    assert (await deal(running, 1)).next_contact_at is None

    await oleg.send("/deals")
    listed = await oleg.expect("Ваши открытые сделки: 1")
    assert "№2 · Ева" in listed["text"] and "Повторное обращение" in listed["text"]


async def test_the_daily_digest_arrives_at_digest_at_once(
    api: FakeBotApi, bot_settings: Settings, crm_config: CrmConfig, clock: FixedClock
) -> None:
    bot = RunningBot(api, bot_settings, always(crm_config, digest_at="11:30"), clock=clock)
    await bot.start()
    try:
        digest_time = START + timedelta(minutes=30)  # 11:30 Moscow
        assert await bot.scalar("select key from timers where kind = 'digest'") == "digest:2026-11-25T11:30"
        oleg, _ = await oleg_alone_on_shift(api)
        await worked_lead(api, oleg, 807, "Жанна", qualify=False)
        supervisor = api.user(SUPERVISOR, first_name="Ирина")
        clock.at = START + timedelta(minutes=15) + JUST_AFTER
        await supervisor.expect("Сделка №1 задержалась")

        clock.at = digest_time - JUST_AFTER
        await settled(bot)
        assert sent(api, SUPERVISOR, "Сводка за сутки") == []

        clock.at = digest_time + JUST_AFTER
        digest = await supervisor.expect("📊 Сводка за сутки")
        text = digest["text"]
        assert LATE_MARK not in text
        for line in (
            "🆕 Новых заявок: 1",
            "по каналам: Telegram — 1",
            "📥 В неразобранном сейчас: 0",
            "⏰ Нарушений сроков этапов: 1",
            "· №1 Жанна · Олег · опоздание 15 мин",
            "🏆 Успешных сделок: 0",
            "✖ Отказов: 0",
        ):
            assert line in text, text
        assert sent(api, MANAGER, "Сводка за сутки") == []

        clock.at += timedelta(hours=2)
        await settled(bot)
        assert len(sent(api, SUPERVISOR, "Сводка за сутки")) == 1
        assert (
            await bot.scalar("select key from timers where kind = 'digest' and state = 'pending'")
            == "digest:2026-11-26T11:30"
        )
    finally:
        await bot.stop()
