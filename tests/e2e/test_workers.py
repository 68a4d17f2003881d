"""Two webhook workers behind one URL on PostgreSQL and Redis (README.md, "Several workers"), as
`python -m bot` runs them: the test is Telegram and the load balancer. Forty prospects go through the
questionnaire, all sending their last answer at once; Telegram answers some sends 429 and 502 and keeps
its flood limits; one worker is killed with SIGKILL while the notices go out, and started again.

Then: every update was handled once, every prospect has one deal with their answers, every notice went
out (once, but for one that was on its way to Telegram when its sender was killed: Telegram has no way to
say whether it took it, so the outbox sends it again rather than lose it), and the two workers together
never sent more than 30 notices in a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.redis_server import empty_redis

from .bot_api_server import FakeBotApi
from .conftest import TOKEN
from .test_process import run_bot

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PROSPECTS = 40
MANAGERS = [3001 + n for n in range(20)]  # two leads each: no pile of one kind to merge into one message
SECRET = "workers-test-secret"
CONFIRMED = "Ваша заявка №"
NEW_LEAD = "Новая заявка"
OWN_REDIS_DB = 14


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    # A database of its own on that server (the bot's keys have no configurable prefix): other tests
    # flush TEST_REDIS_URL's database, which would wipe these workers' conversations mid-test.
    async with empty_redis(what="several workers", db=OWN_REDIS_DB) as url:
        yield url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Worker:
    """One `python -m bot` in webhook mode on its own port."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/tg"
        self.env = {**env, "WEB_PORT": str(self.port)}
        self.cwd = cwd
        self.process: asyncio.subprocess.Process | None = None
        self.stderr = b""

    async def start(self, http: aiohttp.ClientSession) -> None:
        self.process = await run_bot(self.env, cwd=self.cwd)
        async with asyncio.timeout(60):  # up once its webhook answers (migrations and recovery done)
            while True:
                if self.process.returncode is not None:
                    _, stderr = await self.process.communicate()
                    raise AssertionError(
                        f"worker exited {self.process.returncode}: {stderr.decode()[-3000:]}"
                    )
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(self.url) as answer:
                        if answer.status == 405:  # the webhook takes POSTs only
                            return
                await asyncio.sleep(0.1)

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.communicate()

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            _, self.stderr = await asyncio.wait_for(self.process.communicate(), timeout=30)
        except TimeoutError:
            self.process.kill()
            await self.process.communicate()


class Telegram:
    """Delivers what people send to the workers as Telegram delivers a webhook: each update posted to
    one worker (round robin, the load balancer's choice) with the secret header, and posted again, to
    the next worker, on anything but 200 (a worker down, a 503)."""

    def __init__(self, api: FakeBotApi, workers: list[Worker], http: aiohttp.ClientSession) -> None:
        self.api, self.workers, self.http = api, workers, http
        self.posted: set[int] = set()
        self.first_to: Worker | None = None  # the balancer's first choice for every update, when set
        self._turn = itertools.count()
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        # The stand-in queues updates for getUpdates; in webhook mode Telegram pushes them instead.
        changed, pending = self.api._changed, self.api._pending
        while True:
            async with changed:
                await changed.wait_for(lambda: bool(pending))
                updates = list(pending)
                pending.clear()
            for update in updates:
                task = asyncio.create_task(self._deliver(update))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _deliver(self, update: dict[str, Any]) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        for attempt in itertools.count():
            worker = self.workers[next(self._turn) % len(self.workers)]
            if attempt == 0 and self.first_to is not None:
                worker = self.first_to
            try:
                async with self.http.post(worker.url, json=update, headers=headers) as answer:
                    if answer.status == 200:
                        self.posted.add(int(update["update_id"]))
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(min(0.05 * 2**attempt, 1.0))


async def scalar(url: str, sql: str) -> Any:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(sql))).scalar()
    finally:
        await engine.dispose()


async def rows(url: str, sql: str) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(text(sql))).all())
    finally:
        await engine.dispose()


def sent(api: FakeBotApi, chats: set[int], words: str) -> list[Any]:
    return [
        call
        for call in api.calls
        if call.method == "sendMessage" and not call.failed and call.params.get("chat_id") in chats
        and words in ((call.message or {}).get("text") or "")
    ]  # fmt: skip


