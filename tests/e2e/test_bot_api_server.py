"""Self-tests: the fake Bot API server speaks well enough for a real aiogram bot."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ContentType
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonCommands,
    Message,
    ReplyKeyboardMarkup,
)

from .bot_api_server import BOT_USER, NOT_MODIFIED, FakeBotApi

TOKEN = "123456:TEST-token"
PROSPECT = 1001


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data)] for text, data in pairs]
    )


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    bot = Bot(token=TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)))
    try:
        yield bot
    finally:
        await bot.session.close()


def echo_router() -> Router:
    router = Router()

    @router.message(CommandStart(deep_link=True))
    async def start(message: Message, command: CommandObject) -> None:
        await message.answer(
            f"Hello, {message.from_user.first_name}! Source: {command.args}",  # type: ignore[union-attr]
            reply_markup=keyboard(("Leave a request", "lead:new"), ("Price list", "price")),
        )

    @router.message(Command("help"))
    async def help_(message: Message) -> None:
        await message.answer("<b>Help</b> &amp; support", parse_mode="HTML")

    @router.message(F.contact)
    async def contact(message: Message) -> None:
        own = message.contact.user_id == message.from_user.id  # type: ignore[union-attr]
        await message.answer(f"Phone {message.contact.phone_number} own={own}")  # type: ignore[union-attr]

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"echo: {message.text}")

    @router.message()
    async def other(message: Message) -> None:
        await message.answer(f"type={ContentType(message.content_type).value} caption={message.caption}")

    @router.callback_query(~F.message.date)
    async def stale(query: CallbackQuery) -> None:
        await query.answer("This message is gone")

    @router.callback_query(F.data == "lead:new")
    async def new_lead(query: CallbackQuery) -> None:
        await query.answer("Accepted", show_alert=True)
        await query.message.edit_text("Request accepted", reply_markup=None)  # type: ignore[union-attr]

    return router


@asynccontextmanager
async def polling(bot: Bot, router: Router) -> AsyncIterator[Dispatcher]:
    dp = Dispatcher()
    dp.include_router(router)
    task = asyncio.create_task(
        dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    try:
        yield dp
    finally:
        await dp.stop_polling()
        await task


async def test_get_me_returns_the_test_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (42, "voronka_test_bot", "Voronka", True)


async def test_sent_message_can_be_edited_and_an_unchanged_edit_is_rejected(
    bot: Bot, api: FakeBotApi
) -> None:
    markup = keyboard(("Yes", "answer:yes"), ("No", "answer:no"))
    sent = await bot.send_message(PROSPECT, "Are you interested?", reply_markup=markup)
    assert sent.message_id == 1
    assert sent.chat.type == "private"
    assert sent.from_user is not None and sent.from_user.id == BOT_USER["id"]
    assert sent.reply_markup is not None and sent.reply_markup.model_dump() == markup.model_dump()

    edited = await bot.edit_message_text("Thanks!", chat_id=PROSPECT, message_id=1, reply_markup=markup)
    assert isinstance(edited, Message) and edited.text == "Thanks!"
    assert api.sent_to(PROSPECT)[0]["text"] == "Thanks!"

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Thanks!", chat_id=PROSPECT, message_id=1, reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("Hi", chat_id=PROSPECT, message_id=99)
    assert api.calls_of("editMessageText")[1].error == NOT_MODIFIED


async def test_editing_text_without_markup_removes_the_inline_keyboard(bot: Bot, api: FakeBotApi) -> None:
    await bot.send_message(PROSPECT, "Pick one", reply_markup=keyboard(("A", "a")))
    await bot.edit_message_text("Picked", chat_id=PROSPECT, message_id=1)
    assert "reply_markup" not in api.sent_to(PROSPECT)[0]
    await bot.edit_message_reply_markup(chat_id=PROSPECT, message_id=1, reply_markup=keyboard(("B", "b")))
    assert api.sent_to(PROSPECT)[0]["reply_markup"]["inline_keyboard"][0][0]["text"] == "B"


async def test_reply_keyboards_are_recorded_but_not_echoed_back_in_the_message(
    bot: Bot, api: FakeBotApi
) -> None:
    reply_keyboard = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Share phone", request_contact=True)]]
    )
    sent = await bot.send_message(PROSPECT, "Your phone?", reply_markup=reply_keyboard)
    assert sent.reply_markup is None
    assert api.calls_of("sendMessage")[0].params["reply_markup"]["keyboard"][0][0]["request_contact"] is True


async def test_multipart_uploads_are_recorded_with_their_size(bot: Bot, api: FakeBotApi) -> None:
    photo = await bot.send_photo(PROSPECT, BufferedInputFile(b"x" * 321, "chart.png"), caption="Sales")
    document = await bot.send_document(PROSPECT, BufferedInputFile(b"y" * 10, "deal.pdf"))
    assert photo.caption == "Sales" and photo.photo is not None and photo.photo[-1].file_size == 321
    assert document.document is not None and document.document.file_name == "deal.pdf"
    upload = api.calls_of("sendPhoto")[0].params["photo"]
    assert upload["filename"] == "chart.png" and upload["size"] == 321
    again = await bot.send_photo(PROSPECT, photo.photo[-1].file_id)
    assert again.photo is not None and again.photo[-1].file_id == photo.photo[-1].file_id
    assert [m["message_id"] for m in api.sent_to(PROSPECT)] == [1, 2, 3]


async def test_html_is_rendered_and_broken_html_is_rejected(bot: Bot, api: FakeBotApi) -> None:
    sent = await bot.send_message(PROSPECT, "<b>Deal</b> &lt;42&gt;", parse_mode="HTML")
    assert sent.text == "Deal <42>"
    with pytest.raises(TelegramBadRequest, match="Unsupported start tag"):
        await bot.send_message(PROSPECT, "Lead <Ivan>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(PROSPECT, "")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(PROSPECT, "x" * 4097)


async def test_copy_forward_delete_and_pin_work_on_stored_messages(bot: Bot, api: FakeBotApi) -> None:
    prospect = api.user(PROSPECT)
    own = await prospect.send("I want a quote")
    copied = await bot.copy_message(-100500, PROSPECT, own["message_id"])
    forwarded = await bot.forward_message(-100500, PROSPECT, own["message_id"])
    assert copied.message_id == 1 and forwarded.message_id == 2
    assert [m["text"] for m in api.sent_to(-100500)] == ["I want a quote", "I want a quote"]
    assert forwarded.forward_origin is not None and forwarded.chat.type == "group"
    assert await bot.pin_chat_message(-100500, 1) is True
    assert await bot.delete_message(-100500, 1) is True
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(-100500, 1)
    assert [m["message_id"] for m in api.sent_to(-100500)] == [2]


async def test_a_person_talks_to_a_polling_bot_and_presses_its_buttons(bot: Bot, api: FakeBotApi) -> None:
    prospect = api.user(PROSPECT, first_name="Olga", username="olga")
    async with polling(bot, echo_router()):
        await prospect.send("/start src_x")
        greeting = await prospect.next_message()
        assert greeting["text"] == "Hello, Olga! Source: src_x"
        assert greeting["buttons"] == ["Leave a request", "Price list"]

        await prospect.press("Leave a request")
        assert (await prospect.answer_of_callback())["text"] == "Accepted"
        edit = await prospect.next_message()
        assert (edit["method"], edit["text"], edit["message_id"]) == (
            "editMessageText",
            "Request accepted",
            2,
        )
        assert "reply_markup" not in prospect.last_message()

        await prospect.send("/help")
        assert (await prospect.expect("support"))["text"] == "Help & support"
        await prospect.send_contact("+79990001122", own=False)
        await prospect.expect("own=False")
        await prospect.reply(greeting["message_id"], "hello again")
        await prospect.expect("echo: hello again")


async def test_pressing_a_missing_button_lists_the_available_ones(bot: Bot, api: FakeBotApi) -> None:
    prospect = api.user(PROSPECT)
    await bot.send_message(PROSPECT, "Menu", reply_markup=keyboard(("Catalog", "catalog")))
    with pytest.raises(AssertionError, match="Catalog"):
        await prospect.press("Checkout")


async def test_expect_times_out_with_a_readable_account_of_the_chat(bot: Bot, api: FakeBotApi) -> None:
    prospect = api.user(PROSPECT)
    await bot.send_message(PROSPECT, "Something else")
    with pytest.raises(AssertionError, match="Something else"):
        await prospect.expect("Welcome", timeout=0.05)


async def test_injected_429_raises_retry_after_and_then_recovers(bot: Bot, api: FakeBotApi) -> None:
    api.fail("sendMessage", times=1, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(PROSPECT, "hi")
    assert error.value.retry_after == 7
    await bot.send_message(PROSPECT, "hi")
    assert [call.failed for call in api.calls_of("sendMessage")] == [True, False]
    assert (await api.wait_for(lambda call: call.method == "sendMessage")).params["text"] == "hi"


async def test_injected_502_raises_server_error(bot: Bot, api: FakeBotApi) -> None:
    api.fail(None, times=1, error_code=502)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_chat_action(PROSPECT, "typing")


async def test_a_blocked_chat_raises_forbidden(bot: Bot, api: FakeBotApi) -> None:
    api.block(PROSPECT)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(PROSPECT, "hi")
    await bot.send_message(PROSPECT + 1, "others still get messages")


async def test_polling_survives_a_failed_get_updates(bot: Bot, api: FakeBotApi) -> None:
    api.fail("getUpdates", times=1, error_code=502)
    prospect = api.user(PROSPECT)
    async with polling(bot, echo_router()):
        await prospect.send("ping")
        await prospect.expect("echo: ping", timeout=10)


async def test_every_kind_of_user_message_reaches_aiogram_handlers(bot: Bot, api: FakeBotApi) -> None:
    prospect = api.user(PROSPECT, last_name="Petrova", username="olga")
    async with polling(bot, echo_router()):
        await prospect.send_sticker()
        await prospect.expect("type=sticker")
        await prospect.send_photo(caption="my passport")
        await prospect.expect("type=photo caption=my passport")
        await prospect.send_document()
        await prospect.expect("type=document")
        await prospect.send_voice()
        await prospect.expect("type=voice")
        await prospect.send_contact("+79990001122")
        await prospect.expect("own=True")
        await prospect.press_reply_button("Price list")
        await prospect.expect("echo: Price list")
        await prospect.press_data("lead:new", message_id=999)
        assert (await prospect.answer_of_callback())["text"] == "This message is gone"


async def test_other_implemented_methods_return_objects_aiogram_accepts(bot: Bot, api: FakeBotApi) -> None:
    prospect = api.user(PROSPECT, username="olga")
    photo = await prospect.send_photo()
    file = await bot.get_file(photo["photo"][-1]["file_id"])
    assert file.file_size == 50_000 and file.file_path
    chat = await bot.get_chat(PROSPECT)
    assert (chat.type, chat.username) == ("private", "olga")
    assert await bot.set_my_commands([BotCommand(command="start", description="Start")]) is True
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert await bot.delete_my_commands() is True and await bot.get_my_commands() == []
    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands()) is True
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert (await bot.get_webhook_info()).url == ""
    sticker = await bot.send_sticker(PROSPECT, "CAACAgIAAxkBAAE")
    assert sticker.sticker is not None and sticker.sticker.type == "regular"
    with_caption = await bot.send_document(PROSPECT, BufferedInputFile(b"%PDF", "offer.pdf"), caption="Offer")
    edited = await bot.edit_message_caption(
        chat_id=PROSPECT, message_id=with_caption.message_id, caption="Offer v2"
    )
    assert isinstance(edited, Message) and edited.caption == "Offer v2"
    assert await bot.send_chat_action(PROSPECT, "typing") is True
    assert await bot.set_my_description("CRM") is True  # not implemented: recorded, answered True
    assert api.calls_of("setMyDescription")[0].params == {"description": "CRM"}


async def test_json_and_urlencoded_requests_are_understood_too(api: FakeBotApi) -> None:
    async with aiohttp.ClientSession() as http:
        url = f"{api.url}/bot{TOKEN}/SENDMESSAGE"
        markup = {"inline_keyboard": [[{"text": "Ok", "callback_data": "ok"}]]}
        async with http.post(url, json={"chat_id": "7", "text": "[1, 2]", "reply_markup": markup}) as resp:
            body = await resp.json()
        assert body["ok"] and body["result"]["chat"]["id"] == 7 and body["result"]["text"] == "[1, 2]"
        form = {"chat_id": "7", "text": "123", "reply_markup": json.dumps(markup)}
        async with http.post(url, data=form) as resp:
            assert (await resp.json())["result"]["reply_markup"] == markup
        async with http.get(f"{api.url}/bot{TOKEN}/getMe") as resp:
            assert (await resp.json())["result"]["username"] == "voronka_test_bot"
    assert [call.params["text"] for call in api.calls_of("sendMessage")] == ["[1, 2]", "123"]
    assert api.calls_of("sendMessage")[1].params["chat_id"] == 7


async def test_odd_input_is_answered_with_a_400_instead_of_a_crash(api: FakeBotApi) -> None:
    async with aiohttp.ClientSession() as http:
        url = f"{api.url}/bot{TOKEN}/sendMessage"
        async with http.post(url, data=b"{not json", headers={"Content-Type": "application/json"}) as resp:
            assert resp.status == 400 and (await resp.json())["ok"] is False
        async with http.post(url, json=["a", "list"]) as resp:
            assert resp.status == 400
        async with http.post(url, json={"chat_id": "@nobody", "text": "hi"}) as resp:
            assert (await resp.json())["description"] == "Bad Request: chat not found"
        async with http.post(url, json={"chat_id": 1, "text": "hi", "reply_markup": "{oops"}) as resp:
            assert resp.status == 400
    assert all(call.failed for call in api.calls)


async def test_long_polling_wakes_up_on_an_injected_update_and_offset_confirms_it(api: FakeBotApi) -> None:
    async with aiohttp.ClientSession() as http:
        url = f"{api.url}/bot{TOKEN}/getUpdates"
        waiting = asyncio.create_task(http.post(url, data={"timeout": "60"}))
        await api.wait_for_long_poll()
        await api.user(PROSPECT).send("hello")
        async with await asyncio.wait_for(waiting, timeout=5) as resp:
            updates = (await resp.json())["result"]
        assert [u["message"]["text"] for u in updates] == ["hello"]
        async with http.post(url, data={"offset": str(updates[0]["update_id"] + 1)}) as resp:
            assert (await resp.json())["result"] == []


async def test_stopping_the_server_answers_a_waiting_long_poll() -> None:
    api = FakeBotApi()
    await api.start()
    async with aiohttp.ClientSession() as http:
        waiting = asyncio.create_task(http.post(f"{api.url}/bot{TOKEN}/getUpdates", data={"timeout": "60"}))
        await api.wait_for_long_poll()
        await asyncio.wait_for(api.stop(), timeout=5)
        async with await asyncio.wait_for(waiting, timeout=5) as resp:
            assert (await resp.json())["result"] == []


class ManualClock:
    """Seconds that move only when a test moves them, for the flood windows."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_flood_limits_are_off_unless_asked_for(bot: Bot, api: FakeBotApi) -> None:
    assert api.flood is None
    for n in range(5):
        await bot.send_message(PROSPECT, f"message {n}")
    assert not any(call.failed for call in api.calls)


