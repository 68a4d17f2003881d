"""/preview: a staff member answers the questionnaire as a client would (the same questions, buttons and
confirmation), and gets the card a manager gets, of a test deal that only they see (README.md, "First
run"; `domain.intake.record_test_lead`). While it runs their typed words are answers; /cancel (or
"✖ Отмена") ends it, and so does finishing; their other commands still work, and /start, as always for
staff, leaves whatever was under way and shows their menu.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import BaseFilter, Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from domain.crm_config import CrmConfig
from domain.models import Staff
from domain.ports import UnitOfWork
from handlers.common.filters import IsStaff
from handlers.common.i18n import Texts
from handlers.common.states import IntakeForm
from handlers.prospect import questionnaire
from handlers.prospect import questionnaire_flow as flow


class Previewing(BaseFilter):
    """A staff member in the middle of the questionnaire: their /preview."""

    async def __call__(self, event: Any, staff: Staff | None = None, raw_state: str | None = None) -> bool:
        return staff is not None and staff.active and raw_state in IntakeForm.__all_states_names__


class AnswerOrCancel(BaseFilter):
    """Typed words are answers, and /cancel ends the preview; any other command is the staff member's
    command as always (/start: their menu), never an answer."""

    async def __call__(self, message: Message) -> bool:
        command = (message.text or "").split(maxsplit=1)[0] if message.text else ""
        return not command.startswith("/") or command.split("@", 1)[0] == "/cancel"


async def cmd_preview(
    message: Message, state: FSMContext, bot: Bot, t: Texts, config: CrmConfig, uow: UnitOfWork,
    now: datetime,
) -> None:  # fmt: skip
    """Begin (or begin again) the questionnaire as a client, with a word on what it is and how to leave."""
    assert message.from_user is not None
    await message.answer(t("preview-intro"))
    await flow.begin(
        bot, message.chat.id, message.from_user, state, t, config, uow=uow, now=now, source=None,
        first_message=None, preview=True,
    )  # fmt: skip


def build_router() -> Router:
    router = Router(name="preview")
    router.message.register(cmd_preview, Command("preview"), IsStaff())
    answering = Router(name="preview_answers")
    answering.message.filter(Previewing(), AnswerOrCancel())
    answering.callback_query.filter(Previewing())
    questionnaire.register_answers(answering)
    router.include_router(answering)
    return router
