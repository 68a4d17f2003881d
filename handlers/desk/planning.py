"""Buttons that plan or ask for words: the next contact (a quick time, or a typed one confirmed), a
note of a kind, a reply to the client, the reason for a hand-over, a typed rewarm date."""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from domain.deal_notes import plan_next_contact
from domain.deal_rules import note_kind
from domain.handover import hand_over
from domain.next_contact_time import check_when, quick_time
from domain.staff_accounts import team_member
from handlers.common.callbacks import DealAction, moment_of
from handlers.common.formatting import esc, moment
from handlers.common.states import DealInput
from handlers.desk.desk import GONE_FOR_GOOD, Desk, with_desk
from handlers.desk.prompts import ask
from handlers.desk.rewarming import rewarm
from handlers.desk.views.keyboards import note_prompt_keyboard


async def on_next_contact_quick(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    try:
        at = quick_time(
            callback_data.arg, now=desk.now, timezone=desk.config.timezone, calendar=desk.config.calendar()
        )
    except ValueError:
        await desk.refuse(callback, "button-outdated", deal_id=callback_data.deal_id, action="ncq")
        return
    await desk.plan_contact(callback, at, version=callback_data.v, action="ncq")


async def on_confirmed_time(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """ "Yes" under a time understood from typed text, for the next contact or the rewarm deal. It counts
    once, while that input is still pending: a second press, or one after Cancel, changes nothing."""
    deal_id, arg = callback_data.deal_id, callback_data.arg
    card = await desk.pending_card(deal_id)
    typing_date = await desk.state.get_state() == DealInput.next_contact.state
    pending = typing_date and await desk.pending_input(deal_id)
    at = moment_of(arg)
    if not pending or at is None:
        await desk.refuse(callback, "input-not-pending", deal_id=deal_id, action=callback_data.action)
        await desk.drop_buttons(callback)
        return
    if problem := check_when(at, now=desk.now):  # time moved on, or a forged or moved-too-far "yes"
        when = moment(at, desk.config, desk.t.locale, now=desk.now)
        await callback.answer(desk.t(f"input-date-{problem.replace('_', '-')}", at=when), show_alert=True)
        return
    await desk.end_input()
    await desk.drop_buttons(callback)
    if callback_data.action == "rwok":
        await rewarm(callback, deal_id, at, desk=desk, card=card)
        return
    result = await plan_next_contact(
        desk.uow, deal_id=deal_id, staff=desk.staff, version=None, at=at, now=desk.now
    )
    if result.error is not None:
        await desk.refuse(callback, result.error, deal_id=deal_id, action="ncok")
    else:
        done = desk.t("done-next-contact", at=moment(at, desk.config, desk.t.locale, now=desk.now))
        await callback.answer(done)
        if isinstance(callback.message, Message):  # the question becomes its answer
            with contextlib.suppress(TelegramBadRequest):
                await callback.message.edit_text(done)
    if card is not None and result.error not in GONE_FOR_GOOD:
        await desk.redraw(card, deal_id)


async def on_ask_text(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """Buttons whose action needs words: a note of a kind, a typed date, a reply, a hand-over reason."""
    action, deal_id, t = callback_data.action, callback_data.deal_id, desk.t
    card = await desk.checked(callback, callback_data, versioned=action in ("ncpick", "handto"))
    if card is None:
        return
    if action == "notekind":
        await _note_kind(callback, callback_data, desk)
    elif action in ("ncpick", "rwpick"):
        await callback.answer()
        rewarm_date = action == "rwpick"
        await ask(
            callback,
            desk.state,
            DealInput.next_contact,
            deal_id=deal_id,
            t=t,
            prompt=t("ask-rewarm-date" if rewarm_date else "ask-next-contact"),
            rewarm=rewarm_date,
        )
    elif action == "reply":
        if card.deal.chat_id is None:
            await desk.refuse(callback, "deal-error-no-chat", deal_id=deal_id, action=action)
            return
        await callback.answer()
        prompt = t("ask-reply", name=esc(card.contact.name), company=esc(desk.config.company.name[t.locale]))
        # A Reply under a relayed client message ("m") is not on a card: there is no card to redraw.
        await ask(
            callback,
            desk.state,
            DealInput.reply,
            deal_id=deal_id,
            t=t,
            prompt=prompt,
            keep_card=callback_data.arg != "m",
        )
    else:  # handto
        arg = callback_data.arg
        target = await team_member(desk.uow, int(arg)) if arg.isascii() and arg.isdigit() else None
        if target is None or not target.is_manager:
            await desk.refuse(callback, "deal-error-bad-target", deal_id=deal_id, action=action)
            return
        if card.deal.taken_at is None:  # a lead nobody works yet: assigned at once, no reason asked
            result = await hand_over(desk.uow, desk.config, deal_id=deal_id, staff=desk.staff,
                                     to_id=target.telegram_id, reason="", version=callback_data.v,
                                     now=desk.now)  # fmt: skip
            name = target.name or str(target.telegram_id)
            await desk.answer_result(callback, result, ok=t("done-assigned", name=name), action="assign")
            return
        await callback.answer()
        name = esc(target.name or str(target.telegram_id))
        await ask(
            callback,
            desk.state,
            DealInput.handover_reason,
            deal_id=deal_id,
            t=t,
            prompt=t("ask-handover-reason", name=name),
            to=target.telegram_id,
        )


async def _note_kind(callback: CallbackQuery, callback_data: DealAction, desk: Desk) -> None:
    """A kind pressed under "type your note": remembered for the note being typed, and ticked."""
    kind = note_kind(callback_data.arg)
    data = await desk.state.get_data()
    typing_note = await desk.state.get_state() == DealInput.note.state and data.get("purpose") == "note"
    if kind is None or not typing_note or data.get("deal_id") != callback_data.deal_id:
        await desk.refuse(callback, "button-outdated", deal_id=callback_data.deal_id, action="notekind")
        await desk.drop_buttons(callback)
        return
    await desk.state.update_data(kind=kind.value)
    await callback.answer(desk.t(f"btn-note-{kind.value}"))
    if isinstance(callback.message, Message):
        keyboard = note_prompt_keyboard(callback_data.deal_id, desk.t, chosen=kind.value)
        with contextlib.suppress(TelegramBadRequest):  # the same kind pressed twice
            await callback.message.edit_reply_markup(reply_markup=keyboard)


def build_router() -> Router:
    router = with_desk(Router(name="deal_planning"))
    register = router.callback_query.register
    register(on_next_contact_quick, DealAction.filter(F.action == "ncq"))
    register(on_confirmed_time, DealAction.filter(F.action.in_({"ncok", "rwok"})))
    register(
        on_ask_text, DealAction.filter(F.action.in_({"notekind", "ncpick", "rwpick", "reply", "handto"}))
    )
    return router
