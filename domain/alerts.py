"""Who hears about a fired deadline, and the breach it leaves for reports."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain.models import Breach, BreachKind, Deal, DealEvent, EventKind, Notice, Staff
from domain.ports import UnitOfWork
from domain.team import overseers


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
    uow: UnitOfWork, people: Iterable[Staff], kind: str, data: dict[str, Any], *, now: datetime
) -> int:
    told = 0
    for person in people:
        await uow.outbox.add(Notice(person.telegram_id, kind, dict(data), person.locale), now=now)
        told += 1
    return told


async def record_breach(
    uow: UnitOfWork, deal: Deal, kind: BreachKind, *, due: datetime, now: datetime
) -> None:
    """Keep the breach for the digest and reports, and put it in the deal's history."""
    assert deal.id is not None
    await uow.breaches.add(
        Breach(kind, deal.id, deal.manager_id, deal.pipeline, deal.stage, due_at=due, detected_at=now)
    )
    data = {"kind": kind.value, "due": due.isoformat(), "stage": deal.stage, "manager": deal.manager_id}
    await uow.events.add(DealEvent(deal.id, EventKind.DEADLINE_MISSED, now, data=data))
