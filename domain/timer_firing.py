"""Firing one due timer: claim it and do what it stands for, in one transaction, so it happens once.

The claim (pending -> fired) commits together with everything the firing writes (alerts in the outbox,
breaches, new timers). A crash before the commit leaves the timer pending and nothing written: it fires
again, once. Two processes claiming the same timer: one gets it (see `TimerRepository.claim`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from domain import timer_kinds
from domain.contact_reminders import contact_escalate, contact_overdue, remind_contact
from domain.crm_config import CrmConfig
from domain.digest import send_digest
from domain.inquiries import inquiry_idle
from domain.models import Timer
from domain.ports import UnitOfWork
from domain.sla_breaches import stage_breached, take_breached

Firing = Callable[..., Awaitable[str]]

FIRINGS: dict[str, Firing] = {
    timer_kinds.NEXT_CONTACT: remind_contact,
    timer_kinds.CONTACT_OVERDUE: contact_overdue,
    timer_kinds.CONTACT_ESCALATE: contact_escalate,
    timer_kinds.TAKE_SLA: take_breached,
    timer_kinds.STAGE_SLA: stage_breached,
    timer_kinds.DIGEST: send_digest,
    timer_kinds.INQUIRY_IDLE: inquiry_idle,
}


@dataclass(frozen=True)
class Fired:
    timer: Timer
    late: bool
    outcome: str  # what the firing did: reminded, alerted, stale (the thing was done meanwhile), ...


async def fire_timer(
    uow: UnitOfWork, config: CrmConfig, *, timer_id: int, now: datetime, late_before: datetime
) -> Fired | None:
    """Fire the timer if it is still pending; None when another process fired it or it was cancelled.
    A timer due before `late_before` (it fell due while no bot was running) is marked late, and so is
    what it sends. Commits; an exception rolls everything back and leaves the timer pending."""
    timer = await uow.timers.claim(timer_id, now=now, late_before=late_before)
    if timer is None:
        await uow.rollback()
        return None
    late = timer.due_at < late_before
    firing = FIRINGS.get(timer.kind)
    outcome = "unknown_kind" if firing is None else await firing(uow, config, timer, now=now, late=late)
    await uow.commit()
    return Fired(timer, late, outcome)
