"""Invites into the team, and links from messages the bot sent staff to the deals they belong to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Invite, Role
from storage.tables import InviteRow, MessageLinkRow


class SqlInviteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, invite: Invite) -> None:
        self._session.add(
            InviteRow(
                token=invite.token, role=invite.role.value, created_by=invite.created_by,
                created_at=invite.created_at, expires_at=invite.expires_at,
            )
        )  # fmt: skip
        await self._session.flush()

    async def get(self, token: str) -> Invite | None:
        row = await self._session.get(InviteRow, token, populate_existing=True)
        if row is None:
            return None
        return Invite(
            row.token,
            Role(row.role),
            row.created_by,
            row.created_at,
            row.expires_at,
            row.used_by,
            row.used_at,
        )

    async def claim(self, token: str, *, user_id: int, now: datetime) -> bool:
        result = await self._session.execute(
            update(InviteRow)
            .where(InviteRow.token == token, InviteRow.used_at.is_(None), InviteRow.expires_at > now)
            .values(used_by=user_id, used_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


class SqlMessageLinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, *, chat_id: int, message_id: int, deal_id: int, at: datetime) -> None:
        await self._session.merge(
            MessageLinkRow(chat_id=chat_id, message_id=message_id, deal_id=deal_id, at=at)
        )
        await self._session.flush()

    async def deal_for(self, *, chat_id: int, message_id: int) -> int | None:
        return await self._session.scalar(
            select(MessageLinkRow.deal_id).where(
                MessageLinkRow.chat_id == chat_id, MessageLinkRow.message_id == message_id
            )
        )
