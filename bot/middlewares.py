"""Outer middlewares, in order: dedupe + unit of work per update, staff role, reachable again, locale
(DESIGN.md §1)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User

from bot.clock import Clock
from domain.team import update_profile
from domain.unreachable import note_back
from handlers.i18n import Translator
from storage.unit_of_work import SqlUnitOfWork

logger = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

# The unit of work of the update being handled in this task; the FSM storage checks it (see there).
CURRENT_UNIT_OF_WORK: ContextVar[SqlUnitOfWork | None] = ContextVar("current_unit_of_work", default=None)


class UnitOfWorkMiddleware(BaseMiddleware):
    """One unit of work per update, which also records the update as handled.

    The record goes into the same transaction as the handler's changes (see SqlUnitOfWork), so a
    redelivered update is handled once, and one whose handler crashed is handled again.
    """

    def __init__(self, make_uow: Callable[[], SqlUnitOfWork], clock: Clock) -> None:
        self._make_uow = make_uow
        self._clock = clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        async with self._make_uow() as uow:
            if await uow.update_seen(event.update_id):
                logger.info("update %s was handled already; skipped", event.update_id)
                return None
            now = self._clock.now()
            uow.mark_update(event.update_id, now=now)
            data["uow"], data["now"] = uow, now
            token = CURRENT_UNIT_OF_WORK.set(uow)
            try:
                result = await handler(event, data)
            finally:
                CURRENT_UNIT_OF_WORK.reset(token)
            if uow.has_update_to_mark:
                await uow.commit()
            return result


class StaffMiddleware(BaseMiddleware):
    """Puts `staff` (a Staff or None) into the handler data, and keeps a staff member's name, username
    and language current (cards and notices show and use them)."""

    def __init__(self, translator: Translator, make_uow: Callable[[], SqlUnitOfWork]) -> None:
        self._translator = translator
        self._make_uow = make_uow

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        uow: SqlUnitOfWork = data["uow"]
        staff = await uow.staff.get(user.id) if user else None
        await uow.rollback()  # end the read: handlers may use the FSM storage before their use case
        if staff is not None and user is not None:
            locale = self._translator.pick(user.language_code, staff.locale)
            # A unit of work of its own: this commit must not record the update as handled.
            async with self._make_uow() as profile_uow:
                await update_profile(
                    profile_uow, staff, name=user.full_name, username=user.username, locale=locale
                )
        data["staff"] = staff
        return await handler(event, data)


class ReachableAgainMiddleware(BaseMiddleware):
    """Someone recorded as unreachable (blocked the bot, never pressed Start) who writes or presses a
    button can plainly be written to again: the record goes, so they get leads again and a later block
    is told again. Telegram says "unblocked" itself only for a block, never for a first Start."""

    def __init__(self, make_uow: Callable[[], SqlUnitOfWork]) -> None:
        self._make_uow = make_uow

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        user: User | None = data.get("event_from_user")
        if user is not None and (event.message or event.callback_query or event.edited_message):
            uow: SqlUnitOfWork = data["uow"]
            recorded = await uow.unreachable.contains(user.id)
            await uow.rollback()
            if recorded:
                # A unit of work of its own: this commit must not record the update as handled.
                async with self._make_uow() as own:
                    await note_back(own, user.id)
                logger.info("chat %s is reachable again", user.id)
        return await handler(event, data)


class LocaleMiddleware(BaseMiddleware):
    """Puts `t` (texts in the person's language) into the handler data."""

    def __init__(self, translator: Translator) -> None:
        self._translator = translator

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        staff = data.get("staff")
        stored = staff.locale if staff is not None else None
        locale = self._translator.pick(user.language_code if user else None, stored)
        data["t"] = self._translator.bind(locale)
        return await handler(event, data)
