"""What the outbox can carry: each kind of notice, named as the outbox table stores it.

The values are stored with every queued notice, so they never change: a notice queued before an
upgrade must still render after it. Each kind has exactly one renderer (handlers/notices/render.py).
"""

from __future__ import annotations

from enum import StrEnum


class NoticeKind(StrEnum):
    # Leads and who has them (domain/intake.py, domain/inquiries.py, domain/taking.py,
    # domain/handover.py).
    REQUEST_RECEIVED = "request_received"  # the person: their request is in, and when to expect a reply
    NEW_LEAD = "new_lead"  # the manager a new lead was given to
    UNSORTED_LEAD = "unsorted_lead"  # the overseers: a new lead nobody could be given to
    REQUEST_REPEATED = "request_repeated"  # whoever works the deal: its client sent the form again
    # Whoever works the deal: its client came back and finished the questionnaire they had left.
    QUESTIONNAIRE_FINISHED = "questionnaire_finished"
    LEAD_TAKEN_OVER = "lead_taken_over"  # the manager a lead was given to: a supervisor took it
    DEAL_HANDED_OVER = "deal_handed_over"  # the manager a deal was handed (or assigned) to
    DEAL_TAKEN_AWAY = "deal_taken_away"  # the manager it was handed away from (unless they did it)

    # The chat between a client and the team (domain/intake.py, domain/client_chat.py).
    PROSPECT_MESSAGE = "prospect_message"  # whoever works the deal: what the client wrote (a relay)
    MANAGER_REPLY = "manager_reply"  # the client: a manager's reply

    # Deadlines (domain/contact_reminders.py, domain/sla_breaches.py).
    CONTACT_REMINDER = "contact_reminder"  # whoever works the deal: a planned contact is due
    CONTACT_OVERDUE = "contact_overdue"  # whoever works the deal: that contact is still not done
    CONTACT_ESCALATED = "contact_escalated"  # the overseers besides the owner: the same, later still
    TAKE_OVERDUE = "take_overdue"  # the overseers besides the owner: a lead nobody took in time
    TAKE_REMINDER = "take_reminder"  # the manager the untaken lead was given to
    STAGE_OVERDUE = "stage_overdue"  # the owner and the overseers: a deal stayed in a stage too long

    # The overseers' digest and the bot's own reach (domain/digest.py, domain/unreachable.py,
    # domain/update_faults.py).
    DIGEST = "digest"  # the overseers: the daily digest
    PERSON_BLOCKED = "person_blocked"  # the overseers (and a client's manager): someone blocked the bot
    UPDATE_SET_ASIDE = "update_set_aside"  # the overseers: an update could not be handled

    # The team (domain/team_management.py).
    INVITE_USED = "invite_used"  # the inviter: someone joined by their invite
    STAFF_REMOVED = "staff_removed"  # the other overseers: a member was removed, and their deals
    YOU_WERE_REMOVED = "you_were_removed"  # the member removed


def stored_kind(value: str) -> NoticeKind | str:
    """A kind read back from the outbox: the enum member, or the raw value of a kind this version does
    not know (an old or corrupt row), left for the notifier to set aside."""
    try:
        return NoticeKind(value)
    except ValueError:
        return value
