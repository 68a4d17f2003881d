"""The issue's "done when", as one story: a manager runs one deal from intake to won and another from
intake to lost and into rewarming, with buttons and short replies only; a supervisor then reads both
histories, complete."""

from __future__ import annotations

from .bot_api_server import FakeBotApi
from .conftest import MANAGER, SUPERVISOR, RunningBot
from .test_deal_work import open_menu
from .test_intake import answer_everything_in_russian


async def test_one_deal_won_one_lost_and_rewarmed_and_the_supervisor_reads_both_histories(
    api: FakeBotApi, running: RunningBot
) -> None:
    oleg = api.user(MANAGER, first_name="Олег")
    anna, boris = api.user(901, first_name="Анна"), api.user(902, first_name="Борис")

    # Anna's deal: taken, worked through the pipeline, won.
    await answer_everything_in_russian(anna)
    await oleg.expect("Новая заявка")
    await oleg.press("✅ Взять в работу")
    await oleg.expect("В работе: вы")
    await open_menu(oleg, "📅 След. контакт")
    await oleg.press("Завтра в 10:00")
    await oleg.expect("Следующий контакт:")
    await oleg.press("➡️ Квалификация")
    await oleg.expect("Этап: Квалификация")
    await oleg.press("➡️ КП отправлено")
    await oleg.expect("укажите сумму")
    await oleg.send("250 тыс")
    await oleg.expect("Этап: КП отправлено")
    await oleg.press("➡️ Переговоры")
    await oleg.expect("Этап: Переговоры")
    await oleg.press("➡️ Счёт выставлен")
    await oleg.expect("Этап: Счёт выставлен")
    await open_menu(oleg, "🏆 Успешно")
    await oleg.press("✏️ Другая сумма")
    await oleg.expect("итоговую сумму")
    await oleg.send("240 000")
    await oleg.expect("Этап: Успешно")

    # Boris's deal: taken, a call noted, lost for a reason of his own, and sent to rewarming.
    await answer_everything_in_russian(boris, phone="79165554433")
    await oleg.expect("Новая заявка")
    await oleg.press("✅ Взять в работу")
    await oleg.expect("В работе: вы")
    await open_menu(oleg, "📝 Заметка")
    await oleg.press("📞 Звонок")
    await oleg.send("Сравнивает с двумя студиями")
    await oleg.expect("Заметка сохранена")
    await oleg.expect("Последнее в истории")
    await open_menu(oleg, "✖ Отказ")
    await oleg.press("Другое")
    await oleg.send("Ушёл к фрилансеру")
    await oleg.expect("Причина отказа: Ушёл к фрилансеру")
    await open_menu(oleg, "♻️ В прогрев")
    await oleg.press("Через месяц")
    await oleg.expect("в прогреве")

    # The supervisor finds each deal and reads its whole history.
    irina = api.user(SUPERVISOR, first_name="Ирина")
    await irina.send("/find 1")
    await irina.expect("Анна")
    await irina.press("№1 · Анна")
    await irina.expect("Сделка №1")
    await irina.press("📜 История")
    won = await irina.expect("История сделки №1")
    for step in (
        "Заявка создана", "Взята в работу: Олег", "Олег: следующий контакт",
        "«Новая заявка» → «Квалификация»",
        "«Квалификация» → «КП отправлено», сумма 250", "«КП отправлено» → «Переговоры»",
        "«Переговоры» → «Счёт выставлен»", "Олег: успешно, 240",
    ):  # fmt: skip
        assert step in won["text"], step

    await irina.send("/find Борис")
    await irina.expect("Борис")
    await irina.press("№2 · Борис")
    await irina.expect("Сделка №2")
    await irina.press("📜 История")
    lost = await irina.expect("История сделки №2")
    for step in (
        "Заявка создана", "Взята в работу: Олег", "Олег, звонок: Сравнивает с двумя студиями",
        "Олег: отказ — Другое: Ушёл к фрилансеру", "клиент переведён в прогрев, сделка №3",
    ):  # fmt: skip
        assert step in lost["text"], step
    assert (
        await running.scalar("select pipeline || ':' || manager_id from deals where id = 3")
        == f"rewarm:{MANAGER}"
    )
