"""The inbox: every update from Telegram, written before Telegram is told it arrived (bot/inbox.py).

An update is stored pending, claimed with a lease by the process that handles it, and marked done in
the same transaction as its handling's effects (storage/unit_of_work.py). One that keeps failing is set
aside: kept, out of the way of the updates behind it, for a person to look at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Insert, and_, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.tables import Base, InboxRow

PENDING, DONE, SET_ASIDE = "pending", "done", "set_aside"
_INBOX = Base.metadata.tables[InboxRow.__tablename__]
_OLDER = _INBOX.alias("older")


@dataclass(frozen=True)
class InboxEntry:
    update_id: int
    chat_id: int | None  # whose updates keep their order among themselves
    kind: str  # message, callback_query, ...
    payload: dict[str, Any]
    attempts: int = 0


class InboxStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def store(
        self, entries: Sequence[InboxEntry], *, now: datetime, lease: timedelta,
        in_turn_besides: Sequence[int] | None = None,
    ) -> set[int]:  # fmt: skip
        """Write a batch in one transaction and claim what is this process's to handle: the new ones,
        and any of them stored before but still pending and nobody's (a batch fetched again after its
        store's answer was lost). Returns the ids claimed.

        `in_turn_besides` (several processes): an update is claimed only in its turn, when no older
        update of its chat is pending but those given (this process has them in hand, so its own lane
        keeps their order) and those of the batch. One that is not stays unclaimed, for whoever takes up
        the older ones (`claim_pending`)."""
        if not entries:
            return set()
        async with self._sessions() as session:
            rows = [
                {"update_id": e.update_id, "chat_id": e.chat_id, "kind": e.kind[:32], "payload": e.payload,
                 "state": PENDING, "attempts": 0, "received_at": now}
                for e in entries
            ]  # fmt: skip
            await session.execute(_insert_new(session).values(rows))
            batch = [e.update_id for e in entries]
            claim = (
                update(_INBOX)
                .where(_INBOX.c.update_id.in_(batch), _INBOX.c.state == PENDING)
                .where(or_(_INBOX.c.leased_until.is_(None), _INBOX.c.leased_until < now))
            )
            if in_turn_besides is not None:
                claim = claim.where(~_older_pending(_OLDER.c.update_id.not_in([*batch, *in_turn_besides])))
            claimed = await session.scalars(
                claim.values(leased_until=now + lease).returning(_INBOX.c.update_id)
            )
            ids = set(claimed)
            await session.commit()
            return ids

    async def claim_pending(
        self, *, now: datetime, lease: timedelta, limit: int, skip: Sequence[int] = (), anyones: bool = False,
        in_turn: bool = False,
    ) -> list[InboxEntry]:  # fmt: skip
        """The oldest pending updates nobody holds (with `anyones`, held or not: the process that held
        them is known to be gone), leased to this process, oldest first. `skip`: ids in hand here.
        `in_turn` (several processes): not an update whose chat has an older one that another process
        holds; it waits for that one to be done, or taken over when its holder's lease runs out."""
        async with self._sessions() as session:
            query = select(_INBOX).where(_INBOX.c.state == PENDING).order_by(_INBOX.c.update_id).limit(limit)
            if not anyones:
                query = query.where(or_(_INBOX.c.leased_until.is_(None), _INBOX.c.leased_until < now))
            if skip:
                query = query.where(_INBOX.c.update_id.not_in(list(skip)))
            if in_turn:
                held_elsewhere = _OLDER.c.leased_until >= now
                if skip:
                    held_elsewhere = and_(held_elsewhere, _OLDER.c.update_id.not_in(list(skip)))
                query = query.where(~_older_pending(held_elsewhere))
            rows = (await session.execute(query.with_for_update(skip_locked=True))).all()
            if not rows:
                return []
            await session.execute(
                update(_INBOX)
                .where(_INBOX.c.update_id.in_([row.update_id for row in rows]), _INBOX.c.state == PENDING)
                .values(leased_until=now + lease)
            )
            await session.commit()
        return [
            InboxEntry(row.update_id, row.chat_id, row.kind, dict(row.payload or {}), row.attempts)
            for row in rows
        ]

    async def renew(self, update_ids: Sequence[int], *, now: datetime, lease: timedelta) -> int:
        """The updates this process has in hand stay its own: their leases start afresh (a heartbeat, so
        a lease can be short and a process that died gives its updates up soon). Returns how many."""
        if not update_ids:
            return 0
        async with self._sessions() as session:
            result = await session.execute(
                update(_INBOX)
                .where(_INBOX.c.update_id.in_(list(update_ids)), _INBOX.c.state == PENDING)
                .values(leased_until=now + lease)
            )
            await session.commit()
            return int(result.rowcount)  # type: ignore[attr-defined]

    async def failed(self, update_id: int, *, error: str) -> int:
        """Count a failed try (a bug, not an outage); returns the tries so far."""
        async with self._sessions() as session:
            attempts = await session.scalar(
                update(_INBOX)
                .where(_INBOX.c.update_id == update_id, _INBOX.c.state == PENDING)
                .values(attempts=_INBOX.c.attempts + 1, error=error[:255])
                .returning(_INBOX.c.attempts)
            )
            await session.commit()
            return int(attempts or 0)

    async def finish(self, update_id: int, *, now: datetime, error: str) -> None:
        """Done without its effects: the person blocked the bot mid-reply, and handling it again would
        only write to them again."""
        async with self._sessions() as session:
            await session.execute(
                update(_INBOX)
                .where(_INBOX.c.update_id == update_id, _INBOX.c.state == PENDING)
                .values(state=DONE, handled_at=now, payload=None, leased_until=None, error=error[:255])
            )
            await session.commit()

    async def state_of(self, update_id: int) -> str | None:
        async with self._sessions() as session:
            return await session.scalar(select(_INBOX.c.state).where(_INBOX.c.update_id == update_id))

    async def reachable(self) -> None:
        """A trivial read: raises while the database cannot be reached."""
        async with self._sessions() as session:
            await session.execute(select(1))


def _older_pending(which: ColumnElement[bool]) -> Any:
    """An older pending update of the same chat, of those `which` picks, exists. (Pending updates are
    few, and `ix_inbox_state_id` finds them.)"""
    return exists().where(
        _OLDER.c.state == PENDING,
        _OLDER.c.chat_id == _INBOX.c.chat_id,
        _OLDER.c.update_id < _INBOX.c.update_id,
        which,
    )


def set_aside_statement(update_id: int, *, now: datetime, error: str) -> Any:
    """Out of the way of the updates behind it, its payload kept for a person to look at (and, set
    back to pending, to have it handled again). Run in the transaction that tells the supervisors."""
    return (
        update(_INBOX)
        .where(_INBOX.c.update_id == update_id, _INBOX.c.state == PENDING)
        .values(state=SET_ASIDE, handled_at=now, leased_until=None, error=error[:255])
    )


def _insert_new(session: AsyncSession) -> Insert:
    """INSERT that leaves an update already stored as it is."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(_INBOX).on_conflict_do_nothing(index_elements=["update_id"])
    return sqlite.insert(_INBOX).on_conflict_do_nothing(index_elements=["update_id"])
