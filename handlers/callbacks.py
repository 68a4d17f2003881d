"""Inline button payloads. Compact (Telegram allows 64 bytes) and checked again in every handler:
callback data comes from the client and can be forged."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class IntakeAnswer(CallbackData, prefix="ia"):
    r: str  # the questionnaire run: a button from an earlier run is stale even on the same question
    q: int  # index of the question the button belongs to (a stale button names an old one)
    opt: str


class IntakeNav(CallbackData, prefix="in"):
    r: str
    action: str  # back | cancel
    q: int


class IntakeRestart(CallbackData, prefix="ir"):
    action: str  # continue | restart


class DealAction(CallbackData, prefix="d"):
    action: str
    deal_id: int
    v: int  # the deal's version when the card was drawn
