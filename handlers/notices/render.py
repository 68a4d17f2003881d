"""Rendering outbox notices into Bot API calls, in the recipient's language, at send time.

Rendering at send time means a card queued while Telegram was unreachable shows the deal as it is
when it finally arrives, not as it was.

Each family of notices (a module here) names the kinds it renders and one renderer for them; every
kind has exactly one family (tests/unit/test_notice_kinds.py holds it to that).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from aiogram.methods import TelegramMethod

from domain.crm_config import CrmConfig
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork
from handlers.common.i18n import Texts
from handlers.notices.deadlines import DEADLINE_NOTICES, render_deadline_notice
from handlers.notices.deals import DEAL_NOTICES, render_deal_notice
from handlers.notices.digest import DIGEST_NOTICES, render_digest_notice
from handlers.notices.intake import INTAKE_NOTICES, render_intake_notice
from handlers.notices.team import TEAM_NOTICES, render_team_notice

# Notices whose delivered message stands for its deal: a staff member replying to it writes to the client.
LINKED = frozenset({NoticeKind.PROSPECT_MESSAGE})


class UnknownNotice(LookupError):
    """A notice of a kind nothing renders: a stored kind this version does not know."""


class NoticeRenderer(Protocol):
    async def __call__(
        self, kind: NoticeKind, data: dict[str, Any], *, chat_id: int, uow: UnitOfWork, config: CrmConfig,
        t: Texts, now: datetime,
    ) -> list[TelegramMethod[Any]]: ...  # fmt: skip


FAMILIES: tuple[tuple[frozenset[NoticeKind], NoticeRenderer], ...] = (
    (INTAKE_NOTICES, render_intake_notice),
    (DEAL_NOTICES, render_deal_notice),
    (DEADLINE_NOTICES, render_deadline_notice),
    (DIGEST_NOTICES, render_digest_notice),
    (TEAM_NOTICES, render_team_notice),
)
RENDERERS: dict[NoticeKind, NoticeRenderer] = {kind: render for kinds, render in FAMILIES for kind in kinds}


async def render_notice(
    kind: NoticeKind,
    data: dict[str, Any],
    *,
    chat_id: int,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    now: datetime,
) -> list[TelegramMethod[Any]]:
    """The calls that deliver one notice; an empty list when there is nothing left to say.

    Relayed client messages carry a "Reply" button, and the notifier links them to their deal so that
    replying to them also reaches the client (see `LINKED`).
    """
    render = RENDERERS.get(kind)
    if render is None:
        raise UnknownNotice(kind)
    return await render(kind, data, chat_id=chat_id, uow=uow, config=config, t=t, now=now)