async def test_a_second_message_to_a_private_chat_within_a_second_gets_429_with_retry_after(
    bot: Bot, api: FakeBotApi
) -> None:
    clock = ManualClock()
    api.enforce_flood_limits(clock=clock)
    await bot.send_message(PROSPECT, "one")
    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.send_message(PROSPECT, "two")
    assert refused.value.retry_after == 1
    assert api.calls_of("sendMessage")[-1].error == "Too Many Requests: retry after 1"
    await bot.send_message(PROSPECT + 1, "another chat is not held up")
    await bot.edit_message_text("one, edited", chat_id=PROSPECT, message_id=1)  # edits are not limited
    clock.now += 0.5
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(PROSPECT, "still too soon")
    clock.now += 0.5
    await bot.send_message(PROSPECT, "a second later")
    assert api.flood is not None and api.flood.refused == 2
    assert [m["text"] for m in api.sent_to(PROSPECT)] == ["one, edited", "a second later"]


async def test_more_than_30_messages_a_second_overall_get_429(bot: Bot, api: FakeBotApi) -> None:
    clock = ManualClock()
    api.enforce_flood_limits(clock=clock)
    for chat in range(30):
        await bot.send_message(PROSPECT + chat, "hi")
    clock.now += 0.25
    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.send_message(PROSPECT + 99, "the 31st")
    assert refused.value.retry_after == 1
    clock.now += 0.75
    await bot.send_message(PROSPECT + 99, "the window moved on")


