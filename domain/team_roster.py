"""The /staff screen's read model: who is on the team, in role order, with their load."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.crm_config import CrmConfig
from domain.load_norms import norm_of
from domain.models import Role, Staff
from domain.ports import UnitOfWork

ROLE_ORDER = (Role.ADMIN, Role.SUPERVISOR, Role.MANAGER)


@dataclass(frozen=True)
class TeamMember:
    staff: Staff
    open_deals: int
    pinned: bool
    norm: int  # their load norm (`domain.load_norms.norm_of`)


@dataclass(frozen=True)
class Roster:
    """The /staff screen: who is on the team, in role order, with their load."""

    members: tuple[TeamMember, ...]
    unsorted: int
    may_remove: bool  # the viewer is an admin: removes people and sets norms
    default_norm: int  # `distribution.max_open_deals`: the norm of managers without their own


async def team_roster(
    uow: UnitOfWork, config: CrmConfig, *, staff: Staff | None, pinned: frozenset[int]
) -> Roster | None:
    """The active team for a staff member to look at; None for anyone else. Read-only."""
    if staff is None or not staff.active:
        return None
    team = await uow.staff.active()
    loads = await uow.deals.open_counts()
    unsorted = await uow.deals.unsorted_count()
    await uow.rollback()
    members = tuple(
        TeamMember(s, loads.get(s.telegram_id, 0), s.telegram_id in pinned, norm_of(s, config))
        for s in sort_team(team)
    )
    return Roster(members, unsorted, staff.has(Role.ADMIN), config.distribution.max_open_deals)


def sort_team(team: Iterable[Staff]) -> list[Staff]:
    """Admins, then supervisors, then managers; by name within each."""

    def rank(s: Staff) -> tuple[int, str, int]:
        top = min((ROLE_ORDER.index(r) for r in s.roles if r in ROLE_ORDER), default=len(ROLE_ORDER))
        return top, s.name.casefold(), s.telegram_id

    return sorted(team, key=rank)