def most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    return max((sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times)), default=0)


def worker_env(api: FakeBotApi, tmp_path: Path, database_url: str, redis_url: str) -> dict[str, str]:
    (tmp_path / "crm.toml").write_text("[business_hours]\nalways = true\n", encoding="utf-8")
    return {
        "BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.url, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "MANAGER_IDS": ",".join(map(str, MANAGERS)), "CRM_CONFIG": "crm.toml", "LOG_LEVEL": "warning",
        "WEBHOOK_SECRET": SECRET, "WEB_HOST": "127.0.0.1",
    }  # fmt: skip


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_workers_killed_and_restarted_under_load_lose_and_repeat_nothing(
    api: FakeBotApi, tmp_path: Path, database_url: str, redis_url: str
) -> None:
    env = worker_env(api, tmp_path, database_url, redis_url)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        workers = [Worker(env, tmp_path), Worker(env, tmp_path)]
        for worker in workers:
            worker.env["WEBHOOK_URL"] = worker.url  # each sets its own; behind a balancer both say one URL
        telegram = Telegram(api, workers, http)
        delivering = asyncio.create_task(telegram.run())
        try:
            await asyncio.gather(*(worker.start(http) for worker in workers))  # both migrate at once
            redis = Redis.from_url(redis_url)
            try:
                await _load(api, workers, database_url, http, redis)
            finally:
                await redis.aclose()
        finally:
            delivering.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await delivering
            await asyncio.gather(*(worker.stop() for worker in workers))
    for worker in workers:
        assert "Traceback" not in worker.stderr.decode(), worker.stderr.decode()[-3000:]

    # Every update handled, once: its done mark commits with its effects.
    assert await scalar(database_url, "select count(*) from inbox where state = 'done'") == len(
        telegram.posted
    )
    assert await scalar(database_url, "select count(*) from inbox where state <> 'done'") == 0


async def _load(
    api: FakeBotApi, workers: list[Worker], database_url: str, http: aiohttp.ClientSession, redis: Redis
) -> None:
    people = [api.user(5001 + n, first_name=f"Гость{n:02d}") for n in range(PROSPECTS)]
    prospects = {person.chat_id for person in people}

    async def first_answers(n: int) -> None:
        person = people[n]
        await person.send("/start")
        await person.expect("Вопрос 1 из 4", timeout=30)
        await person.send(f"Сайт для кофейни {n:02d}")
        await person.expect("Вопрос 2 из 4", timeout=30)
        await person.send("100–500 тыс. ₽")
        await person.expect("Вопрос 3 из 4", timeout=30)
        await person.send("в течение месяца")
        await person.expect("Вопрос 4 из 4", timeout=30)

    api.fail("sendMessage", times=4, error_code=502)  # replies ride these out (bot/flood_guard.py)
    await asyncio.gather(*(first_answers(n) for n in range(PROSPECTS)))

    # Everyone sends the last answer at once: 80 notices (a confirmation and a card each) fall due together.
    api.enforce_flood_limits(bulk_chats=set(MANAGERS))
    api.fail("sendMessage", times=3, error_code=429, retry_after=1)
    api.fail("sendMessage", times=3, error_code=502)
    for n, person in enumerate(people):
        await person.send(f"+7916555{n:04d}")
    await api.wait_for(lambda call: CONFIRMED in ((call.message or {}).get("text") or ""), timeout=60)
    # The pace is kept in Redis, one window for both workers (bot/shared_pacing.py; this load alone,
    # some 25 notices a second, would not push two workers pacing apart over 30).
    paced = await redis.zcard("voronka:{pace}:all")
    await workers[0].kill()  # mid-load: notices in hand, updates perhaps too
    in_flight = {
        row[0] for row in await rows(database_url, "select chat_id from outbox where state = 'sending'")
    }
    await workers[0].start(http)

    def all_out() -> bool:
        return (
            len({c.params["chat_id"] for c in sent(api, prospects, CONFIRMED)}) == PROSPECTS
            and len({_who(c) for c in sent(api, set(MANAGERS), NEW_LEAD)}) == PROSPECTS
        )

    async def until_all_out() -> None:
        async with api._changed:  # notified at every call the stand-in records
            await api._changed.wait_for(all_out)

    try:
        await asyncio.wait_for(until_all_out(), timeout=60)
    except TimeoutError:
        outbox = await rows(database_url, "select kind, state, count(*) from outbox group by kind, state")
        inbox = await rows(database_url, "select state, count(*) from inbox group by state")
        raise AssertionError(
            f"{len(sent(api, prospects, CONFIRMED))} confirmations, {len(sent(api, set(MANAGERS), NEW_LEAD))}"
            f" cards sent; outbox {outbox}; inbox {inbox}; recent calls:\n{api.dump(30)}"
        ) from None

    # One deal per prospect, with the answers each gave, in the order given.
    deals = await rows(
        database_url,
        "select c.telegram_id, count(d.id) from contacts c join deals d on d.contact_id = c.id "
        "group by c.telegram_id",
    )
    assert sorted(deals) == [(chat, 1) for chat in sorted(prospects)]
    confirmations = sent(api, prospects, CONFIRMED)
    for n, person in enumerate(people):
        mine = [c for c in confirmations if c.params["chat_id"] == person.chat_id]
        shown = (mine[0].message or {}).get("text", "")
        assert f"кофейни {n:02d}" in shown and "100–500" in shown and "в течение месяца" in shown, shown

    # Each notice went out once; only one in flight when its worker was killed may have gone twice.
    cards = sent(api, set(MANAGERS), NEW_LEAD)
    for chat_sends in (
        [f"{c.params['chat_id']}:{_who(c)}" for c in cards],
        [str(c.params["chat_id"]) for c in confirmations],
    ):
        repeated = {key for key in chat_sends if chat_sends.count(key) > 1}
        assert {int(key.split(":")[0]) for key in repeated} <= in_flight, repeated

    # The two workers together kept Telegram's pace for notices: never over 30 in one second.
    assert paced > 0
    assert most_in_one_second([c.at for c in cards + confirmations]) <= 30
    assert api.flood is not None and api.flood.refused == 0  # not one send to a manager refused for pace


