"""Who gets a new lead: fair distribution among managers on duty, with a load limit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Candidate:
    manager_id: int
    open_deals: int
    last_assigned_at: datetime | None


def choose_manager(candidates: Iterable[Candidate], *, mode: str, max_open_deals: int) -> int | None:
    """The manager for the next lead, or None when everyone is at the limit (the lead waits unsorted).

    `least_loaded`: fewest open deals first; on a tie, whoever got a lead longest ago (round robin).
    `round_robin`: whoever got a lead longest ago. Either way nobody goes above `max_open_deals`.
    """
    eligible = [c for c in candidates if c.open_deals < max_open_deals]
    if not eligible:
        return None

    def waited(c: Candidate) -> tuple[datetime, int]:
        return (c.last_assigned_at or _NEVER, c.manager_id)

    if mode == "round_robin":
        return min(eligible, key=waited).manager_id
    return min(eligible, key=lambda c: (c.open_deals, *waited(c))).manager_id
