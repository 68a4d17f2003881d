"""Only Telegram's "query is too old" refusal of a button answer is taken as answered."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod

from bot.late_answers import LateCallbackAnswers

TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
BOT = Bot("123456:" + "A" * 35)


def refusing(message: str) -> Any:
    async def make_request(bot: Bot, method: TelegramMethod[Any]) -> Any:
        raise TelegramBadRequest(method=method, message=message)

    return make_request


async def test_a_too_old_answer_counts_as_answered() -> None:
    method = AnswerCallbackQuery(callback_query_id="1")
    answered: Any = await LateCallbackAnswers()(refusing(TOO_OLD), BOT, method)
    assert answered is True


@pytest.mark.parametrize(
    ("method", "message"),
    [
        (AnswerCallbackQuery(callback_query_id="1"), "Bad Request: message is too long"),
        (SendMessage(chat_id=1, text="x"), TOO_OLD),  # only a button's answer may be late
    ],
)
async def test_every_other_refusal_goes_on_as_an_error(method: TelegramMethod[Any], message: str) -> None:
    with pytest.raises(TelegramBadRequest):
        await LateCallbackAnswers()(refusing(message), BOT, method)


async def test_an_answer_that_goes_through_is_returned_as_it_is() -> None:
    async def make_request(bot: Bot, method: TelegramMethod[Any]) -> Any:
        return True

    answered: Any = await LateCallbackAnswers()(make_request, BOT, AnswerCallbackQuery(callback_query_id="1"))
    assert answered is True
