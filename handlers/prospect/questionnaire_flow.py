"""The steps of the questionnaire shared by the intake handlers: begin, ask, advance, go back, finish.

Conversation state is written by the update's unit of work, with whatever the use case commits: the
answer that finishes the questionnaire clears it before the lead is saved, so the lead, the closed
questionnaire and the handled update are one commit (with Redis, the state is put back if the lead could
not be saved).

Each answer costs one Bot API call where the UI allows: Back and Cancel stay on a reply keyboard for the
whole questionnaire (handlers/prospect/views/questionnaire.py), so only a choice carries inline buttons;
a typed answer gets the next question as one new message, and a button answer turns its own message into
the next question with one edit (handlers/prospect/question_messages.py keeps only the newest question's
buttons live).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove, User

from domain.crm_config import CrmConfig, QuestionKind
from domain.inquiries import end_inquiry, new_inquiry, note_progress, open_inquiry, pass_on_to_its_lead
from domain.intake import IncomingMessage, IntakeOutcome, IntakeResult, Prospect, submit_lead
from domain.models import Inquiry, InquiryState
from domain.ports import UnitOfWork
from handlers.common.formatting import esc
from handlers.common.i18n import Texts
from handlers.common.states import IntakeForm
from handlers.prospect.acknowledgement import acknowledge_once
from handlers.prospect.incoming import incoming_message
from handlers.prospect.question_messages import (
    QM,
    close_answered,
    edit_into_question,
    first_asked_in,
    send_question,
    strip_buttons,
)
from handlers.prospect.views.questionnaire import acknowledgement, nav_keyboard

logger = logging.getLogger(__name__)

SOURCE_PATTERN = re.compile(r"^(?:src_)?([A-Za-z0-9_-]{1,48})$")
APPLIED = "applied"  # conversation data: the update whose answer was stored last
INQUIRY = "inquiry"  # conversation data: the id of this run's inquiry (domain/inquiries.py)
PREVIEW = "preview"  # conversation data: a staff member's /preview; finishing makes a test deal


def parse_source(payload: str | None) -> str | None:
    """`/start src_instagram` → "instagram". Anything odd is ignored rather than stored."""
    if not payload:
        return None
    match = SOURCE_PATTERN.match(payload.strip())
    return match.group(1).lower() if match else None


async def begin(
    bot: Bot, chat_id: int, user: User, state: FSMContext, t: Texts, config: CrmConfig,
    *, uow: UnitOfWork, now: datetime, source: str | None, first_message: IncomingMessage | None,
    preview: bool | None = None,
) -> None:  # fmt: skip
    """A new run of the questions, recorded as a new inquiry; an earlier run's inquiry ends as started
    over. Everything is written with the update's commit, after the first question is out. `preview`: a
    staff member's /preview (None: as the earlier run was)."""
    earlier = await state.get_data()
    if preview is None:
        preview = bool(earlier.get(PREVIEW))
    await strip_buttons(bot, chat_id, earlier.get(QM))  # an earlier run's question
    ended = await end_inquiry(uow, earlier.get(INQUIRY), InquiryState.RESTARTED, now=now)
    if ended is not None and ended.state is InquiryState.ABANDONED:
        first_message = None  # it went to a manager with the lead the left questionnaire became
    inquiry = await open_inquiry(
        uow, config, prospect_of(user, chat_id, t), source=source, first_message=first_message, now=now,
        is_test=preview,
    )  # fmt: skip
    # Data before state: a crash in between leaves no "answering" state over an old run's answers.
    kept = asdict(first_message) if first_message else None
    run = secrets.token_hex(3)
    await state.set_data(
        {
            "q": 0, "answers": {}, "source": source, "first_message": kept, "run": run, INQUIRY: inquiry.id,
            **({PREVIEW: True} if preview else {}),
        }
    )  # fmt: skip
    await state.set_state(IntakeForm.answering)
    key = "intake-greeting-after-message" if first_message else "intake-greeting"
    total = len(config.intake.questions)
    company = config.company.name[t.locale]
    greeting = t(key, name=esc(user.first_name), company=esc(company), count=total)
    await bot.send_message(chat_id, greeting, reply_markup=nav_keyboard(t))
    await send_question(bot, chat_id, 0, t, config, state, run=run)


