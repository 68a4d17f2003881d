"""The team: staff members and the invites that bring new ones in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Invite, Role, Staff
from storage.tables import InviteRow, StaffRow


def _to_staff(row: StaffRow) -> Staff:
    return Staff(
        telegram_id=row.telegram_id,
        roles=frozenset(Role(r) for r in row.roles.split(",") if r),
        name=row.name,
        username=row.username,
        locale=row.locale,
        on_duty=row.on_duty,
        active=row.active,
        last_assigned_at=row.last_assigned_at,
        max_open_deals=row.max_open_deals,
    )


def _fill(row: StaffRow, staff: Staff) -> None:
    row.roles = ",".join(sorted(r.value for r in staff.roles))
    row.name, row.username, row.locale = staff.name, staff.username, staff.locale
    row.on_duty, row.active, row.last_assigned_at = staff.on_duty, staff.active, staff.last_assigned_at
    row.max_open_deals = staff.max_open_deals


class SqlStaffRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.written = False  # the unit of work tells the bot's cached roster after the commit

    async def get(self, telegram_id: int) -> Staff | None:
        row = await self._session.get(StaffRow, telegram_id)
        return _to_staff(row) if row else None

    async def add(self, staff: Staff) -> None:
        row = StaffRow(telegram_id=staff.telegram_id)
        _fill(row, staff)
        self._session.add(row)
        await self._session.flush()
        self.written = True

    async def save(self, staff: Staff) -> None:
        row = await self._session.get(StaffRow, staff.telegram_id)
        if row is None:
            raise LookupError(f"no staff member {staff.telegram_id}")
        _fill(row, staff)
        await self._session.flush()
        self.written = True

    async def active(self) -> list[Staff]:
        rows = await self._session.scalars(
            select(StaffRow).where(StaffRow.active.is_(True)).order_by(StaffRow.telegram_id)
        )
        return [_to_staff(r) for r in rows]

    async def active_for_assignment(self) -> list[Staff]:
        """The active team, locked until the commit (in id order, so two lockers never wait on each other
        crosswise): two leads assigned at once see each other's loads. PostgreSQL: row locks, and the
        loads read after them see what the other committed; SQLite: the write lock (see storage/engine.py)."""
        rows = await self._session.scalars(
            select(StaffRow)
            .where(StaffRow.active.is_(True))
            .order_by(StaffRow.telegram_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return [_to_staff(r) for r in rows]

    async def everyone(self) -> list[Staff]:
        """Every staff row, active or not: the bot's roster knows whether a writer was removed."""
        rows = await self._session.scalars(select(StaffRow).order_by(StaffRow.telegram_id))
        return [_to_staff(r) for r in rows]


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
