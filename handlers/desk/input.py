"""What a staff member types after a card asked for it: an amount, a note, a loss reason, a date, a
reply to the client, a hand-over reason. A wrong answer is asked again, politely; nothing is lost."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.enums import ContentType
from aiogram.filters import StateFilter
from aiogram.types import Message

from domain.client_chat import OutgoingMessage, reply_to_prospect
from domain.deal_access import ActionResult
from domain.deal_notes import add_note, complete_contact
from domain.deal_rules import MAX_NOTE_LENGTH, MAX_REASON_LENGTH, DealError, note_kind, parse_amount
from domain.deal_stages import lose_deal, move_stage, win_deal
from domain.handover import hand_over
from domain.models import NoteKind
from domain.next_contact_time import check_when, day_off
from handlers.common.callbacks import moment_of
from handlers.common.date_input import parse_when
from handlers.common.filters import IsStaff
from handlers.common.formatting import moment
from handlers.common.message_kinds import REPLYABLE
from handlers.common.pending_input import forget_input
from handlers.common.states import ALBUM, PROMPTS, DealInput
from handlers.desk.desk import GONE_FOR_GOOD, Desk, with_desk
from handlers.desk.views.keyboards import cancel_keyboard, confirm_time_keyboard, next_contact_keyboard


async def _finish(message: Message, result: ActionResult, *, ok: str, desk: Desk, what: str) -> None:
    """The typed answer did its work (or was refused for good): say so, end the input, redraw the card."""
    data = await forget_input(desk.bot, message.chat.id, desk.state)
    if result.error is None:
        await message.answer(ok)
    else:
        desk.log_refusal(message.chat.id, f"typed {what}", int(data["deal_id"]), result.error.value)
        await message.answer(desk.refusal_text(result.error))
        if result.error in GONE_FOR_GOOD:
            return
    if data.get("card_chat") and data.get("card_message") and result.deal is not None:
        await desk.redraw((int(data["card_chat"]), int(data["card_message"])), int(data["deal_id"]))


async def _again(message: Message, desk: Desk, key: str, **args: Any) -> None:
    data = await desk.state.get_data()
    keyboard = cancel_keyboard(int(data["deal_id"]), desk.t)
    asked = await message.answer(desk.t(key, **args), reply_markup=keyboard)
    await desk.state.update_data({PROMPTS: [*data.get(PROMPTS, []), asked.message_id]})


async def _too_long(message: Message, desk: Desk, *, limit: int) -> bool:
    """Words over `limit` are asked again, shorter, rather than refused for good."""
    if len(message.text or "") <= limit:
        return False
    await _again(message, desk, "input-too-long", limit=limit)
    return True


async def on_amount(message: Message, desk: Desk) -> None:
    data = await desk.state.get_data()
    amount = parse_amount(message.text or "")
    if amount is None:
        await _again(message, desk, "input-bad-amount")
        return
    deal_id = int(data["deal_id"])
    if data.get("purpose") == "won":
        result = await win_deal(
            desk.uow,
            desk.config,
            deal_id=deal_id,
            staff=desk.staff,
            version=None,
            amount=amount,
            now=desk.now,
        )
        await _finish(message, result, ok=desk.t("done-won"), desk=desk, what="won amount")
        return
    stage = str(data.get("stage"))
    result = await move_stage(
        desk.uow,
        desk.config,
        deal_id=deal_id,
        staff=desk.staff,
        version=None,
        stage=stage,
        amount=amount,
        now=desk.now,
    )
    if result.error is DealError.NEEDS_NOTE:  # the stage needs both: the amount is kept for the note
        await desk.state.set_state(DealInput.note)
        await desk.state.update_data(amount=amount, purpose="stage")
        await _again(message, desk, "ask-stage-note", stage=desk.stage_name(result.deal, stage))
        return
    ok = desk.t("done-stage", stage=desk.stage_name(result.deal, stage))
    await _finish(message, result, ok=ok, desk=desk, what="stage amount")


async def on_note(message: Message, desk: Desk) -> None:
    data = await desk.state.get_data()
    text = message.text or ""
    if await _too_long(message, desk, limit=MAX_NOTE_LENGTH):
        return
    deal_id = int(data["deal_id"])
    if data.get("purpose") == "stage":
        stage, amount = str(data.get("stage")), data.get("amount")
        result = await move_stage(
            desk.uow,
            desk.config,
            deal_id=deal_id,
            staff=desk.staff,
            version=None,
            stage=stage,
            amount=int(amount) if amount else None,
            note=text,
            now=desk.now,
        )
        ok = desk.t("done-stage", stage=desk.stage_name(result.deal, stage))
        await _finish(message, result, ok=ok, desk=desk, what="stage note")
        return
    if data.get("purpose") == "done":
        planned = moment_of(str(data.get("planned", "")))
        result = await complete_contact(
            desk.uow, deal_id=deal_id, staff=desk.staff, result=text, planned=planned, now=desk.now
        )
        await _finish(message, result, ok=desk.t("done-contact"), desk=desk, what="contact result")
        if result.error is None and result.deal is not None:  # what next: the next contact, at once
            keyboard = next_contact_keyboard(result.deal, desk.t)
            await message.answer(desk.t("ask-next-contact-after-done"), reply_markup=keyboard)
        return
    kind = note_kind(str(data.get("kind"))) or NoteKind.OTHER
    result = await add_note(desk.uow, deal_id=deal_id, staff=desk.staff, kind=kind, text=text, now=desk.now)
    await _finish(message, result, ok=desk.t("done-note"), desk=desk, what="note")


async def on_loss_reason(message: Message, desk: Desk) -> None:
    data = await desk.state.get_data()
    text = message.text or ""
    if await _too_long(message, desk, limit=MAX_REASON_LENGTH):
        return
    result = await lose_deal(
        desk.uow,
        desk.config,
        deal_id=int(data["deal_id"]),
        staff=desk.staff,
        version=None,
        reason="other",
        note=text,
        now=desk.now,
    )
    await _finish(message, result, ok=desk.t("done-lost"), desk=desk, what="loss reason")


async def on_next_contact_text(message: Message, desk: Desk) -> None:
    """A typed date is read in the team's zone and said back for a "yes": "завтра в 3" can be read
    more than one way, and a reminder at the wrong time is worse than one more tap."""
    data = await desk.state.get_data()
    calendar = desk.config.calendar()
    at = parse_when(message.text or "", now=desk.now, timezone=desk.config.timezone, calendar=calendar)
    if at is None:
        await _again(message, desk, "input-bad-date")
        return
    when = moment(at, desk.config, desk.t.locale, now=desk.now)
    if problem := check_when(at, now=desk.now):
        await _again(message, desk, f"input-date-{problem.replace('_', '-')}", at=when)
        return
    text, working = desk.t("confirm-next-contact", at=when), None
    off = day_off(at, calendar, timezone=desk.config.timezone)
    if off is not None and check_when(off[1], now=desk.now) is None:
        # Accepted as typed (a client may have asked for a Saturday call), but said, with the same
        # time on the next working day one tap away.
        kind, moved = off
        text += "\n" + desk.t(f"confirm-day-off-{kind}")
        working = (int(moved.timestamp()), moment(moved, desk.config, desk.t.locale, now=desk.now))
    action = "rwok" if data.get("rewarm") else "ncok"
    keyboard = confirm_time_keyboard(
        int(data["deal_id"]), action, int(at.timestamp()), desk.t, working=working
    )
    asked = await message.answer(text, reply_markup=keyboard)
    await desk.state.update_data({PROMPTS: [*data.get(PROMPTS, []), asked.message_id]})


async def on_reply(message: Message, desk: Desk) -> None:
    """The manager's message goes to the client. The other photos of an album (each its own update,
    one after another) follow the first; anything after the album is the manager's own again."""
    data = await desk.state.get_data()
    outgoing = OutgoingMessage(
        chat_id=message.chat.id,
        message_id=message.message_id,
        kind=ContentType(message.content_type).value,
        text=message.text or message.caption,
    )
    deal_id = int(data["deal_id"])
    result = await reply_to_prospect(
        desk.uow, deal_id=deal_id, staff=desk.staff, message=outgoing, now=desk.now,
        calendar=desk.config.calendar(),
    )  # fmt: skip
    if message.media_group_id and result.error is None:
        if data.get(ALBUM) != message.media_group_id:  # the album's first part: the rest follow it
            await desk.state.update_data({ALBUM: message.media_group_id, PROMPTS: []})
            await desk.drop_prompt_buttons(message.chat.id, data.get(PROMPTS, []))
            await message.answer(desk.t("done-reply"))
            if data.get("card_chat") and data.get("card_message"):
                await desk.redraw((int(data["card_chat"]), int(data["card_message"])), deal_id)
        return
    await _finish(message, result, ok=desk.t("done-reply"), desk=desk, what="reply")


