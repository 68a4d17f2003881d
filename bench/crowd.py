"""People talking to a bot through the stand-in, many at once: prospects who go through the
questionnaire, and people who chat with the echo bot, each timing every answer of the bot.

Recognising "the next question arrived" must survive the team changing how the bot answers (a button
answer may become one ``editMessageText`` that turns the question into the next one, a typed answer one
``sendMessage``, Back/Cancel may move to a reply keyboard), so a question is any ``sendMessage`` or
``editMessageText`` to the person's chat whose text contains "Вопрос N из" for the expected N, and a
button is pressed from the newest message that has buttons. Latency runs from injecting the person's
update to the stand-in receiving that call.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bench.checkout import Questionnaire
from tests.e2e.bot_api_people import FakeUser
from tests.e2e.bot_api_server import ApiCall, FakeBotApi

ANSWERING = ("sendMessage", "editMessageText")
TEXT_ANSWER = "Нужен сайт для кофейни"
DEAL_NUMBER = re.compile(r"№\s*(\d+)")


class BotFailed(Exception):
    """The bot told the person something went wrong."""


@dataclass
class Outcome:
    """One person's run: the bot's answer times, whether it finished, and how it failed if it did."""

    latencies: list[float] = field(default_factory=list)
    finished: bool = False
    failed: bool = False  # got "something went wrong"
    timed_out: bool = False
    deal: int | None = None
    finished_at: float | None = None


class Chats:
    """Hands every call the bot makes to whoever waits on its chat (one listener for the whole crowd;
    a ``wait_for`` per person would rescan the call list on every call)."""

    def __init__(self, api: FakeBotApi, failure: str) -> None:
        self.api, self.failure = api, failure
        self._waiting: dict[int, tuple[Callable[[ApiCall], bool], asyncio.Future[ApiCall]]] = {}
        self._callbacks: dict[str, int] = {}  # callback query id -> chat, for answerCallbackQuery
        self.stop = api.listen(self._heard)

    def chat_of(self, call: ApiCall) -> int | None:
        if call.method == "answerCallbackQuery":
            return self._callbacks.get(str(call.params.get("callback_query_id")))
        chat = (call.message or {}).get("chat", {}).get("id", call.params.get("chat_id"))
        return chat if isinstance(chat, int) else None

    def pressed(self, query_id: str, chat: int) -> None:
        self._callbacks[query_id] = chat

    def expect(self, chat: int, matches: Callable[[ApiCall], bool]) -> asyncio.Future[ApiCall]:
        future: asyncio.Future[ApiCall] = asyncio.get_running_loop().create_future()
        self._waiting[chat] = (matches, future)
        return future

    def _heard(self, call: ApiCall) -> None:
        if call.method == "getUpdates" or call.failed:
            return
        chat = self.chat_of(call)
        waiting = self._waiting.get(chat) if chat is not None else None
        if waiting is None or waiting[1].done():
            return
        matches, future = waiting
        if self.failure in text_of(call):
            future.set_exception(BotFailed(text_of(call)))
        elif matches(call):
            future.set_result(call)


def text_of(call: ApiCall) -> str:
    if call.method == "answerCallbackQuery":
        return str(call.params.get("text") or "")
    return str((call.message or {}).get("text") or (call.message or {}).get("caption") or "")


class Talker:
    """A person with a script: act, wait for the bot's answer, note the latency, next step."""

    def __init__(self, api: FakeBotApi, chats: Chats, user_id: int, *, patience: float) -> None:
        self.api, self.chats, self.patience = api, chats, patience  # s to wait for one answer
        self.user: FakeUser = api.user(user_id, first_name=f"Гость{user_id % 100_000}")
        self.outcome = Outcome()
        # Awaited after each answer arrived, with the number of answers so far (a bench that measures
        # one update at a time waits there until the bot is quiet).
        self.after_answer: Callable[[int], Awaitable[None]] | None = None

    async def step(self, act: Callable[[], Awaitable[object]], matches: Callable[[ApiCall], bool]) -> ApiCall:
        future = self.chats.expect(self.user.chat_id, matches)
        sent = time.monotonic()
        await act()
        call = await asyncio.wait_for(future, timeout=self.patience)
        self.outcome.latencies.append(call.at - sent)
        if self.after_answer is not None:
            await self.after_answer(len(self.outcome.latencies))
        return call

    def answers(self, call: ApiCall, marker: str) -> bool:
        return call.method in ANSWERING and marker in text_of(call)

    async def press_first_button(self, question: ApiCall) -> None:
        """The first callback button of the question (or of the newest message that has buttons)."""
        messages = [question.message or {}, *reversed(self.api.sent_to(self.user.chat_id))]
        for message in messages:
            markup = message.get("reply_markup") or {}
            buttons = [b for row in markup.get("inline_keyboard", []) for b in row if "callback_data" in b]
            if buttons:
                query = await self.user.press_data(buttons[0]["callback_data"], message["message_id"])
                self.chats.pressed(query["id"], self.user.chat_id)
                return
        raise BotFailed(f"no button to press in chat {self.user.chat_id}")


