"""The buttons of a deal card: open it, move its stage, win or lose it, plan the next contact, notes,
history, hand it over, send a lost client to rewarming.

Every press is checked again here and in the use case (callback data can be forged), answered at once,
and ends with the card redrawn in place as the deal is now.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from dateutil.relativedelta import relativedelta

from domain.crm_config import CrmConfig
from domain.deal_access import ActionResult, may_act
from domain.deal_notes import plan_next_contact
from domain.deal_rules import DealError, note_kind
from domain.deal_stages import lose_deal, move_stage, rewarm_client, win_deal
from domain.models import DealStatus, Staff
from domain.next_contact_time import quick_time
from domain.overview import deal_history
from domain.ports import UnitOfWork
from handlers.callbacks import DealAction
from handlers.card_display import may_view, read_card, redraw, redraw_pressed, send_card
from handlers.deal_prompts import ask
from handlers.i18n import Texts
from handlers.states import DealInput
from handlers.views import deal_keyboards as kb
from handlers.views.deal_history import history_page, moment

logger = logging.getLogger(__name__)

Data = dict[str, Any]


def _refusal(callback: CallbackQuery, action: str, deal_id: int, why: str) -> None:
    logger.warning("refused: user %s pressed %s on deal %s (%s)", callback.from_user.id, action, deal_id, why)


async def answer_result(
    callback: CallbackQuery,
    result: ActionResult,
    *,
    ok: str,
    bot: Bot,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    staff: Staff | None,
    now: datetime,
    action: str,
) -> None:
    """Say how the action went and show the card as it is now (also after a refusal: a stale card is
    replaced by the current one)."""
    deal_id = result.deal.id if result.deal and result.deal.id else int(callback_data_of(callback).deal_id)
    if result.error is None:
        await callback.answer(ok)
    else:
        _refusal(callback, action, deal_id, result.error.value)
        await callback.answer(refusal_text(result.error, staff, t), show_alert=True)
        if result.error in (DealError.NOT_ALLOWED, DealError.NOT_FOUND) or result.deal is None:
            return
    await redraw_pressed(callback, bot, uow=uow, deal_id=deal_id, config=config, t=t, staff=staff, now=now)


def refusal_text(error: DealError, staff: Staff | None, t: Texts) -> str:
    """Why nothing was done, in words; someone outside the team just hears the buttons are not for them."""
    if staff is None or not staff.active:
        return t("take-not-allowed")
    return t(f"deal-error-{error.value.replace('_', '-')}")


def callback_data_of(callback: CallbackQuery) -> DealAction:
    return DealAction.unpack(callback.data or "")


async def _checked(
    callback: CallbackQuery,
    data: DealAction,
    *,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
    versioned: bool = True,
    view_only: bool = False,
) -> Any:
    """The current card if the press may go on; else the press is answered (and a stale card redrawn)
    and None is returned."""
    card = await read_card(uow, data.deal_id)
    if card is None:
        await callback.answer(t("deal-error-not-found"), show_alert=True)
        return None
    allowed = may_view(staff, card.deal, config) if view_only else may_act(staff, card.deal)
    if not allowed:
        _refusal(callback, data.action, data.deal_id, "not allowed")
        await callback.answer(refusal_text(DealError.NOT_ALLOWED, staff, t), show_alert=True)
        return None
    if versioned and data.v != card.deal.version:
        _refusal(callback, data.action, data.deal_id, f"stale card v{data.v}, deal is v{card.deal.version}")
        await callback.answer(t("deal-error-stale"), show_alert=True)
        await redraw_pressed(
            callback, bot, uow=uow, deal_id=data.deal_id, config=config, t=t, staff=staff, now=now
        )
        return None
    return card


async def _show_menu(callback: CallbackQuery, markup: InlineKeyboardMarkup) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_reply_markup(reply_markup=markup)
        except TelegramBadRequest as error:
            if "not modified" not in str(error):
                raise


async def on_card_open(
    callback: CallbackQuery,
    callback_data: DealAction,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
) -> None:
    """A deal from a list (or the history) opens as a new card message."""
    card = await _checked(
        callback,
        callback_data,
        staff=staff,
        uow=uow,
        config=config,
        t=t,
        bot=bot,
        now=now,
        versioned=False,
        view_only=True,
    )
    if card is None:
        return
    await callback.answer()
    await send_card(
        bot,
        chat_id=callback.from_user.id,
        uow=uow,
        deal_id=callback_data.deal_id,
        config=config,
        t=t,
        staff=staff,
        now=now,
    )


async def on_card_back(
    callback: CallbackQuery,
    callback_data: DealAction,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
) -> None:
    card = await _checked(
        callback,
        callback_data,
        staff=staff,
        uow=uow,
        config=config,
        t=t,
        bot=bot,
        now=now,
        versioned=False,
        view_only=True,
    )
    if card is None:
        return
    await callback.answer()
    await redraw_pressed(
        callback, bot, uow=uow, deal_id=callback_data.deal_id, config=config, t=t, staff=staff, now=now
    )


async def on_menu(
    callback: CallbackQuery,
    callback_data: DealAction,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
    state: FSMContext,
) -> None:
    """A button that opens a small menu in place of the card's buttons (or asks for a text)."""
    action = callback_data.action
    card = await _checked(
        callback,
        callback_data,
        staff=staff,
        uow=uow,
        config=config,
        t=t,
        bot=bot,
        now=now,
        versioned=action != "rewarm",
    )
    if card is None:
        return
    deal = card.deal
    if action == "hand":
        if not deal.is_open:
            await callback.answer(t("deal-error-closed"), show_alert=True)
            return
        managers = [m for m in await uow.staff.active() if m.is_manager]
        loads = await uow.deals.open_counts()
        await uow.rollback()
        if len(managers) - (deal.manager_id in {m.telegram_id for m in managers}) < 1:
            await callback.answer(t("deal-no-managers-to-hand"), show_alert=True)
            return
        await _show_menu(callback, kb.managers_keyboard(deal, managers, loads, t))
        return
    if action == "rewarm":
        if not card.rewarm_allowed:
            code = DealError.NOT_LOST if deal.status is not DealStatus.LOST else DealError.ALREADY_REWARMED
            await callback.answer(t(f"deal-error-{code.value.replace('_', '-')}"), show_alert=True)
            return
        await _show_menu(callback, kb.rewarm_keyboard(deal, t))
        return
    if not deal.is_open or deal.taken_at is None:
        code = DealError.CLOSED if not deal.is_open else DealError.NOT_TAKEN
        await callback.answer(t(f"deal-error-{code.value.replace('_', '-')}"), show_alert=True)
        return
    if action == "stages":
        await _show_menu(callback, kb.stages_keyboard(deal, config, t))
    elif action == "lost":
        await _show_menu(callback, kb.loss_reasons_keyboard(deal, config, t))
    elif action == "nc":
        await _show_menu(callback, kb.next_contact_keyboard(deal, t))
    elif action == "note":
        await _show_menu(callback, kb.note_kinds_keyboard(deal, t))
    elif action == "won":
        if deal.stage == config.pipeline(deal.pipeline).first_stage.key:
            await callback.answer(t("deal-error-won-from-first"), show_alert=True)
        elif deal.amount is not None:
            await _show_menu(callback, kb.won_keyboard(deal, config, t))
        else:
            await callback.answer()
            await ask(
                callback,
                state,
                DealInput.amount,
                deal_id=deal.id,
                t=t,
                prompt=t("ask-won-amount"),
                purpose="won",
            )


