"""Names of the timers a deal can have (rows of the timers table; the scheduler fires them)."""

from __future__ import annotations

from domain.intake import TAKE_SLA_TIMER

NEXT_CONTACT = "next_contact"
STAGE_SLA = "stage_sla"
TAKE_SLA = TAKE_SLA_TIMER

# What leaving a stage cancels, and what closing a deal cancels.
STAGE_BOUND = (STAGE_SLA,)
DEAL_BOUND = (TAKE_SLA, STAGE_SLA, NEXT_CONTACT)
