"""Sending a lost client to rewarming, from a quick button (in a month, in three) or a typed date: the
rewarm deal is opened, the lost deal's card redrawn and the new deal's card sent."""

from __future__ import annotations

from datetime import datetime

from aiogram.types import CallbackQuery

from domain.deal_rules import DealError
from domain.deal_stages import rewarm_client
from handlers.common.formatting import moment
from handlers.desk.desk import CardRef, Desk


async def rewarm(
    callback: CallbackQuery, deal_id: int, at: datetime, *, desk: Desk, card: CardRef | None
) -> None:
    """Open the rewarm deal; redraw the lost deal's `card` and send the new deal's card."""
    result = await rewarm_client(
        desk.uow, desk.config, deal_id=deal_id, staff=desk.staff, next_contact_at=at, now=desk.now
    )
    if result.error is not None:
        await desk.refuse(callback, result.error, deal_id=deal_id, action="rewarm")
    else:
        new_id = int(result.extra["new_deal_id"])
        await callback.answer(
            desk.t("done-rewarmed", id=new_id, at=moment(at, desk.config, desk.t.locale, now=desk.now))
        )
    if card is not None and result.error not in (DealError.NOT_ALLOWED, DealError.NOT_FOUND):
        await desk.redraw(card, deal_id)
    if result.error is None:
        await desk.send_card(new_id, header=desk.t("notice-rewarm-deal", id=new_id, old=deal_id))
