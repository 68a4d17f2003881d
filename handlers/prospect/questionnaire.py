"""The prospect's questionnaire: /start, answers typed or tapped, back, cancel, start over."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, Update

from domain.crm_config import CrmConfig, QuestionKind
from domain.ports import UnitOfWork
from domain.qualification import Rejected, check_answer, check_option
from handlers.common.callbacks import IntakeAnswer, IntakeNav, IntakeRestart
from handlers.common.filters import IsProspect
from handlers.common.i18n import SUPPORTED, Texts
from handlers.common.states import IntakeForm
from handlers.prospect import questionnaire_flow as flow
from handlers.prospect.question_messages import strip_buttons
from handlers.prospect.views.questionnaire import restart_keyboard

logger = logging.getLogger(__name__)

RESTART_PROMPT = "restart_prompt"  # the "carry on or start over?" message, whose buttons go once answered


async def cmd_start(
    message: Message, command: CommandObject, state: FSMContext, bot: Bot, t: Texts, config: CrmConfig,
    uow: UnitOfWork, now: datetime,
) -> None:  # fmt: skip
    """Every /start of a prospect begins an inquiry (domain/inquiries.py); one in the middle of the
    questions asks first whether to carry on or start over."""
    assert message.from_user is not None
    source = flow.parse_source(command.args)
    if await state.get_state() in (IntakeForm.answering.state, IntakeForm.restart_or_continue.state):
        data = await state.get_data()
        if not data.get("answers"):  # nothing answered yet: nothing to lose, just begin again
            await flow.begin(
                bot,
                message.chat.id,
                message.from_user,
                state,
                t,
                config,
                uow=uow,
                now=now,
                source=source or data.get("source"),
                first_message=flow.first_message_of(data),
                preview=False,
            )
            return  # fmt: skip
        await strip_buttons(bot, message.chat.id, data.get(RESTART_PROMPT))  # /start twice: one prompt
        prompt = await message.answer(t("intake-resume-or-restart"), reply_markup=restart_keyboard(t))
        await state.update_data({RESTART_PROMPT: prompt.message_id}, pending_source=source)
        await state.set_state(IntakeForm.restart_or_continue)
        return
    await flow.begin(
        bot, message.chat.id, message.from_user, state, t, config, uow=uow, now=now, source=source,
        first_message=None, preview=False,
    )  # fmt: skip


async def on_restart_choice(
    callback: CallbackQuery, callback_data: IntakeRestart, state: FSMContext, bot: Bot, t: Texts,
    config: CrmConfig, uow: UnitOfWork, now: datetime,
) -> None:  # fmt: skip
    if await state.get_state() != IntakeForm.restart_or_continue.state:
        await callback.answer(t("intake-stale-button"))
        return
    await callback.answer()
    data = await state.get_data()
    chat_id = callback.from_user.id
    prompt = callback.message.message_id if callback.message is not None else None
    if callback_data.action == "restart":
        await strip_buttons(bot, chat_id, prompt)
        source = data.get("pending_source") or data.get("source")
        await flow.begin(bot, chat_id, callback.from_user, state, t, config, uow=uow, now=now,
                         source=source, first_message=flow.first_message_of(data))  # fmt: skip
        return
    await state.set_state(IntakeForm.answering)
    await flow.carry_on(bot, chat_id, prompt, t, config, state)


async def on_answer_typed(
    message: Message, state: FSMContext, bot: Bot, t: Texts, config: CrmConfig, uow: UnitOfWork,
    now: datetime, event_update: Update,
) -> None:  # fmt: skip
    """An answer typed (or a contact shared) for the current question. While the "carry on or start
    over?" prompt is up, typing anything means carrying on: the message answers the current question."""
    assert message.from_user is not None
    if await flow.already_applied(bot, message.chat.id, event_update.update_id, t, config, state):
        return
    if await state.get_state() == IntakeForm.restart_or_continue.state:
        await _carry_on_past_prompt(bot, message.chat.id, state)
    data = await state.get_data()
    index = flow.current_index(data, config)
    question = config.intake.questions[index]
    if is_nav_word(message.text, "btn-back", t):
        await flow.go_back(bot, message.chat.id, index, t, config, state, uow=uow, now=now)
        return
    if is_nav_word(message.text, "btn-cancel", t):
        await flow.cancel(bot, message.chat.id, message.from_user, state, t, config, uow=uow, now=now)
        return
    text = message.text
    own_contact = False
    if question.kind is QuestionKind.CONTACT and message.contact is not None:
        text = message.contact.phone_number
        own_contact = message.contact.user_id == message.from_user.id
    checked = check_answer(
        question, text, max_length=config.intake.max_answer_length, phone_region=config.company.phone_region
    )
    if isinstance(checked, Rejected):
        if await flow.passed_on(message, state, t, config, uow=uow, now=now):
            return
        error = t(
            f"intake-error-{checked.error.value.replace('_', '-')}", limit=config.intake.max_answer_length
        )
        await flow.ask(bot, message.chat.id, index, t, config, state, error=error)
        return
    await flow.advance(bot, message.chat.id, message.from_user, state, t, config, uow=uow, now=now,
                       answer=checked.value, update_id=event_update.update_id,
                       phone_verified=own_contact)  # fmt: skip


