"""Names of the timers (rows of the timers table; the scheduler fires them), and which stop together."""

from __future__ import annotations

from domain.models import BreachKind

NEXT_CONTACT = "next_contact"  # remind the owner to contact the client
CONTACT_OVERDUE = "contact_overdue"  # `reminders.overdue_after` later, still not done: tell the owner
CONTACT_ESCALATE = "contact_escalate"  # `reminders.escalate_after` later: tell the supervisors
STAGE_SLA = "stage_sla"  # the stage's `sla` ran out
TAKE_SLA = "take_sla"  # `intake.take_sla` ran out and nobody took the lead
DIGEST = "digest"  # the daily digest to supervisors (subject 0, one per date)
# A questionnaire may have been left (subject: the inquiry, not a deal): `intake.abandoned_after` of
# wall-clock time after its start, then after its last answer (domain/inquiries.py).
INQUIRY_IDLE = "inquiry_idle"

# Everything about one planned contact; what leaving a stage stops; what closing a deal stops.
CONTACT_CHAIN = (NEXT_CONTACT, CONTACT_OVERDUE, CONTACT_ESCALATE)
STAGE_BOUND = (STAGE_SLA,)
DEAL_BOUND = (TAKE_SLA, STAGE_SLA, *CONTACT_CHAIN)

# Which breach a stopped clock resolves (the late thing got done).
BREACH_OF = {
    TAKE_SLA: BreachKind.TAKE,
    STAGE_SLA: BreachKind.STAGE,
    NEXT_CONTACT: BreachKind.CONTACT,
    CONTACT_OVERDUE: BreachKind.CONTACT,
    CONTACT_ESCALATE: BreachKind.CONTACT,
}
