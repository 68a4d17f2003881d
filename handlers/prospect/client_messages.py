"""A prospect writes after the questionnaire: the message joins their deal and reaches its manager."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from domain.client_chat import Flood, relay_prospect_message
from domain.crm_config import CrmConfig
from domain.ports import UnitOfWork
from handlers.common.filters import IsProspect
from handlers.common.i18n import Texts
from handlers.common.message_kinds import RELAYED
from handlers.prospect import questionnaire_flow as flow
from handlers.prospect.acknowledgement import acknowledge_once
from handlers.prospect.incoming import incoming_message


async def on_prospect_message(
    message: Message, state: FSMContext, bot: Bot, t: Texts, config: CrmConfig, uow: UnitOfWork,
    now: datetime,
) -> None:  # fmt: skip
    assert message.from_user is not None
    incoming = incoming_message(message)
    relayed = await relay_prospect_message(uow, incoming, now=now, flood_limit=config.intake.flood_limit)
    if relayed is not None:
        if relayed.flood is Flood.STARTED:  # kept in the deal all the same; said once a flood
            await message.answer(t("relay-slow-down", limit=config.intake.flood_limit))
            return
        if relayed.flood is Flood.GOING_ON:
            return
        await acknowledge_once(message, state, t("relay-delivered"), now=now)
        return
    # Somebody new wrote before /start: the message is kept for their deal and the questions begin.
    user = message.from_user
    await flow.begin(
        bot, message.chat.id, user, state, t, config, uow=uow, now=now, source=None, first_message=incoming
    )


async def on_prospect_edit(
    message: Message, t: Texts, config: CrmConfig, uow: UnitOfWork, now: datetime
) -> None:
    """A client corrected a message: the new text reaches the manager too, marked as a correction.
    (Telegram cannot change the copy the manager already has.)"""
    assert message.from_user is not None
    incoming = incoming_message(message, edited=True)
    relayed = await relay_prospect_message(uow, incoming, now=now, flood_limit=config.intake.flood_limit)
    if relayed is not None and relayed.flood is Flood.NONE:
        await message.reply(t("relay-edit-delivered"))


async def on_service_message(message: Message) -> None:
    """A service message (a pin, a new chat background...) is nobody's words: nothing to answer."""


def build_router() -> Router:
    router = Router(name="relay")
    router.message.filter(IsProspect(), StateFilter(None))
    router.message.register(on_prospect_message, F.content_type.in_(RELAYED))
    router.message.register(on_service_message)
    # Corrections of words only: a live location is an edited message every few seconds, and an answer
    # corrected mid-questionnaire belongs to the questionnaire, not to an older deal.
    router.edited_message.filter(IsProspect(), StateFilter(None))
    router.edited_message.register(on_prospect_edit, F.content_type.in_(RELAYED), F.text | F.caption)
    return router
