"""Deals: read and written whole, with a version against lost updates; the lists' pages and the digest's
tallies are read by `storage/deal_pages.py` and `storage/deal_tallies.py`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain import timer_kinds
from domain.list_pages import Position, Segment, StageCount
from domain.models import Channel, Deal, DealStatus, EventKind, Temperature
from domain.ports import ConcurrentChange
from domain.search_keys import search_key
from domain.tallies import ClosedTally, Tally
from storage import deal_pages, deal_tallies
from storage.outbox_repository import PENDING
from storage.tables import (
    LIVE_DEAL,
    REAL_DEAL,
    BreachRow,
    ContactRow,
    DealEventRow,
    DealRow,
    InquiryRow,
    MessageLinkRow,
    MessageRow,
    OutboxRow,
    StageVisitRow,
    TimerRow,
)

_FIELDS = (
    "contact_id", "pipeline", "stage", "chat_id", "source", "answers", "target", "created_at",
    "stage_entered_at", "manager_id", "assigned_at", "taken_at", "take_due_at", "closed_at", "loss_reason",
    "loss_note", "amount", "next_contact_at", "is_test",
)  # fmt: skip


def _to_deal(row: DealRow) -> Deal:
    return Deal(
        id=row.id,
        status=DealStatus(row.status),
        temperature=Temperature(row.temperature),
        channel=Channel(row.channel),
        version=row.version,
        **{name: getattr(row, name) for name in _FIELDS},
    )


def _fill(row: DealRow, deal: Deal) -> None:
    for name in _FIELDS:
        setattr(row, name, getattr(deal, name))
    row.answers = dict(deal.answers)
    row.status, row.temperature, row.channel = deal.status.value, deal.temperature.value, deal.channel.value


FRESH = {"populate_existing": True}  # rows read again overwrite what the session remembers


class SqlDealRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, deal_id: int) -> Deal | None:
        row = await self._session.get(DealRow, deal_id, populate_existing=True)
        if row is None or (row.is_test and row.manager_id is None):  # a deleted test deal (`delete_test`)
            return None
        return _to_deal(row)

    async def add(self, deal: Deal) -> Deal:
        row = DealRow(version=1)
        _fill(row, deal)
        self._session.add(row)
        await self._session.flush()
        # Its first stay, in the stage it opens in (README.md, "Reports → Funnel"): written with the next
        # flush, one INSERT; later stages are entered through `StageVisitRepository.enter`.
        self._session.add(
            StageVisitRow(
                deal_id=row.id, pipeline=row.pipeline, stage=row.stage, entered_at=row.stage_entered_at
            )
        )
        return _to_deal(row)

    async def save(self, deal: Deal) -> None:
        """Write the deal back and bump its version, if nobody committed a change since it was read.

        A conditional UPDATE: on PostgreSQL a concurrent writer's UPDATE waits for the first to commit,
        then finds the version moved on and matches no row; SQLite writers are serialised anyway.
        """
        values = {name: getattr(deal, name) for name in _FIELDS}
        values.update(answers=dict(deal.answers), status=deal.status.value)
        values["temperature"] = deal.temperature.value
        result = await self._session.execute(
            update(DealRow)
            .where(DealRow.id == deal.id, DealRow.version == deal.version)
            .values(**values, version=deal.version + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            if await self._session.get(DealRow, deal.id) is None:
                raise LookupError(f"no deal {deal.id}")
            raise ConcurrentChange(f"deal {deal.id} changed since version {deal.version}")
        deal.version += 1

    async def for_contact(self, contact_id: int) -> list[Deal]:
        rows = await self._session.scalars(
            select(DealRow).where(DealRow.contact_id == contact_id, LIVE_DEAL).order_by(DealRow.id)
        )
        return [_to_deal(r) for r in rows]

    async def move_to_contact(self, from_contact: int, to_contact: int) -> list[int]:
        """One UPDATE: what is committed counts (a deal opened meanwhile moves too), and the ids come back
        from the statement itself."""
        moved = await self._session.scalars(
            update(DealRow)
            .where(DealRow.contact_id == from_contact)
            .values(contact_id=to_contact, version=DealRow.version + 1)
            .returning(DealRow.id)
            .execution_options(synchronize_session="fetch")
        )
        return sorted(moved)

    async def has_event(self, deal_id: int, kind: EventKind) -> bool:
        found = await self._session.scalar(
            select(DealEventRow.id)
            .where(DealEventRow.deal_id == deal_id, DealEventRow.kind == kind.value)
            .limit(1)
        )
        return found is not None

    async def delete_test(self, deal_id: int) -> None:
        """A test deal and what hangs on it, children first (the foreign keys). Its row stays, blank, as a
        marker (`storage.tables.LIVE_DEAL`): SQLite gives a deleted row's number again to the next row when
        it was the highest, and the old test card's buttons would then open a client's deal. Its contact,
        which the row still refers to, is blanked when it has no other deal and nobody was merged into
        it. Notices already sent or being sent are left as they are: a notice rendered for a deal that is
        gone says nothing."""
        row = await self._session.get(DealRow, deal_id)
        if row is None or not row.is_test or row.manager_id is None:
            return
        contact_id = row.contact_id
        deal_timers = (*timer_kinds.DEAL_BOUND,)
        erased: dict[str, Any] = {
            "manager_id": None, "chat_id": None, "answers": {}, "next_contact_at": None,
            "status": DealStatus.LOST.value, "source": None, "take_due_at": None, "loss_reason": None,
            "loss_note": None, "amount": None, "version": DealRow.version + 1,
        }  # fmt: skip
        for statement in (
            delete(DealEventRow).where(DealEventRow.deal_id == deal_id),
            delete(MessageRow).where(MessageRow.deal_id == deal_id),
            delete(MessageLinkRow).where(MessageLinkRow.deal_id == deal_id),
            delete(StageVisitRow).where(StageVisitRow.deal_id == deal_id),
            delete(BreachRow).where(BreachRow.deal_id == deal_id),
            delete(InquiryRow).where(InquiryRow.deal_id == deal_id),
            delete(TimerRow).where(TimerRow.subject_id == deal_id, TimerRow.kind.in_(deal_timers)),
            delete(OutboxRow).where(OutboxRow.deal_id == deal_id, OutboxRow.state == PENDING),
            update(DealRow).where(DealRow.id == deal_id).values(**erased),
        ):
            await self._session.execute(statement.execution_options(synchronize_session=False))
        self._session.expunge(row)
        others = await self._session.scalar(
            select(func.count())
            .select_from(DealRow)
            .where(DealRow.contact_id == contact_id, DealRow.id != deal_id, LIVE_DEAL)
        )
        merged = await self._session.scalar(
            select(func.count()).select_from(ContactRow).where(ContactRow.merged_into == contact_id)
        )
        if not others and not merged:
            blank_contact = {
                "name": "", "username": None, "phone": None, "email": None, "telegram_id": None,
                "locale": None, "search_name": "",
            }  # fmt: skip
            await self._session.execute(
                update(ContactRow)
                .where(ContactRow.id == contact_id, ContactRow.is_test.is_(True))
                .values(blank_contact)
                .execution_options(synchronize_session=False)
            )

    async def test_deal_ids(self, manager_id: int) -> list[int]:
        found = await self._session.scalars(
            select(DealRow.id)
            .where(DealRow.manager_id == manager_id, DealRow.is_test.is_(True))
            .order_by(DealRow.id)
        )
        return list(found)

    async def latest_for_chat(self, chat_id: int) -> Deal | None:
        """The open deal talking in this chat, else the latest one."""
        row = await self._session.scalar(
            select(DealRow)
            .where(DealRow.chat_id == chat_id, REAL_DEAL)
            .order_by(case((DealRow.status == DealStatus.OPEN.value, 0), else_=1), DealRow.id.desc())
            .limit(1)
        )
        return _to_deal(row) if row else None

    async def open_counts(self) -> dict[int, int]:
        rows = await self._session.execute(
            select(DealRow.manager_id, func.count())
            .where(DealRow.status == DealStatus.OPEN.value, DealRow.manager_id.is_not(None), REAL_DEAL)
            .group_by(DealRow.manager_id)
        )
        return {int(manager_id): int(count) for manager_id, count in rows if manager_id is not None}

    async def unsorted_count(self) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(DealRow)
            .where(DealRow.status == DealStatus.OPEN.value, DealRow.manager_id.is_(None), REAL_DEAL)
        )
        return int(count or 0)

    async def claim_take(self, deal_id: int, manager_id: int, *, version: int, now: datetime) -> bool:
        result = await self._session.execute(
            update(DealRow)
            .where(
                DealRow.id == deal_id,
                DealRow.version == version,
                DealRow.taken_at.is_(None),
                DealRow.status == DealStatus.OPEN.value,
            )
            .values(
                taken_at=now,
                manager_id=manager_id,
                assigned_at=func.coalesce(DealRow.assigned_at, now),
                version=DealRow.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def open_deals(self, *, manager_id: int | None) -> list[Deal]:
        """Open deals of one manager, or of everybody (`manager_id=None`), oldest first."""
        query = select(DealRow).where(DealRow.status == DealStatus.OPEN.value)
        if manager_id is not None:
            query = query.where(DealRow.manager_id == manager_id)
        rows = await self._session.scalars(query.order_by(DealRow.id), execution_options=FRESH)
        return [_to_deal(r) for r in rows]

    async def stage_counts(
        self, *, manager_id: int | None, now: datetime, viewer: int | None = None
    ) -> list[StageCount]:
        return await deal_pages.stage_counts(self._session, manager_id=manager_id, now=now, viewer=viewer)

    async def segment(
        self, segment: Segment, *, manager_id: int | None, now: datetime | None, start: Position | None,
        forward: bool, limit: int, viewer: int | None = None,
    ) -> list[Deal]:  # fmt: skip
        rows = await deal_pages.segment_deals(
            self._session, segment, manager_id=manager_id, now=now, start=start, forward=forward, limit=limit,
            viewer=viewer,
        )  # fmt: skip
        return [_to_deal(r) for r in rows]

    async def count_before(
        self, segment: Segment, position: Position, *, manager_id: int | None, now: datetime | None,
        viewer: int | None = None,
    ) -> int:  # fmt: skip
        return await deal_pages.count_before(
            self._session, segment, position, manager_id=manager_id, now=now, viewer=viewer
        )

    async def search(
        self,
        *,
        deal_id: int | None,
        phone: str | None,
        name: str | None,
        manager_id: int | None,
        limit: int,
        viewer: int | None = None,
    ) -> list[Deal]:
        """Deals matching any of the given keys (open first, then newest), only `manager_id`'s when given.
        Test deals only of `manager_id`, or of `viewer` in everybody's.

        A name is matched as a part of the contact's stored search key (`contacts.search_name`: name and
        username), a plain LIKE that PostgreSQL serves from a trigram index."""
        conditions = []
        if deal_id is not None:
            conditions.append(DealRow.id == deal_id)
        if phone:
            conditions.append(DealRow.contact_id.in_(select(ContactRow.id).where(ContactRow.phone == phone)))
        if name and (key := search_key(name)):
            pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            # The contacts first (SQLite scans the small search-name index, PostgreSQL asks the trigram
            # one), then their deals: not every deal's contact looked up in turn.
            matching = select(ContactRow.id).where(ContactRow.search_name.like(pattern, escape="\\"))
            conditions.append(DealRow.contact_id.in_(matching))
        if not conditions:
            return []
        query = select(DealRow).where(or_(*conditions))
        if manager_id is not None:
            query = query.where(DealRow.manager_id == manager_id)
        elif viewer is not None:  # everybody's deals, and the viewer's own test deals (/preview)
            query = query.where(or_(REAL_DEAL, DealRow.manager_id == viewer))
        else:
            query = query.where(REAL_DEAL)
        rows = await self._session.scalars(
            query.order_by(
                case((DealRow.status == DealStatus.OPEN.value, 0), else_=1), DealRow.id.desc()
            ).limit(limit)
        )
        return [_to_deal(r) for r in rows]

    async def created_tally(self, since: datetime, until: datetime, *, now: datetime, limit: int) -> Tally:
        return await deal_tallies.created_tally(self._session, since, until, now=now, limit=limit)

    async def overdue_tally(self, *, contact_by: datetime, now: datetime, limit: int) -> Tally:
        return await deal_tallies.overdue_tally(self._session, contact_by=contact_by, now=now, limit=limit)

    async def closed_tally(self, since: datetime, until: datetime, *, limit: int) -> ClosedTally:
        return await deal_tallies.closed_tally(self._session, since, until, limit=limit)
