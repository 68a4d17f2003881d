"""The bench's prospects recognise the next question however the bot delivers it (a new message, or one
edit that turns the answered question into the next), press buttons, and notice failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bench.checkout import Questionnaire
from bench.crowd import Chats, EchoChatter, Prospect
from tests.e2e.bot_api_server import FakeBotApi

TOKEN = "123456:TEST-token"
QUESTIONNAIRE = Questionnaire(kinds=("text", "choice", "contact"), done="✅ Заявка №", failure="пошло не так")


def questionnaire_bot(*, failing: bool = False) -> Router:
    """Three questions: a typed answer gets a new message, a pressed button ONE edit into the next
    question, a shared contact the confirmation."""
    router = Router()
    options = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="до 100 тыс.", callback_data="opt:small")],
            [InlineKeyboardButton(text="« Назад", callback_data="nav:back")],
        ]
    )

    @router.message(F.text == "/start")
    async def start(message: Message) -> None:
        await message.answer("Здравствуйте!")
        await message.answer("<i>Вопрос 1 из 3</i>\n\nЧто нужно?", parse_mode="HTML")

    @router.message(F.contact)
    async def contact(message: Message) -> None:
        await message.answer("✅ Заявка №7 принята")

    @router.message(F.text)
    async def typed(message: Message) -> None:
        if failing:
            await message.answer("Извините, что-то пошло не так.")
            return
        await message.answer("Вопрос 2 из 3\n\nБюджет?", reply_markup=options)

    @router.callback_query(F.data == "opt:small")
    async def pressed(query: CallbackQuery) -> None:
        await query.answer()
        assert isinstance(query.message, Message)
        await query.message.edit_text("Вопрос 3 из 3\n\nТелефон?")

    return router


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


async def polling(api: FakeBotApi, router: Router) -> tuple[Dispatcher, Bot, asyncio.Task[None]]:
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)))
    task = asyncio.create_task(dispatcher.start_polling(bot, polling_timeout=1, handle_signals=False))
    await api.wait_for_long_poll()
    return dispatcher, bot, task


async def stop(dispatcher: Dispatcher, bot: Bot, task: asyncio.Task[None]) -> None:
    await dispatcher.stop_polling()
    await task
    await bot.session.close()


async def test_prospects_get_through_whether_the_next_question_comes_as_a_message_or_an_edit(
    api: FakeBotApi,
) -> None:
    running = await polling(api, questionnaire_bot())
    chats = Chats(api, QUESTIONNAIRE.failure)
    prospects = [Prospect(api, chats, 501 + n, patience=5) for n in range(3)]
    outcomes = await asyncio.gather(*(p.run(QUESTIONNAIRE) for p in prospects))
    await stop(*running)
    assert all(o.finished and not o.failed and o.deal == 7 for o in outcomes)
    assert all(len(o.latencies) == 4 for o in outcomes)  # /start and three answers
    assert [c.params["text"] for c in api.calls_of("editMessageText")] == ["Вопрос 3 из 3\n\nТелефон?"] * 3


async def test_a_prospect_stops_in_the_middle_when_asked_to(api: FakeBotApi) -> None:
    running = await polling(api, questionnaire_bot())
    chats = Chats(api, QUESTIONNAIRE.failure)
    outcome = await Prospect(api, chats, 601, patience=5).run(QUESTIONNAIRE, stop_after=2)
    await stop(*running)
    assert (len(outcome.latencies), outcome.finished) == (3, False)
    assert not api.calls_of("sendContact") and "✅" not in str(api.sent_to(601))


async def test_something_went_wrong_counts_as_a_failure_at_once(api: FakeBotApi) -> None:
    running = await polling(api, questionnaire_bot(failing=True))
    outcome = await Prospect(api, Chats(api, QUESTIONNAIRE.failure), 701, patience=5).run(QUESTIONNAIRE)
    await stop(*running)
    assert (outcome.failed, outcome.finished, outcome.timed_out, len(outcome.latencies)) == (
        True,
        False,
        False,
        1,
    )


async def test_an_echo_chatter_times_each_echo(api: FakeBotApi) -> None:
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    running = await polling(api, router)
    outcome = await EchoChatter(api, Chats(api, QUESTIONNAIRE.failure), 801, patience=5).run(3)
    await stop(*running)
    assert outcome.finished and len(outcome.latencies) == 3
