"""Breached deadlines, and the chats the bot cannot write to."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Breach, BreachKind
from domain.tallies import Tally
from storage.deal_tallies import moment, tally
from storage.elapsed import whole_seconds
from storage.parameter_batches import batches
from storage.tables import BreachRow, UnreachableChatRow


class SqlBreachRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, breach: Breach) -> None:
        self._session.add(
            BreachRow(
                kind=breach.kind.value, deal_id=breach.deal_id, manager_id=breach.manager_id,
                pipeline=breach.pipeline, stage=breach.stage, due_at=breach.due_at,
                detected_at=breach.detected_at, resolved_at=breach.resolved_at,
            )
        )  # fmt: skip
        await self._session.flush()

    async def resolve(self, *, deal_id: int, kinds: tuple[BreachKind, ...], now: datetime) -> None:
        await self._session.execute(
            update(BreachRow)
            .where(
                BreachRow.deal_id == deal_id,
                BreachRow.kind.in_([k.value for k in kinds]),
                BreachRow.resolved_at.is_(None),
            )
            .values(resolved_at=now)
            .execution_options(synchronize_session=False)
        )

    async def tally(
        self, kind: BreachKind, since: datetime, until: datetime, *, now: datetime, limit: int
    ) -> Tally:
        detected = [
            BreachRow.kind == kind.value, BreachRow.detected_at >= since, BreachRow.detected_at < until
        ]  # fmt: skip
        late = whole_seconds(func.coalesce(BreachRow.resolved_at, moment(now)), BreachRow.due_at)
        return await tally(
            self._session, detected, worst=(late, detected), limit=limit, id_column=BreachRow.deal_id
        )


class SqlUnreachableRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, chat_id: int, *, reason: str, now: datetime) -> bool:
        if await self.contains(chat_id):
            return False
        try:
            async with self._session.begin_nested():  # two senders hitting the same block at once
                self._session.add(UnreachableChatRow(chat_id=chat_id, since=now, reason=reason[:500]))
        except IntegrityError:
            return False
        return True

    async def remove(self, chat_id: int) -> bool:
        result = await self._session.execute(
            delete(UnreachableChatRow).where(UnreachableChatRow.chat_id == chat_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def contains(self, chat_id: int) -> bool:
        found = await self._session.scalar(
            select(UnreachableChatRow.chat_id).where(UnreachableChatRow.chat_id == chat_id)
        )
        return found is not None

    async def among(self, chat_ids: Iterable[int]) -> set[int]:
        found: set[int] = set()
        for ids in batches(set(chat_ids)):
            found.update(
                await self._session.scalars(
                    select(UnreachableChatRow.chat_id).where(UnreachableChatRow.chat_id.in_(ids))
                )
            )
        return found
