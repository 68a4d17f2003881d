"""The card's own buttons: open a card, go back to it, open one of its small menus, read the history,
cancel a half-typed input.

Moving the deal lives in `moves.py`; planning in `planning.py`, typed inputs in `input.py`; merging a
possible duplicate's contact in `merge.py` (its router is included here). Every press
is checked again (callback data can be forged), answered at once, and ends with the card as it is now.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from domain.deal_rules import DealError, may_plan_contact, past_first_stage
from domain.handover import handover_candidates
from domain.history_pages import history_window
from domain.models import DealStatus
from handlers.common.callbacks import DealAction
from handlers.common.states import DealInput
from handlers.desk import merge
from handlers.desk.desk import Desk, with_desk
from handlers.desk.prompts import ask
from handlers.desk.views import keyboards as kb
from handlers.desk.views.history import history_cursor_of, history_page

logger = logging.getLogger(__name__)

# Menus that need the deal open and in work, and the keyboard each one shows.
WORK_MENUS = {
    "stages": lambda card, desk: kb.stages_keyboard(card.deal, desk.config, desk.t),
    "lost": lambda card, desk: kb.loss_reasons_keyboard(card.deal, desk.config, desk.t),
    "nc": lambda card, desk: kb.next_contact_keyboard(card.deal, desk.t),
}


async def on_card_open(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """A deal from a list (or the history) opens as a new card message."""
    if await desk.checked(callback, callback_data, versioned=False, view_only=True) is None:
        return
    await callback.answer()
    await desk.send_card(callback_data.deal_id)


async def on_card_back(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """ "Back" from a menu: the card's own buttons again."""
    if await desk.checked(callback, callback_data, versioned=False, view_only=True) is None:
        return
    await callback.answer()
    await desk.redraw_pressed(callback, callback_data.deal_id)


async def on_menu(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """A button that opens a small menu in place of the card's buttons (or, for Won without an
    amount, asks for one)."""
    action, deal_id = callback_data.action, callback_data.deal_id
    card = await desk.checked(callback, callback_data, versioned=action != "rewarm")
    if card is None:
        return
    deal = card.deal
    if action == "rewarm":
        if not card.rewarm_allowed:
            code = DealError.NOT_LOST if deal.status is not DealStatus.LOST else DealError.ALREADY_REWARMED
            await desk.refuse(callback, code, deal_id=deal_id, action=action)
            return
        await desk.show_menu(callback, kb.rewarm_keyboard(deal, desk.t), hint="hint-rewarm")
        return
    if action == "nc" and not deal.is_open and may_plan_contact(deal):  # come back to the client later
        await desk.show_menu(callback, kb.next_contact_keyboard(deal, desk.t), hint="hint-nc-closed")
        return
    if not deal.is_open:
        await desk.refuse(callback, DealError.CLOSED, deal_id=deal_id, action=action)
        return
    if action == "hand":
        candidates = await handover_candidates(desk.uow, deal)
        if not candidates:
            await desk.refuse(callback, "deal-no-managers-to-hand", deal_id=deal_id, action=action)
            return
        await desk.show_menu(callback, kb.managers_keyboard(deal, candidates, desk.t), hint="hint-hand")
        return
    if deal.taken_at is None:
        await desk.refuse(callback, DealError.NOT_TAKEN, deal_id=deal_id, action=action)
        return
    if action in WORK_MENUS:
        await desk.show_menu(callback, WORK_MENUS[action](card, desk), hint=f"hint-{action}")
    elif action == "note":  # the words at once; what kind of note it is, a tap under the question
        await callback.answer()
        keyboard = kb.note_prompt_keyboard(deal_id, desk.t, chosen="other")
        await ask(callback, desk.state, DealInput.note, deal_id=deal_id, t=desk.t, prompt=desk.t("ask-note"),
                  keyboard=keyboard, purpose="note", kind="other")  # fmt: skip
    elif not past_first_stage(desk.config.pipeline(deal.pipeline), deal):  # won
        await desk.refuse(callback, DealError.WON_FROM_FIRST, deal_id=deal_id, action=action)
    elif deal.amount is not None:
        await desk.show_menu(callback, kb.won_keyboard(deal, desk.config, desk.t), hint="hint-won")
    else:
        await callback.answer()
        await ask(
            callback,
            desk.state,
            DealInput.amount,
            deal_id=deal_id,
            t=desk.t,
            prompt=desk.t("ask-won-amount"),
            purpose="won",
        )


async def on_history(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """The whole history, a page at a time: from a card it comes as a new message (the last page);
    paging edits that message, reading only the page asked for."""
    card = await desk.checked(callback, callback_data, versioned=False, view_only=True)
    if card is None:
        return
    arg = callback_data.arg
    cursor = history_cursor_of(arg)
    if arg and cursor is None:
        logger.warning("user %s sent a history button with a broken place %r", callback.from_user.id, arg)
        await callback.answer(desk.t("button-outdated"), show_alert=True)
        return
    window = await history_window(desk.uow, callback_data.deal_id, cursor=cursor)
    text, markup = history_page(
        window, desk.config, desk.t, deal_id=callback_data.deal_id, pipeline=card.deal.pipeline
    )
    await callback.answer()
    if cursor is not None and isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(text, reply_markup=markup)
        except TelegramBadRequest as error:  # the same page pressed twice
            if "not modified" not in str(error):
                raise
        return
    await desk.bot.send_message(callback.from_user.id, text, reply_markup=markup)


async def on_cancel(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """Cancel typing: nothing changes, the card gets its buttons back."""
    await desk.drop_buttons(callback)
    if not await desk.pending_input(callback_data.deal_id):  # an old question: what is typed now stays
        await desk.refuse(callback, "input-not-pending", deal_id=callback_data.deal_id, action="cancel")
        return
    card = await desk.pending_card(callback_data.deal_id)
    await desk.end_input()
    await callback.answer(desk.t("input-cancelled"))
    if card is not None:
        await desk.redraw(card, callback_data.deal_id)


def build_router() -> Router:
    # No staff filter: a prospect pressing a forged staff button must hear "not for you", and each
    # handler checks the person against the deal anyway.
    router = with_desk(Router(name="deal_card"))
    register = router.callback_query.register
    register(on_card_open, DealAction.filter(F.action == "open"))
    register(on_card_back, DealAction.filter(F.action == "card"))
    register(
        on_menu, DealAction.filter(F.action.in_({"stages", "lost", "nc", "note", "won", "hand", "rewarm"}))
    )
    register(on_history, DealAction.filter(F.action == "hist"))
    register(on_cancel, DealAction.filter(F.action == "cancel"))
    router.include_router(merge.build_router())  # merging a possible duplicate's contact, from its card
    return router
