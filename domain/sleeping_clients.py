"""Sleeping clients come back: a next contact falls due for a client whose deals are all closed, and a
new deal is opened for them, so they are in the manager's list again rather than in a reminder only."""

from __future__ import annotations

from datetime import datetime

from domain import timer_kinds
from domain.crm_config import CrmConfig
from domain.deadlines import arm_stage_deadline
from domain.deal_opening import follow_up_deal
from domain.deal_rules import REWARM_PIPELINE, check_new_deal
from domain.lead_routing import OpenNewDeal, route_request
from domain.models import Deal, DealEvent, DealStatus, EventKind, Timer
from domain.ports import UnitOfWork

REPEAT_PIPELINE, SALES_PIPELINE = "repeat", "sales"


def pipeline_for_return(deals: list[Deal]) -> str:
    """Where a returning client goes, as if they had written again (`route_request`): `repeat` once they
    bought, else `rewarm`; but rewarming happens once per client, so a second return starts in `sales`."""
    routing = route_request(deals)
    pipeline = routing.pipeline if isinstance(routing, OpenNewDeal) else REPEAT_PIPELINE
    if pipeline == REWARM_PIPELINE and check_new_deal(REWARM_PIPELINE, deals) is not None:
        return SALES_PIPELINE
    return pipeline


async def wake_client(
    uow: UnitOfWork, config: CrmConfig, closed: Deal, *, due: datetime, now: datetime
) -> tuple[Deal, bool]:
    """The deal the contact planned on `closed` is about now, and whether it is new: the client's open
    deal if they have one (they came back by themselves meanwhile; False), else a new one in the right
    pipeline, owned by the closed deal's manager while they are on the team (else unsorted, on the
    take-into-work deadline), with the contact planned for `due` (True). Does not commit."""
    assert closed.id is not None
    closed.next_contact_at = None
    await uow.deals.save(closed)
    deals = await uow.deals.for_contact(closed.contact_id)
    current = [d for d in deals if d.is_open]
    if current:
        return current[-1], False
    pipeline = config.pipeline(pipeline_for_return(deals))
    owner = None
    if closed.manager_id is not None:
        manager = await uow.staff.get(closed.manager_id)
        owner = manager.telegram_id if manager is not None and manager.is_manager else None
    new = await uow.deals.add(
        follow_up_deal(
            config, pipeline, closed, owner=owner, target=True,
            amount=closed.amount if closed.status is DealStatus.LOST else None, next_contact_at=due, now=now,
        )
    )  # fmt: skip
    assert new.id is not None
    await uow.events.add(
        DealEvent(new.id, EventKind.CREATED, now, data={"from_deal": closed.id, "pipeline": pipeline.key,
                                                         "reason": "next_contact"})
    )  # fmt: skip
    await uow.events.add(DealEvent(closed.id, EventKind.REOPENED, now, data={"new_deal": new.id}))
    await arm_stage_deadline(uow, config, new)
    if new.take_due_at is not None:
        await uow.timers.add(Timer(timer_kinds.TAKE_SLA, new.id, new.take_due_at))
    return new, True
