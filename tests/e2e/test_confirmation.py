"""The person's "request №N is in" is queued with the lead: faults and a restart after the commit delay
it, never lose it, never double it, and never make the person send the form again."""

from __future__ import annotations

from .bot_api_people import FakeUser
from .bot_api_server import FakeBotApi
from .conftest import MANAGER, RunningBot, count

CONFIRMED = "Ваша заявка №"
GONE_WRONG = "что-то пошло не так"


async def up_to_the_phone(person: FakeUser) -> None:
    await person.send("/start")
    await person.expect("Вопрос 1 из 4")
    await person.send("Нужен сайт")
    await person.expect("Вопрос 2 из 4")
    await person.press("до 100 тыс. ₽")
    await person.expect("Вопрос 3 из 4")
    await person.press("позже")
    await person.expect("Вопрос 4 из 4")


async def test_the_confirmation_rides_out_telegram_faults_and_comes_once(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(951, first_name="Анна")
    await up_to_the_phone(anna)
    since = api.mark()
    api.fail("sendMessage", times=3, error_code=502, chat_id=anna.chat_id)
    await anna.send("+7 916 555-09-51")
    await anna.expect(CONFIRMED, timeout=20)
    await running.eventually("select count(*) from outbox where state in ('pending', 'sending')", 0)
    assert count(api, since, anna.chat_id, CONFIRMED) == 1
    assert count(api, since, anna.chat_id, GONE_WRONG) == 0
    assert await running.scalar("select count(*) from deals") == 1
    assert await running.scalar("select count(*) from outbox where kind = 'request_repeated'") == 0
    assert count(api, since, MANAGER, "снова") == 0


async def test_a_restart_right_after_the_lead_is_saved_delays_the_confirmation_and_loses_nothing(
    api: FakeBotApi, running: RunningBot
) -> None:
    anna = api.user(952, first_name="Анна")
    await up_to_the_phone(anna)
    since = api.mark()
    api.fail("sendMessage", times=1, error_code=502, chat_id=anna.chat_id)  # its first try fails...
    await anna.send("+7 916 555-09-52")
    await api.wait_for(
        lambda c: c.method == "sendMessage" and c.failed and c.params.get("chat_id") == anna.chat_id,
        since=since, include_failed=True,
    )  # fmt: skip
    await running.restart()  # ...and the bot goes down before the retry
    await anna.expect(CONFIRMED, timeout=20)
    await running.eventually("select count(*) from outbox where state in ('pending', 'sending')", 0)
    assert count(api, since, anna.chat_id, CONFIRMED) == 1
    assert count(api, since, anna.chat_id, GONE_WRONG) == 0
    assert await running.scalar("select count(*) from deals") == 1
    assert await running.scalar("select count(*) from inbox where state <> 'done'") == 0
