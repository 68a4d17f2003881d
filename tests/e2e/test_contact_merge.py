"""A possible duplicate on the card and a supervisor merging the two contacts, through the real bot; a
manager cannot merge; a double press merges once. A website lead's card: its channel, a phone to call,
and no way to write to a client who has no chat."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.web_intake import WebLead, submit_web_lead

from .bot_api_server import FakeBotApi
from .conftest import MANAGER, SUPERVISOR, RunningBot
from .test_deal_lists import leave_request
from .test_deal_permissions import introduce
from .test_deal_work import data_of
from .test_intake import answer_everything_in_russian

PHONE = "📱 +7 916 123-45-67"  # in full: Telegram's apps make it a tap-to-call link


async def test_a_supervisor_merges_a_possible_duplicate_from_its_card_once(
    api: FakeBotApi, running: RunningBot
) -> None:
    oleg, olga = api.user(MANAGER, first_name="Олег"), api.user(SUPERVISOR, first_name="Ольга")
    await introduce(oleg, olga)
    await answer_everything_in_russian(api.user(501, first_name="Анна"))  # shares her own number
    assert await leave_request(api.user(502, first_name="Борис"), "+7 916 123-45-67") == 2  # types the same
    await running.eventually("select count(*) from deals", 2)

    # The supervisor opens the new deal: it names the other one, with a button to it and one to merge.
    await olga.press_data("d:open:2:0:", olga.last_message()["message_id"])
    card = await olga.expect("Сделка №2")
    assert "⚠️ Возможный дубль сделки №1: тот же телефон" in card["text"]
    assert PHONE in card["params"]["text"] and "канал: Telegram" in card["text"]
    assert card["buttons"][-2:] == ["📇 Сделка №1", "🔗 Объединить контакты"]

    # The manager who owns both deals may open the other one, and never merge, even with forged buttons.
    await oleg.press_data("d:open:2:0:", oleg.last_message()["message_id"])
    own = await oleg.expect("Сделка №2")
    assert "📇 Сделка №1" in own["buttons"] and "🔗 Объединить контакты" not in own["buttons"]
    for forged in ("d:merge:2:0:", "d:mergeok:2:0:2.1"):
        await oleg.press_data(forged, own["message_id"])
        refusal = await oleg.answer_of_callback()
        assert "только руководитель и администратор" in refusal["text"] and refusal["show_alert"]
    assert await running.scalar("select count(*) from contacts where merged_into is not null") == 0

    # Asked first; "no" changes nothing and brings the card back.
    await olga.press("🔗 Объединить контакты")
    question = await olga.expect("Объединить контакты?")
    assert question["message_id"] == card["message_id"]  # the card turned into the question
    assert "Борис (контакт #2): +7 916 123-45-67" in question["text"]
    assert "→ в Анна (контакт #1): +7 916 123-45-67" in question["text"]
    assert "Сделка №2 перейдёт к контакту «Анна»" in question["text"]
    assert question["buttons"] == ["✅ Да, объединить", "✖ Нет"]
    await olga.press("✖ Нет")
    assert "не объединены" in (await olga.answer_of_callback())["text"]
    await olga.expect("Возможный дубль сделки №1")
    assert await running.scalar("select count(*) from contacts where merged_into is not null") == 0

    await olga.press("🔗 Объединить контакты")
    question = await olga.expect("Объединить контакты?")
    yes = data_of(question, "✅ Да, объединить")
    await olga.press("✅ Да, объединить")
    assert (await olga.answer_of_callback())["text"] == "Контакты объединены ✓"
    merged = await olga.expect("Контакты объединены: это тот же клиент, что в сделке №1")
    assert merged["message_id"] == card["message_id"]
    assert "🔗 Объединить контакты" not in merged["buttons"] and "📇 Сделка №1" in merged["buttons"]
    assert "📂 У клиента есть другая открытая сделка: №1" in merged["text"]
    assert "👤 Анна" in merged["text"]  # deal 2 is the older contact's now

    # The same "yes" again (a double press, or an old question): merged once, and said so.
    await olga.press_data(yes, question["message_id"])
    assert "уже объединены" in (await olga.answer_of_callback())["text"]
    # The merge button of an older drawing of the card: said so, and the card is drawn as it is now.
    await olga.press_data("d:merge:2:0:", question["message_id"])
    assert "уже объединены" in (await olga.answer_of_callback())["text"]
    assert await running.scalar("select merged_into from contacts where id = 2") == 1
    assert await running.scalar("select count(*) from deals where contact_id = 1") == 2
    assert await running.scalar("select count(*) from deal_events where kind = 'contacts_merged'") == 2
    assert await running.scalar("select count(*) from contacts") == 2  # nothing deleted


async def test_a_web_lead_card_shows_its_channel_and_phone_and_offers_no_reply(
    api: FakeBotApi, running: RunningBot
) -> None:
    oleg = api.user(MANAGER, first_name="Олег")
    await introduce(oleg)
    assert running.app is not None
    form = WebLead(name="Ирина", phone="+79161234567", email="irina@example.com", source="yandex")
    async with running.app.unit_of_work() as uow:
        made = await submit_web_lead(uow, running.config, form, now=datetime.now(UTC))
    card = await oleg.expect(f"Сделка №{made.deal_id}")
    assert "📍 Источник: yandex · канал: сайт" in card["text"] and "✉️ irina@example.com" in card["text"]
    assert PHONE in card["params"]["text"]
    await oleg.press("✅ Взять в работу")
    taken = await oleg.expect("В работе: вы")
    assert "💬 Ответить" not in taken["buttons"] and "📜 История" in taken["buttons"]
    # A Reply button from somewhere else (a forged or stale one) is refused politely: nobody to write to.
    for stale in (f"d:reply:{made.deal_id}:0:", f"d:reply:{made.deal_id}:0:m"):
        await oleg.press_data(stale, taken["message_id"])
        refusal = await oleg.answer_of_callback()
        assert "пришёл не через Telegram" in refusal["text"] and refusal["show_alert"]
    assert await running.scalar("select count(*) from messages where direction = 'out'") == 0
    assert await running.scalar("select count(*) from outbox where kind = 'manager_reply'") == 0
