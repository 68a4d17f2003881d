"""A command ends whatever a staff member was half-way through typing for a deal.

Without this, a manager who pressed "Reply", got distracted and typed /deals would have their next
words sent to the client. The command itself is then handled as usual.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, TelegramObject

from handlers.states import DealInput


class CommandEndsInput(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        state: FSMContext | None = data.get("state")
        if isinstance(event, Message) and (event.text or "").startswith("/") and state is not None:
            current = data.get("raw_state")
            if current is not None and current in DealInput.__all_states_names__:
                await state.clear()
                data["raw_state"] = None
        return await handler(event, data)
