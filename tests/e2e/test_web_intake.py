"""Leads from the website: the intake endpoint over real HTTP, served by the running bot (README.md,
"Leads from the website"), with the manager's notice through the fake Bot API."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy.exc import OperationalError

import bot.intake_api as intake_api
from bot.app import build_app
from domain.crm_config import CrmConfig
from domain.web_intake import submit_web_lead
from storage.inquiry_repository import SqlInquiryRepository

from .bot_api_server import FakeBotApi
from .conftest import MANAGER, FixedClock, RunningBot, around_the_clock, make_settings, sent_since
from .test_intake import answer_everything_in_russian

INTAKE_TOKEN = "site-token-0123456789abcdef"
BEARER = {"Authorization": f"Bearer {INTAKE_TOKEN}"}
ANNA = {
    "name": "Анна Смирнова",
    "phone": "+7 916 123-45-67",
    "email": "Anna@Example.com",
    "message": "Нужен сайт для кофейни",
    "source": "instagram",
    "answers": {"budget": "больше 500 тыс. ₽", "timing": "now"},
    "external_id": "form-1",
}
STORED = (
    "select (select count(*) from deals) + (select count(*) from contacts) + (select count(*) from inquiries)"
    " + (select count(*) from deal_events) + (select count(*) from messages)"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Answer:
    status: int
    body: Any
    headers: Any


@dataclass
class Site:
    """The running bot, and a website posting to its intake endpoint."""

    bot: RunningBot
    http: aiohttp.ClientSession
    url: str

    async def post(self, *, headers: dict[str, str] | None = None, path: str = "", **kwargs: Any) -> Answer:
        async with self.http.post(self.url + path, headers=headers, **kwargs) as response:
            raw = await response.read()
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
            return Answer(response.status, body, response.headers)

    async def lead(self, body: Any, **kwargs: Any) -> Answer:
        return await self.post(json=body, headers=BEARER, **kwargs)


async def start_site(
    api: FakeBotApi, tmp_path: Path, config: CrmConfig, clock: FixedClock, **settings: Any
) -> AsyncIterator[Site]:
    port = free_port()
    values = {
        "intake_token": INTAKE_TOKEN, "web_host": "127.0.0.1", "web_port": port,
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'voronka.db'}", **settings,
    }  # fmt: skip
    running = RunningBot(api, make_settings(api, tmp_path / "voronka.db", **values), config, clock=clock)
    await running.start()
    try:
        async with aiohttp.ClientSession() as http:
            yield Site(running, http, f"http://127.0.0.1:{port}/api/leads")
    finally:
        await running.stop()


@pytest.fixture
async def site(
    api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig, clock: FixedClock
) -> AsyncIterator[Site]:
    async for running in start_site(api, tmp_path, around_the_clock(crm_config), clock):
        yield running


async def test_a_lead_posted_as_json_becomes_a_site_deal_on_the_manager_s_phone(
    api: FakeBotApi, site: Site
) -> None:
    answer = await site.lead(ANNA)
    assert (answer.status, answer.body) == (201, {"deal": 1, "status": "created"})
    assert answer.headers["Content-Type"].startswith("application/json")
    bot = site.bot
    assert await bot.scalar("select channel from deals where id = 1") == "site"
    assert await bot.scalar("select source from deals where id = 1") == "instagram"
    assert await bot.scalar("select external_id from inquiries where deal_id = 1") == "form-1"
    assert await bot.scalar("select chat_id from deals where id = 1") is None
    assert await bot.scalar("select manager_id from deals where id = 1") == MANAGER
    assert await bot.scalar("select phone from contacts") == "+79161234567"
    assert await bot.scalar("select email from contacts") == "anna@example.com"
    assert await bot.scalar("select channel || ':' || state from inquiries") == "site:finished"
    assert await bot.scalar("select text from messages where deal_id = 1") == "Нужен сайт для кофейни"
    answers = await bot.scalar("select answers from deals where id = 1")
    assert json.loads(answers) == {
        "budget": "large", "timing": "now", "need": "Нужен сайт для кофейни", "phone": "+79161234567",
    }  # fmt: skip
    manager = api.user(MANAGER)
    card = await manager.expect("Новая заявка")
    for shown in ("Сделка №1", "Анна Смирнова", "+7 916 123-45-67", "instagram", "больше 500 тыс. ₽"):
        assert shown in card["text"], shown
    await manager.press("✅ Взять в работу")  # within the take deadline: the clock has not moved
    assert "Сделка №1 ваша" in (await manager.answer_of_callback())["text"]
    assert await bot.scalar("select taken_at is not null from deals where id = 1")


async def test_the_same_form_posted_twice_makes_one_lead_and_the_second_answer_names_it(site: Site) -> None:
    first = await site.lead(ANNA)
    again = await site.lead({**ANNA, "message": "ещё раз"})
    assert (first.status, first.body) == (201, {"deal": 1, "status": "created"})
    assert (again.status, again.body) == (200, {"deal": 1, "status": "duplicate"})
    assert await site.bot.scalar("select count(*) from deals") == 1
    assert await site.bot.scalar("select count(*) from messages") == 1
    assert await site.bot.scalar("select count(*) from inquiries") == 1


async def test_two_posts_of_one_form_at_the_same_instant_make_one_lead(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (await site.lead(ANNA)).status == 201
    # The second post looks for the form's id just before the first one commits, so it does not see
    # it: the database's unique constraint refuses its inquiry, and its second try finds the first's.
    original = SqlInquiryRepository.by_external_id
    looks: list[str] = []

    async def looked_too_early(self: SqlInquiryRepository, *args: Any) -> Any:
        looks.append("look")
        return None if len(looks) == 1 else await original(self, *args)

    monkeypatch.setattr(SqlInquiryRepository, "by_external_id", looked_too_early)
    again = await site.lead({**ANNA, "phone": "+7 916 000-00-01", "email": None})
    assert (again.status, again.body) == (200, {"deal": 1, "status": "duplicate"})
    assert len(looks) == 2
    assert await site.bot.scalar("select count(*) from deals") == 1
    assert await site.bot.scalar("select count(*) from contacts") == 1


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"phone": "12"}, "phone", "not a phone number"),
        ({"email": "anna@"}, "email", "not an email address"),
        ({"source": "летняя акция!"}, "source", "Latin letters"),
        ({"answers": {"budget": "миллион"}}, "answers.budget", "small, medium, large, unknown"),
        ({"answers": {"colour": "red"}}, "answers.colour", "not a question"),
        ({"answers": {"need": "🙂🙂"}}, "answers.need", "no letters or digits"),
        ({"answers": {"need": "сайт " * 300}}, "answers.need", "longer than 1000"),
        ({"name": "Я" * 257}, "name", "at most 256"),
        ({"message": "м" * 4001}, "message", "at most 4000 characters"),
        ({"external_id": "x" * 129}, "external_id", "at most 128"),
        ({"phone": None, "email": ""}, "phone", "a phone or an email"),
        ({"name": ["Анна"]}, "name", "valid string"),
        ({"phone": {"number": "79161234567"}}, "phone", "valid string"),
        ({"email": True}, "email", "valid string"),
        ({"answers": "budget=large"}, "answers", "valid dictionary"),
        ({"answers": {"timing": ["now"]}}, "answers.timing", "valid string"),
    ],
)
async def test_a_bad_field_is_named_and_nothing_is_stored(
    site: Site, change: dict[str, Any], field: str, says: str
) -> None:
    answer = await site.lead({**ANNA, **change})
    assert answer.status == 400, answer.body
    assert answer.body["error"] == "invalid"
    assert answer.body["field"] == field and says in answer.body["detail"], answer.body
    assert await site.bot.scalar(STORED) == 0


async def test_every_bad_field_is_named_at_once(site: Site) -> None:
    answer = await site.lead({**ANNA, "phone": "12", "email": "@", "name": ["x"]})
    assert answer.status == 400
    assert {e["field"] for e in answer.body["errors"]} == {"name", "phone", "email"}


async def test_a_lead_without_the_token_or_with_a_wrong_one_is_refused(site: Site) -> None:
    attempts = [
        await site.post(json=ANNA),
        await site.post(json=ANNA, headers={"Authorization": "Bearer wrong-token-0123456789"}),
        await site.post(json=ANNA, headers={"Authorization": f"Basic {INTAKE_TOKEN}"}),
        await site.post(json=ANNA, headers={"Authorization": f"Bearer {INTAKE_TOKEN}x"}),
        await site.post(json=ANNA, headers={"Authorization": "Bearer Пароль-неверный-совсем"}),
        await site.post(json=ANNA, params={"token": INTAKE_TOKEN[:-1]}),
        await site.post(data={"Name": "Анна", "Phone": "79161234567", "api_key": "wrong"}),
        await site.post(data={"Name": "Анна", "Phone": "79161234567"}),
        await site.post(json={**ANNA, "api_key": INTAKE_TOKEN}),  # a JSON body has no place for it
    ]
    for answer in attempts:
        assert answer.status == 401, answer.body
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert answer.body["error"] == "unauthorized"
    assert await site.bot.scalar(STORED) == 0


async def test_the_token_may_come_as_a_query_parameter_or_a_form_field(site: Site) -> None:
    by_query = await site.post(json=ANNA, params={"token": INTAKE_TOKEN})
    by_field = await site.post(data={"Name": "Олег", "Phone": "+7 903 111-22-33", "api_key": INTAKE_TOKEN})
    assert (by_query.status, by_field.status) == (201, 201)
    assert await site.bot.scalar("select count(*) from deals where channel = 'site'") == 2


async def test_an_oversized_body_is_refused_unread_and_the_process_answers_the_next_post(site: Site) -> None:
    padded = {**ANNA, "message": "м" * 40_000}  # 80 KB in UTF-8, over the 64 KB limit
    assert (await site.lead(padded)).status == 413
    ten_mb = io.BytesIO(b"{" + b" " * (10 * 1024 * 1024) + b"}")
    declared = await site.post(data=ten_mb, headers={**BEARER, "Content-Type": "application/json"})
    assert (declared.status, declared.body["error"]) == (413, "too_large")

    async def streamed() -> AsyncIterator[bytes]:  # chunked: no length to refuse it by
        for _ in range(160):
            yield b" " * 65536

    chunked = await site.post(data=streamed(), headers={**BEARER, "Content-Type": "application/json"})
    assert chunked.status == 413
    form = await site.post(data={"Name": "я" * 40_000, "Phone": "79161234567", "api_key": INTAKE_TOKEN})
    assert form.status == 413
    assert await site.bot.scalar(STORED) == 0
    assert (await site.lead(ANNA)).status == 201


async def test_an_unsupported_content_type_is_refused(site: Site) -> None:
    as_text = await site.post(
        data="name=Анна&phone=79161234567", headers={**BEARER, "Content-Type": "text/plain"}
    )
    as_xml = await site.post(data=b"<lead/>", headers={**BEARER, "Content-Type": "application/xml"})
    assert (as_text.status, as_xml.status) == (415, 415)
    assert "application/json" in as_text.body["detail"]
    assert await site.bot.scalar(STORED) == 0


async def test_another_method_is_answered_405_in_json_too(site: Site) -> None:
    async with site.http.get(site.url, headers=BEARER) as response:
        assert response.status == 405 and response.headers["Allow"] == "POST"
        assert (await response.json())["error"] == "method_not_allowed"


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "\xd0\x90\xd0\xbd\xd0\xbd\xd0\xb0", "phone": ',
        b"",
        b"null",
        b'["name", "phone"]',
        b"[" * 30_000 + b"]" * 30_000,
        b'{"name": "\xff\xfe"}',
        b'{"phone": 1' + b"0" * 5000 + b"}",
    ],
)
async def test_malformed_json_is_a_clear_400(site: Site, body: bytes) -> None:
    answer = await site.post(data=body, headers={**BEARER, "Content-Type": "application/json"})
    assert answer.status == 400, answer.body
    assert answer.body["error"] == "malformed" and answer.body["detail"]
    assert await site.bot.scalar(STORED) == 0


async def test_above_the_rate_a_source_is_refused_for_a_while_and_another_source_is_not(
    api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig, clock: FixedClock
) -> None:
    intake = crm_config.intake.model_copy(update={"web_leads_per_minute": 3})
    config = around_the_clock(crm_config.model_copy(update={"intake": intake}))
    async for site in start_site(api, tmp_path, config, clock):
        answers = [
            await site.lead({"name": f"Гость {n}", "phone": f"+7 916 000-00-0{n}", "source": "promo"})
            for n in range(1, 5)
        ]
        assert [a.status for a in answers] == [201, 201, 201, 429]
        refused = answers[-1]
        assert refused.body["error"] == "too_many_requests"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        other = await site.lead({"name": "Гость 5", "phone": "+7 916 000-00-05", "source": "vk"})
        assert other.status == 201
        assert await site.bot.scalar("select count(*) from deals") == 4
        assert await site.bot.scalar("select count(*) from deals where source = 'promo'") == 3


async def test_a_tilda_form_becomes_a_lead(api: FakeBotApi, site: Site) -> None:
    form = {
        "Name": "Мария", "Phone": "+7 (903) 555-12-34", "Email": "maria@example.ru",
        "Comments": "Перезвоните после обеда", "formname": "Main Page Form", "tranid": "3812345:4412345",
        "formid": "form12345", "COOKIES": "_ym_uid=1; tildauid=2", "api_key": INTAKE_TOKEN,
    }  # fmt: skip
    answer = await site.post(data=form)
    assert (answer.status, answer.body) == (201, {"deal": 1, "status": "created"})
    bot = site.bot
    assert await bot.scalar("select source from deals") == "main_page_form"
    assert await bot.scalar("select external_id from inquiries") == "3812345:4412345"
    assert await bot.scalar("select phone || ' ' || email || ' ' || name from contacts") == (
        "+79035551234 maria@example.ru Мария"
    )
    assert await bot.scalar("select text from messages") == "Перезвоните после обеда"
    again = await site.post(data=form)  # Tilda posts again when it did not get our answer in time
    assert (again.status, again.body) == (200, {"deal": 1, "status": "duplicate"})
    await api.user(MANAGER).expect("Мария")


async def test_tilda_s_test_ping_is_answered_and_stores_nothing(site: Site) -> None:
    answer = await site.post(data={"test": "test"}, params={"token": INTAKE_TOKEN})
    assert (answer.status, answer.body) == (200, {"status": "ok"})
    as_field = await site.post(data={"test": "test", "api_key": INTAKE_TOKEN})
    assert (as_field.status, as_field.body) == (200, {"status": "ok"})
    unauthorized = await site.post(data={"test": "test"})
    assert unauthorized.status == 401
    assert await site.bot.scalar(STORED) == 0


async def test_a_multipart_form_with_lower_case_names_and_answers_becomes_a_lead(site: Site) -> None:
    form = aiohttp.FormData()
    for name, value in (
        ("name", "Пётр"), ("phone", "8 916 765-43-21"), ("textarea", "Интернет-магазин"),
        ("budget", "100–500 ТЫС. ₽"), ("answers[timing]", "within a month"), ("utm_source", "Yandex Direct"),
        ("api_key", INTAKE_TOKEN),
    ):  # fmt: skip
        form.add_field(name, value)
    form.add_field("attachment", b"%PDF-1.4 " * 100, filename="brief.pdf", content_type="application/pdf")
    answer = await site.post(data=form)
    assert answer.status == 201, answer.body
    assert await site.bot.scalar("select source from deals") == "yandex_direct"
    answers = json.loads(await site.bot.scalar("select answers from deals"))
    assert answers == {
        "need": "Интернет-магазин",
        "budget": "medium",
        "timing": "month",
        "phone": "+79167654321",
    }


async def test_a_job_seeker_s_web_form_is_archived_as_non_target(site: Site) -> None:
    answer = await site.lead(
        {"name": "Иван", "email": "ivan@example.com", "message": "Ищу работу, посмотрите моё резюме"}
    )
    assert answer.status == 201
    bot = site.bot
    assert await bot.scalar("select status || ':' || loss_reason from deals") == "lost:non_target"
    assert await bot.scalar("select manager_id from deals") is None
    assert await bot.scalar("select status from contacts") == "archived"
    assert await bot.scalar("select count(*) from outbox") == 0  # nobody is given a job seeker


async def test_a_web_lead_with_the_phone_of_a_telegram_client_joins_their_open_deal(
    api: FakeBotApi, site: Site
) -> None:
    anna = api.user(501, first_name="Анна", language_code="ru")
    await answer_everything_in_russian(anna, phone="79161234567")
    manager = api.user(MANAGER)
    await manager.expect("Новая заявка")
    since = api.mark()
    answer = await site.lead({**ANNA, "external_id": None, "message": "Оставила заявку и на сайте"})
    assert (answer.status, answer.body) == (201, {"deal": 1, "status": "appended"})
    bot = site.bot
    assert await bot.scalar("select count(*) from deals") == 1
    assert await bot.scalar("select count(*) from contacts") == 1
    assert await bot.scalar("select email from contacts") == "anna@example.com"  # what it lacked
    assert await bot.scalar("select count(*) from deal_events where kind = 'request_repeated'") == 1
    assert await bot.scalar("select text from messages where deal_id = 1 and text like 'Оставила%'")
    await bot.eventually("select count(*) from outbox where chat_id = :m and state = 'pending'", 0, m=MANAGER)
    assert any(chat == MANAGER for chat, _ in sent_since(api, since))


async def test_a_form_posted_again_that_joined_an_open_deal_adds_nothing_the_second_time(
    api: FakeBotApi, site: Site
) -> None:
    anna = api.user(501, first_name="Анна", language_code="ru")
    await answer_everything_in_russian(anna, phone="79161234567")
    await api.user(MANAGER).expect("Новая заявка")
    first = await site.lead({**ANNA, "external_id": "tilda-77", "message": "И на сайте оставила"})
    assert (first.status, first.body) == (201, {"deal": 1, "status": "appended"})
    again = await site.lead({**ANNA, "external_id": "tilda-77", "message": "И на сайте оставила"})
    assert (again.status, again.body) == (200, {"deal": 1, "status": "duplicate"})
    bot = site.bot
    assert await bot.scalar("select count(*) from deal_events where kind = 'request_repeated'") == 1
    assert await bot.scalar("select count(*) from messages where text like 'И на сайте%'") == 1
    assert await bot.scalar("select count(*) from inquiries where channel = 'site'") == 1


async def test_markup_unicode_and_sql_in_every_field_are_stored_as_given_and_shown_escaped(
    api: FakeBotApi, site: Site
) -> None:
    name = "<b>Анна</b> 'O''Brien\"; DROP TABLE deals;-- 👩‍💻"
    message = "<script>alert(1)</script> & 1=1; SELECT * FROM contacts -- ‮ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"
    need = "<i>сайт</i>'); DELETE FROM staff; --"
    lead = {
        "name": name, "phone": "+7 916 123-45-67", "email": "анна.o'brien@пример.рф", "message": message,
        "source": "src_sql-test", "answers": {"need": need, "budget": "LARGE"},
        "external_id": "'; DROP TABLE deals; --<b>",
    }  # fmt: skip
    answer = await site.lead(lead)
    assert answer.status == 201, answer.body
    bot = site.bot
    assert await bot.scalar("select name from contacts") == name
    assert await bot.scalar("select email from contacts") == "анна.o'brien@пример.рф"
    assert await bot.scalar("select text from messages") == message
    assert await bot.scalar("select source from deals") == "sql-test"
    assert await bot.scalar("select external_id from inquiries") == "'; DROP TABLE deals; --<b>"
    assert json.loads(await bot.scalar("select answers from deals"))["need"] == need
    card = await api.user(MANAGER).expect("Новая заявка")
    assert name in card["text"] and need in card["text"]  # the person sees the markup as text
    assert await bot.scalar("select count(*) from staff") >= 1


async def test_control_characters_and_broken_surrogates_are_dropped_not_refused(site: Site) -> None:
    body = b'{"name": "\\u0000\\u0410\\u043d\\u043d\\u0430\\u0007\\ud800", "phone": "79161234567"}'
    answer = await site.post(data=body, headers={**BEARER, "Content-Type": "application/json"})
    assert answer.status == 201, answer.body
    assert await site.bot.scalar("select name from contacts") == "Анна?"


async def test_a_database_outage_is_a_503_and_the_lead_goes_in_once_it_is_back(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = submit_web_lead
    refusals = [OperationalError("INSERT INTO deals", {}, OSError("the database is restarting"))]

    async def refused_once(*args: Any, **kwargs: Any) -> Any:
        if refusals:
            raise refusals.pop()
        return await original(*args, **kwargs)

    monkeypatch.setattr(intake_api, "submit_web_lead", refused_once)
    answer = await site.lead(ANNA)
    assert (answer.status, answer.body["error"]) == (503, "unavailable")
    assert int(answer.headers["Retry-After"]) > 0
    assert await site.bot.scalar(STORED) == 0
    for _ in range(100):  # the site posts again until the outage is over
        answer = await site.lead(ANNA)
        if answer.status != 503:
            break
        await asyncio.sleep(0.1)
    assert (answer.status, answer.body) == (201, {"deal": 1, "status": "created"})


async def test_an_unexpected_failure_is_a_500_without_details_and_is_logged(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    original = submit_web_lead

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(intake_api, "submit_web_lead", broken)
    with caplog.at_level(logging.ERROR):
        answer = await site.lead(ANNA)
    assert answer.status == 500
    assert answer.body == {"error": "internal", "detail": "the lead was not stored; try again later"}
    assert "secret internals" in caplog.text
    monkeypatch.setattr(intake_api, "submit_web_lead", original)
    assert (await site.lead(ANNA)).status == 201


async def test_a_lead_and_its_repeat_on_every_database(
    api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig, clock: FixedClock, database_url: str
) -> None:
    async for site in start_site(
        api, tmp_path, around_the_clock(crm_config), clock, database_url=database_url
    ):
        first = await site.lead(ANNA)
        again = await site.lead(ANNA)
        assert (first.status, again.status, again.body["deal"]) == (201, 200, first.body["deal"])
        assert await site.bot.scalar("select count(*) from deals where channel = 'site'") == 1
        bad = await site.lead({**ANNA, "external_id": "form-2", "phone": "12"})
        assert bad.status == 400
        assert await site.bot.scalar("select count(*) from contacts") == 1


async def test_in_webhook_mode_the_webhook_s_server_takes_the_leads_too(
    api: FakeBotApi, tmp_path: Path, crm_config: CrmConfig
) -> None:
    port = free_port()
    settings = make_settings(
        api, tmp_path / "voronka.db", webhook_url="https://bot.example.com/hook",
        webhook_secret="s3cret-token", web_host="127.0.0.1", web_port=port, intake_token=INTAKE_TOKEN,
    )  # fmt: skip
    app = build_app(settings, around_the_clock(crm_config))
    serving = asyncio.create_task(app.run(handle_signals=False))
    await api.wait_for(lambda call: call.method == "setWebhook", timeout=15)
    try:
        async with aiohttp.ClientSession() as http:
            base = f"http://127.0.0.1:{port}"
            async with http.post(f"{base}/api/leads", json=ANNA, headers=BEARER) as response:
                assert (response.status, await response.json()) == (201, {"deal": 1, "status": "created"})
            async with http.post(f"{base}/hook", json={"update_id": 1}) as response:
                assert response.status == 401  # the webhook is still Telegram's alone
        await api.user(MANAGER).expect("Новая заявка")
    finally:
        app.stop()
        await asyncio.wait_for(serving, timeout=20)
