"""Every kind of notice the outbox carries has exactly one renderer, and renders in Russian and in English
with every text it asks for: a kind added without either fails here, not when the notifier sends it."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from domain.crm_config import CrmConfig
from domain.notice_kinds import NoticeKind, stored_kind
from domain.relay_batches import relay_data
from handlers.common.i18n import SUPPORTED, Translator
from handlers.notices.merged import render_notices
from handlers.notices.render import FAMILIES, UnknownNotice
from storage.engine import create_engine, session_factory
from storage.migrator import upgrade_async
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import FIXED_NOW
from tests.integration.stored_deals import MANAGER, OTHER_MANAGER, SUPERVISOR, deal, store

NOW = FIXED_NOW
DUE = NOW - timedelta(minutes=30)  # the deal's next contact, missed
ENTERED = NOW - timedelta(days=2)  # when the deal entered its stage
CLIENT_CHAT = 501


@dataclass(frozen=True)
class Stored:
    url: str
    deal_id: int
    contact_id: int


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Stored:
    """One open deal nobody has taken yet, its next contact missed and long in its stage (so no alert
    about it is moot), with the team of tests/integration/stored_deals.py. Rendering only reads."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('notices') / 'notices.db'}"
    lead = deal("new", next_contact_at=DUE, stage_entered_at=ENTERED, chat_id=CLIENT_CHAT)

    async def fill() -> int:
        await upgrade_async(url)
        engine = create_engine(url)
        try:
            [deal_id] = await store(lambda: SqlUnitOfWork(session_factory(engine)), [lead])
        finally:
            await engine.dispose()
        return deal_id

    deal_id = asyncio.run(fill())
    return Stored(url, deal_id, lead.contact_id)


def sample(kind: NoticeKind, stored: Stored) -> dict[str, Any]:
    """The data its producer queues for a notice of `kind`, about the stored deal. A new kind needs one."""
    deal_id = stored.deal_id
    alert = {"deal_id": deal_id, "due": DUE.isoformat(), "late": False, "manager": MANAGER}
    handover = {"deal_id": deal_id, "from": MANAGER, "by": SUPERVISOR, "to": OTHER_MANAGER, "reason": "ушёл"}
    samples: dict[NoticeKind, dict[str, Any]] = {
        NoticeKind.REQUEST_RECEIVED: {
            "deal_id": deal_id, "outcome": "assigned", "answers": {"need": "Сайт"}, "at": NOW.isoformat(),
            "reply_due": (NOW + timedelta(minutes=15)).isoformat(),
        },
        NoticeKind.NEW_LEAD: {"deal_id": deal_id},
        NoticeKind.UNSORTED_LEAD: {"deal_id": deal_id},
        NoticeKind.REQUEST_REPEATED: {"deal_id": deal_id, "answers": {"need": "Сайт"}},
        NoticeKind.QUESTIONNAIRE_FINISHED: {"deal_id": deal_id, "answers": {"need": "Сайт"}},
        NoticeKind.LEAD_TAKEN_OVER: {"deal_id": deal_id},
        NoticeKind.DEAL_HANDED_OVER: handover,
        NoticeKind.DEAL_TAKEN_AWAY: handover,
        NoticeKind.PROSPECT_MESSAGE: relay_data(
            deal_id=deal_id, chat_id=CLIENT_CHAT, message_id=10, kind="text", text="Здравствуйте"
        ),
        NoticeKind.MANAGER_REPLY: {
            "deal_id": deal_id, "kind": "text", "text": "Добрый день", "from_chat_id": MANAGER,
            "message_id": 11,
        },
        NoticeKind.CONTACT_REMINDER: {"deal_id": deal_id, "due": DUE.isoformat(), "late": False},
        NoticeKind.CONTACT_OVERDUE: {"deal_id": deal_id, "due": DUE.isoformat(), "late": False},
        NoticeKind.CONTACT_ESCALATED: alert,
        NoticeKind.TAKE_OVERDUE: alert,
        NoticeKind.TAKE_REMINDER: alert,
        NoticeKind.STAGE_OVERDUE: {**alert, "stage": "new", "entered": ENTERED.isoformat()},
        NoticeKind.DIGEST: {
            "since": (NOW - timedelta(days=1)).isoformat(), "until": NOW.isoformat(),
            "new": {"count": 1, "cases": [[deal_id, 3600]]}, "won_amount": 0, "lost_reasons": [],
        },
        NoticeKind.PERSON_BLOCKED: {
            "chat_id": CLIENT_CHAT, "staff": False, "contact_id": stored.contact_id, "deal_id": deal_id,
        },
        NoticeKind.UPDATE_SET_ASIDE: {"update_id": 7, "kind": "message", "chat_id": MANAGER},
        NoticeKind.INVITE_USED: {"staff_id": OTHER_MANAGER, "role": "manager"},
        NoticeKind.STAFF_REMOVED: {"staff_id": OTHER_MANAGER, "deal_ids": [deal_id]},
        NoticeKind.YOU_WERE_REMOVED: {"staff_id": OTHER_MANAGER},
    }  # fmt: skip
    return samples[kind]


class RecordingTranslator(Translator):
    """A translator that remembers every key it could only answer with the key itself."""

    def __init__(self) -> None:
        super().__init__()
        self.untranslated: list[str] = []

    def get(self, locale: str, key: str, **args: Any) -> str:
        text = super().get(locale, key, **args)
        if text == key:
            self.untranslated.append(key)
        return text


def test_every_kind_has_exactly_one_renderer() -> None:
    rendered = Counter(kind for kinds, _ in FAMILIES for kind in kinds)
    assert sorted(set(NoticeKind) - set(rendered)) == []  # a kind nothing renders
    assert [kind for kind, families in rendered.items() if families > 1] == []  # one claimed twice


@pytest.mark.parametrize("kind", list(NoticeKind))
async def test_every_kind_renders_in_both_languages_with_all_its_texts(
    kind: NoticeKind, stored: Stored, crm_config: CrmConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="handlers.common.i18n")
    translator = RecordingTranslator()
    engine = create_engine(stored.url)
    try:
        for locale in SUPPORTED:
            async with SqlUnitOfWork(session_factory(engine)) as uow:
                methods = await render_notices(
                    kind, [sample(kind, stored)], chat_id=MANAGER, uow=uow, config=crm_config,
                    t=translator.bind(locale), now=NOW,
                )  # fmt: skip
            texts = [getattr(m, "text", None) or getattr(m, "caption", None) for m in methods]
            assert any(texts), f"{kind} in {locale}: nothing to read"
    finally:
        await engine.dispose()
    assert translator.untranslated == []
    assert [r.getMessage() for r in caplog.records if r.name == "handlers.common.i18n"] == []


async def test_a_stored_kind_this_version_does_not_know_is_unknown(
    stored: Stored, crm_config: CrmConfig
) -> None:
    """What the notifier sets aside (a row queued by another version, or corrupt); a known one comes
    back as the enum."""
    assert stored_kind("new_lead") is NoticeKind.NEW_LEAD
    kind = stored_kind("fax_sent")
    assert kind == "fax_sent" and not isinstance(kind, NoticeKind)
    engine = create_engine(stored.url)
    try:
        async with SqlUnitOfWork(session_factory(engine)) as uow:
            with pytest.raises(UnknownNotice):
                await render_notices(
                    kind, [{"deal_id": stored.deal_id}], chat_id=MANAGER, uow=uow, config=crm_config,
                    t=Translator().bind("en"), now=NOW,
                )  # fmt: skip
    finally:
        await engine.dispose()
