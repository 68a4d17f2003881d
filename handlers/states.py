from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class IntakeForm(StatesGroup):
    answering = State()
    restart_or_continue = State()
