"""Telling a client their words were passed on: once for a burst, not once per message."""

from __future__ import annotations

from datetime import datetime, timedelta

from aiogram.fsm.context import FSMContext
from aiogram.types import Message

ACK_EVERY = timedelta(minutes=2)
ACKED_AT = "relay_acked_at"  # conversation data: when the person was last told their words were passed on


async def acknowledge_once(message: Message, state: FSMContext, text: str, *, now: datetime) -> None:
    """Answer `text` unless the person was told the same within `ACK_EVERY`: ten quick messages get one
    "passed on", not ten."""
    acked = (await state.get_data()).get(ACKED_AT)
    if isinstance(acked, str) and now - datetime.fromisoformat(acked) < ACK_EVERY:
        return
    await state.update_data({ACKED_AT: now.isoformat()})
    await message.answer(text)
