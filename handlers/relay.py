"""A prospect writes after the questionnaire: the message joins their deal and reaches its manager."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from domain.crm_config import CrmConfig
from domain.ports import UnitOfWork
from domain.relay import IncomingMessage, relay_prospect_message
from handlers import intake_flow as flow
from handlers.filters import IsProspect
from handlers.i18n import Texts


async def on_prospect_message(
    message: Message, state: FSMContext, bot: Bot, t: Texts, config: CrmConfig, uow: UnitOfWork,
    now: datetime,
) -> None:  # fmt: skip
    assert message.from_user is not None
    text = message.text or message.caption
    incoming = IncomingMessage(
        chat_id=message.chat.id,
        telegram_id=message.from_user.id,
        message_id=message.message_id,
        kind=str(getattr(message.content_type, "value", message.content_type)),
        text=text,
    )
    deal_id = await relay_prospect_message(uow, incoming, now=now)
    if deal_id is not None:
        await message.answer(t("relay-delivered"))
        return
    # Somebody new wrote before pressing /start: their words are kept and the questionnaire begins.
    first = text or t("relay-first-message-media", kind=incoming.kind)
    await flow.begin(
        bot, message.chat.id, message.from_user, state, t, config, source=None, first_message=first
    )


def build_router() -> Router:
    router = Router(name="relay")
    router.message.filter(IsProspect(), StateFilter(None))
    router.message.register(on_prospect_message)
    return router
