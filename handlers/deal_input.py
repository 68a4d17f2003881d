"""What a staff member types after a card asked for it: an amount, a note, a loss reason, a date, a
reply to the client, a hand-over reason. A wrong answer is asked again, politely; nothing is lost."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.enums import ContentType
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from domain.crm_config import CrmConfig
from domain.deal_access import ActionResult
from domain.deal_notes import add_note
from domain.deal_rules import MAX_NOTE_LENGTH, DealError, note_kind, parse_amount
from domain.deal_stages import lose_deal, move_stage, win_deal
from domain.handover import hand_over
from domain.models import NoteKind, Staff
from domain.next_contact_time import check_when
from domain.ports import UnitOfWork
from domain.prospect_chat import OutgoingMessage, reply_to_prospect
from handlers.card_display import redraw
from handlers.date_input import parse_when
from handlers.filters import IsStaff
from handlers.i18n import Texts
from handlers.relay import RELAYED
from handlers.states import DealInput
from handlers.views.deal_history import moment
from handlers.views.deal_keyboards import cancel_keyboard, confirm_time_keyboard

logger = logging.getLogger(__name__)

# What a manager may send a client: what Telegram can copy, minus what makes no sense from a company.
REPLYABLE = RELAYED - {ContentType.POLL, ContentType.DICE, ContentType.CONTACT}


async def _finish(
    message: Message,
    state: FSMContext,
    result: ActionResult,
    *,
    ok: str,
    bot: Bot,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    staff: Staff | None,
    now: datetime,
    what: str,
) -> None:
    """The typed answer did its work (or was refused for good): say so, end the input, redraw the card."""
    data = await state.get_data()
    await state.clear()
    if result.error is None:
        await message.answer(ok)
    else:
        logger.warning(
            "refused: user %s typed %s for deal %s (%s)",
            staff and staff.telegram_id,
            what,
            data.get("deal_id"),
            result.error.value,
        )
        await message.answer(t(f"deal-error-{result.error.value.replace('_', '-')}"))
        if result.error in (DealError.NOT_ALLOWED, DealError.NOT_FOUND):
            return
    if data.get("card_chat") and data.get("card_message") and result.deal is not None:
        await redraw(
            bot,
            chat_id=int(data["card_chat"]),
            message_id=int(data["card_message"]),
            uow=uow,
            deal_id=int(data["deal_id"]),
            config=config,
            t=t,
            staff=staff,
            now=now,
        )


async def _again(message: Message, data: dict[str, Any], t: Texts, key: str, **args: Any) -> None:
    await message.answer(t(key, **args), reply_markup=cancel_keyboard(int(data["deal_id"]), t))


async def on_amount(
    message: Message,
    state: FSMContext,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
) -> None:
    data = await state.get_data()
    amount = parse_amount(message.text or "") if message.text else None
    if amount is None:
        await _again(message, data, t, "input-bad-amount")
        return
    deal_id = int(data["deal_id"])
    common: dict[str, Any] = {"bot": bot, "uow": uow, "config": config, "t": t, "staff": staff, "now": now}
    if data.get("purpose") == "won":
        result = await win_deal(
            uow, config, deal_id=deal_id, staff=staff, version=None, amount=amount, now=now
        )
        await _finish(message, state, result, ok=t("done-won"), what="won amount", **common)
        return
    stage = str(data.get("stage"))
    result = await move_stage(
        uow, config, deal_id=deal_id, staff=staff, version=None, stage=stage, amount=amount, now=now
    )
    if result.error is DealError.NEEDS_NOTE:
        await state.set_state(DealInput.note)
        await state.update_data(amount=amount, purpose="stage")
        await _again(message, data, t, "ask-stage-note", stage=_stage(config, result, stage, t))
        return
    await _finish(
        message,
        state,
        result,
        ok=t("done-stage", stage=_stage(config, result, stage, t)),
        what="stage amount",
        **common,
    )


def _stage(config: CrmConfig, result: ActionResult, key: str, t: Texts) -> str:
    if result.deal is None:
        return key
    stage = config.pipeline(result.deal.pipeline).stage(key)
    return stage.name[t.locale] if stage else key


async def on_note(
    message: Message,
    state: FSMContext,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
) -> None:
    data = await state.get_data()
    text = message.text or ""
    if not text.strip():
        await _again(message, data, t, "input-need-text")
        return
    if len(text) > MAX_NOTE_LENGTH:
        await _again(message, data, t, "input-too-long", limit=MAX_NOTE_LENGTH)
        return
    deal_id = int(data["deal_id"])
    common: dict[str, Any] = {"bot": bot, "uow": uow, "config": config, "t": t, "staff": staff, "now": now}
    if data.get("purpose") == "stage":
        stage = str(data.get("stage"))
        amount = data.get("amount")
        result = await move_stage(
            uow,
            config,
            deal_id=deal_id,
            staff=staff,
            version=None,
            stage=stage,
            amount=int(amount) if amount else None,
            note=text,
            now=now,
        )
        await _finish(
            message,
            state,
            result,
            ok=t("done-stage", stage=_stage(config, result, stage, t)),
            what="stage note",
            **common,
        )
        return
    kind = note_kind(str(data.get("kind"))) or NoteKind.OTHER
    result = await add_note(uow, deal_id=deal_id, staff=staff, kind=kind, text=text, now=now)
    await _finish(message, state, result, ok=t("done-note"), what="note", **common)


async def on_loss_reason(
    message: Message,
    state: FSMContext,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
) -> None:
    data = await state.get_data()
    text = message.text or ""
    if not text.strip():
        await _again(message, data, t, "input-need-text")
        return
    result = await lose_deal(
        uow,
        config,
        deal_id=int(data["deal_id"]),
        staff=staff,
        version=None,
        reason="other",
        note=text,
        now=now,
    )
    if result.error is DealError.TOO_LONG:
        await _again(message, data, t, "input-too-long", limit=500)
        return
    await _finish(
        message,
        state,
        result,
        ok=t("done-lost"),
        bot=bot,
        uow=uow,
        config=config,
        t=t,
        staff=staff,
        now=now,
        what="loss reason",
    )


async def on_next_contact_text(
    message: Message, state: FSMContext, config: CrmConfig, t: Texts, now: datetime
) -> None:
    """A typed date is read in the team's zone and said back for a "yes": "завтра в 3" can be read
    more than one way, and a reminder at the wrong time is worse than one more tap."""
    data = await state.get_data()
    at = parse_when(message.text or "", now=now, timezone=config.timezone) if message.text else None
    if at is None:
        await _again(message, data, t, "input-bad-date")
        return
    if problem := check_when(at, now=now):
        await _again(
            message, data, t, f"input-date-{problem.replace('_', '-')}", at=moment(at, config, t.locale)
        )
        return
    action = "rwok" if data.get("rewarm") else "ncok"
    await message.answer(
        t("confirm-next-contact", at=moment(at, config, t.locale)),
        reply_markup=confirm_time_keyboard(int(data["deal_id"]), action, int(at.timestamp()), t),
    )


async def on_reply(
    message: Message,
    state: FSMContext,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
) -> None:
    data = await state.get_data()
    outgoing = OutgoingMessage(
        chat_id=message.chat.id,
        message_id=message.message_id,
        kind=ContentType(message.content_type).value,
        text=message.text or message.caption,
    )
    result = await reply_to_prospect(
        uow, deal_id=int(data["deal_id"]), staff=staff, message=outgoing, now=now
    )
    await _finish(
        message,
        state,
        result,
        ok=t("done-reply"),
        bot=bot,
        uow=uow,
        config=config,
        t=t,
        staff=staff,
        now=now,
        what="reply",
    )


async def on_reply_unsupported(message: Message, state: FSMContext, t: Texts) -> None:
    data = await state.get_data()
    await _again(message, data, t, "input-cannot-send")


async def on_handover_reason(
    message: Message,
    state: FSMContext,
    staff: Staff | None,
    uow: UnitOfWork,
    config: CrmConfig,
    t: Texts,
    bot: Bot,
    now: datetime,
) -> None:
    data = await state.get_data()
    text = message.text or ""
    if not text.strip():
        await _again(message, data, t, "input-need-text")
        return
    if len(text) > 500:
        await _again(message, data, t, "input-too-long", limit=500)
        return
    result = await hand_over(
        uow, deal_id=int(data["deal_id"]), staff=staff, to_id=int(data["to"]), reason=text, now=now
    )
    await _finish(
        message,
        state,
        result,
        ok=t("done-handed-over"),
        bot=bot,
        uow=uow,
        config=config,
        t=t,
        staff=staff,
        now=now,
        what="hand-over reason",
    )


async def on_not_text(message: Message, state: FSMContext, t: Texts) -> None:
    data = await state.get_data()
    await _again(message, data, t, "input-need-text")


def build_router() -> Router:
    router = Router(name="deal_input")
    router.message.filter(IsStaff())
    typed = F.text & ~F.text.startswith("/")
    router.message.register(on_amount, DealInput.amount, typed)
    router.message.register(on_note, DealInput.note, typed)
    router.message.register(on_loss_reason, DealInput.loss_reason, typed)
    router.message.register(on_next_contact_text, DealInput.next_contact, typed)
    router.message.register(on_handover_reason, DealInput.handover_reason, typed)
    router.message.register(on_reply, DealInput.reply, F.content_type.in_(REPLYABLE), ~F.text.startswith("/"))
    router.message.register(on_reply_unsupported, DealInput.reply, ~F.text.startswith("/"))
    texts = StateFilter(
        DealInput.amount,
        DealInput.note,
        DealInput.loss_reason,
        DealInput.next_contact,
        DealInput.handover_reason,
    )
    router.message.register(on_not_text, texts, ~F.text.startswith("/"))
    return router
