"""Outer middlewares, in order: a cap on updates handled at once, staff role, reachable again, dedupe +
unit of work per update, locale. An ordinary update reads nothing here but whether it was handled
already: the team and the unreachable chats come from the in-memory roster (bot/team_cache.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User

from bot.clock import Clock
from bot.team_cache import TeamCache
from domain.models import Staff
from domain.staff_accounts import update_profile
from domain.unreachable import note_back
from handlers.common.i18n import Translator
from storage.unit_of_work import SqlUnitOfWork

logger = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

# The unit of work of the update being handled in this task; the FSM storage works through it.
CURRENT_UNIT_OF_WORK: ContextVar[SqlUnitOfWork | None] = ContextVar("current_unit_of_work", default=None)


class HandlingCap(BaseMiddleware):
    """At most `limit` updates are handled at once; the rest wait their turn. Without it a campaign
    peak (hundreds of prospects at once, more in webhook mode) would open a database connection and a
    Redis connection per update and fail on the pools' limits instead of queueing."""

    def __init__(self, limit: int) -> None:
        self._slots = asyncio.Semaphore(limit)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self._slots:
            return await handler(event, data)


class UnitOfWorkMiddleware(BaseMiddleware):
    """One unit of work per update, which also records the update as handled.

    The record goes into the same transaction as the handler's changes and its conversation state
    (see SqlUnitOfWork), so a redelivered update is handled once, and one whose handler crashed is
    handled again. An update that changed nothing but its conversation commits once, at its end.
    An update from the inbox (bot/inbox.py) was claimed pending: it is not looked up first, unless an
    earlier try of it failed (that try may have committed before it failed).
    """

    def __init__(self, make_uow: Callable[[], SqlUnitOfWork], clock: Clock) -> None:
        self._make_uow = make_uow
        self._clock = clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        async with self._make_uow() as uow:
            token = CURRENT_UNIT_OF_WORK.set(uow)
            try:
                stored = data.get("inbox_entry") is not None
                looked_up = not stored or data.get("inbox_retry", False)
                if looked_up and await uow.update_seen(event.update_id):
                    logger.info("update %s was handled already; skipped", event.update_id)
                    return None
                now = self._clock.now()
                uow.mark_update(event.update_id, now=now, stored=stored)
                data["uow"], data["now"] = uow, now
                result = await handler(event, data)
                if uow.has_writes_to_commit:
                    await uow.commit()
                return result
            finally:
                CURRENT_UNIT_OF_WORK.reset(token)


class StaffMiddleware(BaseMiddleware):
    """Puts `staff` (a Staff or None) into the handler data, and keeps a staff member's name, username
    and language current (cards and notices show and use them).

    Also `team_empty`: nobody holds a role yet, so whoever writes is told their id and how to become the
    admin (handlers/common/owner_hint.py). Each such person is logged once, at WARNING, with their id and
    username: the owner finds their id in the log too."""

    HINTED_AT_MOST = 10_000  # people remembered as logged; past it the memory starts again

    def __init__(
        self, translator: Translator, make_uow: Callable[[], SqlUnitOfWork], team: TeamCache
    ) -> None:
        self._translator = translator
        self._make_uow = make_uow
        self._team = team
        self._hinted: set[int] = set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        staff = await self._team.staff(user.id) if user else None
        if staff is not None and user is not None:
            locale = self._translator.pick(user.language_code, staff.locale)
            if (staff.name, staff.username, staff.locale) != (user.full_name, user.username, locale):
                staff = await self._update_profile(user, locale) or staff
        data["staff"] = staff
        empty = (staff is None or not staff.active) and await self._team.empty()
        data["team_empty"] = empty
        if empty and user is not None and not user.is_bot and user.id not in self._hinted:
            if len(self._hinted) >= self.HINTED_AT_MOST:
                self._hinted.clear()
            self._hinted.add(user.id)
            handle = f" (@{user.username})" if user.username else ""  # no empty "(@-)" without one
            logger.warning(
                "nobody is on the team yet: %s%s wrote to the bot; to make them the admin, set "
                "ADMIN_IDS=%s in .env and restart",
                user.id, handle, user.id,
            )  # fmt: skip
        return await handler(event, data)

    async def _update_profile(self, user: User, locale: str) -> Staff | None:
        # A unit of work of its own (its commit must not record the update as handled), reading the row
        # afresh: the cached copy may be a moment old, and saving it would undo a newer change.
        async with self._make_uow() as uow:
            member = await uow.staff.get(user.id)
            if member is not None:
                await update_profile(uow, member, name=user.full_name, username=user.username, locale=locale)
            return member


class ReachableAgainMiddleware(BaseMiddleware):
    """Someone recorded as unreachable (blocked the bot, never pressed Start) who writes or presses a
    button can plainly be written to again: the record goes, so they get leads again and a later block
    is told again. Telegram says "unblocked" itself only for a block, never for a first Start."""

    def __init__(self, make_uow: Callable[[], SqlUnitOfWork], team: TeamCache) -> None:
        self._make_uow = make_uow
        self._team = team

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        user: User | None = data.get("event_from_user")
        if (
            user is not None
            and (event.message or event.callback_query or event.edited_message)
            and await self._team.unreachable(user.id)
        ):
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
