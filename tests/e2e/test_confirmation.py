"""The person's "request №N is in" is queued with the lead: Telegram's faults delay it, never lose it,
never double it, and never make the person send the form again (a crash after the lead is saved:
tests/e2e/test_answer_order.py)."""

from __future__ import annotations

from .bot_api_server import FakeBotApi
from .conftest import MANAGER, RunningBot, count
from .test_answer_order import up_to_the_phone

CONFIRMED = "Ваша заявка №"
GONE_WRONG = "что-то пошло не так"


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
