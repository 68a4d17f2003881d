"""Read models for lists of deals: /deals (grouped, overdue first), /unsorted (the queue), /find.

Who sees what: a manager sees their own deals; supervisors and admins see every deal. The unsorted
queue is open to managers only when the team's config says so. Every use case here is read-only and
ends its transaction before the answer travels to Telegram.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from domain.crm_config import CrmConfig
from domain.models import Deal, Staff
from domain.phone import normalize_phone
from domain.ports import UnitOfWork

PAGE_SIZE = 8
QUEUE_LIMIT = 200  # the oldest leads of the queue shown; the screen says how many there are in all
SEARCH_LIMIT = 10
MIN_NAME_LENGTH = 2
MAX_QUERY_LENGTH = 64
_LAST = datetime.max.replace(tzinfo=UTC)


class ListRefusal(StrEnum):
    NOT_STAFF = "not_staff"  # not on the team, or holds no role that works deals
    UNSORTED_HIDDEN = "unsorted_hidden"  # managers may not see the queue (config.deals.managers_see_unsorted)


class Scope(StrEnum):
    OWN = "own"  # a manager's own deals
    ALL = "all"  # everybody's: supervisors and admins


@dataclass(frozen=True)
class ListItem:
    deal: Deal
    contact_name: str
    overdue: bool = False  # the planned next contact is past and not done
    manager_name: str | None = None  # who works the deal; filled for the overseers' lists


@dataclass(frozen=True)
class DealGroup:
    """The overdue deals (`overdue=True`, no stage), or the deals of one stage of one pipeline."""

    overdue: bool
    pipeline: str | None
    stage: str | None
    items: tuple[ListItem, ...]
    count: int  # the whole group's size, also when `items` is one page's part of it


@dataclass(frozen=True)
class DealListing:
    scope: Scope = Scope.OWN
    groups: tuple[DealGroup, ...] = ()
    refusal: ListRefusal | None = None

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)


@dataclass(frozen=True)
class Page:
    groups: tuple[DealGroup, ...]
    page: int  # 0-based, clamped into range
    pages: int
    total: int


def is_overdue(deal: Deal, *, now: datetime) -> bool:
    return deal.next_contact_at is not None and deal.next_contact_at < now


def group_deals(items: Iterable[ListItem], *, config: CrmConfig) -> tuple[DealGroup, ...]:
    """Overdue first (the longest overdue on top), then one group per stage in funnel order: pipelines
    as the config lists them, stages as each pipeline orders them. Within a stage the nearest next
    contact comes first, deals without one last. A stage no longer in the config goes at the end."""
    items = list(items)
    order: dict[tuple[str, str], int] = {}
    for pipeline in config.pipelines:
        for stage in pipeline.stages:
            order[(pipeline.key, stage.key)] = len(order)
    overdue = sorted((i for i in items if i.overdue), key=_by_next_contact)
    by_stage: dict[tuple[str, str], list[ListItem]] = {}
    for item in items:
        if not item.overdue:
            by_stage.setdefault((item.deal.pipeline, item.deal.stage), []).append(item)
    groups = [DealGroup(True, None, None, tuple(overdue), len(overdue))] if overdue else []
    for key in sorted(by_stage, key=lambda k: (order.get(k, len(order)), k)):
        members = sorted(by_stage[key], key=_by_next_contact)
        groups.append(DealGroup(False, key[0], key[1], tuple(members), len(members)))
    return tuple(groups)


def _by_next_contact(item: ListItem) -> tuple[datetime, int]:
    return item.deal.next_contact_at or _LAST, item.deal.id or 0


def page_bounds(total: int, *, page: int, size: int = PAGE_SIZE) -> tuple[int, int]:
    """(the page clamped into range, the number of pages); there is always at least one page."""
    pages = max(1, -(-total // size))
    return min(max(page, 0), pages - 1), pages


def paginate(groups: Sequence[DealGroup], *, page: int, size: int = PAGE_SIZE) -> Page:
    """One page of `size` deals; a group cut by a page break shows on both pages (with its full count)."""
    total = sum(len(g.items) for g in groups)
    page, pages = page_bounds(total, page=page, size=size)
    start, end = page * size, (page + 1) * size
    shown: list[DealGroup] = []
    seen = 0
    for group in groups:
        first, last = max(start - seen, 0), min(end - seen, len(group.items))
        if first < last:
            shown.append(replace(group, items=group.items[first:last]))
        seen += len(group.items)
    return Page(tuple(shown), page, pages, total)


async def my_deals(uow: UnitOfWork, *, staff: Staff | None, config: CrmConfig, now: datetime) -> DealListing:
    """/deals: a manager's open deals; for a supervisor or admin who is not a manager, every open deal."""
    if staff is None or not (staff.is_manager or staff.oversees):
        return DealListing(refusal=ListRefusal.NOT_STAFF)
    scope = Scope.OWN if staff.is_manager else Scope.ALL
    deals = await uow.deals.open_deals(manager_id=staff.telegram_id if scope is Scope.OWN else None)
    items = await _items(uow, deals, now=now, with_managers=scope is Scope.ALL)
    await uow.rollback()
    return DealListing(scope, group_deals(items, config=config))


