"""What the database counts for the funnel and channels reports (`domain.ports.FunnelFigures`): small
aggregate rows, turned into the reports' figures by `domain/reports/funnel.py` and `channels.py`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReachCount:
    """How many of the period's deals of a pipeline, of one status, got as far as `furthest` (the order of
    the furthest open stage they stayed in, from 1; 0: none recorded) and are now at `current` (the order
    of their stage when it is an open one, else 0)."""

    pipeline: str
    status: str  # domain.models.DealStatus
    furthest: int
    current: int
    deals: int


@dataclass(frozen=True)
class StayTimes:
    """The stays in one stage that ended, of the period's deals: how many, their total and median
    length (whole seconds; the median by nearest rank: the ceil(n/2)-th shortest)."""

    pipeline: str
    stage: str
    stays: int
    total_s: int
    median_s: int


@dataclass(frozen=True)
class QuestionnaireCounts:
    """The period's questionnaires: begun, having at least k answers (k = 1, 2, ...), finished, and
    finished with a target deal."""

    started: int
    answered: tuple[int, ...]
    finished: int
    target: int


@dataclass(frozen=True)
class InquiryCount:
    """Inquiries begun in the period from one channel and source, and how many were finished."""

    channel: str
    source: str | None
    inquiries: int
    finished: int


@dataclass(frozen=True)
class LeadCount:
    """Leads created in the period from one channel and source (deals that came in through intake, not
    follow-ups of earlier ones): all, non-target, won, and the amount won (whole units)."""

    channel: str
    source: str | None
    leads: int
    non_target: int
    won: int
    amount_won: int
