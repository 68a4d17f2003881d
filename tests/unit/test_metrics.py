"""The metrics (bot/observability/): each Bot API request counted by method and result, labels kept to a
few values, and the database figures written from what the last scrape read."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetUpdates, SendMessage
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot.observability import metrics
from bot.observability.database_figures import DatabaseFigures
from bot.observability.telegram_calls import TelegramCalls, result_of
from storage.operations_figures import Backlog, WaitingWork

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
SEND = SendMessage(chat_id=5, text="hi")


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Telegram:
    def __init__(self, outcome: BaseException | None = None) -> None:
        self.outcome = outcome

    async def __call__(self, bot: Any, method: Any) -> Any:
        if self.outcome is not None:
            raise self.outcome
        return True


@pytest.mark.parametrize(
    ("error", "result"),
    [
        (None, "ok"),
        (TelegramRetryAfter(method=SEND, message="Too Many Requests", retry_after=3), "429"),
        (TelegramBadRequest(method=SEND, message="Bad Request: chat not found"), "bad_request"),
        (TelegramForbiddenError(method=SEND, message="Forbidden: bot was blocked by the user"), "forbidden"),
        (TelegramServerError(method=SEND, message="Bad Gateway"), "5xx"),
        (TelegramNetworkError(method=SEND, message="timeout"), "network"),
        (ValueError("odd"), "error"),
    ],
)
def test_each_answer_has_a_result_of_few_values(error: BaseException | None, result: str) -> None:
    assert result_of(error) == result


async def test_a_request_is_counted_by_method_and_result_and_a_429_also_by_itself() -> None:
    calls = TelegramCalls()
    sent = sample("voronka_telegram_requests_total", method="sendMessage", result="ok")
    refused = sample("voronka_telegram_requests_total", method="sendMessage", result="429")
    too_many = sample("voronka_telegram_429_total", method="sendMessage")

    answer: Any = await calls(Telegram(), None, SEND)  # type: ignore[arg-type]
    assert answer is True
    flood = TelegramRetryAfter(method=SEND, message="Too Many Requests", retry_after=3)
    with pytest.raises(TelegramRetryAfter):
        await calls(Telegram(flood), None, SEND)  # type: ignore[arg-type]

    assert sample("voronka_telegram_requests_total", method="sendMessage", result="ok") == sent + 1
    assert sample("voronka_telegram_requests_total", method="sendMessage", result="429") == refused + 1
    assert sample("voronka_telegram_429_total", method="sendMessage") == too_many + 1


async def test_a_request_cut_off_by_a_stop_is_not_a_result() -> None:
    before = sum(
        sample("voronka_telegram_requests_total", method="getUpdates", result=result)
        for result in ("ok", "error", "network")
    )
    with pytest.raises(asyncio.CancelledError):
        await TelegramCalls()(Telegram(asyncio.CancelledError()), None, GetUpdates())  # type: ignore[arg-type]
    after = sum(
        sample("voronka_telegram_requests_total", method="getUpdates", result=result)
        for result in ("ok", "error", "network")
    )
    assert after == before


def test_labels_take_only_known_kinds() -> None:
    assert metrics.update_kind("callback_query") == "callback_query"
    assert metrics.update_kind("something_new") == "other"
    assert metrics.timer_kind("next_contact") == "next_contact"
    assert metrics.timer_kind("retired_kind") == "other"
    before = sample("voronka_timers_fired_late_total", kind="take_sla")
    metrics.count_timer("take_sla", late=True)
    metrics.count_timer("take_sla", late=False)
    assert sample("voronka_timers_fired_late_total", kind="take_sla") == before + 1


class Figures:
    """The database's side, scripted."""

    def __init__(self) -> None:
        self.error: Exception | None = None
        self.leads_read = 0
        self.leads = {"telegram": 7, "site": 2}
        self.work = WaitingWork(
            inbox=Backlog(3, NOW - timedelta(seconds=40)), inbox_set_aside=1,
            outbox=Backlog(12, NOW - timedelta(minutes=2)), timers=Backlog(0, None),
        )  # fmt: skip

    async def waiting_work(self, *, now: datetime) -> WaitingWork:
        if self.error is not None:
            raise self.error
        return self.work

    async def leads_by_channel(self) -> dict[str, int]:
        self.leads_read += 1
        return dict(self.leads)


class Clock:
    def now(self) -> datetime:
        return NOW


def exposition(collector: DatabaseFigures) -> dict[str, float]:
    registry = CollectorRegistry()
    registry.register(collector)
    text = generate_latest(registry).decode()
    return {
        sample.name + "".join(f"|{value}" for value in sample.labels.values()): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_the_database_figures_are_what_the_last_scrape_read() -> None:
    figures = Figures()
    collector = DatabaseFigures(figures, clock=Clock())  # type: ignore[arg-type]
    await collector.refresh()
    assert exposition(collector) == {
        "voronka_database_figures_up": 1,
        "voronka_inbox_backlog": 3,
        "voronka_inbox_oldest_age_seconds": 40,
        "voronka_inbox_set_aside": 1,
        "voronka_outbox_backlog": 12,
        "voronka_outbox_oldest_age_seconds": 120,
        "voronka_timers_backlog": 0,
        "voronka_timers_oldest_age_seconds": 0,
        "voronka_leads_total|site": 2,
        "voronka_leads_total|telegram": 7,
    }


async def test_a_failed_read_shows_as_down_rather_than_as_figures_standing_still() -> None:
    figures = Figures()
    collector = DatabaseFigures(figures, clock=Clock())  # type: ignore[arg-type]
    await collector.refresh()
    figures.error = ConnectionRefusedError()
    await collector.refresh()
    assert exposition(collector) == {"voronka_database_figures_up": 0}


async def test_leads_are_read_again_only_once_a_minute() -> None:
    figures, monotonic = Figures(), [100.0]
    collector = DatabaseFigures(figures, clock=Clock(), monotonic=lambda: monotonic[0])  # type: ignore[arg-type]
    await collector.refresh()
    figures.leads["telegram"] = 8
    monotonic[0] += 59
    await collector.refresh()
    assert figures.leads_read == 1 and exposition(collector)["voronka_leads_total|telegram"] == 7
    monotonic[0] += 1
    await collector.refresh()
    assert figures.leads_read == 2 and exposition(collector)["voronka_leads_total|telegram"] == 8
