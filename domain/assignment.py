"""Who gets a new lead: a returning client's earlier manager, else fair distribution among managers on
duty; nobody above their load norm (`domain.load_norms`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.crm_config import CrmConfig
from domain.load_norms import norm_of
from domain.models import Deal, Staff

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Candidate:
    manager_id: int
    open_deals: int
    last_assigned_at: datetime | None
    norm: int  # their load norm: at it, they get no new lead


def choose_manager(candidates: Iterable[Candidate], *, mode: str) -> int | None:
    """The manager for the next lead, or None when everyone is at their norm (the lead waits unsorted).

    `least_loaded`: fewest open deals first; on a tie, whoever got a lead longest ago (round robin).
    `round_robin`: whoever got a lead longest ago. Either way nobody goes above their own norm.
    """
    eligible = [c for c in candidates if c.open_deals < c.norm]
    if not eligible:
        return None

    def waited(c: Candidate) -> tuple[datetime, int]:
        return (c.last_assigned_at or _NEVER, c.manager_id)

    if mode == "round_robin":
        return min(eligible, key=waited).manager_id
    return min(eligible, key=lambda c: (c.open_deals, *waited(c))).manager_id


def previous_deal(earlier: Iterable[Deal]) -> Deal | None:
    """The client's latest closed deal someone worked (target deals only: archived spam had nobody)."""
    worked = [d for d in earlier if d.target and not d.is_open and d.manager_id is not None]
    return max(worked, key=lambda d: (d.created_at, d.id or 0), default=None)


def returning_owner(
    earlier: Iterable[Deal], available: Iterable[Staff], loads: Mapping[int, int], config: CrmConfig
) -> Staff | None:
    """Who should get a returning client's new deal: the manager of their latest worked deal, when that
    manager is among `available` (on the team, a manager, on duty, reachable) and under their norm.
    None: fair distribution decides, as for a new client."""
    previous = previous_deal(earlier)
    if previous is None:
        return None
    owner = next((s for s in available if s.telegram_id == previous.manager_id), None)
    if owner is None or not (owner.is_manager and owner.on_duty):
        return None
    if loads.get(owner.telegram_id, 0) >= norm_of(owner, config):
        return None
    return owner
