"""Thin Telegram handlers: parse input, call one use case, render the answer with locales/."""

from __future__ import annotations

from aiogram import Router

from handlers import deal_take, errors, fallback, intake, relay, staff_menu


def build_router() -> Router:
    """Every router in the order they are tried; the fallback goes last."""
    root = Router(name="voronka")
    for module in (errors, staff_menu, deal_take, intake, relay, fallback):
        root.include_router(module.build_router())
    return root
