"""Starting and stopping a deal's clocks, and the breach a missed one leaves: the stage deadline when it
enters a stage, and, when the thing is done (taken, stage left, contact made, deal closed), its timers
cancelled and its breaches resolved.

Every deadline is counted on the team's business calendar (`CrmConfig.calendar`): a 15-minute deadline
set at 17:55 on a Friday falls due at 09:10 on Monday, unless `business_hours.always` is set.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain import timer_kinds
from domain.crm_config import CrmConfig
from domain.models import Breach, BreachKind, Deal, DealEvent, EventKind, Timer
from domain.ports import UnitOfWork

# Two moments read back from the database are the same planned moment if this close (drivers differ).
SAME_MOMENT = timedelta(seconds=1)


def same_moment(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and b is not None and abs(a - b) < SAME_MOMENT


def deadline(config: CrmConfig, start: datetime, duration: timedelta) -> datetime:
    """When `duration` of working time has passed since `start`."""
    return config.calendar().add(start, duration)


async def arm_stage_deadline(uow: UnitOfWork, config: CrmConfig, deal: Deal) -> None:
    """The deal has just entered its stage: if the stage has an `sla`, its breach is a timer from now.
    The payload names the visit, so a timer left from an earlier visit of the same stage never fires."""
    assert deal.id is not None
    stage = config.pipeline(deal.pipeline).stage(deal.stage)
    if not deal.is_open or stage is None or stage.sla is None:
        return
    due = deadline(config, deal.stage_entered_at, stage.sla)
    payload = {"stage": deal.stage, "entered": deal.stage_entered_at.isoformat()}
    await uow.timers.add(Timer(timer_kinds.STAGE_SLA, deal.id, due, payload=payload))


async def stop_clocks(uow: UnitOfWork, deal_id: int, kinds: tuple[str, ...], *, now: datetime) -> None:
    """The things these timers wait for are done (or moot): cancel them, and close the breaches they
    opened, so reports can say how late each thing was finally done."""
    await uow.timers.cancel(subject_id=deal_id, kinds=kinds)
    breaches = tuple(dict.fromkeys(timer_kinds.BREACH_OF[k] for k in kinds if k in timer_kinds.BREACH_OF))
    if breaches:
        await uow.breaches.resolve(deal_id=deal_id, kinds=breaches, now=now)


async def record_breach(
    uow: UnitOfWork, deal: Deal, kind: BreachKind, *, due: datetime, now: datetime
) -> None:
    """Keep the breach for the digest and reports (not a test deal's: it counts nowhere), and put it in
    the deal's history."""
    assert deal.id is not None
    if not deal.is_test:
        breach = Breach(
            kind, deal.id, deal.manager_id, deal.pipeline, deal.stage, due_at=due, detected_at=now
        )
        await uow.breaches.add(breach)
    data = {"kind": kind.value, "due": due.isoformat(), "stage": deal.stage, "manager": deal.manager_id}
    await uow.events.add(DealEvent(deal.id, EventKind.DEADLINE_MISSED, now, data=data))