def _who(call: Any) -> str:
    """Which prospect a card is about: their name on it."""
    shown = (call.message or {}).get("text") or ""
    return next((f"Гость{n:02d}" for n in range(PROSPECTS) if f"Гость{n:02d}" in shown), shown[:80])


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_person_s_next_message_waits_for_the_one_a_killed_worker_had_in_hand(
    api: FakeBotApi, tmp_path: Path, database_url: str, redis_url: str
) -> None:
    """Worker A saves an answer and dies before its update is marked done (the next question on its
    way). The person's next message, at worker B, must not overtake it: handled first, it would be
    taken as the answer it is, and the old one, taken up later, as the answer to the question after."""
    env = worker_env(api, tmp_path, database_url, redis_url)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        first, second = Worker(env, tmp_path), Worker(env, tmp_path)
        for worker in (first, second):
            worker.env["WEBHOOK_URL"] = worker.url
        telegram = Telegram(api, [first, second], http)
        delivering = asyncio.create_task(telegram.run())
        try:
            await asyncio.gather(first.start(http), second.start(http))
            person = api.user(6001, first_name="Гость")
            telegram.first_to = first
            await person.send("/start")
            await person.expect("Вопрос 1 из 4", timeout=30)
            api.delay(3.0)  # the next question hangs in Telegram for a while...
            await person.send("Сайт для пекарни")
            async with asyncio.timeout(30):  # ...once the answer is saved, the update still pending
                while await scalar(database_url, "select max(step) from inquiries") != 1:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
            await first.kill()
            api.delay(0)
            telegram.first_to = second
            await person.send("100–500 тыс. ₽")
            await person.expect("Вопрос 3 из 4", timeout=60)
            async with asyncio.timeout(60):
                while await scalar(database_url, "select count(*) from inbox where state <> 'done'"):  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
            answers = json.loads(await scalar(database_url, "select answers::text from inquiries"))
        finally:
            delivering.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await delivering
            await asyncio.gather(first.stop(), second.stop())
    said = [(call.message or {}).get("text") or "" for call in api.calls if person._is_mine(call)]
    assert not any("кнопкой ниже" in text for text in said), said  # no answer taken for the wrong question
    assert answers == {"need": "Сайт для пекарни", "budget": "medium"}, answers
    assert sum("Вопрос 3 из 4" in text for text in said) == 1, said
