"""Use case: an inquiry becomes a lead (a contact and a deal) on a manager's phone: a questionnaire
finished (or left unfinished, see `domain.inquiries`) in Telegram, or a form posted on the website
(`domain.web_intake`). Both go the same way: one contact per person, one open deal per contact,
non-target leads archived, a returning client to their manager, everyone else by fair distribution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.assignment import Candidate, choose_manager, previous_deal, returning_owner
from domain.audience import overseers, recipients_for, tell
from domain.contact_merge import current_contact
from domain.crm_config import CrmConfig, QuestionKind, StageKind
from domain.deadlines import arm_stage_deadline
from domain.deal_opening import new_deal
from domain.deal_rules import NON_TARGET_REASON
from domain.duplicates import possible_duplicate
from domain.flood import FLOOD_WINDOW, Flood, flood_state
from domain.lead_routing import AppendToOpenDeal, route_request
from domain.load_norms import norm_of
from domain.models import (
    Channel,
    ChatMessage,
    Contact,
    ContactStatus,
    Deal,
    DealEvent,
    DealStatus,
    Direction,
    EventKind,
    Inquiry,
    InquiryState,
    Notice,
    Timer,
)
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork
from domain.qualification import is_target, temperature_of
from domain.relay_batches import RELAY_EVERY, relay_data
from domain.timer_kinds import INQUIRY_IDLE
from domain.timer_kinds import TAKE_SLA as TAKE_SLA_TIMER


class IntakeOutcome(StrEnum):
    ASSIGNED = "assigned"
    UNSORTED = "unsorted"
    ARCHIVED = "archived"
    APPENDED = "appended"
    COMPLETED = "completed"  # a lead made of an unfinished questionnaire, now finished (`domain.inquiries`)


@dataclass(frozen=True)
class Prospect:
    telegram_id: int
    chat_id: int
    name: str
    username: str | None
    locale: str
    phone_verified: bool = False  # the phone came from Telegram as this account's own contact


@dataclass(frozen=True)
class SiteVisitor:
    """Someone who filled in a form on the website: known by their phone or email, with no chat."""

    name: str
    phone: str | None  # E.164
    email: str | None  # lower-cased
    locale: str | None = None


Applicant = Prospect | SiteVisitor


@dataclass(frozen=True)
class IncomingMessage:
    """A message from a prospect, as the history and the relay need it."""

    chat_id: int
    telegram_id: int
    message_id: int
    kind: str  # text, photo, document, voice, sticker, ...
    text: str | None  # the text or caption
    edited: bool = False  # the person changed a message they had sent: this is its new text


@dataclass(frozen=True)
class IntakeResult:
    outcome: IntakeOutcome
    deal_id: int
    contact_id: int
    reply_due: datetime
    told: int  # how many staff were notified; 0 means nobody is there to hear about the lead
    repeated: bool = False  # a web form with an `external_id` already received: its lead, nothing new


async def submit_lead(
    uow: UnitOfWork,
    config: CrmConfig,
    *,
    prospect: Applicant,
    answers: dict[str, str],
    source: str | None,
    first_message: IncomingMessage | None = None,
    cancelled: bool = False,
    now: datetime,
    web_message: str | None = None,
    unfinished: bool = False,
    inquiry: Inquiry | None = None,
    test_of: int | None = None,
) -> IntakeResult:
    """Record an inquiry as a lead: never a lost inquiry, never a duplicate deal. Commits.

    `first_message` is what the person wrote before the questions began: it joins the deal's history
    and reaches whoever works the deal, like any later message. The person's confirmation (their request
    number; with `cancelled`, that what they wrote is kept) is queued in the same transaction, so a crash
    or a fault after the commit delays it but never loses it, and they never need to send it again.
    A site visitor has no chat: no confirmation; `web_message` (the form's message) joins the history.
    An `inquiry` with an `external_id` (a web form's own id) already received returns the deal it went
    to, `repeated`, and writes nothing.
    `unfinished`: the questionnaire was left half-way (`domain.inquiries`); the deal says so and the
    person, who has not finished, is not sent a confirmation. A questionnaire finished by someone whose
    open deal was made of their unfinished one completes that deal (`COMPLETED`) rather than joining it
    as a repeated request. `inquiry`, the inquiry this lead ends (added if new), is written with its
    outcome and the deal in the same commit.
    `test_of`: the questionnaire was a staff member's /preview (this Telegram id): a test deal, see
    `record_test_lead`.
    """
    if test_of is not None and isinstance(prospect, Prospect):
        tested = await record_test_lead(
            uow, config, prospect=prospect, answers=answers, source=source, now=now, inquiry=inquiry,
            tester=test_of,
        )  # fmt: skip
        await uow.commit()
        return tested
    result = await record_lead(
        uow, config, prospect=prospect, answers=answers, source=source, first_message=first_message,
        cancelled=cancelled, now=now, web_message=web_message,
        unfinished=unfinished, inquiry=inquiry,
    )  # fmt: skip
    if result.repeated:
        await uow.rollback()
    else:
        await uow.commit()
    return result


async def record_lead(
    uow: UnitOfWork,
    config: CrmConfig,
    *,
    prospect: Applicant,
    answers: dict[str, str],
    source: str | None,
    first_message: IncomingMessage | None = None,
    cancelled: bool = False,
    now: datetime,
    web_message: str | None = None,
    unfinished: bool = False,
    inquiry: Inquiry | None = None,
) -> IntakeResult:
    """`submit_lead` without the commit, for a caller whose own writes go in the same transaction (an
    inquiry's timer, whose claim commits with the lead it makes). A repeated `external_id` writes nothing."""
    channel = Channel.TELEGRAM if isinstance(prospect, Prospect) else Channel.SITE
    calendar = config.calendar()
    reply_due = calendar.add(now, config.intake.take_sla)
    if inquiry is not None and inquiry.external_id is not None:
        known = await uow.inquiries.by_external_id(inquiry.channel, inquiry.external_id)
        if known is not None and known.deal_id is not None and (deal := await uow.deals.get(known.deal_id)):
            return IntakeResult(
                IntakeOutcome.APPENDED, known.deal_id, deal.contact_id, reply_due, 0, repeated=True
            )
    contact, joined_by_phone = await _remember_contact(uow, config, prospect, answers, now=now)
    assert contact.id is not None
    # A staff member's /preview left test deals: no deal of the client's for routing or returning.
    earlier = [d for d in await uow.deals.for_contact(contact.id) if not d.is_test]
    routing = route_request(earlier)
    finished = isinstance(prospect, Prospect) and not unfinished and not cancelled

    if (
        finished
        and isinstance(routing, AppendToOpenDeal)
        and await _awaits_its_questionnaire(uow, routing.deal)
    ):
        deal = routing.deal
        assert deal.id is not None
        told = await _complete(uow, config, deal, answers, now=now)
        outcome = IntakeOutcome.COMPLETED
        first_message = None  # it went with the unfinished lead (`domain.inquiries`)
    elif isinstance(routing, AppendToOpenDeal):
        deal = routing.deal
        assert deal.id is not None
        marks: dict[str, object] = {"unfinished": True} if unfinished else {}
        repeated: dict[str, object] = {
            "answers": answers,
            "source": source,
            "channel": channel.value,
            **marks,
        }
        await uow.events.add(DealEvent(deal.id, EventKind.REQUEST_REPEATED, now, data=repeated))
        data = {"deal_id": deal.id, "answers": dict(answers), **marks}
        told = await tell(uow, await recipients_for(uow, deal), NoticeKind.REQUEST_REPEATED, data, now=now)
        outcome = IntakeOutcome.APPENDED
    else:
        target = is_target(answers, config.intake)
        pipeline = config.pipeline(routing.pipeline if target else "sales")
        opened = new_deal(
            pipeline,
            contact_id=contact.id,
            chat_id=prospect.chat_id if isinstance(prospect, Prospect) else None,
            source=source,
            answers=answers,
            temperature=temperature_of(answers, config.intake),
            target=target,
            now=now,
            take_due_at=reply_due if target else None,
            channel=channel,
        )
        deal = await uow.deals.add(opened)
        assert deal.id is not None
        created: dict[str, object] = {"source": source, "pipeline": pipeline.key, "channel": channel.value}
        previous = previous_deal(earlier) if target else None
        if previous is not None:  # the card says who worked with the client before
            created["returning_from"] = {"deal_id": previous.id, "manager": previous.manager_id}
        if not joined_by_phone and (lookalike := await possible_duplicate(uow, contact)) is not None:
            created["duplicate_of"] = lookalike
        if unfinished:
            created["unfinished"] = True
        await uow.events.add(DealEvent(deal.id, EventKind.CREATED, now, data=created))
        if target:
            await arm_stage_deadline(uow, config, deal)
            outcome, told = await _assign_or_queue(uow, config, deal, now, earlier=earlier)
        else:
            await _archive(uow, config, contact, deal, now)
            outcome, told = IntakeOutcome.ARCHIVED, 0

    if first_message is not None:
        await record_incoming(uow, deal, first_message, now=now)
    if web_message:
        await _record_web_message(uow, deal, web_message, now=now)
    if isinstance(prospect, Prospect) and not unfinished:
        confirmation = {
            "deal_id": deal.id, "outcome": outcome.value, "answers": dict(answers), "at": now.isoformat(),
            "reply_due": reply_due.isoformat(), **({"cancelled": True} if cancelled else {}),
        }  # fmt: skip
        await uow.outbox.add(
            Notice(prospect.chat_id, NoticeKind.REQUEST_RECEIVED, confirmation, prospect.locale), now=now
        )
    if inquiry is not None:
        await _close_inquiry(
            uow, inquiry, deal.id, answers, cancelled=cancelled, unfinished=unfinished, now=now
        )
    return IntakeResult(outcome, deal.id, contact.id, reply_due, told)


async def record_test_lead(
    uow: UnitOfWork, config: CrmConfig, *, prospect: Prospect, answers: dict[str, str], source: str | None,
    now: datetime, inquiry: Inquiry | None, tester: int,
) -> IntakeResult:  # fmt: skip
    """A staff member's /preview of the questionnaire, finished (README.md, "First run"): a new test
    deal, always, in the first stage of `sales`, given to `tester` alone with the card a manager gets,
    and the confirmation a client gets. No routing, no distribution, no load; nobody else is told of it,
    then or later (`domain.audience`); the reports, the digest and other people's lists leave it out.
    A non-target answer closes it as a client's would, and `tester` still gets its card (to delete it).
    Does not commit."""
    reply_due = config.calendar().add(now, config.intake.take_sla)
    # A contact of its own, never the staff member's or a client's: a client with the same phone later
    # is not joined to it, and deleting the test deal deletes it.
    contact = await uow.contacts.add(
        Contact(
            id=None, telegram_id=None, name=prospect.name, username=prospect.username,
            phone=phone_answer(config, answers), locale=prospect.locale, created_at=now, is_test=True,
        )
    )  # fmt: skip
    assert contact.id is not None
    target = is_target(answers, config.intake)
    pipeline = config.pipeline("sales")
    opened = new_deal(
        pipeline, contact_id=contact.id, chat_id=prospect.chat_id, source=source, answers=answers,
        temperature=temperature_of(answers, config.intake), target=target, now=now,
        take_due_at=reply_due if target else None, channel=Channel.TELEGRAM, is_test=True,
    )  # fmt: skip
    deal = await uow.deals.add(opened)
    assert deal.id is not None
    created: dict[str, object] = {
        "source": source, "pipeline": pipeline.key, "channel": Channel.TELEGRAM.value, "test": True
    }  # fmt: skip
    await uow.events.add(DealEvent(deal.id, EventKind.CREATED, now, data=created))
    deal.manager_id, deal.assigned_at = tester, now
    if target:
        outcome = IntakeOutcome.ASSIGNED
        await arm_stage_deadline(uow, config, deal)  # its owner hears of it; nobody else (audience.py)
        await uow.timers.add(Timer(TAKE_SLA_TIMER, deal.id, reply_due))
        await uow.deals.save(deal)
        await uow.events.add(DealEvent(deal.id, EventKind.ASSIGNED, now, data={"to": tester, "test": True}))
    else:
        outcome = IntakeOutcome.ARCHIVED
        await uow.deals.save(deal)
        await _close_non_target(uow, config, deal, now)
    member = await uow.staff.get(tester)
    locale = member.locale if member is not None else prospect.locale
    await uow.outbox.add(Notice(tester, NoticeKind.NEW_LEAD, {"deal_id": deal.id}, locale), now=now)
    confirmation = {
        "deal_id": deal.id, "outcome": outcome.value, "answers": dict(answers), "at": now.isoformat(),
        "reply_due": reply_due.isoformat(),
    }  # fmt: skip
    await uow.outbox.add(
        Notice(prospect.chat_id, NoticeKind.REQUEST_RECEIVED, confirmation, prospect.locale), now=now
    )
    if inquiry is not None:
        inquiry.is_test = True
        await _close_inquiry(uow, inquiry, deal.id, answers, cancelled=False, unfinished=False, now=now)
    return IntakeResult(outcome, deal.id, contact.id, reply_due, 1)


async def _awaits_its_questionnaire(uow: UnitOfWork, deal: Deal) -> bool:
    """Whether the deal was made of a questionnaire left unfinished (its CREATED event says so, as the
    card reads it) that no questionnaire in Telegram has finished since: its person finishing now
    completes it. A deal that was open before (an unfinished questionnaire only joined it) does not."""
    assert deal.id is not None
    first = await uow.events.for_deal(deal.id, limit=1)
    if not first or first[0].kind is not EventKind.CREATED or not first[0].data.get("unfinished"):
        return False
    linked = await uow.inquiries.for_deal(deal.id)
    return not any(i.channel is Channel.TELEGRAM and i.state is InquiryState.FINISHED for i in linked)


async def _complete(
    uow: UnitOfWork, config: CrmConfig, deal: Deal, answers: dict[str, str], *, now: datetime
) -> int:
    """The person came back and answered everything: their unfinished deal gets the answers and its
    temperature, the history says so, and whoever works it is told. It stays where it is, with whom
    it is: it was routed when it was made (README.md, "Inquiries and unfinished questionnaires")."""
    assert deal.id is not None
    deal.answers, deal.temperature = dict(answers), temperature_of(answers, config.intake)
    await uow.deals.save(deal)
    data: dict[str, object] = {"answers": dict(answers)}
    await uow.events.add(DealEvent(deal.id, EventKind.QUESTIONNAIRE_FINISHED, now, data=data))
    notice = {"deal_id": deal.id, "answers": dict(answers)}
    return await tell(
        uow, await recipients_for(uow, deal), NoticeKind.QUESTIONNAIRE_FINISHED, notice, now=now
    )


async def _close_inquiry(
    uow: UnitOfWork, inquiry: Inquiry, deal_id: int, answers: dict[str, str], *, cancelled: bool,
    unfinished: bool, now: datetime,
) -> None:  # fmt: skip
    """The inquiry ends with its lead, in the lead's commit, linked to the deal it ends in (for one left
    and then finished: the deal it completed, or the new one when that was closed meanwhile). An
    abandoned one keeps its last answer's time. Written only if nothing else ended it meanwhile (its
    timer and its person's last answer at the same moment): else `ConcurrentChange`, and the later of the
    two is rolled back and tried again, finding the other's lead."""
    was = inquiry.state
    inquiry.deal_id = deal_id
    inquiry.answers = dict(answers)
    inquiry.ended_at = now
    if unfinished:
        inquiry.state = InquiryState.ABANDONED
    else:
        inquiry.state = InquiryState.CANCELLED if cancelled else InquiryState.FINISHED
        inquiry.updated_at = now
    if inquiry.id is None:
        await uow.inquiries.add(inquiry)
        return
    await uow.inquiries.save(inquiry, was=was)
    if not unfinished:  # its watch is over (an abandoned one's timer is the one firing)
        await uow.timers.cancel(subject_id=inquiry.id, kinds=(INQUIRY_IDLE,))


def phone_answer(config: CrmConfig, answers: dict[str, str]) -> str | None:
    """The answer to the contact question (an E.164 phone), if the questionnaire has one and it was given."""
    phone_key = next((q.key for q in config.intake.questions if q.kind is QuestionKind.CONTACT), None)
    return answers.get(phone_key) if phone_key else None


async def _remember_contact(
    uow: UnitOfWork, config: CrmConfig, prospect: Applicant, answers: dict[str, str], *, now: datetime
) -> tuple[Contact, bool]:
    """One contact per person: the same Telegram account, or the same phone from another account, or, for
    a website form, the same phone or email. Also says whether the contact was found by its phone."""
    phone = phone_answer(config, answers)
    if isinstance(prospect, SiteVisitor):
        return await _remember_visitor(uow, prospect, phone or prospect.phone, now=now)
    contact = await current_contact(uow, await uow.contacts.by_telegram_id(prospect.telegram_id))
    joined_by_phone = False
    if contact is None and phone and prospect.phone_verified:
        # Only a phone Telegram vouches for joins an existing contact: a typed one could be anyone's.
        contact = await current_contact(uow, await uow.contacts.by_phone(phone))
        joined_by_phone = contact is not None
    if contact is None:
        added = await uow.contacts.add(
            Contact(
                id=None,
                telegram_id=prospect.telegram_id,
                name=prospect.name,
                username=prospect.username,
                phone=phone,
                locale=prospect.locale,
                created_at=now,
            )
        )
        return added, False
    if contact.telegram_id is None and await uow.contacts.by_telegram_id(prospect.telegram_id) is None:
        contact.telegram_id = prospect.telegram_id
    if contact.telegram_id == prospect.telegram_id:
        # A name once given stays (a website form's full name, kept by a merge, is better than a Telegram
        # nickname); the username and language follow the account.
        contact.name = contact.name or prospect.name
        contact.username, contact.locale = prospect.username, prospect.locale
        contact.phone = phone or contact.phone
    await uow.contacts.save(contact)
    return contact, joined_by_phone


async def _remember_visitor(
    uow: UnitOfWork, visitor: SiteVisitor, phone: str | None, *, now: datetime
) -> tuple[Contact, bool]:
    """A website form has no account behind it: the phone (or else the email) it gives is the person.
    A form can be filled in by anyone, so it adds what the contact lacked and never overwrites."""
    contact = await current_contact(uow, await uow.contacts.by_phone(phone)) if phone else None
    joined_by_phone = contact is not None
    if contact is None and visitor.email:
        contact = await current_contact(uow, await uow.contacts.by_email(visitor.email))
    if contact is None:
        added = await uow.contacts.add(
            Contact(
                id=None, telegram_id=None, name=visitor.name, phone=phone, email=visitor.email,
                locale=visitor.locale, created_at=now,
            )
        )  # fmt: skip
        return added, False
    contact.phone = contact.phone or phone
    contact.email = contact.email or visitor.email
    contact.name = contact.name or visitor.name
    await uow.contacts.save(contact)
    return contact, joined_by_phone


async def _record_web_message(uow: UnitOfWork, deal: Deal, text: str, *, now: datetime) -> None:
    """What the person wrote in the form's message field: in the history like a message to the company.
    There is no chat to relay from; the manager reads it on the card."""
    assert deal.id is not None
    await uow.messages.add(ChatMessage(deal.id, Direction.IN, "text", now, text=text))
    await uow.events.add(
        DealEvent(deal.id, EventKind.MESSAGE_IN, now, data={"kind": "text", "text": text[:500], "web": True})
    )


async def _assign_or_queue(
    uow: UnitOfWork, config: CrmConfig, deal: Deal, now: datetime, *, earlier: list[Deal]
) -> tuple[IntakeOutcome, int]:
    """A returning client goes back to their manager when that manager can take them
    (`returning_owner`); anyone else by fair distribution; with everyone at their norm, unsorted."""
    assert deal.id is not None and deal.take_due_at is not None
    team = await uow.staff.active_for_assignment()
    loads = await uow.deals.open_counts()  # read after the lock: counts what another assignment committed
    # Someone who blocked the bot would never see the lead: they get none until they come back.
    candidates = [s for s in team if s.is_manager and s.on_duty]
    blocked = await uow.unreachable.among(s.telegram_id for s in candidates)  # one query for the team
    on_duty = {s.telegram_id: s for s in candidates if s.telegram_id not in blocked}
    owner = returning_owner(earlier, on_duty.values(), loads, config)
    chosen = (
        owner.telegram_id
        if owner is not None
        else choose_manager(
            (
                Candidate(s.telegram_id, loads.get(s.telegram_id, 0), s.last_assigned_at, norm_of(s, config))
                for s in on_duty.values()
            ),
            mode=config.distribution.mode,
        )
    )
    await uow.timers.add(Timer(TAKE_SLA_TIMER, deal.id, deal.take_due_at))
    if chosen is None:
        await uow.events.add(DealEvent(deal.id, EventKind.QUEUED, now))
        told = overseers(team)
        await tell(uow, told, NoticeKind.UNSORTED_LEAD, {"deal_id": deal.id}, now=now)
        return IntakeOutcome.UNSORTED, len(told)
    manager = on_duty[chosen]
    deal.manager_id, deal.assigned_at = chosen, now
    await uow.deals.save(deal)
    manager.last_assigned_at = now
    await uow.staff.save(manager)
    returning = {"returning": True} if owner is not None else {}
    await uow.events.add(DealEvent(deal.id, EventKind.ASSIGNED, now, data={"to": chosen, **returning}))
    await uow.outbox.add(Notice(chosen, NoticeKind.NEW_LEAD, {"deal_id": deal.id}, manager.locale), now=now)
    return IntakeOutcome.ASSIGNED, 1


async def _archive(uow: UnitOfWork, config: CrmConfig, contact: Contact, deal: Deal, now: datetime) -> None:
    """A non-target lead is kept for the record, closed at once, and its contact goes to the archive."""
    contact.status = ContactStatus.ARCHIVED
    await uow.contacts.save(contact)
    await _close_non_target(uow, config, deal, now)


async def _close_non_target(uow: UnitOfWork, config: CrmConfig, deal: Deal, now: datetime) -> None:
    assert deal.id is not None
    deal.stage = config.pipeline(deal.pipeline).closing_stage(StageKind.LOST).key
    deal.status, deal.closed_at, deal.loss_reason = DealStatus.LOST, now, NON_TARGET_REASON
    await uow.deals.save(deal)
    await uow.stage_visits.enter(deal.id, deal.pipeline, deal.stage, now)
    await uow.events.add(DealEvent(deal.id, EventKind.ARCHIVED, now, data={"reason": NON_TARGET_REASON}))


async def record_incoming(
    uow: UnitOfWork, deal: Deal, message: IncomingMessage, *, now: datetime, flood_limit: int | None = None
) -> Flood:
    """Store a prospect's message in the deal's history and queue it to whoever works the deal, joined
    to the relay still waiting for them (see `domain.relay_batches`). Past `flood_limit` messages a
    minute (none: no limit) the message is kept but only counted in the relay; the answer says whether
    the client should now be asked to slow down."""
    assert deal.id is not None
    edited = {"edited": True} if message.edited else {}
    await uow.messages.add(
        ChatMessage(
            deal.id, Direction.IN, message.kind, now, text=message.text, chat_id=message.chat_id,
            telegram_message_id=message.message_id,
        )
    )  # fmt: skip
    await uow.events.add(
        DealEvent(
            deal.id,
            EventKind.MESSAGE_IN,
            now,
            data={"kind": message.kind, "text": (message.text or "")[:500], **edited},
        )
    )
    flood = Flood.NONE
    if flood_limit is not None:
        recent = await uow.messages.count_in_since(deal.id, since=now - FLOOD_WINDOW)
        flood = flood_state(recent, limit=flood_limit)
    data = relay_data(
        deal_id=deal.id, chat_id=message.chat_id, message_id=message.message_id, kind=message.kind,
        text=message.text, edited=message.edited, held_back=flood is not Flood.NONE,
    )  # fmt: skip
    for person in await recipients_for(uow, deal):
        notice = Notice(person.telegram_id, NoticeKind.PROSPECT_MESSAGE, data, person.locale)
        await uow.outbox.add_relay(notice, now=now, every=RELAY_EVERY)
    return flood
