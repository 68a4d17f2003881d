"""Staff accounts: bootstrapping staff from the environment, their Telegram profile, finding one, and
what is on their plate (the overview on the staff /start screen)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.models import Role, Staff
from domain.ports import UnitOfWork


async def bootstrap_staff(uow: UnitOfWork, *, roles: dict[Role, Iterable[int]]) -> list[Staff]:
    """Give each listed Telegram id its role (ADMIN_IDS, SUPERVISOR_IDS, MANAGER_IDS). Never removes one.

    Returns the active team afterwards."""
    wanted: dict[int, set[Role]] = {}
    for role, ids in roles.items():
        for telegram_id in ids:
            wanted.setdefault(telegram_id, set()).add(role)
    for telegram_id, new_roles in wanted.items():
        member = await uow.staff.get(telegram_id)
        if member is None:
            await uow.staff.add(Staff(telegram_id=telegram_id, roles=frozenset(new_roles)))
        elif not new_roles <= member.roles or not member.active:
            member.roles = member.roles | new_roles
            member.active = True
            await uow.staff.save(member)
    team = await uow.staff.active()
    await uow.commit()
    return team


async def update_profile(
    uow: UnitOfWork, staff: Staff, *, name: str, username: str | None, locale: str
) -> None:
    """Remember how a staff member is called and which language they use. Commits when changed."""
    if (staff.name, staff.username, staff.locale) == (name, username, locale):
        return
    staff.name, staff.username, staff.locale = name, username, locale
    await uow.staff.save(staff)
    await uow.commit()


async def team_member(uow: UnitOfWork, telegram_id: int) -> Staff | None:
    """An active member of the team, or None. Ends its read."""
    member = await uow.staff.get(telegram_id)
    await uow.rollback()
    return member if member is not None and member.active else None


@dataclass(frozen=True)
class StaffOverview:
    staff: Staff
    open_deals: int
    unsorted: int


async def staff_overview(uow: UnitOfWork, staff: Staff) -> StaffOverview:
    """Read-only; ends its transaction so no lock is held while the answer travels to Telegram."""
    loads = await uow.deals.open_counts()
    overview = StaffOverview(staff, loads.get(staff.telegram_id, 0), await uow.deals.unsorted_count())
    await uow.rollback()
    return overview
