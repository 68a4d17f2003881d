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
from aiogram.types import ReplyKeyboardRemove, User

from domain.crm_config import CrmConfig, QuestionKind
from domain.intake import IncomingMessage, IntakeOutcome, IntakeResult, Prospect, submit_lead
from domain.ports import UnitOfWork
from handlers.common.formatting import esc
from handlers.common.i18n import Texts
from handlers.common.states import IntakeForm
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


def parse_source(payload: str | None) -> str | None:
    """`/start src_instagram` → "instagram". Anything odd is ignored rather than stored."""
    if not payload:
        return None
    match = SOURCE_PATTERN.match(payload.strip())
    return match.group(1).lower() if match else None


async def begin(
    bot: Bot, chat_id: int, user: User, state: FSMContext, t: Texts, config: CrmConfig,
    *, source: str | None, first_message: IncomingMessage | None,
) -> None:  # fmt: skip
    await strip_buttons(bot, chat_id, (await state.get_data()).get(QM))  # an earlier run's question
    # Data before state: a crash in between leaves no "answering" state over an old run's answers.
    kept = asdict(first_message) if first_message else None
    run = secrets.token_hex(3)
    await state.set_data({"q": 0, "answers": {}, "source": source, "first_message": kept, "run": run})
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


async def go_back(bot: Bot, chat_id: int, index: int, t: Texts, config: CrmConfig, state: FSMContext) -> None:
    """From question `index` to the one before it, whose answer is forgotten."""
    if index == 0:
        await ask(bot, chat_id, 0, t, config, state, error=t("intake-first-question"))
        return
    questions = config.intake.questions
    data = await state.get_data()
    answers = dict(data.get("answers", {}))
    answers.pop(questions[index - 1].key, None)
    await state.update_data(q=index - 1, answers=answers)
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
        await state.update_data(
            {
                "q": index + 1,
                "answers": answers,
                "phone_verified": data.get("phone_verified", False),
                APPLIED: update_id,
            }
        )
        # The answer is stored before any message shows it answered. The update stays pending until the
        # next question is out: a crash or a Telegram fault in between has it handled again, and then
        # `already_applied` shows the question rather than taking the answer twice.
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
    """Save the lead; the confirmation with its number goes out through the outbox, queued with it."""
    async with _closing(state):
        await _submit(user, chat_id, t, config, uow=uow, now=now, answers=answers, data=data)
    await strip_buttons(bot, chat_id, data.get("qm"))


async def cancel(
    bot: Bot, chat_id: int, user: User, state: FSMContext, t: Texts, config: CrmConfig,
    *, uow: UnitOfWork, now: datetime,
) -> None:  # fmt: skip
    """Stop the questions. Someone who wrote to us first still gets an answer: their message goes to a
    manager as a lead with whatever they answered so far."""
    data = await state.get_data()
    await strip_buttons(bot, chat_id, data.get("qm"))
    if data.get("first_message"):
        async with _closing(state):  # "what you wrote is kept" goes out through the outbox, with the lead
            await _submit(
                user, chat_id, t, config, uow=uow, now=now, answers=dict(data.get("answers", {})), data=data,
                cancelled=True,
            )  # fmt: skip
        return
    await state.clear()
    await bot.send_message(chat_id, t("intake-cancelled"), reply_markup=ReplyKeyboardRemove())


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


async def _submit(
    user: User, chat_id: int, t: Texts, config: CrmConfig,
    *, uow: UnitOfWork, now: datetime, answers: dict[str, str], data: dict[str, Any], cancelled: bool = False,
) -> IntakeResult:  # fmt: skip
    prospect = Prospect(
        telegram_id=user.id,
        chat_id=chat_id,
        name=user.full_name,
        username=user.username,
        locale=t.locale,
        phone_verified=bool(data.get("phone_verified")),
    )
    result = await submit_lead(
        uow, config, prospect=prospect, answers=answers, source=data.get("source"),
        first_message=first_message_of(data), cancelled=cancelled, now=now,
    )  # fmt: skip
    if result.told == 0 and result.outcome is not IntakeOutcome.ARCHIVED:
        logger.error(
            "deal %s reached nobody: no manager, supervisor or admin is set up (MANAGER_IDS, "
            "SUPERVISOR_IDS, ADMIN_IDS); it waits in the unsorted queue",
            result.deal_id,
        )
    return result


def first_message_of(data: dict[str, Any]) -> IncomingMessage | None:
    kept = data.get("first_message")
    return IncomingMessage(**kept) if isinstance(kept, dict) else None
