"""The "done" button of a next-contact reminder: it asks what came of the contact; the answer closes the
contact (no overdue alert follows) and the next contact is offered at once."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery

from domain.deal_rules import DealError
from handlers.callbacks import DealAction
from handlers.deal_desk import Desk, with_desk
from handlers.deal_prompts import ask
from handlers.states import DealInput
from handlers.views.formatting import esc


async def on_contact_done(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    card = await desk.checked(callback, callback_data, versioned=False)
    if card is None:
        return
    if card.deal.next_contact_at is None:  # pressed twice, or done from the card meanwhile
        await desk.refuse(callback, DealError.NO_CONTACT_PLANNED, deal_id=card.deal.id or 0, action="cdone")
        await desk.redraw_pressed(callback, callback_data.deal_id)
        return
    await callback.answer()
    prompt = desk.t("ask-contact-result", name=esc(card.contact.name))
    await ask(callback, desk.state, DealInput.note, deal_id=callback_data.deal_id, t=desk.t, prompt=prompt,
              purpose="done")  # fmt: skip


def build_router() -> Router:
    router = with_desk(Router(name="contact_reminders"))
    router.callback_query.register(on_contact_done, DealAction.filter(F.action == "cdone"))
    return router