async def on_stage_move(
    callback: CallbackQuery,
    callback_data: DealAction,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
    state: FSMContext,
) -> None:
    """ "Next stage" or a stage from the list. A stage that needs an amount or a note asks for it first."""
    stage = callback_data.arg
    result = await move_stage(
        uow, config, deal_id=callback_data.deal_id, staff=staff, version=callback_data.v, stage=stage, now=now
    )
    if result.error in (DealError.NEEDS_AMOUNT, DealError.NEEDS_NOTE):
        await callback.answer()
        needs_amount = result.error is DealError.NEEDS_AMOUNT
        prompt = t(
            "ask-stage-amount" if needs_amount else "ask-stage-note",
            stage=_stage_name(config, result, stage, t),
        )
        await ask(
            callback,
            state,
            DealInput.amount if needs_amount else DealInput.note,
            deal_id=callback_data.deal_id,
            t=t,
            prompt=prompt,
            purpose="stage",
            stage=stage,
        )
        return
    ok = t("done-stage", stage=_stage_name(config, result, stage, t))
    await answer_result(
        callback, result, ok=ok, bot=bot, uow=uow, config=config, t=t, staff=staff, now=now, action="stage"
    )


def _stage_name(config: CrmConfig, result: ActionResult, key: str, t: Texts) -> str:
    if result.deal is None:
        return key
    stage = config.pipeline(result.deal.pipeline).stage(key)
    return stage.name[t.locale] if stage else key


