"""Read models for lists of deals: /deals (grouped, overdue first), /unsorted (the queue), /find.

Who sees what: a manager sees their own deals; supervisors and admins see every deal. The unsorted
queue is open to managers only when the team's config says so. Every use case here is read-only and
ends its transaction before the answer travels to Telegram.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import groupby

from domain.crm_config import CrmConfig
from domain.list_pages import ListCursor, Run, Segment, SegmentKind, funnel_runs, read_page
from domain.models import Deal, Staff
from domain.phone import normalize_phone
from domain.ports import UnitOfWork

SEARCH_LIMIT = 10
MIN_NAME_LENGTH = 2
MAX_QUERY_LENGTH = 64


class ListRefusal(StrEnum):
    NOT_STAFF = "not_staff"  # not on the team, or holds no role that works deals
    UNSORTED_HIDDEN = "unsorted_hidden"  # managers may not see the queue (config.deals.managers_see_unsorted)
    STALE_PAGE = "stale_page"  # the page button carries a cursor that cannot point into the list


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
    """One page of /deals: its part of each group, where it is, and the cursors of its neighbours."""

    scope: Scope = Scope.OWN
    groups: tuple[DealGroup, ...] = ()
    total: int = 0
    page: int = 0  # 0-based
    pages: int = 1
    previous: ListCursor | None = None
    next: ListCursor | None = None
    refusal: ListRefusal | None = None


def is_overdue(deal: Deal, *, now: datetime) -> bool:
    return deal.next_contact_at is not None and deal.next_contact_at < now


def list_refusal(staff: Staff | None, config: CrmConfig, *, unsorted: bool = False) -> ListRefusal | None:
    """Why this person may not read /deals (or, `unsorted`, the queue); None when they may."""
    if staff is None or not (staff.is_manager or staff.oversees):
        return ListRefusal.NOT_STAFF
    if unsorted and not staff.oversees and not config.deals.managers_see_unsorted:
        return ListRefusal.UNSORTED_HIDDEN
    return None


async def my_deals(
    uow: UnitOfWork,
    *,
    staff: Staff | None,
    config: CrmConfig,
    now: datetime,
    cursor: ListCursor | None = None,
) -> DealListing:
    """/deals, the page at `cursor` (the first without one): a manager's open deals; for a supervisor or
    admin who is not a manager, every open deal. Grouped: overdue first (the longest overdue on top),
    then one group per stage in funnel order, the nearest next contact first and deals without one last
    (`funnel_runs`). A cursor past the end gives the last page."""
    if staff is None or list_refusal(staff, config) is not None:
        return DealListing(refusal=ListRefusal.NOT_STAFF)
    scope = Scope.OWN if staff.is_manager else Scope.ALL
    manager_id = staff.telegram_id if scope is Scope.OWN else None
    # Everybody's list holds the viewer's own test deals (/preview) too, as /find does.
    viewer = staff.telegram_id
    counts = await uow.deals.stage_counts(manager_id=manager_id, now=now, viewer=viewer)
    runs = funnel_runs(config, counts)
    if cursor is not None and not cursor.fits([run.segment for run in runs]):
        await uow.rollback()
        return DealListing(scope, refusal=ListRefusal.STALE_PAGE)
    shown = await read_page(uow, runs, cursor=cursor, manager_id=manager_id, now=now, viewer=viewer)
    items = await _items(uow, [deal for _, deal in shown.deals], now=now, with_managers=scope is Scope.ALL)
    await uow.rollback()
    sizes = {(c.pipeline, c.stage): c.planned + c.unplanned for c in counts}
    overdue = runs[0].count
    groups = []
    for key, members in groupby(items, key=lambda i: None if i.overdue else (i.deal.pipeline, i.deal.stage)):
        pipeline, stage = key or (None, None)
        count = overdue if key is None else sizes.get(key, 0)
        groups.append(DealGroup(key is None, pipeline, stage, tuple(members), count))
    return DealListing(
        scope, tuple(groups), sum(run.count for run in runs), shown.page, shown.pages,
        shown.cursor(runs, forward=False), shown.cursor(runs, forward=True),
    )  # fmt: skip


@dataclass(frozen=True)
class Queue:
    """One page of /unsorted, oldest first."""

    items: tuple[ListItem, ...] = ()
    total: int = 0  # every unsorted lead
    page: int = 0
    pages: int = 1
    previous: ListCursor | None = None
    next: ListCursor | None = None
    refusal: ListRefusal | None = None


async def unsorted_queue(
    uow: UnitOfWork, *, staff: Staff | None, config: CrmConfig, cursor: ListCursor | None = None
) -> Queue:
    """/unsorted, the page at `cursor`: open leads nobody is responsible for, oldest first."""
    if (refusal := list_refusal(staff, config, unsorted=True)) is not None:
        return Queue(refusal=refusal)
    runs = (Run(Segment(SegmentKind.UNSORTED), await uow.deals.unsorted_count()),)
    if cursor is not None and not cursor.fits([runs[0].segment]):
        await uow.rollback()
        return Queue(refusal=ListRefusal.STALE_PAGE)
    shown = await read_page(uow, runs, cursor=cursor, manager_id=None, now=None)
    items = await _items(uow, [deal for _, deal in shown.deals], now=None, with_managers=False)
    await uow.rollback()
    return Queue(
        tuple(items), runs[0].count, shown.page, shown.pages,
        shown.cursor(runs, forward=False), shown.cursor(runs, forward=True),
    )  # fmt: skip


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
    if staff is None or list_refusal(staff, config) is not None:
        return SearchResult(parsed, refusal=ListRefusal.NOT_STAFF)
    scope = Scope.ALL if staff.oversees else Scope.OWN
    if not parsed.searchable:
        return SearchResult(parsed, scope)
    deals = await uow.deals.search(
        deal_id=parsed.deal_id, phone=parsed.phone, name=parsed.name,
        manager_id=staff.telegram_id if scope is Scope.OWN else None, limit=SEARCH_LIMIT + 1,
        viewer=staff.telegram_id,
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