async def already_applied(
    bot: Bot, chat_id: int, update_id: int, t: Texts, config: CrmConfig, state: FSMContext
) -> bool:
    """Whether this update's answer was stored by an earlier try that did not get to show the next
    question (the bot died, or Telegram failed it): if so, the question now due is shown."""
    data = await state.get_data()
    if data.get(APPLIED) != update_id:
        return False
    await ask(bot, chat_id, current_index(data, config), t, config, state)
    return True


async def ask(
    bot: Bot, chat_id: int, index: int, t: Texts, config: CrmConfig, state: FSMContext,
    *, error: str | None = None,
) -> None:  # fmt: skip
    """Ask question `index` again in a new message, under `error` if given. The question on screen
    loses its buttons first: only the newest question keeps them."""
    data = await state.get_data()
    await strip_buttons(bot, chat_id, data.get(QM))
    await send_question(bot, chat_id, index, t, config, state, run=str(data.get("run", "")), header=error)


async def carry_on(
    bot: Bot, chat_id: int, prompt: int | None, t: Texts, config: CrmConfig, state: FSMContext
) -> None:
    """After "carry on", the prompt that asked becomes the current question (one edit), unless it is the
    contact question, whose keyboard only a new message can bring."""
    data = await state.get_data()
    index, run = current_index(data, config), str(data.get("run", ""))
    await strip_buttons(bot, chat_id, data.get(QM))
    inline = config.intake.questions[index].kind is not QuestionKind.CONTACT
    if (
        prompt is not None
        and inline
        and await edit_into_question(bot, chat_id, prompt, index, t, config, state, run=run, first=index)
    ):
        return
    await strip_buttons(bot, chat_id, prompt)
    await send_question(bot, chat_id, index, t, config, state, run=run)


async def passed_on(
    message: Message, state: FSMContext, t: Texts, config: CrmConfig, *, uow: UnitOfWork, now: datetime
) -> bool:
    """A message that is no answer to the current question, from someone whose left questionnaire
    became a lead (a manager may have written to them): it goes to that lead's manager rather than
    being only asked again, and the person is told so. False when their questionnaire is no lead."""
    inquiry_id = (await state.get_data()).get(INQUIRY)
    if not isinstance(inquiry_id, int) or message.from_user is None:
        return False
    incoming = incoming_message(message)
    flood_limit = config.intake.flood_limit
    if not await pass_on_to_its_lead(uow, inquiry_id, incoming, now=now, flood_limit=flood_limit):
        return False
    await acknowledge_once(message, state, t("intake-passed-on"), now=now)
    return True


async def go_back(
    bot: Bot, chat_id: int, index: int, t: Texts, config: CrmConfig, state: FSMContext,
    *, uow: UnitOfWork, now: datetime,
) -> None:  # fmt: skip
    """From question `index` to the one before it, whose answer is forgotten (by the inquiry too)."""
    if index == 0:
        await ask(bot, chat_id, 0, t, config, state, error=t("intake-first-question"))
        return
    questions = config.intake.questions
    data = await state.get_data()
    answers = dict(data.get("answers", {}))
    answers.pop(questions[index - 1].key, None)
    await state.update_data(q=index - 1, answers=answers)
    if isinstance(inquiry_id := data.get(INQUIRY), int):  # the answer taken back is no longer given
        await note_progress(uow, inquiry_id, step=index - 1, answers=answers, now=now)
    await strip_buttons(bot, chat_id, data.get(QM))
    if questions[index].kind is QuestionKind.CONTACT and questions[index - 1].kind is QuestionKind.CHOICE:
        # The "share my number" keyboard belongs to the question we leave, and a message with options
        # cannot bring Back and Cancel in its place (a message carries one keyboard): this one does.
        await bot.send_message(chat_id, t("intake-going-back"), reply_markup=nav_keyboard(t))
    await send_question(bot, chat_id, index - 1, t, config, state, run=str(data.get("run", "")))


def current_index(data: dict[str, Any], config: CrmConfig) -> int:
    index = int(data.get("q", 0))
    return min(max(index, 0), len(config.intake.questions) - 1)


