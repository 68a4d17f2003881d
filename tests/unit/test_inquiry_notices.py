"""What people read about a questionnaire left and finished later, in Russian and in English: the
manager's "finished now" and "begun again, left again" above the card, the person's confirmation of a
completed lead, and their answer to a cancel once their answers are with a manager."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from domain.crm_config import CrmConfig
from domain.notice_kinds import NoticeKind
from handlers.common.i18n import SUPPORTED
from handlers.notices.merged import render_notices
from storage.engine import create_engine, session_factory
from storage.migrator import upgrade_async
from storage.unit_of_work import SqlUnitOfWork
from tests.integration.stored_deals import deal, store
from tests.unit.test_notice_kinds import NOW, RecordingTranslator, Stored

MANAGER_CHAT = 101


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Stored:
    """One open deal nobody has taken yet; rendering only reads."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('inquiry_notices') / 'notices.db'}"
    lead = deal("new", chat_id=501)

    async def fill() -> int:
        await upgrade_async(url)
        engine = create_engine(url)
        try:
            [deal_id] = await store(lambda: SqlUnitOfWork(session_factory(engine)), [lead])
        finally:
            await engine.dispose()
        return deal_id

    return Stored(url, asyncio.run(fill()), lead.contact_id)


HEADERS = {
    "ru": ("Клиент дозаполнил анкету", "Клиент снова начал заявку, но не закончил", "принята"),
    "en": ("The client finished the questionnaire", "began a request again but did not finish", "is in"),
}


async def rendered(
    stored: Stored, config: CrmConfig, kind: NoticeKind, data: dict[str, Any], locale: str
) -> str:
    translator = RecordingTranslator()
    engine = create_engine(stored.url)
    try:
        async with SqlUnitOfWork(session_factory(engine)) as uow:
            methods = await render_notices(
                kind, [data], chat_id=MANAGER_CHAT, uow=uow, config=config, t=translator.bind(locale), now=NOW
            )
    finally:
        await engine.dispose()
    assert translator.untranslated == []
    return "\n".join(str(getattr(m, "text", "")) for m in methods)


@pytest.mark.parametrize("locale", SUPPORTED)
async def test_the_notices_of_a_questionnaire_left_and_finished_read_in_both_languages(
    stored: Stored,
    crm_config: CrmConfig,
    locale: str,
) -> None:
    finished, repeated, received = HEADERS[locale]
    answers = {"need": "Сайт"}
    text = await rendered(
        stored,
        crm_config,
        NoticeKind.QUESTIONNAIRE_FINISHED,
        {"deal_id": stored.deal_id, "answers": answers},
        locale,
    )
    assert finished in text and f"{stored.deal_id}" in text
    data = {"deal_id": stored.deal_id, "answers": answers, "unfinished": True}
    text = await rendered(stored, crm_config, NoticeKind.REQUEST_REPEATED, data, locale)
    assert repeated in text and "Сайт" in text
    confirmation = {
        "deal_id": stored.deal_id, "outcome": "completed", "answers": answers, "at": NOW.isoformat(),
        "reply_due": (NOW + timedelta(minutes=15)).isoformat(),
    }  # fmt: skip
    text = await rendered(stored, crm_config, NoticeKind.REQUEST_RECEIVED, confirmation, locale)
    assert received in text and f"{stored.deal_id}" in text


@pytest.mark.parametrize("locale", SUPPORTED)
def test_a_cancel_after_the_answers_went_to_a_manager_says_so(locale: str) -> None:
    translator = RecordingTranslator()
    said = translator.bind(locale)("intake-cancelled-lead-kept")
    assert translator.untranslated == [] and said
