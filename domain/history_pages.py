"""A deal's history read a page at a time (keyset on event ids), never the whole of it.

A history opens at its newest entries; earlier and later pages are read next to the first or last entry
shown. How many entries a page shows is the view's call (long notes take a page of their own), so the
read model hands over up to a page of entries with how many lie before and after them, and the view
says "page N of M" from those counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.deal_card import staff_names
from domain.models import DealEvent
from domain.ports import UnitOfWork

HISTORY_PAGE = 10


@dataclass(frozen=True)
class HistoryCursor:
    """The page after event `event_id` (`forward`), or the one before it."""

    forward: bool
    event_id: int


@dataclass(frozen=True)
class HistoryWindow:
    """Up to HISTORY_PAGE events, oldest first, with the counts of the deal's events before and after
    them. `from_end`: a page is to be filled from its newest entry back (the last page, or going back);
    otherwise from its oldest on."""

    events: list[DealEvent]
    before: int
    after: int
    from_end: bool
    names: dict[int, str] = field(default_factory=dict)  # the staff the events mention


async def history_window(uow: UnitOfWork, deal_id: int, *, cursor: HistoryCursor | None) -> HistoryWindow:
    """The page at `cursor` (the newest entries without one); ends its read. Where a cursor finds nothing
    (only a forged one can), the last page, or the first when it asked for earlier entries."""
    events: list[DealEvent] = []
    from_end = True
    if cursor is not None:
        events = await uow.events.next_to(
            deal_id, cursor.event_id, forward=cursor.forward, limit=HISTORY_PAGE
        )
        from_end = not cursor.forward
        if not events and not cursor.forward:  # nothing before it: the first page
            events = await uow.events.next_to(deal_id, 0, forward=True, limit=HISTORY_PAGE)
            from_end = False
    if not events:
        events, from_end = await uow.events.latest(deal_id, limit=HISTORY_PAGE), True
    before = after = 0
    if events:
        first, last = events[0].id, events[-1].id
        assert first is not None and last is not None, "stored events have ids"
        before, after = await uow.events.count_around(deal_id, first_id=first, last_id=last)
    names = await staff_names(uow, events)
    await uow.rollback()
    return HistoryWindow(events, before, after, from_end, names)