async def test_a_group_takes_20_messages_a_minute(bot: Bot, api: FakeBotApi) -> None:
    clock = ManualClock()
    api.enforce_flood_limits(clock=clock)
    group = -100500
    for n in range(20):
        await bot.send_message(group, f"card {n}")
        clock.now += 1.5
    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.send_message(group, "card 20")
    assert refused.value.retry_after == 30  # the first card leaves the window at 60 s
    clock.now += 30
    await bot.send_message(group, "card 20")


async def test_flood_limits_can_be_switched_on_at_creation_and_off_again() -> None:
    async with FakeBotApi(flood_limits=True) as api:
        bot = Bot(token=TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)))
        try:
            await bot.send_message(PROSPECT, "one")
            with pytest.raises(TelegramRetryAfter):
                await bot.send_message(PROSPECT, "two")
            api.enforce_flood_limits(False)
            await bot.send_message(PROSPECT, "two")
        finally:
            await bot.session.close()


async def test_a_listener_hears_every_call_as_it_is_recorded_until_it_stops(
    bot: Bot, api: FakeBotApi
) -> None:
    heard: list[str] = []
    stop = api.listen(lambda call: heard.append(f"{call.method} failed={call.failed}"))
    await bot.send_message(PROSPECT, "hi")
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(PROSPECT, "")
    stop()
    await bot.get_me()
    assert heard == ["sendMessage failed=False", "sendMessage failed=True"]


async def test_with_bulk_chats_only_sends_to_them_are_limited() -> None:
    from .bot_api_flood import FloodLimits

    now = [0.0]
    limits = FloodLimits(lambda: now[0], bulk_chats={7})
    for _ in range(50):  # a crowd answered: not bulk, never refused, not counted
        assert limits.retry_after(100) is None
        limits.sent(100)
    assert limits.retry_after(7) is None
    limits.sent(7)
    assert limits.retry_after(7) == 1  # the team member's chat keeps its 1 a second