async def on_won_keep_amount(
    callback: CallbackQuery,
    callback_data: DealAction,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
    state: FSMContext,
) -> None:
    if callback_data.action == "wonamt":
        card = await _checked(
            callback, callback_data, staff=staff, uow=uow, config=config, t=t, bot=bot, now=now
        )
        if card is not None:
            await callback.answer()
            await ask(
                callback,
                state,
                DealInput.amount,
                deal_id=callback_data.deal_id,
                t=t,
                prompt=t("ask-won-amount"),
                purpose="won",
            )
        return
    current = await uow.deals.get(callback_data.deal_id)
    amount = current.amount if current else None
    result = await win_deal(
        uow,
        config,
        deal_id=callback_data.deal_id,
        staff=staff,
        version=callback_data.v,
        amount=amount,
        now=now,
    )
    await answer_result(
        callback,
        result,
        ok=t("done-won"),
        bot=bot,
        uow=uow,
        config=config,
        t=t,
        staff=staff,
        now=now,
        action="won",
    )


async def on_loss_reason(
    callback: CallbackQuery,
    callback_data: DealAction,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
    state: FSMContext,
) -> None:
    if callback_data.arg == "other":
        card = await _checked(
            callback, callback_data, staff=staff, uow=uow, config=config, t=t, bot=bot, now=now
        )
        if card is not None:
            await callback.answer()
            await ask(
                callback,
                state,
                DealInput.loss_reason,
                deal_id=callback_data.deal_id,
                t=t,
                prompt=t("ask-loss-reason"),
            )
        return
    result = await lose_deal(
        uow,
        config,
        deal_id=callback_data.deal_id,
        staff=staff,
        version=callback_data.v,
        reason=callback_data.arg,
        now=now,
    )
    await answer_result(
        callback,
        result,
        ok=t("done-lost"),
        bot=bot,
        uow=uow,
        config=config,
        t=t,
        staff=staff,
        now=now,
        action="lost",
    )


async def on_next_contact_quick(
    callback: CallbackQuery,
    callback_data: DealAction,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
) -> None:
    try:
        at = quick_time(callback_data.arg, now=now, timezone=config.timezone)
    except ValueError:
        _refusal(callback, "ncq", callback_data.deal_id, f"unknown quick time {callback_data.arg!r}")
        await callback.answer(t("button-outdated"), show_alert=True)
        return
    result = await plan_next_contact(
        uow, deal_id=callback_data.deal_id, staff=staff, version=callback_data.v, at=at, now=now
    )
    await answer_result(
        callback,
        result,
        ok=t("done-next-contact", at=_moment(at, config, t)),
        bot=bot,
        uow=uow,
        config=config,
        t=t,
        staff=staff,
        now=now,
        action="ncq",
    )


def _moment(at: datetime, config: CrmConfig, t: Texts) -> str:
    return moment(at, config, t.locale)


