"""After the questionnaire, the prospect keeps writing and every message reaches the manager."""

from __future__ import annotations

from .bot_api_server import FakeBotApi
from .conftest import MANAGER, SUPERVISOR, RunningBot
from .test_intake import answer_everything_in_russian


async def test_a_prospect_message_reaches_the_manager_and_stays_in_the_history(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna, manager = api.user(601, first_name="Анна"), api.user(MANAGER)
    await answer_everything_in_russian(anna)
    await manager.expect("Новая заявка")
    await anna.send("Забыла сказать: нужен ещё и логотип <b>срочно</b> & красиво")
    await anna.expect("Передали менеджеру")
    relayed = await manager.expect("💬 Анна · сделка №1")
    assert "нужен ещё и логотип <b>срочно</b> & красиво" in relayed["text"]
    assert await running.scalar("select count(*) from messages where deal_id = 1 and direction = 'in'") == 1


async def test_a_photo_is_copied_to_the_manager_with_a_caption_naming_the_deal(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna, manager = api.user(602, first_name="Анна"), api.user(MANAGER)
    await answer_everything_in_russian(anna)
    await manager.expect("Новая заявка")
    await anna.send_photo(caption="Вот пример")
    copy = await manager.expect("Вот пример")
    assert copy["method"] == "copyMessage"
    assert copy["params"]["from_chat_id"] == anna.chat_id
    assert "сделка №1" in copy["params"]["caption"]


async def test_a_sticker_reaches_the_manager_after_a_header(api: FakeBotApi, running: RunningBot) -> None:
    anna, manager = api.user(603, first_name="Анна"), api.user(MANAGER)
    await answer_everything_in_russian(anna)
    await manager.expect("Новая заявка")
    await anna.send_sticker()
    await manager.expect("💬 Анна · сделка №1")
    copy = await manager.next_message()
    assert copy["method"] == "copyMessage"


async def test_a_huge_message_is_relayed_whole_in_several_parts(api: FakeBotApi, running: RunningBot) -> None:
    anna, manager = api.user(604, first_name="Анна"), api.user(MANAGER)
    await answer_everything_in_russian(anna)
    await manager.expect("Новая заявка")
    huge = "\n".join(f"Строка {n}: подробности проекта & ещё немного текста" for n in range(200))
    assert len(huge) > 4096
    await anna.send(huge[:4096])
    first = await manager.expect("Строка 0:")
    second = await manager.next_message()
    assert (first["text"] + "\n" + second["text"]).endswith(huge[:4096].rsplit("\n", 1)[1])


async def test_an_unassigned_lead_s_messages_go_to_the_supervisors(
    api: FakeBotApi, running: RunningBot
) -> None:
    async with running.app.unit_of_work() as uow:  # type: ignore[union-attr]
        staff = await uow.staff.get(MANAGER)
        assert staff is not None
        staff.on_duty = False
        await uow.staff.save(staff)
        await uow.commit()
    anna, supervisor = api.user(605, first_name="Анна"), api.user(SUPERVISOR)
    await answer_everything_in_russian(anna)
    await anna.send("Вы тут?")
    await supervisor.expect("💬 Анна · сделка №1")


async def test_someone_who_writes_before_start_is_kept_and_asked_the_questions(
    api: FakeBotApi, running: RunningBot
) -> None:
    boris, manager = api.user(606, first_name="Борис"), api.user(MANAGER)
    await boris.send("Здравствуйте, сколько стоит сайт?")
    await boris.expect("ваше сообщение сохранено")
    await boris.expect("Вопрос 1 из 4")
    await boris.send("Сайт-визитка")
    await boris.expect("Вопрос 2 из 4")
    await boris.press("до 100 тыс. ₽")
    await boris.expect("Вопрос 3 из 4")
    await boris.press("позже")
    await boris.expect("Вопрос 4 из 4")
    await boris.send("+7 916 000-00-06")
    await boris.expect("Ваша заявка №1 принята")
    await manager.expect("Новая заявка")
    first = await running.scalar("select text from messages where deal_id = 1")
    assert first == "Здравствуйте, сколько стоит сайт?"


async def test_telegram_refusing_sends_for_a_while_loses_nothing_and_duplicates_nothing(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna, manager = api.user(607, first_name="Анна"), api.user(MANAGER)
    await answer_everything_in_russian(anna)
    await manager.expect("Новая заявка")
    api.fail("copyMessage", times=2, error_code=502)
    api.fail("copyMessage", times=1, error_code=429, retry_after=1)
    await anna.send_photo(caption="Фото объекта")
    await anna.expect("Передали менеджеру")
    await manager.expect("Фото объекта", timeout=15)
    copies = [c for c in api.calls_of("copyMessage") if c.params.get("chat_id") == MANAGER]
    assert [c.failed for c in copies] == [True, True, True, False]
    # Marked sent right after Telegram accepted it (the test may see the message a moment earlier).
    assert (
        await running.eventually("select state from outbox where kind = 'prospect_message'", "sent") == "sent"
    )


async def test_someone_who_wrote_first_and_then_cancels_still_reaches_a_manager(
    api: FakeBotApi, running: RunningBot
) -> None:
    vera, manager = api.user(608, first_name="Вера"), api.user(MANAGER)
    await vera.send_photo(caption="Сколько будет стоить такой же?")
    await vera.expect("Вопрос 1 из 4")
    await vera.press_reply_button("✖ Отмена")
    await vera.expect("Ваше сообщение передано менеджеру")
    await manager.expect("Новая заявка")
    copy = await manager.expect("Сколько будет стоить такой же?")
    assert copy["method"] == "copyMessage" and "сделка №1" in copy["params"]["caption"]


async def test_a_stop_in_the_middle_of_sending_leaves_nothing_waiting_and_keeps_the_order(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna, manager = api.user(609, first_name="Анна"), api.user(MANAGER)
    await answer_everything_in_russian(anna)
    await manager.expect("Новая заявка")
    api.delay(0.3)  # a slow Telegram: the stop comes while the notifier is busy
    for n in range(6):
        await anna.send(f"Сообщение {n}")
    await manager.expect("Сообщение 0")
    await running.stop()
    assert await running.scalar("select count(*) from outbox where state = 'sending'") == 0
    api.delay(0)
    await running.start()
    await anna.send("После перезапуска")
    await manager.expect("После перезапуска")
    # A burst goes as few relays, the messages joined line by line: each arrives once, in order.
    relays = [m["text"] for m in api.sent_to(MANAGER) if (m.get("text") or "").startswith("💬 Анна")]
    relayed = [line for text in relays for line in text.splitlines()[2:]]  # below the header
    assert relayed == [f"Сообщение {n}" for n in range(6)] + ["После перезапуска"]  # all, once, in order


async def test_a_client_correcting_a_message_reaches_the_manager_marked_as_a_correction(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna, manager = api.user(610, first_name="Анна"), api.user(MANAGER)
    await answer_everything_in_russian(anna)
    await manager.expect("Новая заявка")
    sent = await anna.send("Бюджет 100 тысяч")
    await manager.expect("Бюджет 100 тысяч")
    edited = {**sent, "text": "Бюджет 150 тысяч", "edit_date": sent["date"] + 5}
    await api.inject_update("edited_message", edited)
    correction = await manager.expect("Бюджет 150 тысяч")
    assert "Анна: исправленное сообщение · сделка №1" in correction["text"]
    await anna.expect("Исправление передали менеджеру")
    assert await running.scalar("select count(*) from messages where deal_id = 1 and direction = 'in'") == 2


async def test_a_burst_of_messages_is_acknowledged_once(api: FakeBotApi, running: RunningBot) -> None:
    anna, manager = api.user(611, first_name="Анна"), api.user(MANAGER)
    await answer_everything_in_russian(anna)
    await manager.expect("Новая заявка")
    for n in range(3):
        await anna.send(f"Деталь {n}")
    await manager.expect("Деталь 2")
    await anna.send("/start")  # a person's updates are handled one after another: this one comes last
    await anna.next_message()
    acks = [m for m in api.sent_to(anna.chat_id) if "Передали менеджеру" in (m.get("text") or "")]
    assert len(acks) == 1
