"""What the loss-reason and managers reports' SQL gives back (`domain.ports.TeamFigures`): small rows of
counts, one per group, never one per deal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class LossCount:
    """Target deals lost in the period, one pipeline, one manager (None: nobody's), one reason."""

    pipeline: str
    manager_id: int | None
    reason: str  # the loss reason's key; "other" for one written without a key
    count: int


@dataclass(frozen=True)
class LossRun:
    """A manager's last closed deals, all lost to one reason (newest first), the last closed at `last_at`."""

    manager_id: int
    reason: str
    deal_ids: tuple[int, ...]
    last_at: datetime


@dataclass(frozen=True)
class ClientLosses:
    """A client (contact) lost two times or more to one reason, the latest closed at `last_at`."""

    contact_id: int
    reason: str
    deal_ids: tuple[int, ...]
    last_at: datetime


@dataclass(frozen=True)
class Speeds:
    """A manager's working-time speeds over the leads of a period, as nearest ranks (whole seconds)."""

    manager_id: int
    take_median_s: int | None = None
    take_p90_s: int | None = None
    reply_median_s: int | None = None
    reply_p90_s: int | None = None


@dataclass(frozen=True)
class ManagerCounts:
    """A manager's counts: leads received and breaches in the period, closed deals in the period, and
    their open and overdue deals now."""

    manager_id: int
    received: int = 0
    breaches: int = 0
    won: int = 0
    lost: int = 0
    amount_won: int = 0
    open_deals: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class SpeedGap:
    """A deal taken or answered before its speeds were written at the source (README.md, "Reports")."""

    deal_id: int
    created_at: datetime
    taken_at: datetime | None  # its first take (from the history), when `take_work_s` is missing
    first_reply_at: datetime | None  # when `reply_work_s` is missing


@dataclass(frozen=True)
class SpeedFill:
    deal_id: int
    take_work_s: int | None
    reply_work_s: int | None
