"""The team: bootstrapping staff from the environment and finding who must hear about what."""

from __future__ import annotations

from collections.abc import Iterable

from domain.models import Role, Staff
from domain.ports import UnitOfWork


def overseers(staff: Iterable[Staff]) -> list[Staff]:
    """Who hears about unsorted leads and breaches: supervisors, or the admins when there are none.

    Falling back to admins means an alert always has someone to reach.
    """
    people = list(staff)
    supervisors = [s for s in people if s.has(Role.SUPERVISOR)]
    return supervisors or [s for s in people if s.has(Role.ADMIN)]


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
