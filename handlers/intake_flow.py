"""The steps of the questionnaire shared by the intake handlers: begin, ask, advance, finish.

Order matters with the database-backed FSM: conversation state is read and written outside the unit
of work's transaction (the use case commits first), so no transaction waits on another.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
from dataclasses import asdict
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardRemove, User

from domain.crm_config import CrmConfig
from domain.intake import IncomingMessage, IntakeOutcome, IntakeResult, Prospect, submit_lead
from domain.ports import UnitOfWork
from handlers.i18n import Texts
from handlers.states import IntakeForm
from handlers.views.formatting import esc
from handlers.views.questionnaire import answers_block, question_message, when_we_reply

logger = logging.getLogger(__name__)

SOURCE_PATTERN = re.compile(r"^(?:src_)?([A-Za-z0-9_-]{1,48})$")


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
    # Data before state: a crash in between leaves no "answering" state over an old run's answers.
    kept = asdict(first_message) if first_message else None
    run = secrets.token_hex(3)
    await state.set_data({"q": 0, "answers": {}, "source": source, "first_message": kept, "run": run})
    await state.set_state(IntakeForm.answering)
    key = "intake-greeting-after-message" if first_message else "intake-greeting"
    total = len(config.intake.questions)
    company = config.company.name[t.locale]
    await bot.send_message(chat_id, t(key, name=esc(user.first_name), company=esc(company), count=total))
    await ask(bot, chat_id, 0, t, config, state)


async def ask(
    bot: Bot, chat_id: int, index: int, t: Texts, config: CrmConfig, state: FSMContext,
    *, error: str | None = None,
) -> None:  # fmt: skip
    """Send question `index`. Only the newest question keeps its buttons: the previous question
    message loses them, so there is one live keyboard at a time."""
    data = await state.get_data()
    await strip_buttons(bot, chat_id, data.get("qm"))
    text, markup = question_message(config, index, t, run=str(data.get("run", "")))
    if error:
        text = f"{error}\n\n{text}"
    sent = await bot.send_message(chat_id, text, reply_markup=markup)
    await state.update_data(qm=sent.message_id if isinstance(markup, InlineKeyboardMarkup) else None)


async def strip_buttons(bot: Bot, chat_id: int, message_id: int | None) -> None:
    if message_id is None:
        return
    with contextlib.suppress(TelegramBadRequest):  # already without buttons, or deleted by the person
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)


def current_index(data: dict[str, Any], config: CrmConfig) -> int:
    index = int(data.get("q", 0))
    return min(max(index, 0), len(config.intake.questions) - 1)


async def advance(
    bot: Bot, chat_id: int, user: User, state: FSMContext, t: Texts, config: CrmConfig,
    *, uow: UnitOfWork, now: datetime, answer: str, phone_verified: bool = False,
) -> None:  # fmt: skip
    """Record the answer to the current question, then ask the next one or finish.

    If the next question cannot be sent, the answer is taken back, so the person's next message is
    not mistaken for an answer to a question they never saw.
    """
    data = await state.get_data()
    index = current_index(data, config)
    answers = dict(data.get("answers", {}))
    answers[config.intake.questions[index].key] = answer
    if phone_verified:
        data["phone_verified"] = True
    if index + 1 < len(config.intake.questions):
        await state.update_data(
            q=index + 1, answers=answers, phone_verified=data.get("phone_verified", False)
        )
        try:
            await ask(bot, chat_id, index + 1, t, config, state)
        except Exception:
            await state.set_data({**data, "q": index})
            raise
        return
    await finish(bot, chat_id, user, state, t, config, uow=uow, now=now, answers=answers, data=data)


async def finish(
    bot: Bot, chat_id: int, user: User, state: FSMContext, t: Texts, config: CrmConfig,
    *, uow: UnitOfWork, now: datetime, answers: dict[str, str], data: dict[str, Any],
) -> None:  # fmt: skip
    result = await _submit(user, chat_id, t, config, uow=uow, now=now, answers=answers, data=data)
    await state.clear()
    await strip_buttons(bot, chat_id, data.get("qm"))
    summary = answers_block(config, answers, t.locale)
    if result.outcome is IntakeOutcome.ARCHIVED:
        text = t("intake-done-archived", summary=summary)
    elif result.outcome is IntakeOutcome.APPENDED:
        text = t("intake-done-appended", id=result.deal_id, summary=summary)
    else:
        when = when_we_reply(config, now=now, reply_due=result.reply_due, t=t)
        text = t("intake-done", id=result.deal_id, summary=summary, when=when)
    await bot.send_message(chat_id, text, reply_markup=ReplyKeyboardRemove())


async def cancel(
    bot: Bot, chat_id: int, user: User, state: FSMContext, t: Texts, config: CrmConfig,
    *, uow: UnitOfWork, now: datetime,
) -> None:  # fmt: skip
    """Stop the questions. Someone who wrote to us first still gets an answer: their message goes to a
    manager as a lead with whatever they answered so far."""
    data = await state.get_data()
    await strip_buttons(bot, chat_id, data.get("qm"))
    if data.get("first_message"):
        await _submit(
            user, chat_id, t, config, uow=uow, now=now, answers=dict(data.get("answers", {})), data=data
        )
        await state.clear()
        await bot.send_message(
            chat_id, t("intake-cancelled-message-kept"), reply_markup=ReplyKeyboardRemove()
        )
        return
    await state.clear()
    await bot.send_message(chat_id, t("intake-cancelled"), reply_markup=ReplyKeyboardRemove())


async def _submit(
    user: User, chat_id: int, t: Texts, config: CrmConfig,
    *, uow: UnitOfWork, now: datetime, answers: dict[str, str], data: dict[str, Any],
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
        first_message=first_message_of(data), now=now,
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
