"""What a prospect waits through: one write transaction per answer, replies never queued behind notices,
and a pile of notices for one person merged so the last is not minutes late."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_app
from bot.middlewares import CURRENT_UNIT_OF_WORK
from bot.outbox_pacing import OutboxPacer
from domain.crm_config import CrmConfig
from domain.intake import Prospect, submit_lead
from domain.models import Notice
from domain.notice_kinds import NoticeKind

from .bot_api_server import FakeBotApi
from .conftest import MANAGER, SUPERVISOR, RunningBot, around_the_clock, make_settings, sent_since

WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass
class HandlerSql:
    """Statements and transactions run by update handlers (not by the notifier or the scheduler)."""

    statements: list[str] = field(default_factory=list)
    transactions: list[list[str]] = field(default_factory=list)
    _open: list[str] | None = None

    def on_statement(self, statement: str) -> None:
        word = statement.lstrip().split(None, 1)[0].upper()
        self.statements.append(word)
        if self._open is None:
            self._open = []
        self._open.append(word)

    def on_end(self) -> None:
        if self._open is not None:
            self.transactions.append(self._open)
            self._open = None

    @property
    def write_transactions(self) -> list[list[str]]:
        return [t for t in self.transactions if any(word in WRITES for word in t)]


@contextmanager
def handler_sql(engine: AsyncEngine) -> Iterator[HandlerSql]:
    seen = HandlerSql()

    def statement(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        if CURRENT_UNIT_OF_WORK.get() is not None:
            seen.on_statement(sql)

    def end(_conn: object) -> None:
        if CURRENT_UNIT_OF_WORK.get() is not None:
            seen.on_end()

    sync = engine.sync_engine
    event.listen(sync, "before_cursor_execute", statement)
    event.listen(sync, "commit", end)
    event.listen(sync, "rollback", end)
    try:
        yield seen
    finally:
        event.remove(sync, "before_cursor_execute", statement)
        event.remove(sync, "commit", end)
        event.remove(sync, "rollback", end)


async def test_an_ordinary_answer_is_two_short_write_transactions(
    api: FakeBotApi, any_db_bot: RunningBot
) -> None:
    assert any_db_bot.app is not None
    anna = api.user(801, first_name="Анна")
    await anna.send("/start")
    await anna.expect("Вопрос 1 из 4")
    await any_db_bot.eventually("select count(*) from inbox where state = 'done'", 1)
    with handler_sql(any_db_bot.app.engine) as sql:
        await anna.send("Нужен сайт")  # a typed answer: the conversation moves on, nothing else changes
        await anna.expect("Вопрос 2 из 4")
        await any_db_bot.eventually("select count(*) from inbox where state = 'done'", 2)
    # The answer is committed before the screen moves on; the new question's message id (known once it is
    # sent) is written after it, with the update marked done in the inbox.
    answer, question = sql.write_transactions
    assert answer == ["UPDATE", "UPDATE"], sql.transactions  # the inquiry's progress, the conversation
    assert question == ["UPDATE", "UPDATE"], sql.transactions  # the conversation, the inbox row
    assert len(sql.statements) <= 6, sql.statements


async def test_the_last_answer_saves_the_lead_and_closes_the_questionnaire_in_one_transaction(
    api: FakeBotApi, any_db_bot: RunningBot
) -> None:
    assert any_db_bot.app is not None
    boris = api.user(802, first_name="Борис")
    await boris.send("/start")
    await boris.expect("Вопрос 1 из 4")
    await boris.send("Нужен сайт")
    await boris.expect("Вопрос 2 из 4")
    await boris.press("до 100 тыс. ₽")
    await boris.expect("Вопрос 3 из 4")
    await boris.press("позже")
    await boris.expect("Вопрос 4 из 4")
    await any_db_bot.eventually("select count(*) from inbox where state = 'done'", 4)
    with handler_sql(any_db_bot.app.engine) as sql:
        await boris.send("+79160000802")
        await boris.expect("Ваша заявка №1 принята")
        await any_db_bot.eventually("select count(*) from inbox where state = 'done'", 5)
    assert len(sql.write_transactions) == 1, sql.transactions
    assert await any_db_bot.scalar("select count(*) from fsm_states") == 0


async def test_a_reply_goes_out_at_once_while_notices_for_the_same_person_wait_their_pace(
    api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig
) -> None:
    settings = make_settings(api, tmp_path / "voronka.db")
    app = build_app(settings, around_the_clock(crm_config), pacer=OutboxPacer(private_per_second=1))
    running = RunningBot(api, settings, app.config)
    running.app = app
    task = asyncio.create_task(app.run(handle_signals=False, polling_timeout=1))
    try:
        await api.wait_for_long_poll(timeout=15)
        oleg = api.user(MANAGER, first_name="Олег")
        await oleg.send("/start")
        await oleg.expect("Олег")
        deal = await submit_one(app, 901)
        async with app.unit_of_work() as uow:  # twenty notices for Oleg: twenty seconds at his chat's pace
            notice = Notice(MANAGER, NoticeKind.LEAD_TAKEN_OVER, {"deal_id": deal})
            for _ in range(20):
                await uow.outbox.add(notice, now=app.clock.now())
            await uow.commit()
        app.notifier.wake()
        await api.wait_for(lambda c: c.params.get("chat_id") == MANAGER and c.method == "sendMessage"
                           and "взяли в работу" in (c.message or {}).get("text", ""))  # fmt: skip
        await oleg.send("/deals")
        await oleg.expect("Ваши открытые сделки")  # his list, while most of the notices still wait their turn
        waiting = await running.scalar(
            "select count(*) from outbox where chat_id = :chat and state != 'sent'", chat=MANAGER
        )
        assert waiting >= 10
    finally:
        app.stop()
        await asyncio.wait_for(task, timeout=15)


async def test_many_leads_waiting_for_one_supervisor_go_as_merged_messages_and_none_is_lost(
    api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig
) -> None:
    settings = make_settings(api, tmp_path / "voronka.db", manager_ids=[])  # every lead waits unsorted
    app = build_app(settings, around_the_clock(crm_config), pacer=OutboxPacer())  # Telegram's own pace
    task = asyncio.create_task(app.run(handle_signals=False, polling_timeout=1))
    try:
        await api.wait_for_long_poll(timeout=15)
        since = api.mark()
        deals = [await submit_one(app, 1000 + n) for n in range(40)]
        told: list[int] = []

        def all_told() -> bool:
            told.clear()
            for _, text in sent_since(api, since, SUPERVISOR):
                told.extend(deal_numbers(text.splitlines()[0]))  # the header; a card below names it again
            return sorted(told) == deals

        for _ in range(200):
            if all_told():
                break
            await asyncio.sleep(0.05)
        assert sorted(told) == deals  # each lead told once: none lost, none twice
        texts = [text for _, text in sent_since(api, since, SUPERVISOR)]
        assert len(texts) < 10  # not forty messages a second apart
        merged = [c for c in api.calls[since:] if "в неразобранном" in (c.message or {}).get("text", "")
                  and "заявок ждут" in (c.message or {}).get("text", "")]  # fmt: skip
        assert merged and "📥 Открыть неразобранное" in str(merged[0].params.get("reply_markup"))
        supervisor = api.user(SUPERVISOR)
        await supervisor.press("📥 Открыть неразобранное")
        await supervisor.expect("Неразобранное")  # the queue, as /unsorted shows it
    finally:
        app.stop()
        await asyncio.wait_for(task, timeout=15)


async def submit_one(app: object, telegram_id: int) -> int:
    """A finished questionnaire through the intake use case (what the last answer does); its deal."""
    from bot.app import App

    assert isinstance(app, App)
    async with app.unit_of_work() as uow:
        result = await submit_lead(
            uow, app.config, now=app.clock.now(), source=None,
            prospect=Prospect(telegram_id, telegram_id, f"Клиент {telegram_id}", None, "ru"),
            answers={
                "need": "Нужен сайт", "budget": "medium", "timing": "now", "phone": f"+7916{telegram_id:07d}"
            },
        )  # fmt: skip
    return result.deal_id


def deal_numbers(text: str) -> list[int]:
    """Every deal number a message names: "№12", and each of "№101–№112"."""
    numbers: list[int] = []
    for first, last in re.findall(r"№(\d+)(?:–№(\d+))?", text):
        numbers.extend(range(int(first), int(last or first) + 1))
    return numbers