async def on_option_chosen(
    callback: CallbackQuery, callback_data: IntakeAnswer, state: FSMContext, bot: Bot, t: Texts,
    config: CrmConfig, uow: UnitOfWork, now: datetime, event_update: Update,
) -> None:  # fmt: skip
    if await flow.already_applied(bot, callback.from_user.id, event_update.update_id, t, config, state):
        return
    index = await _live_question(callback, bot, callback_data.r, callback_data.q, state, t, config)
    if index is None:
        return
    question = config.intake.questions[index]
    checked = check_option(question, callback_data.opt)
    if isinstance(checked, Rejected):
        logger.warning("user %s sent an unknown option %r", callback.from_user.id, callback_data.opt)
        await callback.answer(t("intake-stale-button"))
        return
    await callback.answer()
    tapped = callback.message.message_id if callback.message is not None else None
    await flow.advance(bot, callback.from_user.id, callback.from_user, state, t, config, uow=uow, now=now,
                       answer=checked.value, update_id=event_update.update_id, tapped=tapped)  # fmt: skip


async def on_nav(
    callback: CallbackQuery, callback_data: IntakeNav, state: FSMContext, bot: Bot, t: Texts,
    config: CrmConfig, uow: UnitOfWork, now: datetime,
) -> None:  # fmt: skip
    """Back or Cancel pressed under a question sent before they moved to the reply keyboard (see
    handlers/prospect/views/questionnaire.py): someone half-way through the questions at an upgrade
    keeps them."""
    index = await _live_question(callback, bot, callback_data.r, callback_data.q, state, t, config)
    if index is None:
        return
    await callback.answer()
    if callback_data.action == "back":
        await flow.go_back(bot, callback.from_user.id, index, t, config, state, uow=uow, now=now)
    else:
        await flow.cancel(bot, callback.from_user.id, callback.from_user, state, t, config, uow=uow, now=now)


async def on_broken_intake_button(callback: CallbackQuery, t: Texts) -> None:
    """Intake callback data that does not parse (forged or from an old version of the bot)."""
    await callback.answer(t("intake-stale-button"))


async def _live_question(
    callback: CallbackQuery, bot: Bot, run: str, index: int, state: FSMContext, t: Texts, config: CrmConfig
) -> int | None:
    """The question a button belongs to, if it is the one being asked now in this run; else say so.

    A stale press changes nothing and sends nothing new: pressed twice, or late, on a message that moved
    on to a later question, or under an old run's question, it does not fill the chat with repeats. The
    current question's buttons still work while "carry on or start over?" is up: pressing one carries on,
    as typing an answer does.
    """
    asking = await state.get_state()
    if asking in (IntakeForm.answering.state, IntakeForm.restart_or_continue.state):
        data = await state.get_data()
        current = flow.current_index(data, config)
        if run == data.get("run") and index == current:
            if asking != IntakeForm.answering.state:
                await _carry_on_past_prompt(bot, callback.from_user.id, state)
            return current
    await callback.answer(t("intake-stale-button"))
    return None


async def _carry_on_past_prompt(bot: Bot, chat_id: int, state: FSMContext) -> None:
    """An answer while "carry on or start over?" is up carries on: that prompt's buttons go."""
    await state.set_state(IntakeForm.answering)
    await strip_buttons(bot, chat_id, (await state.get_data()).get(RESTART_PROMPT))


def is_nav_word(text: str | None, key: str, t: Texts) -> bool:
    """Whether typed text means a navigation button: "« Назад", "назад", "Back", "✖ cancel"..."""
    if not text or len(text) > 32:
        return False
    wanted = _letters(text)
    return bool(wanted) and any(wanted == _letters(t.translator.get(locale, key)) for locale in SUPPORTED)


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalpha())


def build_router() -> Router:
    router = Router(name="intake")
    router.message.filter(IsProspect())
    router.callback_query.filter(IsProspect())
    router.message.register(cmd_start, CommandStart())
    register_answers(router)
    return router


async def cmd_cancel(
    message: Message, state: FSMContext, bot: Bot, t: Texts, config: CrmConfig, uow: UnitOfWork,
    now: datetime,
) -> None:  # fmt: skip
    """/cancel during the questions: as "✖ Отмена"."""
    assert message.from_user is not None
    await flow.cancel(bot, message.chat.id, message.from_user, state, t, config, uow=uow, now=now)


def register_answers(router: Router) -> None:
    """The answers, back, cancel and the buttons of a questionnaire under way: a prospect's, or a staff
    member's /preview (handlers/prospect/preview.py), handled alike."""
    router.message.register(cmd_cancel, Command("cancel"), StateFilter(*IntakeForm.__all_states__))
    router.message.register(on_answer_typed, IntakeForm.restart_or_continue)
    router.callback_query.register(on_restart_choice, IntakeRestart.filter())
    router.message.register(on_answer_typed, IntakeForm.answering)
    router.callback_query.register(on_option_chosen, IntakeAnswer.filter())
    router.callback_query.register(on_nav, IntakeNav.filter())
    router.callback_query.register(on_broken_intake_button, F.data.startswith(("ia:", "in:", "ir:")))
