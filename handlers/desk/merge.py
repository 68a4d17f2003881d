"""🔗 Merge contacts, from the card of a possible duplicate (README.md, "Possible duplicates and merging
contacts"): the card turns into the question, "yes" merges (once, however often it is pressed) and the
card comes back saying the contacts are one; "no" brings the card back unchanged. Supervisors and admins
only: anyone else pressing a forged button is told so and nothing changes.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from domain.contact_merge import MergeOutcome, may_merge, merge_contacts, merge_plan
from handlers.common.callbacks import DealAction
from handlers.desk.desk import Desk, with_desk
from handlers.desk.views.merge import merge_keyboard, merge_pair_of, merge_question

logger = logging.getLogger(__name__)


def _refusal(outcome: MergeOutcome) -> str:
    return f"merge-error-{outcome.value.replace('_', '-')}"


async def _allowed(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> bool:
    if may_merge(desk.staff):
        return True
    why = _refusal(MergeOutcome.NOT_ALLOWED)
    await desk.refuse(callback, why, deal_id=callback_data.deal_id, action=callback_data.action)
    return False


async def on_merge(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """The card's "🔗 Merge contacts": the question in place of the card, naming which contact stays."""
    if not await _allowed(callback, callback_data, desk):
        return
    card = await desk.checked(callback, callback_data, versioned=False, view_only=True)
    if card is None:
        return
    twin = card.duplicate
    if twin is None or twin.contact is None or twin.contact.id is None or card.contact.id is None:
        await desk.refuse(callback, "button-outdated", deal_id=callback_data.deal_id, action="merge")
        return
    plan = (
        MergeOutcome.ALREADY_MERGED  # an old card's button: the two are one now
        if twin.merged
        else await merge_plan(desk.uow, (card.contact.id, twin.contact.id))
    )
    if isinstance(plan, MergeOutcome):
        await desk.refuse(callback, _refusal(plan), deal_id=callback_data.deal_id, action="merge")
        await desk.redraw_pressed(callback, callback_data.deal_id)
        return
    await callback.answer()
    question, keyboard = merge_question(plan, desk.t), merge_keyboard(callback_data.deal_id, plan, desk.t)
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(question, reply_markup=keyboard)
            return
        except TelegramBadRequest as error:  # too old to edit, or pressed twice: ask anew
            if "not modified" in str(error):
                return
    await desk.bot.send_message(callback.from_user.id, question, reply_markup=keyboard)


async def on_merge_confirmed(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """ "Yes": the two contacts the question named are merged, then the card is shown as it is now."""
    if not await _allowed(callback, callback_data, desk):
        return
    deal_id = callback_data.deal_id
    pair = merge_pair_of(callback_data.arg)
    if pair is None:
        await desk.refuse(callback, "button-outdated", deal_id=deal_id, action="mergeok")
        return
    result = await merge_contacts(desk.uow, contact_ids=pair, staff=desk.staff, now=desk.now)
    if result.ok:
        assert result.kept is not None and result.merged is not None
        logger.info(
            "user %s merged contact %s into %s (deals moved: %s)",
            callback.from_user.id, result.merged.id, result.kept.id, list(result.moved),
        )  # fmt: skip
        await callback.answer(desk.t("done-merged"))
    else:
        await desk.refuse(callback, _refusal(result.outcome), deal_id=deal_id, action="mergeok")
    await desk.redraw_pressed(callback, deal_id)


async def on_merge_cancelled(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """ "No": nothing is merged; the card comes back."""
    if await desk.checked(callback, callback_data, versioned=False, view_only=True) is None:
        return
    await callback.answer(desk.t("merge-cancelled"))
    await desk.redraw_pressed(callback, callback_data.deal_id)


def build_router() -> Router:
    # No staff filter: a prospect or a manager pressing a forged merge button must hear why not.
    router = with_desk(Router(name="contact_merge"))
    register = router.callback_query.register
    register(on_merge, DealAction.filter(F.action == "merge"))
    register(on_merge_confirmed, DealAction.filter(F.action == "mergeok"))
    register(on_merge_cancelled, DealAction.filter(F.action == "mergeno"))
    return router