@dataclass(frozen=True)
class Queue:
    items: tuple[ListItem, ...] = ()
    total: int = 0  # every unsorted lead; `items` holds the oldest QUEUE_LIMIT of them
    refusal: ListRefusal | None = None


async def unsorted_queue(uow: UnitOfWork, *, staff: Staff | None, config: CrmConfig) -> Queue:
    """/unsorted: open leads nobody is responsible for, oldest first."""
    if staff is None or not (staff.is_manager or staff.oversees):
        return Queue(refusal=ListRefusal.NOT_STAFF)
    if not staff.oversees and not config.deals.managers_see_unsorted:
        return Queue(refusal=ListRefusal.UNSORTED_HIDDEN)
    deals = await uow.deals.unsorted(limit=QUEUE_LIMIT)
    total = await uow.deals.unsorted_count()
    items = await _items(uow, deals, now=None, with_managers=False)
    await uow.rollback()
    return Queue(tuple(items), max(total, len(items)))


class QueryKind(StrEnum):
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    BAD_PHONE = "bad_phone"  # digits that look like a phone number but are not a whole one
    NUMBER = "number"
    PHONE = "phone"
    NAME = "name"


@dataclass(frozen=True)
class SearchQuery:
    kind: QueryKind
    text: str = ""
    deal_id: int | None = None
    phone: str | None = None
    name: str | None = None

    @property
    def searchable(self) -> bool:
        return self.kind in (QueryKind.NUMBER, QueryKind.PHONE, QueryKind.NAME)


_DEAL_NUMBER = re.compile(r"[#№]\s*(\d{1,12})")
_PHONE_CHARS = re.compile(r"\+?[\d\s().-]+")
_MAX_BARE_NUMBER = 9  # more digits than this are a phone number, not a deal number


def classify_query(text: str | None, *, region: str) -> SearchQuery:
    """What a typed query means: a deal number ("12", "#12", "№12"), a phone number in any usual
    form ("+7 916 123-45-67", "89161234567"), or a part of a name or @username."""
    raw = " ".join((text or "").split())[:MAX_QUERY_LENGTH]
    if not raw:
        return SearchQuery(QueryKind.EMPTY)
    if number := _DEAL_NUMBER.fullmatch(raw):
        return SearchQuery(QueryKind.NUMBER, raw, deal_id=int(number.group(1)))
    digits = re.sub(r"\D", "", raw)
    if digits and _PHONE_CHARS.fullmatch(raw):
        if raw.isdigit() and len(digits) <= _MAX_BARE_NUMBER:
            return SearchQuery(QueryKind.NUMBER, raw, deal_id=int(digits))
        phone = normalize_phone(raw, region=region)
        if phone is not None:
            return SearchQuery(QueryKind.PHONE, raw, phone=phone)
        return SearchQuery(QueryKind.BAD_PHONE, raw)
    name = raw.lstrip("@").strip()
    if sum(ch.isalnum() for ch in name) < MIN_NAME_LENGTH:
        return SearchQuery(QueryKind.TOO_SHORT, raw)
    return SearchQuery(QueryKind.NAME, raw, name=name)


@dataclass(frozen=True)
class SearchResult:
    query: SearchQuery
    scope: Scope = Scope.OWN
    items: tuple[ListItem, ...] = ()
    more: bool = False  # there are more than SEARCH_LIMIT matches: the query should be narrower
    refusal: ListRefusal | None = None


async def find_deals(
    uow: UnitOfWork, *, staff: Staff | None, config: CrmConfig, query: str | None
) -> SearchResult:
    """/find: open deals first, then closed ones, newest first. A manager searches only their own
    deals: a colleague's deal is "not found", never shown, so a number cannot be probed."""
    parsed = classify_query(query, region=config.company.phone_region)
    if staff is None or not (staff.is_manager or staff.oversees):
        return SearchResult(parsed, refusal=ListRefusal.NOT_STAFF)
    scope = Scope.ALL if staff.oversees else Scope.OWN
    if not parsed.searchable:
        return SearchResult(parsed, scope)
    deals = await uow.deals.search(
        deal_id=parsed.deal_id, phone=parsed.phone, name=parsed.name,
        manager_id=staff.telegram_id if scope is Scope.OWN else None, limit=SEARCH_LIMIT + 1,
    )  # fmt: skip
    items = await _items(uow, deals[:SEARCH_LIMIT], now=None, with_managers=scope is Scope.ALL)
    await uow.rollback()
    return SearchResult(parsed, scope, tuple(items), more=len(deals) > SEARCH_LIMIT)


async def _items(
    uow: UnitOfWork, deals: Sequence[Deal], *, now: datetime | None, with_managers: bool
) -> list[ListItem]:
    contacts = await uow.contacts.get_many({d.contact_id for d in deals}) if deals else {}
    names: dict[int, str] = {}
    if with_managers and any(d.manager_id is not None for d in deals):
        names = {s.telegram_id: s.name for s in await uow.staff.active()}
    return [
        ListItem(
            deal,
            contacts[deal.contact_id].name if deal.contact_id in contacts else "",
            overdue=now is not None and is_overdue(deal, now=now),
            manager_name=names.get(deal.manager_id) if deal.manager_id is not None else None,
        )
        for deal in deals
    ]
