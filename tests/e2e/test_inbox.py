"""Nothing lost when the database goes away or an update keeps failing: the inbox (bot/inbox.py) keeps
every update until it is handled, in order per chat, once."""

from __future__ import annotations

import asyncio
import logging
import socket
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import BaseMiddleware
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import create_async_engine

from bot import inbox as inbox_module
from bot.app import build_app
from domain.crm_config import CrmConfig
from storage.engine import session_factory
from storage.inbox_repository import InboxStore

from .bot_api_server import FakeBotApi
from .conftest import SUPERVISOR, RunningBot, around_the_clock, count, make_settings
from .test_delivery_faults import membership

GONE_WRONG = "что-то пошло не так"


async def _client_with_a_deal(api: FakeBotApi, user_id: int) -> Any:
    client = api.user(user_id, first_name="Клиент")
    await client.send("/start")
    await client.expect("Вопрос 1 из 4")
    await client.send("Сайт")
    await client.expect("Вопрос 2 из 4")
    await client.press("пока не знаю")
    await client.expect("Вопрос 3 из 4")
    await client.press("в течение месяца")
    await client.expect("Вопрос 4 из 4")
    await client.send_contact(f"7916000{user_id:04d}")
    await client.expect("принята")
    return client


class _DatabaseAway:
    """Takes the bot's database away and brings it back: PostgreSQL refuses new connections and the
    bot's are terminated; SQLite is held under an exclusive lock by another connection."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)

    async def __aenter__(self) -> _DatabaseAway:
        if self.url.get_backend_name() == "sqlite":
            self._lock = sqlite3.connect(self.url.database or "", timeout=30, isolation_level=None)
            for _ in range(100):  # WAL: a lock wanted while the bot writes may be refused at once
                try:
                    self._lock.execute("BEGIN EXCLUSIVE")
                    break
                except sqlite3.OperationalError:
                    await asyncio.sleep(0.05)
            else:
                raise AssertionError("could not lock the database")
        else:
            await self._admin(
                f'ALTER DATABASE "{self.url.database}" ALLOW_CONNECTIONS false',
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{self.url.database}' AND pid <> pg_backend_pid()",
            )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self.url.get_backend_name() == "sqlite":
            self._lock.execute("ROLLBACK")
            self._lock.close()
        else:
            await self._admin(f'ALTER DATABASE "{self.url.database}" ALLOW_CONNECTIONS true')

    async def _admin(self, *statements: str) -> None:
        engine = create_async_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                for statement in statements:
                    await connection.execute(text(statement))
        finally:
            await engine.dispose()


async def test_messages_sent_while_the_database_is_away_are_handled_once_it_is_back(
    api: FakeBotApi, any_db_bot: RunningBot, database_url: str
) -> None:
    client = await _client_with_a_deal(api, 601)
    since = api.mark()
    assert any_db_bot.app is not None
    async with _DatabaseAway(database_url):
        for word in ("первое", "второе", "третье"):
            last = await client.send(f"{word} сообщение")
        # The bot fetched them while the database was away (and, on PostgreSQL, saw that it was).
        await api.wait_for(
            lambda call: call.method == "getUpdates" and _holds(call.result, last), since=since
        )
        if "postgres" in database_url:
            for _ in range(200):
                if any_db_bot.app.outage.away:
                    break
                await asyncio.sleep(0.05)
            assert any_db_bot.app.outage.away
    for word in ("первое", "второе", "третье"):
        await any_db_bot.eventually(
            "select count(*) from messages where text = :text", 1, timeout=30, text=f"{word} сообщение"
        )
    await any_db_bot.eventually("select count(*) from inbox where state <> 'done'", 0, timeout=10)
    assert count(api, since, client.chat_id, GONE_WRONG) == 0
    relayed = [text for _, text in _sent_texts(api, since) if "сообщение" in text]
    order = [next(w for w in ("первое", "второе", "третье") if w in t) for t in relayed]
    assert order == sorted(order, key=("первое", "второе", "третье").index), relayed


def _holds(updates: Any, message: dict[str, Any]) -> bool:
    return any((u.get("message") or {}).get("message_id") == message.get("message_id") for u in updates or [])


def _sent_texts(api: FakeBotApi, since: int) -> list[tuple[int, str]]:
    return [
        (call.params["chat_id"], (call.message or {}).get("text", ""))
        for call in api.calls[since:]
        if call.method == "sendMessage" and not call.failed
    ]


class _Boom(BaseMiddleware):
    """A bug: every message saying "boom" fails its handler."""

    async def __call__(self, handler: Any, event: Any, data: dict[str, Any]) -> Any:
        if getattr(event, "text", None) == "boom":
            raise RuntimeError("a bug in a handler")
        return await handler(event, data)


async def test_an_update_that_keeps_failing_is_set_aside_and_the_chat_goes_on(
    api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox_module, "BUG_PAUSES_S", (0.0,))
    running = RunningBot(api, make_settings(api, tmp_path / "voronka.db"), around_the_clock(crm_config))
    app = await running.start()
    app.dispatcher.message.outer_middleware(_Boom())
    try:
        client = await _client_with_a_deal(api, 602)
        since = api.mark()
        await client.send("boom")
        await client.send("а это дойдёт")
        await client.expect(GONE_WRONG, timeout=10)  # told once the tries ran out, not on each try
        await running.eventually("select count(*) from messages where text = 'а это дойдёт'", 1, timeout=10)
        await running.eventually(
            "select attempts from inbox where state = 'set_aside'", inbox_module.MAX_TRIES
        )
        alert = await api.user(SUPERVISOR).expect("не смог обработать")
        assert "boom" not in alert["text"] and str(client.chat_id) in alert["text"]
        assert count(api, since, client.chat_id, GONE_WRONG) == 1
        assert count(api, since, SUPERVISOR, "не смог обработать") == 1
    finally:
        await running.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_webhook_answers_5xx_when_an_update_cannot_be_stored_and_handles_it_once_redelivered(
    api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _free_port()
    settings = make_settings(
        api, tmp_path / "voronka.db", webhook_url="https://bot.example.com/hook",
        webhook_secret="s3cret-token", web_host="127.0.0.1", web_port=port,
    )  # fmt: skip
    app = build_app(settings, around_the_clock(crm_config))
    serving = asyncio.create_task(app.run(handle_signals=False))
    await api.wait_for(lambda call: call.method == "setWebhook", timeout=15)
    original = InboxStore.store
    refusals = [OperationalError("INSERT INTO inbox", {}, OSError("the database is restarting"))]

    async def store_once_refused(self: InboxStore, *args: Any, **kwargs: Any) -> set[int]:
        if refusals:
            raise refusals.pop()
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(InboxStore, "store", store_once_refused)
    update = {
        "update_id": 5001,
        "message": {
            "message_id": 1, "date": 1_795_000_000, "text": "/start",
            "chat": {"id": 606, "type": "private", "first_name": "Вера"},
            "from": {"id": 606, "is_bot": False, "first_name": "Вера", "language_code": "ru"},
        },
    }  # fmt: skip
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
    try:
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}/hook"
            async with http.post(url, json=update) as response:
                assert response.status == 401  # no secret: not Telegram
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 503  # not stored: Telegram posts it again
            assert api.calls_of("sendMessage") == []
            for _ in range(2):  # the redelivery, and a second one (Telegram never got our 200, say)
                while True:  # until the outage the refusal started is over
                    async with http.post(url, json=update, headers=headers) as response:
                        if response.status == 200:
                            break
                    await asyncio.sleep(0.2)
            await api.wait_for(
                lambda call: call.method == "sendMessage" and call.params.get("chat_id") == 606, timeout=10
            )
        # Stored once, done, and nothing more in hand: no second handling can still come.
        for _ in range(100):
            if (
                await InboxStore(session_factory(app.engine)).state_of(5001) == "done"
                and not app.inbox.in_hand
            ):
                break
            await asyncio.sleep(0.05)
        assert await InboxStore(session_factory(app.engine)).state_of(5001) == "done"
        first_questions = [
            call for call in api.calls_of("sendMessage")
            if call.params.get("chat_id") == 606 and "Вопрос 1 из 4" in (call.message or {}).get("text", "")
        ]  # fmt: skip
        assert len(first_questions) == 1
    finally:
        app.stop()
        await asyncio.wait_for(serving, timeout=20)


async def test_a_client_who_writes_and_blocks_at_once_is_recorded_quietly_and_not_written_to_again(
    api: FakeBotApi, any_db_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    client = await _client_with_a_deal(api, 607)
    await any_db_bot.eventually("select count(*) from outbox where state in ('pending', 'sending')", 0)
    since = api.mark()
    api.block(client.chat_id)
    with caplog.at_level(logging.WARNING):
        message = await client.send("передумал, не пишите мне")
        kicked = await api.inject_update("my_chat_member", membership(api, client, "member", "kicked"))
        done = "select count(*) from inbox where update_id = :id and state = 'done'"
        await any_db_bot.eventually(done, 1, id=kicked["update_id"])
    await any_db_bot.eventually("select count(*) from messages where text = :t", 1, t=message["text"])
    assert await any_db_bot.scalar("select count(*) from unreachable_chats where chat_id = :id", id=607) == 1
    to_client = [call for call in api.calls[since:] if call.params.get("chat_id") == client.chat_id]
    assert len(to_client) <= 1 and all(call.failed for call in to_client)  # one refused reply at most
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], caplog.text