class Prospect(Talker):
    """/start, then every question answered as soon as it arrives: text typed, the first option pressed,
    the own contact shared, a number typed."""

    async def run(self, questionnaire: Questionnaire, *, stop_after: int | None = None) -> Outcome:
        """``stop_after``: leave after that many answers (mid-questionnaire), else go to the end."""
        kinds, total = questionnaire.kinds, len(questionnaire.kinds)
        try:
            call = await self.step(
                lambda: self.user.send("/start"), self._answering(questionnaire.question(1))
            )
            for index, kind in enumerate(kinds[: stop_after if stop_after is not None else total]):
                number = index + 1
                last = number == total
                marker = questionnaire.done if last else questionnaire.question(number + 1)
                call = await self.step(self._answer(kind, call), self._answering(marker))
            if stop_after is None or stop_after >= total:
                self.outcome.finished, self.outcome.finished_at = True, call.at
                if found := DEAL_NUMBER.search(text_of(call)):
                    self.outcome.deal = int(found.group(1))
        except BotFailed:
            self.outcome.failed = True
        except TimeoutError:
            self.outcome.timed_out = True
        return self.outcome

    def _answering(self, marker: str) -> Callable[[ApiCall], bool]:
        return lambda call: self.answers(call, marker)

    def _answer(self, kind: str, question: ApiCall) -> Callable[[], Awaitable[object]]:
        if kind == "choice":
            return lambda: self.press_first_button(question)
        if kind == "contact":
            return lambda: self.user.send_contact(f"7916{self.user.id % 10_000_000:07d}")
        if kind == "number":
            return lambda: self.user.send("150000")
        return lambda: self.user.send(TEXT_ANSWER)


class EchoChatter(Talker):
    """Sends ``messages`` texts one after another, each once the echo of the previous one came back."""

    async def run(self, messages: int) -> Outcome:
        try:
            for n in range(messages):
                await self.step(*self._saying(f"{TEXT_ANSWER} {n}"))
            self.outcome.finished = True
        except TimeoutError:
            self.outcome.timed_out = True
        return self.outcome

    def _saying(self, said: str) -> tuple[Callable[[], Awaitable[object]], Callable[[ApiCall], bool]]:
        return (lambda: self.user.send(said)), (lambda call: text_of(call) == said)


async def gather_bounded(runs: Sequence[Awaitable[Outcome]], *, at_once: int) -> list[Outcome]:
    """Run them all, at most ``at_once`` at a time (a new one starts when one ends)."""
    gate = asyncio.Semaphore(at_once)

    async def one(run: Awaitable[Outcome]) -> Outcome:
        async with gate:
            return await run

    return list(await asyncio.gather(*(one(run) for run in runs)))
