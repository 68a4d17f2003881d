"""Many notices of one kind waiting for one person, as one message (the notifier claims them together).

At a campaign peak a supervisor may have 170 new leads queued: one card a second (Telegram's pace for a
chat) would tell them about the last one three minutes late. The first goes out as a card; whatever
piled up behind it goes as "12 new leads are waiting: №101–№112" with a button to the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from domain.alert_relevance import alert_still_due, still_untaken
from domain.crm_config import CrmConfig
from domain.models import Deal
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork
from handlers.common.callbacks import OPEN_LIST, DealList
from handlers.common.formatting import IDS_SHOWN
from handlers.common.i18n import Texts
from handlers.notices.deadlines import DEADLINE_NOTICES
from handlers.notices.render import UnknownNotice, render_notice

# Kinds that merge, each with the list its button opens.
MERGEABLE: dict[NoticeKind, str] = {
    NoticeKind.NEW_LEAD: "mine",
    NoticeKind.UNSORTED_LEAD: "unsorted",
    NoticeKind.TAKE_REMINDER: "mine",
    NoticeKind.TAKE_OVERDUE: "mine",
    NoticeKind.STAGE_OVERDUE: "mine",
    NoticeKind.CONTACT_OVERDUE: "mine",
    NoticeKind.CONTACT_ESCALATED: "mine",
}


async def render_notices(
    kind: NoticeKind | str, datas: Sequence[dict[str, Any]], *, chat_id: int, uow: UnitOfWork,
    config: CrmConfig, t: Texts, now: datetime,
) -> list[TelegramMethod[Any]]:  # fmt: skip
    """The calls that deliver these notices of one kind to one chat: one notice as itself, several as
    one merged message about those still worth telling (an empty list when none is). A stored kind this
    version does not know is an `UnknownNotice`."""
    if not isinstance(kind, NoticeKind):
        raise UnknownNotice(kind)
    if len(datas) == 1:
        return await render_notice(kind, datas[0], chat_id=chat_id, uow=uow, config=config, t=t, now=now)
    live = [data for data in datas if await _still_news(uow, kind, data, chat_id=chat_id)]
    await uow.rollback()
    if len(live) <= 1:
        return [
            method
            for data in live
            for method in await render_notice(
                kind, data, chat_id=chat_id, uow=uow, config=config, t=t, now=now
            )
        ]
    ids = sorted({int(data["deal_id"]) for data in live})
    lines = [t("merged-late")] if any(data.get("late") for data in live) else []
    lines.append(t(f"merged-{kind.replace('_', '-')}", count=len(ids), ids=deal_ranges(ids, t)))
    target = MERGEABLE[kind]
    button = InlineKeyboardButton(
        text=t(f"btn-merged-{target}"), callback_data=DealList(kind=target, cursor=OPEN_LIST).pack()
    )
    markup = InlineKeyboardMarkup(inline_keyboard=[[button]])
    return [SendMessage(chat_id=chat_id, text="\n".join(lines), reply_markup=markup)]


async def _still_news(uow: UnitOfWork, kind: NoticeKind, data: dict[str, Any], *, chat_id: int) -> bool:
    deal = await uow.deals.get(int(data["deal_id"]))
    if deal is None or not deal.is_open:
        return False
    if kind in DEADLINE_NOTICES:
        return alert_still_due(kind, deal, data, datetime.fromisoformat(str(data["due"])))
    return _lead_still_waits(kind, deal, chat_id=chat_id)


def _lead_still_waits(kind: NoticeKind, deal: Deal, *, chat_id: int) -> bool:
    if kind == NoticeKind.UNSORTED_LEAD:
        return deal.manager_id is None
    return deal.manager_id == chat_id and still_untaken(deal)  # new_lead: still theirs to take


def deal_ranges(deal_ids: Sequence[int], t: Texts) -> str:
    """ "№101–№112, №115": runs of consecutive numbers as ranges, at most IDS_SHOWN pieces, then "and
    N more" (counting the deals left out)."""
    runs: list[list[int]] = []
    for deal_id in sorted(set(deal_ids)):
        if runs and deal_id == runs[-1][-1] + 1:
            runs[-1].append(deal_id)
        else:
            runs.append([deal_id])
    pieces = [
        t("deal-number", id=run[0]) if len(run) == 1 else t("deal-number-range", first=run[0], last=run[-1])
        for run in runs[:IDS_SHOWN]
    ]
    rest = sum(len(run) for run in runs[IDS_SHOWN:])
    return ", ".join(pieces) + (" " + t("list-ids-more", count=rest) if rest > 0 else "")
