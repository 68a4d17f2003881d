"""A button press answered too late for Telegram (an update handled again after a restart) still does
what was pressed, and nobody is told something went wrong."""

from __future__ import annotations

from .bot_api_server import FakeBotApi
from .conftest import MANAGER, RunningBot, count
from .test_intake import answer_everything_in_russian

TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


async def test_a_take_whose_answer_telegram_refuses_as_too_old_still_takes_the_lead(
    api: FakeBotApi, running: RunningBot
) -> None:
    oleg, anna = api.user(MANAGER, first_name="Олег"), api.user(901, first_name="Анна")
    await answer_everything_in_russian(anna)
    await oleg.expect("Новая заявка")
    since = api.mark()
    api.fail("answerCallbackQuery", times=5, error_code=400, description=TOO_OLD)
    await oleg.press("✅ Взять в работу")
    await oleg.expect("В работе: вы")  # the card is redrawn: the take happened
    assert await running.scalar("select manager_id from deals where taken_at is not null") == MANAGER
    assert count(api, since, MANAGER, "что-то пошло не так") == 0
    assert await running.scalar("select count(*) from inbox where state = 'set_aside'") == 0
