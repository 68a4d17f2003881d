"""Use cases of the team: invites, duty (/pause, /resume) and removal (the /staff roster is in
`domain/team_roster.py`, load norms in `domain/load_norms.py`).

Admins shape the team; managers only switch their own duty. Everything here refuses with a code and
changes nothing when the person may not do it: the handler says why and logs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.audience import supervisors, tell
from domain.crm_config import CrmConfig
from domain.deal_access import record
from domain.models import EventKind, Invite, Notice, Role, Staff, Timer
from domain.notice_kinds import NoticeKind
from domain.ports import ConcurrentChange, UnitOfWork
from domain.timer_kinds import TAKE_SLA as TAKE_SLA_TIMER

INVITE_TTL = timedelta(hours=24)
INVITABLE_ROLES = frozenset({Role.MANAGER, Role.SUPERVISOR})


class InviteOutcome(StrEnum):
    CREATED = "created"
    NOT_ALLOWED = "not_allowed"  # only admins invite
    BAD_ROLE = "bad_role"  # admins are named in ADMIN_IDS, never invited


@dataclass(frozen=True)
class InviteResult:
    outcome: InviteOutcome
    invite: Invite | None = None


def may_invite(staff: Staff | None) -> bool:
    """Only admins shape the team."""
    return staff is not None and staff.has(Role.ADMIN)


async def create_invite(
    uow: UnitOfWork, *, staff: Staff | None, role: Role, token: str, now: datetime
) -> InviteResult:
    """A one-time link into the team with `role`, valid for 24 hours. Commits when created.

    `token` comes from the caller (a random, URL-safe string): the domain does no randomness.
    """
    if not may_invite(staff):
        return InviteResult(InviteOutcome.NOT_ALLOWED)
    if role not in INVITABLE_ROLES:
        return InviteResult(InviteOutcome.BAD_ROLE)
    assert staff is not None
    invite = Invite(token, role, staff.telegram_id, now, now + INVITE_TTL)
    await uow.invites.add(invite)
    await uow.commit()
    return InviteResult(InviteOutcome.CREATED, invite)


class JoinOutcome(StrEnum):
    JOINED = "joined"
    ALREADY_MEMBER = "already_member"  # has the role already: the link stays unused for whom it was meant
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class JoinResult:
    outcome: JoinOutcome
    role: Role | None = None
    staff: Staff | None = None
    by_you: bool = False  # USED: the link was used by this very person (e.g. opened twice)


async def accept_invite(
    uow: UnitOfWork, *, token: str, telegram_id: int, name: str, username: str | None, locale: str,
    now: datetime,
) -> JoinResult:  # fmt: skip
    """Whoever opens a valid invite joins the team with its role. Commits when joined.

    The claim is atomic: of two people opening one link at once exactly one joins. A new person
    becomes a staff member; a member gets the extra role; someone removed earlier comes back with
    only the invite's role (their old roles went with the removal). The inviting admin is told.
    """
    result = await _accept(uow, token, telegram_id, name, username, locale, now)
    await uow.rollback()
    return result


async def _accept(
    uow: UnitOfWork, token: str, telegram_id: int, name: str, username: str | None, locale: str,
    now: datetime,
) -> JoinResult:  # fmt: skip
    invite = await uow.invites.get(token)
    if invite is None:
        return JoinResult(JoinOutcome.UNKNOWN)
    if (refusal := _unusable(invite, telegram_id, now)) is not None:
        return refusal
    member = await uow.staff.get(telegram_id)
    if member is not None and member.has(invite.role):
        return JoinResult(JoinOutcome.ALREADY_MEMBER, invite.role, member)
    if not await uow.invites.claim(token, user_id=telegram_id, now=now):
        fresh = await uow.invites.get(token)
        assert fresh is not None
        return _unusable(fresh, telegram_id, now) or JoinResult(JoinOutcome.USED, invite.role)
    if member is None:
        member = Staff(telegram_id, frozenset({invite.role}), name=name, username=username, locale=locale)
        await uow.staff.add(member)
    else:
        if member.active:
            member.roles = member.roles | {invite.role}
        else:
            member.roles, member.active, member.on_duty = frozenset({invite.role}), True, True
        member.name, member.username, member.locale = name, username, locale
        await uow.staff.save(member)
    inviter = await uow.staff.get(invite.created_by)
    if inviter is not None and inviter.active and inviter.telegram_id != telegram_id:
        data = {"staff_id": telegram_id, "role": invite.role.value}
        await uow.outbox.add(
            Notice(inviter.telegram_id, NoticeKind.INVITE_USED, data, inviter.locale), now=now
        )
    await uow.commit()
    return JoinResult(JoinOutcome.JOINED, invite.role, member)


def _unusable(invite: Invite, telegram_id: int, now: datetime) -> JoinResult | None:
    if invite.used_at is not None:
        return JoinResult(JoinOutcome.USED, invite.role, by_you=invite.used_by == telegram_id)
    if now >= invite.expires_at:
        return JoinResult(JoinOutcome.EXPIRED, invite.role)
    return None


class DutyOutcome(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"  # already on (or off) duty
    NOT_ALLOWED = "not_allowed"  # duty is a manager's: leads are distributed among managers only


@dataclass(frozen=True)
class DutyResult:
    outcome: DutyOutcome
    on_duty: bool = False
    managers_on_duty: int = 0  # after the change; 0 means new leads will wait unsorted


async def set_duty(uow: UnitOfWork, *, staff: Staff | None, on_duty: bool, now: datetime) -> DutyResult:
    """/pause and /resume. Off duty a manager gets no new leads (see `domain.intake`); their own deals,
    messages and reminders keep reaching them. Commits when changed."""
    if staff is None or not staff.is_manager:
        return DutyResult(DutyOutcome.NOT_ALLOWED)
    member = await uow.staff.get(staff.telegram_id)  # fresh: the middleware's copy may be old
    assert member is not None
    outcome = DutyOutcome.UNCHANGED
    if member.on_duty != on_duty:
        member.on_duty = on_duty
        await uow.staff.save(member)
        outcome = DutyOutcome.CHANGED
    team = await uow.staff.active()
    managers = sum(1 for s in team if s.is_manager and s.on_duty)
    if outcome is DutyOutcome.CHANGED:
        await uow.commit()
    else:
        await uow.rollback()
    return DutyResult(outcome, on_duty, managers)


class RemovalOutcome(StrEnum):
    CONFIRM = "confirm"  # the check before asking "are you sure?": removal is possible
    REMOVED = "removed"
    NOT_ALLOWED = "not_allowed"
    SELF = "self"
    PINNED = "pinned"  # named in ADMIN_IDS / SUPERVISOR_IDS / MANAGER_IDS: would come back at restart
    NOT_FOUND = "not_found"  # no such member, or removed already


@dataclass(frozen=True)
class RemovalResult:
    outcome: RemovalOutcome
    target: Staff | None = None
    deal_ids: tuple[int, ...] = ()  # their open deals: back to the unsorted queue (CONFIRM: will go)


async def check_removal(
    uow: UnitOfWork, *, staff: Staff | None, target_id: int, pinned: frozenset[int]
) -> RemovalResult:
    """Whether `staff` may remove `target_id`, and what it would do: for the confirmation. Read-only."""
    result = await _removal(uow, staff, target_id, pinned)
    await uow.rollback()
    return result


async def remove_staff(
    uow: UnitOfWork,
    config: CrmConfig,
    *,
    staff: Staff | None,
    target_id: int,
    pinned: frozenset[int],
    now: datetime,
) -> RemovalResult:
    """Take someone off the team. Commits when removed.

    Their open deals go back to the unsorted queue (nobody is responsible, nobody has taken them), each
    with an UNASSIGNED event and a fresh take-into-work deadline (`intake.take_sla` from now, in working
    time) so a lead left there is escalated like a new one; the overseers get one notice listing them.
    Planned next contacts stay: the client still expects the call, whoever makes it.
    """
    for _ in range(3):  # a deal of theirs changed while we moved it: start again from what is there now
        try:
            return await _remove(uow, config, staff=staff, target_id=target_id, pinned=pinned, now=now)
        except ConcurrentChange:
            await uow.rollback()
    return await _remove(uow, config, staff=staff, target_id=target_id, pinned=pinned, now=now)


async def _remove(
    uow: UnitOfWork, config: CrmConfig, *, staff: Staff | None, target_id: int, pinned: frozenset[int],
    now: datetime,
) -> RemovalResult:  # fmt: skip
    result = await _removal(uow, staff, target_id, pinned)
    if result.outcome is not RemovalOutcome.CONFIRM or staff is None or result.target is None:
        await uow.rollback()
        return result
    target = result.target
    target.active = False
    await uow.staff.save(target)
    deal_ids: list[int] = []
    take_due = config.calendar().add(now, config.intake.take_sla)
    for deal in await uow.deals.open_deals(manager_id=target_id):
        assert deal.id is not None
        if deal.is_test:  # their /preview's, deleted below
            continue
        deal.manager_id, deal.assigned_at, deal.taken_at, deal.take_due_at = None, None, None, take_due
        await uow.deals.save(deal)
        await uow.timers.cancel(subject_id=deal.id, kinds=(TAKE_SLA_TIMER,))
        await uow.timers.add(Timer(TAKE_SLA_TIMER, deal.id, take_due))
        await record(uow, deal, EventKind.UNASSIGNED, actor=staff, now=now, data={"from": target_id})
        deal_ids.append(deal.id)
    for test_id in await uow.deals.test_deal_ids(target_id):  # their /preview's, open or closed: nobody
        await uow.deals.delete_test(test_id)  # else would ever see them
    # They hear it from the bot rather than find their buttons dead.
    await uow.outbox.add(
        Notice(target_id, NoticeKind.YOU_WERE_REMOVED, {"staff_id": target_id}, target.locale), now=now
    )
    data = {"staff_id": target_id, "deal_ids": deal_ids}
    # The admin reads the result in their own reply.
    await tell(uow, await supervisors(uow, besides=staff), NoticeKind.STAFF_REMOVED, data, now=now)
    await uow.commit()
    return RemovalResult(RemovalOutcome.REMOVED, target, tuple(deal_ids))


async def _removal(
    uow: UnitOfWork, staff: Staff | None, target_id: int, pinned: frozenset[int]
) -> RemovalResult:
    if staff is None or not staff.has(Role.ADMIN):
        return RemovalResult(RemovalOutcome.NOT_ALLOWED)
    target = await uow.staff.get(target_id)
    if target_id == staff.telegram_id:
        return RemovalResult(RemovalOutcome.SELF, target)
    if target is None or not target.active:
        return RemovalResult(RemovalOutcome.NOT_FOUND, target)
    if target_id in pinned:
        return RemovalResult(RemovalOutcome.PINNED, target)
    deals = await uow.deals.open_deals(manager_id=target_id)
    real = tuple(d.id for d in deals if d.id is not None and not d.is_test)
    return RemovalResult(RemovalOutcome.CONFIRM, target, real)