async def advance(
    bot: Bot, chat_id: int, user: User, state: FSMContext, t: Texts, config: CrmConfig,
    *, uow: UnitOfWork, now: datetime, answer: str, update_id: int, phone_verified: bool = False,
    tapped: int | None = None,
) -> None:  # fmt: skip
    """Record the answer to the current question (given by update `update_id`), then ask the next one
    or finish. `tapped` is the message whose button gave the answer (None for a typed one)."""
    data = await state.get_data()
    index = current_index(data, config)
    answers = dict(data.get("answers", {}))
    answers[config.intake.questions[index].key] = answer
    if phone_verified:
        data["phone_verified"] = True
    answered = {**data, "answers": answers}
    answered_in = tapped if tapped is not None else data.get(QM)  # the message with the question's buttons
    if index + 1 < len(config.intake.questions):
        inquiry_id = data.get(INQUIRY)
        if isinstance(inquiry_id, int):  # one UPDATE: how far it got, and when
            await note_progress(uow, inquiry_id, step=index + 1, answers=answers, now=now)
        else:  # a run begun before inquiries were recorded: its inquiry from here on
            inquiry = await open_inquiry(
                uow, config, prospect_of(user, chat_id, t), source=data.get("source"),
                first_message=first_message_of(data), now=now, answers=answers,
            )  # fmt: skip
            inquiry_id = inquiry.id
        await state.update_data(
            {
                "q": index + 1,
                "answers": answers,
                "phone_verified": data.get("phone_verified", False),
                APPLIED: update_id,
                INQUIRY: inquiry_id,
            }
        )
        # The answer is stored, with the inquiry's progress, before any message shows it answered. The
        # update stays pending until the next question is out: a crash or a Telegram fault in between has
        # it handled again, and then `already_applied` shows the question rather than taking the answer
        # twice.
        await uow.commit(update_done=False)
        await _show_next(
            bot, chat_id, index, t, config, state, answered, tapped=tapped, answered_in=answered_in
        )
        return
    await finish(bot, chat_id, user, state, t, config, uow=uow, now=now, answers=answers,
                 data={**data, QM: None})  # fmt: skip
    await close_answered(bot, chat_id, answered_in, index, t, config, answered)  # after what they wait for


async def _show_next(
    bot: Bot, chat_id: int, index: int, t: Texts, config: CrmConfig, state: FSMContext, data: dict[str, Any],
    *, tapped: int | None, answered_in: int | None,
) -> None:  # fmt: skip
    """Question `index` is answered (`data` holds the answer): show the next one."""
    questions, run, following = config.intake.questions, str(data.get("run", "")), index + 1
    if tapped is not None and questions[following].kind is not QuestionKind.CONTACT:
        first = first_asked_in(tapped, index, data)
        header = acknowledgement(config, data["answers"], t, first=first, stop=following)
        if await edit_into_question(
            bot, chat_id, tapped, following, t, config, state, run=run, first=first, header=header
        ):
            return
        answered_in = None  # Telegram would not edit it: deleted, or too old
    # A new message. A button answer before the contact question lands here too: an inline message cannot
    # be edited into a reply keyboard's "share my number", so that answer costs a message and an edit.
    if questions[index].kind is QuestionKind.CONTACT and questions[following].kind is QuestionKind.CHOICE:
        # The phone's keyboard is up and a message with options cannot take it away: this one does.
        said = acknowledgement(config, data["answers"], t, first=index, stop=following)
        await bot.send_message(chat_id, said, reply_markup=nav_keyboard(t))
    await send_question(bot, chat_id, following, t, config, state, run=run)
    # Only now: had the question not gone out, the answer would be taken back and these buttons still work.
    await close_answered(bot, chat_id, answered_in, index, t, config, data)


async def finish(
    bot: Bot, chat_id: int, user: User, state: FSMContext, t: Texts, config: CrmConfig,
    *, uow: UnitOfWork, now: datetime, answers: dict[str, str], data: dict[str, Any],
) -> None:  # fmt: skip
    """Save the lead; the confirmation with its number goes out through the outbox, queued with it. A
    person whose unfinished questionnaire became a lead meanwhile completes that lead."""
    inquiry = await _inquiry_of(uow, user, chat_id, t, data, now=now)
    inquiry.step = len(config.intake.questions)
    async with _closing(state):
        await _submit(user, chat_id, t, config, uow=uow, now=now, answers=answers, data=data, inquiry=inquiry)
    await strip_buttons(bot, chat_id, data.get("qm"))


