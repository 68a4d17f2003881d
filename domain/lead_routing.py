"""Where a new request from a known contact goes: its open deal, or a new deal in the right pipeline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.models import Deal, DealStatus


@dataclass(frozen=True)
class AppendToOpenDeal:
    deal: Deal


@dataclass(frozen=True)
class OpenNewDeal:
    pipeline: str


Routing = AppendToOpenDeal | OpenNewDeal


def route_request(deals: Iterable[Deal]) -> Routing:
    """One open deal per contact: a repeated request joins it, so there is never a duplicate.

    With every deal closed, a client who bought before comes back through `repeat`, one who refused
    through `rewarm`; a first-timer starts in `sales`. Non-target deals (archived spam, job seekers)
    say nothing about the client and are ignored.
    """
    target = [d for d in deals if d.target]
    open_deals = sorted((d for d in target if d.status is DealStatus.OPEN), key=lambda d: d.created_at)
    if open_deals:
        return AppendToOpenDeal(open_deals[-1])
    if any(d.status is DealStatus.WON for d in target):
        return OpenNewDeal("repeat")
    if any(d.status is DealStatus.LOST for d in target):
        return OpenNewDeal("rewarm")
    return OpenNewDeal("sales")
