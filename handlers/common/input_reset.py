"""A command ends whatever a staff member was half-way through typing for a deal; so does anything sent
after a reply album, and anything from someone no longer on the team.

Without this, a manager who pressed "Reply", got distracted and typed /deals would have their next
words sent to the client. The command itself is then handled as usual. A reply that is an album stays
open for the album's other parts (each its own update) and ends with the first message that is not one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, TelegramObject

from handlers.common.pending_input import forget_input
from handlers.common.states import ALBUM, DealInput


class CommandEndsInput(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        state: FSMContext | None = data.get("state")
        current = data.get("raw_state")
        if (
            isinstance(event, Message)
            and state is not None
            and current in DealInput.__all_states_names__
            and (
                (event.text or "").startswith("/")
                or await _after_album(event, state, str(current))
                or not _still_staff(data)
            )
        ):
            await forget_input(data["bot"], event.chat.id, state)
            data["raw_state"] = None
            if (event.text or "").startswith("/") and "t" in data:
                await event.answer(data["t"]("input-dropped"))
        return await handler(event, data)


async def _after_album(message: Message, state: FSMContext, current: str) -> bool:
    if current != DealInput.reply.state:
        return False
    album = (await state.get_data()).get(ALBUM)
    return album is not None and message.media_group_id != album


def _still_staff(data: dict[str, Any]) -> bool:
    """Someone removed from the team while typing for a deal: that input is over for them."""
    staff = data.get("staff")
    return staff is not None and staff.active