async def cancel(
    bot: Bot, chat_id: int, user: User, state: FSMContext, t: Texts, config: CrmConfig,
    *, uow: UnitOfWork, now: datetime,
) -> None:  # fmt: skip
    """Stop the questions. The cancel is recorded with the inquiry. Someone who wrote to us first still
    gets an answer: their message goes to a manager as a lead with whatever they answered so far. A
    questionnaire that had already become a lead (left for `intake.abandoned_after`) keeps it."""
    data = await state.get_data()
    await strip_buttons(bot, chat_id, data.get("qm"))
    inquiry = await _inquiry_of(uow, user, chat_id, t, data, now=now)
    if inquiry.state is InquiryState.ABANDONED:
        await state.clear()
        key = "intake-cancelled-message-kept" if inquiry.wrote_first else "intake-cancelled-lead-kept"
        await bot.send_message(chat_id, t(key), reply_markup=ReplyKeyboardRemove())
        return
    if data.get("first_message"):
        async with _closing(state):  # "what you wrote is kept" goes out through the outbox, with the lead
            await _submit(
                user, chat_id, t, config, uow=uow, now=now, answers=dict(data.get("answers", {})), data=data,
                cancelled=True, inquiry=inquiry,
            )  # fmt: skip
        return
    if inquiry.id is None:  # begun before inquiries were recorded: the cancel is recorded all the same
        inquiry.state, inquiry.ended_at = InquiryState.CANCELLED, now
        await uow.inquiries.add(inquiry)
    else:
        await end_inquiry(uow, inquiry.id, InquiryState.CANCELLED, now=now)
    await state.clear()
    said = t("preview-cancelled") if data.get(PREVIEW) else t("intake-cancelled")
    await bot.send_message(chat_id, said, reply_markup=ReplyKeyboardRemove())


@asynccontextmanager
async def _closing(state: FSMContext) -> AsyncIterator[None]:
    """The questionnaire ends with the lead: its state is cleared first, so the use case's commit writes
    both, and put back as it was if the lead could not be saved."""
    before_state, before_data = await state.get_state(), await state.get_data()
    await state.clear()
    try:
        yield
    except BaseException:
        await state.set_data(before_data)
        await state.set_state(before_state)
        raise


async def _inquiry_of(
    uow: UnitOfWork, user: User, chat_id: int, t: Texts, data: dict[str, Any], *, now: datetime
) -> Inquiry:
    """This run's inquiry as stored; for a run begun before inquiries were recorded, one not stored yet
    (the lead or the cancel adds it)."""
    inquiry_id = data.get(INQUIRY)
    stored = await uow.inquiries.get(inquiry_id) if isinstance(inquiry_id, int) else None
    if stored is not None:
        return stored
    answers = {str(k): str(v) for k, v in dict(data.get("answers", {})).items()}
    return new_inquiry(
        prospect_of(user, chat_id, t), source=data.get("source"), first_message=first_message_of(data),
        now=now, answers=answers,
    )  # fmt: skip


async def _submit(
    user: User, chat_id: int, t: Texts, config: CrmConfig,
    *, uow: UnitOfWork, now: datetime, answers: dict[str, str], data: dict[str, Any], inquiry: Inquiry,
    cancelled: bool = False,
) -> IntakeResult:  # fmt: skip
    prospect = prospect_of(user, chat_id, t, phone_verified=bool(data.get("phone_verified")))
    # What they wrote first went with the lead their left questionnaire became: not a second time.
    wrote = None if inquiry.state is InquiryState.ABANDONED else first_message_of(data)
    result = await submit_lead(
        uow, config, prospect=prospect, answers=answers, source=data.get("source"), first_message=wrote,
        cancelled=cancelled, now=now, inquiry=inquiry, test_of=user.id if data.get(PREVIEW) else None,
    )  # fmt: skip
    if result.told == 0 and result.outcome is not IntakeOutcome.ARCHIVED:
        logger.error(
            "deal %s reached nobody: no manager, supervisor or admin is set up (MANAGER_IDS, "
            "SUPERVISOR_IDS, ADMIN_IDS); it waits in the unsorted queue",
            result.deal_id,
        )
    return result


def prospect_of(user: User, chat_id: int, t: Texts, *, phone_verified: bool = False) -> Prospect:
    """The person answering, as the lead and the inquiry record them."""
    return Prospect(
        telegram_id=user.id,
        chat_id=chat_id,
        name=user.full_name,
        username=user.username,
        locale=t.locale,
        phone_verified=phone_verified,
    )


def first_message_of(data: dict[str, Any]) -> IncomingMessage | None:
    kept = data.get("first_message")
    return IncomingMessage(**kept) if isinstance(kept, dict) else None
