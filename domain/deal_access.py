"""Who may act on a deal, and the common frame of every deal action: load, check, record, commit."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ParamSpec, cast

from domain.crm_config import CrmConfig
from domain.deal_rules import DealError
from domain.models import Deal, DealEvent, EventKind, Staff
from domain.ports import ConcurrentChange, UnitOfWork

P = ParamSpec("P")


class Refused(Exception):
    """An action on a deal was refused; `code` says why. Nothing was changed."""

    def __init__(self, code: DealError, deal: Deal | None = None) -> None:
        super().__init__(code.value)
        self.code, self.deal = code, deal


@dataclass(frozen=True)
class ActionResult:
    """What a deal action did: the deal as it is now, or why nothing was done."""

    deal: Deal | None
    error: DealError | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def may_act(staff: Staff | None, deal: Deal) -> bool:
    """A manager acts on their own deals; supervisors and admins on every deal."""
    if staff is None or not staff.active:
        return False
    return staff.oversees or (staff.is_manager and deal.manager_id == staff.telegram_id)


def may_view(staff: Staff | None, deal: Deal, config: CrmConfig) -> bool:
    """Whoever may act on a deal sees it; a manager also sees unsorted leads when they may take them."""
    if may_act(staff, deal):
        return True
    return (
        staff is not None
        and staff.is_manager
        and deal.is_open
        and deal.manager_id is None
        and config.deals.managers_see_unsorted
    )


async def load_for_action(
    uow: UnitOfWork, *, deal_id: int, staff: Staff | None, version: int | None, taken: bool = True
) -> Deal:
    """The deal, if `staff` may act on it now; else `Refused`.

    `version` is the version the pressed card showed (None for typed input, which names the deal
    anew); a different one means the card is stale. `taken=False` allows deals nobody has taken yet.
    """
    deal = await uow.deals.get(deal_id)
    if deal is None:
        raise Refused(DealError.NOT_FOUND)
    if not may_act(staff, deal):
        raise Refused(DealError.NOT_ALLOWED, deal)
    if version is not None and version != deal.version:
        raise Refused(DealError.STALE, deal)
    if taken and deal.untaken:
        raise Refused(DealError.NOT_TAKEN, deal)
    return deal


async def record(
    uow: UnitOfWork,
    deal: Deal,
    kind: EventKind,
    *,
    actor: Staff | None,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    """An entry in the deal's history: who did what, when."""
    assert deal.id is not None
    actor_id = actor.telegram_id if actor else None
    await uow.events.add(DealEvent(deal.id, kind, now, actor_id=actor_id, data=dict(data or {})))


async def refused(uow: UnitOfWork, error: Refused) -> ActionResult:
    """End the read and report; the deal is returned fresh so the handler can redraw the card."""
    deal = error.deal
    await uow.rollback()
    return ActionResult(deal, error.code)


def deal_action(action: Callable[P, Awaitable[ActionResult]]) -> Callable[P, Awaitable[ActionResult]]:
    """The frame of a use case on one deal (`uow` first, `deal_id=` by keyword): a `Refused` raised
    anywhere in it, or another change of the deal committed since it was read (two people pressing at
    once), rolls back everything it did and comes back as the result's error (STALE for a clash)."""

    @functools.wraps(action)
    async def framed(*args: P.args, **kwargs: P.kwargs) -> ActionResult:
        uow = cast(UnitOfWork, args[0])
        # Typed input and other actions without a card version act on the deal as it is: after a clash
        # they look again, once, rather than lose what the person typed.
        tries = 2 if kwargs.get("version") is None else 1
        for _ in range(tries):
            try:
                return await action(*args, **kwargs)
            except Refused as error:
                return await refused(uow, error)
            except ConcurrentChange:
                await uow.rollback()
        current = await uow.deals.get(cast(int, kwargs["deal_id"]))
        await uow.rollback()
        return ActionResult(current, DealError.STALE)

    return framed
