"""The flood limit: a client who writes more than `intake.flood_limit` messages a minute.

Every message is still kept in the deal's history; past the limit the manager is only told how many more
came, and the client is asked once, politely, to slow down.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

FLOOD_WINDOW = timedelta(minutes=1)


class Flood(StrEnum):
    NONE = "none"  # within the limit: the message is relayed
    STARTED = "started"  # the first message past the limit: held back, and the client is told
    GOING_ON = "going_on"  # past the limit still: held back, nothing said again


def flood_state(recent: int, *, limit: int) -> Flood:
    """`recent`: the client's messages in the last `FLOOD_WINDOW`, this one included."""
    if recent <= limit:
        return Flood.NONE
    return Flood.STARTED if recent == limit + 1 else Flood.GOING_ON
