"""What every update needs to know about people, read at once: the team, and who cannot be written to.

The bot keeps it in memory (bot/team_cache.py) and reads it again after a change, so an ordinary update
reads nothing for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.models import Staff
from storage.staff_repository import SqlStaffRepository
from storage.tables import UnreachableChatRow


@dataclass(frozen=True)
class Roster:
    staff: dict[int, Staff]  # every staff row by Telegram id, removed people too (`active` says)
    unreachable: frozenset[int]  # chats that blocked the bot or never opened it


async def read_roster(sessions: async_sessionmaker[AsyncSession]) -> Roster:
    async with sessions() as session:
        staff = await SqlStaffRepository(session).everyone()
        unreachable = await session.scalars(select(UnreachableChatRow.chat_id))
        return Roster({s.telegram_id: s for s in staff}, frozenset(unreachable))