async def on_confirmed_time(
    callback: CallbackQuery,
    callback_data: DealAction,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
    state: FSMContext,
) -> None:
    """ "Yes" under a time understood from typed text: for the next contact, or for the rewarm deal."""
    try:
        at = datetime.fromtimestamp(int(callback_data.arg), tz=UTC)
    except (ValueError, OverflowError, OSError):
        await callback.answer(t("button-outdated"), show_alert=True)
        return
    card_ref = await _card_ref(state, callback_data.deal_id)
    if callback_data.action == "rwok":
        await _rewarm(
            callback, callback_data.deal_id, at, staff=staff, uow=uow, config=config, t=t, bot=bot, now=now
        )
    else:
        result = await plan_next_contact(
            uow, deal_id=callback_data.deal_id, staff=staff, version=None, at=at, now=now
        )
        if result.error is None:
            await callback.answer(t("done-next-contact", at=_moment(at, config, t)))
        else:
            _refusal(callback, "ncok", callback_data.deal_id, result.error.value)
            await callback.answer(refusal_text(result.error, staff, t), show_alert=True)
        refused_for_good = result.error in (DealError.NOT_ALLOWED, DealError.NOT_FOUND)
        if result.deal is not None and card_ref is not None and not refused_for_good:
            await redraw(
                bot,
                chat_id=card_ref[0],
                message_id=card_ref[1],
                uow=uow,
                deal_id=callback_data.deal_id,
                config=config,
                t=t,
                staff=staff,
                now=now,
            )
    await state.clear()
    if isinstance(callback.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await callback.message.edit_reply_markup(reply_markup=None)


async def _card_ref(state: FSMContext, deal_id: int) -> tuple[int, int] | None:
    data = await state.get_data()
    if data.get("deal_id") == deal_id and data.get("card_chat") and data.get("card_message"):
        return int(data["card_chat"]), int(data["card_message"])
    return None


async def on_rewarm_quick(
    callback: CallbackQuery,
    callback_data: DealAction,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
) -> None:
    months = {"1m": 1, "3m": 3}.get(callback_data.arg)
    if months is None:
        await callback.answer(t("button-outdated"), show_alert=True)
        return
    local = now.astimezone(ZoneInfo(config.timezone)) + relativedelta(months=months)
    at = local.replace(hour=10, minute=0, second=0, microsecond=0).astimezone(UTC)
    await _rewarm(
        callback, callback_data.deal_id, at, staff=staff, uow=uow, config=config, t=t, bot=bot, now=now
    )


async def _rewarm(
    callback: CallbackQuery,
    deal_id: int,
    at: datetime,
    *,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
) -> None:
    result = await rewarm_client(uow, config, deal_id=deal_id, staff=staff, next_contact_at=at, now=now)
    if result.error is not None:
        await answer_result(
            callback,
            result,
            ok="",
            bot=bot,
            uow=uow,
            config=config,
            t=t,
            staff=staff,
            now=now,
            action="rewarm",
        )
        return
    new_id = int(result.extra["new_deal_id"])
    await callback.answer(t("done-rewarmed", id=new_id, at=_moment(at, config, t)))
    await redraw_pressed(callback, bot, uow=uow, deal_id=deal_id, config=config, t=t, staff=staff, now=now)
    await send_card(
        bot,
        chat_id=callback.from_user.id,
        uow=uow,
        deal_id=new_id,
        config=config,
        t=t,
        staff=staff,
        now=now,
        header=t("notice-rewarm-deal", id=new_id, old=deal_id),
    )


async def on_ask_text(
    callback: CallbackQuery,
    callback_data: DealAction,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
    state: FSMContext,
) -> None:
    """Buttons whose action needs words: a note of a kind, a typed date, a reply, a hand-over reason."""
    action = callback_data.action
    versioned = action in ("notekind", "ncpick", "handto")
    card = await _checked(
        callback,
        callback_data,
        staff=staff,
        uow=uow,
        config=config,
        t=t,
        bot=bot,
        now=now,
        versioned=versioned,
    )
    if card is None:
        return
    deal = card.deal
    if action == "notekind":
        kind = note_kind(callback_data.arg)
        if kind is None:
            await callback.answer(t("button-outdated"), show_alert=True)
            return
        await callback.answer()
        await ask(
            callback,
            state,
            DealInput.note,
            deal_id=deal.id,
            t=t,
            prompt=t("ask-note", kind=t(f"note-kind-{kind.value}")),
            purpose="note",
            kind=kind.value,
        )
    elif action in ("ncpick", "rwpick"):
        await callback.answer()
        rewarm = action == "rwpick"
        await ask(
            callback,
            state,
            DealInput.next_contact,
            deal_id=deal.id,
            t=t,
            prompt=t("ask-rewarm-date" if rewarm else "ask-next-contact"),
            rewarm=rewarm,
        )
    elif action == "reply":
        if deal.chat_id is None:
            await callback.answer(t("deal-error-no-chat"), show_alert=True)
            return
        await callback.answer()
        await ask(
            callback,
            state,
            DealInput.reply,
            deal_id=deal.id,
            t=t,
            prompt=t("ask-reply", name=card.contact.name, company=config.company.name[t.locale]),
            keep_card=callback_data.arg != "m",
        )
    elif action == "handto":
        target = await uow.staff.get(int(callback_data.arg)) if callback_data.arg.isdigit() else None
        await uow.rollback()
        if target is None or not target.is_manager:
            await callback.answer(t("deal-error-bad-target"), show_alert=True)
            return
        await callback.answer()
        await ask(
            callback,
            state,
            DealInput.handover_reason,
            deal_id=deal.id,
            t=t,
            prompt=t("ask-handover-reason", name=target.name or str(target.telegram_id)),
            to=target.telegram_id,
        )


async def on_history(
    callback: CallbackQuery,
    callback_data: DealAction,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
) -> None:
    """The whole history, a page at a time: from a card it comes as a new message (the last page);
    paging edits that message."""
    card = await _checked(
        callback,
        callback_data,
        staff=staff,
        uow=uow,
        config=config,
        t=t,
        bot=bot,
        now=now,
        versioned=False,
        view_only=True,
    )
    if card is None:
        return
    events, names = await deal_history(uow, callback_data.deal_id)
    page = int(callback_data.arg) if callback_data.arg.isdigit() else None
    text, markup = history_page(
        events, names, config, t, deal_id=callback_data.deal_id, pipeline=card.deal.pipeline, page=page
    )
    await callback.answer()
    if page is not None and isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as error:
            if "not modified" in str(error):
                return
    await bot.send_message(callback.from_user.id, text, reply_markup=markup)


async def on_cancel(
    callback: CallbackQuery,
    callback_data: DealAction,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
    state: FSMContext,
) -> None:
    """Cancel typing: nothing changes, the card gets its buttons back."""
    card_ref = await _card_ref(state, callback_data.deal_id)
    await state.clear()
    await callback.answer(t("input-cancelled"))
    if isinstance(callback.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await callback.message.edit_reply_markup(reply_markup=None)
    if card_ref is not None:
        await redraw(
            bot,
            chat_id=card_ref[0],
            message_id=card_ref[1],
            uow=uow,
            deal_id=callback_data.deal_id,
            config=config,
            t=t,
            staff=staff,
            now=now,
        )


def build_router() -> Router:
    # No staff filter: a prospect pressing a forged staff button must hear "not for you", and each
    # handler checks the person against the deal anyway.
    router = Router(name="deal_card")
    cb = router.callback_query.register
    cb(on_card_open, DealAction.filter(F.action == "open"))
    cb(on_card_back, DealAction.filter(F.action == "card"))
    cb(on_menu, DealAction.filter(F.action.in_({"stages", "lost", "nc", "note", "won", "hand", "rewarm"})))
    cb(on_stage_move, DealAction.filter(F.action.in_({"next", "stage"})))
    cb(on_won_keep_amount, DealAction.filter(F.action.in_({"wonok", "wonamt"})))
    cb(on_loss_reason, DealAction.filter(F.action == "reason"))
    cb(on_next_contact_quick, DealAction.filter(F.action == "ncq"))
    cb(on_confirmed_time, DealAction.filter(F.action.in_({"ncok", "rwok"})))
    cb(on_rewarm_quick, DealAction.filter(F.action == "rw"))
    cb(on_ask_text, DealAction.filter(F.action.in_({"notekind", "ncpick", "rwpick", "reply", "handto"})))
    cb(on_history, DealAction.filter(F.action == "hist"))
    cb(on_cancel, DealAction.filter(F.action == "cancel"))
    return router
