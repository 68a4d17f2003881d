"""Pages of a long list of deals, read a page at a time in the database's own order (keyset paging).

A list is a row of *segments*, each one run of deals the database can read in index order: the overdue
deals by next contact, one stage's planned deals by next contact, the same stage's deals without a next
contact by number, the unsorted queue by arrival. A page is read from a *cursor*, the place of the deal
next to it (its segment, its time there and its id, which breaks ties between equal times): the page
after the last deal shown, or before the first. No page ever loads the deals ahead of it, so the tenth
page costs what the first does; counts come from SQL aggregates.

"Page N of M" is counted from how many deals lie before the page and after it, so it stays right when
deals move between two presses: the page goes on from where the reader was, not from a stale offset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from domain.crm_config import CrmConfig
from domain.models import Deal

if TYPE_CHECKING:  # the ports name this module's types in their signatures
    from domain.ports import UnitOfWork

PAGE_SIZE = 8


class SegmentKind(StrEnum):
    OVERDUE = "overdue"  # every stage's deals whose next contact is before now: by next contact, id
    PLANNED = "planned"  # one stage's deals with a next contact now or later: by next contact, id
    UNPLANNED = "unplanned"  # one stage's deals without a next contact: by id
    UNSORTED = "unsorted"  # open deals nobody is responsible for: by arrival, id


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind
    pipeline: str | None = None  # for PLANNED and UNPLANNED
    stage: str | None = None

    @property
    def timed(self) -> bool:
        """Whether its order is by a moment first (all but UNPLANNED, which is by id alone)."""
        return self.kind is not SegmentKind.UNPLANNED


@dataclass(frozen=True)
class Position:
    """A deal's place in its segment: the moment it is ordered by (None in an UNPLANNED one), its id."""

    at: datetime | None
    deal_id: int


def position_of(deal: Deal, segment: Segment) -> Position:
    assert deal.id is not None, "a listed deal is stored"
    if segment.kind is SegmentKind.UNSORTED:
        return Position(deal.created_at, deal.id)
    return Position(deal.next_contact_at if segment.timed else None, deal.id)


@dataclass(frozen=True)
class ListCursor:
    """Where a page starts: next to the deal at `position` in the list's `segment`-th segment; the page
    after it (`forward`) or the one before it."""

    forward: bool
    segment: int
    position: Position

    def fits(self, segments: Sequence[Segment]) -> bool:
        """Whether it can point into this list; a forged or broken one cannot (its moment is missing
        where the segment orders by one, or given where it does not)."""
        if not 0 <= self.segment < len(segments) or self.position.deal_id < 0:
            return False
        return segments[self.segment].timed is (self.position.at is not None)


@dataclass(frozen=True)
class StageCount:
    """Open deals of one stage: overdue (next contact before now), planned (now or later), unplanned."""

    pipeline: str
    stage: str
    overdue: int
    planned: int
    unplanned: int


@dataclass(frozen=True)
class Run:
    """A segment and how many deals it holds now."""

    segment: Segment
    count: int


def funnel_runs(config: CrmConfig, counts: Sequence[StageCount]) -> tuple[Run, ...]:
    """The segments of /deals in the order a person reads them: overdue first; then per stage in funnel
    order (pipelines as the config lists them, stages as each pipeline orders them) the planned deals,
    then those without a next contact; a stage no longer in the config at the end, by its keys."""
    known = [(pipeline.key, stage.key) for pipeline in config.pipelines for stage in pipeline.stages]
    by_stage = {(c.pipeline, c.stage): c for c in counts}
    unknown = sorted(key for key in by_stage if key not in set(known))
    runs = [Run(Segment(SegmentKind.OVERDUE), sum(c.overdue for c in counts))]
    for pipeline, stage in [*known, *unknown]:
        count = by_stage.get((pipeline, stage))
        runs.append(Run(Segment(SegmentKind.PLANNED, pipeline, stage), count.planned if count else 0))
        runs.append(Run(Segment(SegmentKind.UNPLANNED, pipeline, stage), count.unplanned if count else 0))
    return tuple(runs)


@dataclass(frozen=True)
class Slice:
    """One page's deals, each with the index of its segment, and how many deals lie before and after."""

    deals: tuple[tuple[int, Deal], ...]
    before: int
    after: int
    size: int = PAGE_SIZE

    @property
    def page(self) -> int:
        """0-based: the pages it takes to show what lies before this one."""
        return -(-self.before // self.size)

    @property
    def pages(self) -> int:
        return self.page + 1 + -(-self.after // self.size)

    def cursor(self, runs: Sequence[Run], *, forward: bool) -> ListCursor | None:
        """The cursor of the next page (`forward`) or the previous one; None when there is none."""
        if not self.deals or (self.after if forward else self.before) <= 0:
            return None
        index, deal = self.deals[-1] if forward else self.deals[0]
        return ListCursor(forward, index, position_of(deal, runs[index].segment))


async def read_page(
    uow: UnitOfWork, runs: Sequence[Run], *, cursor: ListCursor | None, manager_id: int | None,
    now: datetime | None, size: int = PAGE_SIZE, viewer: int | None = None,
) -> Slice:  # fmt: skip
    """The page of `size` deals at `cursor` in the list made of `runs`: the first page without one; the
    last when nothing is left after the cursor; the first when fewer than a page are left before it."""

    async def read(
        index: int, start: ListCursor | None, *, forward: bool, wanted: int
    ) -> list[tuple[int, Deal]]:
        """Up to `wanted` deals from segment `index` on (forward) or back, next to `start`."""
        found: list[tuple[int, Deal]] = []
        position = start.position if start is not None else None
        while 0 <= index < len(runs) and len(found) < wanted:
            if runs[index].count:
                deals = await uow.deals.segment(
                    runs[index].segment, manager_id=manager_id, now=now, start=position, forward=forward,
                    limit=wanted - len(found), viewer=viewer,
                )  # fmt: skip
                got = [(index, deal) for deal in deals]
                found = found + got if forward else got + found
            index, position = index + (1 if forward else -1), None
        return found

    if cursor is None:
        deals = await read(0, None, forward=True, wanted=size)
    elif cursor.forward:
        deals = await read(cursor.segment, cursor, forward=True, wanted=size)
        if not deals:
            deals = await read(len(runs) - 1, None, forward=False, wanted=size)
    else:
        deals = await read(cursor.segment, cursor, forward=False, wanted=size)
        if len(deals) < size:
            deals = await read(0, None, forward=True, wanted=size)
    before = 0
    if deals and (cursor is not None):
        index, first = deals[0]
        before = sum(run.count for run in runs[:index])
        segment = runs[index].segment
        before += await uow.deals.count_before(
            segment, position_of(first, segment), manager_id=manager_id, now=now, viewer=viewer
        )
    after = max(sum(run.count for run in runs) - before - len(deals), 0)
    return Slice(tuple(deals), before, after, size)
