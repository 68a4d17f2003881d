"""Who hears about a deal: its owner while they are on the team, else the overseers (supervisors, or the
admins when there are none); and queueing one notice to each of them. A test deal (a staff member's
/preview) is heard of by its owner, who made it, and nobody else."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain.models import Deal, Notice, Role, Staff
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork


def overseers(staff: Iterable[Staff]) -> list[Staff]:
    """Who hears about unsorted leads and breaches: supervisors, or the admins when there are none.

    Falling back to admins means an alert always has someone to reach.
    """
    people = list(staff)
    supervisors = [s for s in people if s.has(Role.SUPERVISOR)]
    return supervisors or [s for s in people if s.has(Role.ADMIN)]


async def owner_of(uow: UnitOfWork, deal: Deal) -> Staff | None:
    """The deal's manager while they are on the team."""
    if deal.manager_id is None:
        return None
    owner = await uow.staff.get(deal.manager_id)
    return owner if owner is not None and owner.active else None


async def supervisors(uow: UnitOfWork, *, besides: Staff | None = None) -> list[Staff]:
    """The overseers, without `besides` (an owner who is also a supervisor hears it once, as owner)."""
    people = overseers(await uow.staff.active())
    return [p for p in people if besides is None or p.telegram_id != besides.telegram_id]


async def tell(
    uow: UnitOfWork, people: Iterable[Staff], kind: NoticeKind, data: dict[str, Any], *, now: datetime
) -> int:
    """Queue the notice `kind` to each of `people`; returns how many were told."""
    told = 0
    for person in people:
        await uow.outbox.add(Notice(person.telegram_id, kind, dict(data), person.locale), now=now)
        told += 1
    return told


async def owner_and_overseers(uow: UnitOfWork, deal: Deal) -> list[Staff]:
    """The deal's owner (while on the team) first, then the overseers besides them: each hears it once."""
    owner = await owner_of(uow, deal)
    mine = [owner] if owner is not None else []
    return mine if deal.is_test else mine + await supervisors(uow, besides=owner)


async def overseers_of(uow: UnitOfWork, deal: Deal, *, besides: Staff | None = None) -> list[Staff]:
    """The overseers who hear of this deal's alerts: none for a test deal."""
    return [] if deal.is_test else await supervisors(uow, besides=besides)


async def recipients_for(uow: UnitOfWork, deal: Deal) -> list[Staff]:
    """The deal's manager while they are on the team, else the overseers (nobody, for a test deal)."""
    owner = await owner_of(uow, deal)
    if owner is not None or deal.is_test:
        return [owner] if owner is not None else []
    return overseers(await uow.staff.active())
