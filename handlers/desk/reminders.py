"""The buttons of a next-contact reminder. "Done" asks what came of the contact; the answer closes it (no
overdue alert follows) and the next contact is offered at once. "In an hour" and "Tomorrow" move it.

Each button names the contact it was sent for; once that contact is done or moved (from the card, from
another reminder), an old reminder's buttons say so and change nothing.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery

from domain.deadlines import same_moment
from domain.deal_notes import plan_next_contact
from domain.deal_rules import DealError
from domain.next_contact_time import quick_time
from handlers.common.callbacks import DealAction, moment_of
from handlers.common.formatting import esc, moment
from handlers.common.states import DealInput
from handlers.desk.desk import Desk, with_desk
from handlers.desk.prompts import ask


async def on_contact_done(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    card = await desk.checked(callback, callback_data, versioned=False)
    if card is None:
        return
    planned = moment_of(callback_data.arg)
    if card.deal.next_contact_at is None or not same_moment(card.deal.next_contact_at, planned):
        # Pressed twice, done from the card meanwhile, or moved: this reminder's contact is no more.
        code = (
            DealError.NO_CONTACT_PLANNED if card.deal.next_contact_at is None else DealError.CONTACT_CHANGED
        )
        await desk.refuse(callback, code, deal_id=callback_data.deal_id, action="cdone")
        await desk.redraw_pressed(callback, callback_data.deal_id)
        return
    assert planned is not None
    await callback.answer()
    prompt = desk.t("ask-contact-result", name=esc(card.contact.name))
    await ask(callback, desk.state, DealInput.note, deal_id=callback_data.deal_id, t=desk.t, prompt=prompt,
              purpose="done", planned=int(planned.timestamp()))  # fmt: skip


async def on_snooze(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """ "In an hour" / "Tomorrow" under a reminder: the same contact, later."""
    code, _, planned_text = callback_data.arg.partition("-")
    planned = moment_of(planned_text)
    try:
        at = quick_time(code, now=desk.now, timezone=desk.config.timezone, calendar=desk.config.calendar())
    except ValueError:
        planned = None
    if planned is None:
        await desk.refuse(callback, "button-outdated", deal_id=callback_data.deal_id, action="rsnz")
        return
    result = await plan_next_contact(
        desk.uow, deal_id=callback_data.deal_id, staff=desk.staff, version=None, at=at, planned=planned,
        now=desk.now,
    )  # fmt: skip
    ok = desk.t("done-next-contact", at=moment(at, desk.config, desk.t.locale, now=desk.now))
    await desk.answer_result(callback, result, ok=ok, action="rsnz")


def build_router() -> Router:
    router = with_desk(Router(name="contact_reminders"))
    router.callback_query.register(on_contact_done, DealAction.filter(F.action == "cdone"))
    router.callback_query.register(on_snooze, DealAction.filter(F.action == "rsnz"))
    return router