async def on_reply_unsupported(message: Message, desk: Desk) -> None:
    await _again(message, desk, "input-cannot-send")


async def on_handover_reason(message: Message, desk: Desk) -> None:
    data = await desk.state.get_data()
    text = message.text or ""
    if await _too_long(message, desk, limit=MAX_REASON_LENGTH):
        return
    result = await hand_over(
        desk.uow,
        desk.config,
        deal_id=int(data["deal_id"]),
        staff=desk.staff,
        to_id=int(data["to"]),
        reason=text,
        now=desk.now,
    )
    await _finish(message, result, ok=desk.t("done-handed-over"), desk=desk, what="hand-over reason")


NOT_TEXT_HINTS = {
    DealInput.amount.state: "input-need-amount",
    DealInput.next_contact.state: "input-need-date",
}


async def on_not_text(message: Message, desk: Desk) -> None:
    """A sticker, a photo or blank words where words were asked for: asked again, saying what is needed."""
    await _again(message, desk, NOT_TEXT_HINTS.get(await desk.state.get_state() or "", "input-need-text"))


def build_router() -> Router:
    router = with_desk(Router(name="deal_input"))
    router.message.filter(IsStaff(), ~F.text.startswith("/"))
    # Blank text is not an answer: asked again, like a sticker where words were expected.
    typed = F.text.func(lambda text: bool(text and text.strip()))
    router.message.register(on_amount, DealInput.amount, typed)
    router.message.register(on_note, DealInput.note, typed)
    router.message.register(on_loss_reason, DealInput.loss_reason, typed)
    router.message.register(on_next_contact_text, DealInput.next_contact, typed)
    router.message.register(on_handover_reason, DealInput.handover_reason, typed)
    router.message.register(on_reply, DealInput.reply, F.content_type.in_(REPLYABLE))
    router.message.register(on_reply_unsupported, DealInput.reply)
    texts = StateFilter(
        DealInput.amount,
        DealInput.note,
        DealInput.loss_reason,
        DealInput.next_contact,
        DealInput.handover_reason,
    )
    router.message.register(on_not_text, texts)
    return router
