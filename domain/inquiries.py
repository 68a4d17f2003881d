"""Inquiries: every questionnaire begun in Telegram, recorded from its /start with how far it got, so
that none is lost (README.md, "Inquiries and unfinished questionnaires").

Each answer moves its inquiry on in the same commit as the conversation, with one UPDATE
(`note_progress`). One timer per inquiry watches for it going quiet: armed at the start, due
`intake.abandoned_after` later (wall-clock time, not working time: a person leaves whatever the hour).
Answers do not move it, which would cost a statement each; when it fires, an inquiry answered since is
given a new timer from its last answer, and one quiet for the whole time becomes a lead marked unfinished
(`domain.intake.record_lead` with `unfinished`), once: the timer's claim commits with the lead. An
inquiry that ends otherwise (finished, cancelled, started over) has its timer cancelled.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from domain import timer_kinds
from domain.crm_config import CrmConfig
from domain.intake import IncomingMessage, Prospect, record_incoming, record_lead
from domain.models import Channel, Inquiry, InquiryState, Timer
from domain.ports import UnitOfWork

FIRST_MESSAGE = "first_message"  # the timer's payload: what the person wrote before the questions began


def new_inquiry(
    prospect: Prospect, *, source: str | None, first_message: IncomingMessage | None, now: datetime,
    answers: dict[str, str] | None = None, is_test: bool = False,
) -> Inquiry:  # fmt: skip
    """A questionnaire begun now by `prospect`, with the answers given so far; not stored. `is_test`: a
    staff member's /preview."""
    given = dict(answers or {})
    return Inquiry(
        channel=Channel.TELEGRAM, started_at=now, telegram_id=prospect.telegram_id,
        chat_id=prospect.chat_id, name=prospect.name, username=prospect.username, locale=prospect.locale,
        source=source, step=len(given), answers=given, wrote_first=first_message is not None,
        updated_at=now, is_test=is_test,
    )  # fmt: skip


async def open_inquiry(
    uow: UnitOfWork, config: CrmConfig, prospect: Prospect, *, source: str | None,
    first_message: IncomingMessage | None, now: datetime, answers: dict[str, str] | None = None,
    is_test: bool = False,
) -> Inquiry:  # fmt: skip
    """Record a questionnaire begun (at /start, or on the first answer of one begun before inquiries were
    recorded, with its answers so far) and arm its timer. Does not commit. A /preview's (`is_test`) is
    recorded for its own run and never watched: left half-way, it makes no lead."""
    inquiry = await uow.inquiries.add(
        new_inquiry(
            prospect, source=source, first_message=first_message, now=now, answers=answers, is_test=is_test
        )
    )
    assert inquiry.id is not None
    if is_test:
        return inquiry
    # The message goes with the lead should the questions be left: the conversation holding it is out of
    # the scheduler's reach (it may live in Redis).
    payload = {FIRST_MESSAGE: asdict(first_message)} if first_message is not None else {}
    await uow.timers.add(
        Timer(timer_kinds.INQUIRY_IDLE, inquiry.id, now + config.intake.abandoned_after, payload=payload)
    )
    return inquiry


async def note_progress(
    uow: UnitOfWork, inquiry_id: int, *, step: int, answers: dict[str, str], now: datetime
) -> None:
    """An answer given (or taken back with "Back"): one UPDATE, in the answer's commit. Does not commit."""
    await uow.inquiries.progress(inquiry_id, step=step, answers=answers, at=now)


async def end_inquiry(
    uow: UnitOfWork, inquiry_id: int | None, state: InquiryState, *, now: datetime
) -> Inquiry | None:
    """The person cancelled (`CANCELLED`) or started over (`RESTARTED`): an open inquiry ends so. One that
    became a lead meanwhile (`ABANDONED`) stays as it is, and so does its deal. None: no such inquiry (a
    conversation begun before inquiries were recorded). Does not commit."""
    if inquiry_id is None:
        return None
    inquiry = await uow.inquiries.get(inquiry_id)
    if inquiry is None or inquiry.state is not InquiryState.OPEN:
        return inquiry
    inquiry.state, inquiry.ended_at, inquiry.updated_at = state, now, now
    await uow.inquiries.save(inquiry, was=InquiryState.OPEN)
    await uow.timers.cancel(subject_id=inquiry_id, kinds=(timer_kinds.INQUIRY_IDLE,))
    return inquiry


async def pass_on_to_its_lead(
    uow: UnitOfWork, inquiry_id: int, message: IncomingMessage, *, now: datetime, flood_limit: int
) -> bool:
    """A message that answers no question, from someone whose left questionnaire became a lead: most
    likely an answer to the manager who wrote to them. It joins that deal's history and reaches whoever
    works it, like any message after the questions. False (nothing done) for a questionnaire that is
    not a lead. Does not commit."""
    inquiry = await uow.inquiries.get(inquiry_id)
    if inquiry is None or inquiry.state is not InquiryState.ABANDONED or inquiry.deal_id is None:
        return False
    deal = await uow.deals.get(inquiry.deal_id)
    if deal is None:
        return False
    await record_incoming(uow, deal, message, now=now, flood_limit=flood_limit)
    return True


async def inquiry_idle(uow: UnitOfWork, config: CrmConfig, timer: Timer, *, now: datetime, late: bool) -> str:
    """The inquiry's timer: an inquiry answered since is watched from its last answer; one quiet for
    `intake.abandoned_after` becomes a lead with the answers given so far; one that ended is left."""
    inquiry = await uow.inquiries.get(timer.subject_id)
    if inquiry is None or inquiry.state is not InquiryState.OPEN:
        return "stale"
    quiet_until = (inquiry.updated_at or inquiry.started_at) + config.intake.abandoned_after
    if quiet_until > now:
        payload = dict(timer.payload)
        await uow.timers.add(Timer(timer_kinds.INQUIRY_IDLE, timer.subject_id, quiet_until, payload=payload))
        return "moved"
    if inquiry.telegram_id is None or inquiry.chat_id is None:  # not a questionnaire: nothing to rebuild
        return "stale"
    prospect = Prospect(
        telegram_id=inquiry.telegram_id,
        chat_id=inquiry.chat_id,
        name=inquiry.name,
        username=inquiry.username,
        locale=inquiry.locale or "",
    )
    await record_lead(
        uow, config, prospect=prospect, answers=dict(inquiry.answers), source=inquiry.source,
        first_message=_first_message(timer.payload), unfinished=True, inquiry=inquiry, now=now,
    )  # fmt: skip
    return "abandoned"


def _first_message(payload: dict[str, Any]) -> IncomingMessage | None:
    kept = payload.get(FIRST_MESSAGE)
    return IncomingMessage(**kept) if isinstance(kept, dict) else None
