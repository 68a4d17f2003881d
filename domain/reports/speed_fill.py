"""The speeds of the deals taken or answered before they were written at the source (README.md, "Reports
→ Managers"): filled once, in the background after start-up, in batches, with the team's calendar.

Each batch is one short transaction: the deals after the last one filled, by id, that have a take or a
first reply and no speed for it. Once filled a deal is never read again, so a start after the fill costs
one query that finds nothing.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from domain.ports import UnitOfWork
from domain.reports.team_rows import SpeedFill, SpeedGap
from domain.working_time import BusinessCalendar

BATCH = 1000  # deals read and written per transaction


def speeds_of(gap: SpeedGap, calendar: BusinessCalendar) -> SpeedFill:
    """The working seconds from the lead's arrival to its first take and to its first reply."""

    def since_arrival(moment: datetime | None) -> int | None:
        return None if moment is None else calendar.working_seconds(gap.created_at, moment)

    return SpeedFill(gap.deal_id, since_arrival(gap.taken_at), since_arrival(gap.first_reply_at))


async def fill_missing_speeds(uow: UnitOfWork, calendar: BusinessCalendar, *, batch: int = BATCH) -> int:
    """Write the speeds missing, batch by batch, committing each. How many deals were filled."""
    after, filled = 0, 0
    while True:
        gaps = await uow.team_figures.speed_gaps(after=after, limit=batch)
        if not gaps:
            await uow.rollback()
            return filled
        await uow.team_figures.fill_speeds([speeds_of(gap, calendar) for gap in gaps])
        await uow.commit()
        await asyncio.sleep(0)  # the loop runs other work between two batches
        after, filled = gaps[-1].deal_id, filled + len(gaps)
