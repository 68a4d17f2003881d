"""/deals and /unsorted read a page at a time from SQL, on SQLite and PostgreSQL: grouped overdue first,
then by funnel stage; paged by cursors that survive equal times and deals moving between presses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.crm_config import CrmConfig
from domain.deal_lists import DealGroup, DealListing, ListRefusal, Queue, my_deals, unsorted_queue
from domain.list_pages import ListCursor, Position
from domain.models import Deal
from tests.integration.stored_deals import (
    MANAGER,
    NOW,
    OTHER_MANAGER,
    SUPERVISOR,
    MakeUow,
    deal,
    staff_member,
    store,
)


def layout(groups: tuple[DealGroup, ...]) -> list[tuple[str, list[int]]]:
    """Groups as (name, deal ids): "overdue" or "pipeline/stage"."""
    return [
        ("overdue" if g.overdue else f"{g.pipeline}/{g.stage}", [i.deal.id or 0 for i in g.items])
        for g in groups
    ]


async def deals_page(
    make_uow: MakeUow, config: CrmConfig, *, viewer: int = MANAGER, cursor: ListCursor | None = None
) -> DealListing:
    staff = await staff_member(make_uow, viewer)
    async with make_uow() as uow:
        return await my_deals(uow, staff=staff, config=config, now=NOW, cursor=cursor)


async def queue_page(make_uow: MakeUow, config: CrmConfig, *, cursor: ListCursor | None = None) -> Queue:
    staff = await staff_member(make_uow, SUPERVISOR)
    async with make_uow() as uow:
        return await unsorted_queue(uow, staff=staff, config=config, cursor=cursor)


@pytest.mark.parametrize(
    ("deals", "expected"),
    [
        pytest.param([], [], id="nothing"),
        pytest.param(
            [deal("proposal"), deal("new"), deal("qualified")],
            [("sales/new", [2]), ("sales/qualified", [3]), ("sales/proposal", [1])],
            id="stages in funnel order, not in the order of the deals",
        ),
        pytest.param(
            [deal("new"), deal("proposal", contact_in=-5), deal("new", contact_in=-90)],
            [("overdue", [3, 2]), ("sales/new", [1])],
            id="overdue first, the longest overdue on top, and not repeated under its stage",
        ),
        pytest.param(
            [deal("new"), deal("new", contact_in=30), deal("new", contact_in=10), deal("new")],
            [("sales/new", [3, 2, 1, 4])],
            id="within a stage the nearest next contact first, deals without one last by number",
        ),
        pytest.param(
            [deal("new", pipeline="repeat"), deal("contacted", pipeline="rewarm"), deal("invoice")],
            [("sales/invoice", [3]), ("rewarm/contacted", [2]), ("repeat/new", [1])],
            id="pipelines in the order of the config",
        ),
        pytest.param(
            [deal("gone"), deal("new")],
            [("sales/new", [2]), ("sales/gone", [1])],
            id="a stage the config no longer has goes last, still listed",
        ),
    ],
)
async def test_deals_are_grouped_overdue_first_then_by_stage_in_funnel_order(
    make_uow: MakeUow, crm_config: CrmConfig, deals: list[Deal], expected: list[tuple[str, list[int]]]
) -> None:
    await store(make_uow, deals)
    groups = (await deals_page(make_uow, crm_config)).groups
    assert layout(groups) == expected
    assert all(g.count == len(g.items) for g in groups)


async def test_a_group_cut_by_a_page_break_shows_on_both_pages_with_its_full_count(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await store(
        make_uow, [deal("new", contact_in=-i) for i in range(1, 4)] + [deal("qualified") for _ in range(11)]
    )
    first = await deals_page(make_uow, crm_config)
    assert first.next is not None
    second = await deals_page(make_uow, crm_config, cursor=first.next)
    assert (first.pages, first.total) == (2, 14)
    assert layout(first.groups) == [("overdue", [3, 2, 1]), ("sales/qualified", [4, 5, 6, 7, 8])]
    assert layout(second.groups) == [("sales/qualified", [9, 10, 11, 12, 13, 14])]
    assert first.groups[1].count == second.groups[0].count == 11
    assert second.next is None
    qualified_unplanned = 4  # overdue, then new planned / unplanned, then qualified planned / unplanned
    past_the_end = ListCursor(True, qualified_unplanned, Position(None, 10**9))
    assert (await deals_page(make_uow, crm_config, cursor=past_the_end)).page == 1  # the last page


async def test_paging_forth_and_back_shows_every_deal_once_even_when_times_are_equal(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    """Many deals share one next contact time (and all one created_at): the id breaks the tie."""
    same_future, same_past = 60, -60
    ids = await store(
        make_uow,
        [deal("new", contact_in=same_future) for _ in range(13)]
        + [deal("qualified", contact_in=same_past) for _ in range(11)]
        + [deal("new") for _ in range(6)]
        + [deal("qualified", contact_in=same_future) for _ in range(9)],
    )
    pages, listing = [], await deals_page(make_uow, crm_config)
    while True:
        pages.append([i.deal.id or 0 for g in listing.groups for i in g.items])
        assert listing.page == len(pages) - 1 and listing.pages == 5
        if listing.next is None:
            break
        listing = await deals_page(make_uow, crm_config, cursor=listing.next)
    seen = [deal_id for page in pages for deal_id in page]
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen)) == 39
    assert seen[:11] == ids[13:24]  # the overdue ones first, by id among equal times
    assert seen[11:30] == ids[:13] + ids[24:30]  # "new": planned by id, then those without a next contact

    back = [pages[-1]]
    while listing.previous is not None:
        listing = await deals_page(make_uow, crm_config, cursor=listing.previous)
        back.insert(0, [i.deal.id or 0 for g in listing.groups for i in g.items])
    assert back == pages


async def test_a_manager_pages_through_their_own_deals_and_a_supervisor_through_everybody_s(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    mine = [deal("new", contact_in=30) for _ in range(10)]
    theirs = [deal("new", contact_in=30, manager=OTHER_MANAGER) for _ in range(5)]
    unsorted = [deal("new", manager=None) for _ in range(2)]
    ids = await store(make_uow, mine + theirs + unsorted)

    own = await deals_page(make_uow, crm_config)
    assert own.total == 10 and own.next is not None
    own_rest = await deals_page(make_uow, crm_config, cursor=own.next)
    shown = [i.deal.id for page in (own, own_rest) for g in page.groups for i in g.items]
    assert shown == ids[:10]
    everybody = await deals_page(make_uow, crm_config, viewer=SUPERVISOR)
    assert (everybody.total, everybody.pages, everybody.groups[0].count) == (17, 3, 17)
    assert {i.manager_name for i in everybody.groups[0].items} == {"Oleg"}


async def test_a_page_goes_on_from_the_deal_the_reader_saw_when_deals_move_between_presses(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    ids = await store(make_uow, [deal("new", contact_in=10 + n) for n in range(20)])
    first = await deals_page(make_uow, crm_config)
    async with make_uow() as uow:  # two deals of the first page fall overdue meanwhile: up to the top
        for deal_id in ids[:2]:
            gone = await uow.deals.get(deal_id)
            assert gone is not None
            gone.next_contact_at = NOW - timedelta(days=1)
            await uow.deals.save(gone)
        await uow.commit()
    assert first.next is not None
    second = await deals_page(make_uow, crm_config, cursor=first.next)
    assert [i.deal.id for i in second.groups[0].items] == ids[8:16]  # no deal skipped, none repeated
    assert (second.page, second.pages) == (1, 3)  # 8 deals before it, 4 after: page 2 of 3


async def test_a_cursor_that_cannot_point_into_the_list_is_refused_not_followed(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await store(make_uow, [deal("new")])
    timeless_overdue = ListCursor(True, 0, Position(None, 1))  # the overdue segment orders by a moment
    assert (await deals_page(make_uow, crm_config, cursor=timeless_overdue)).refusal is ListRefusal.STALE_PAGE
    beyond = ListCursor(True, 999, Position(NOW, 1))
    assert (await deals_page(make_uow, crm_config, cursor=beyond)).refusal is ListRefusal.STALE_PAGE
    timed_queue = ListCursor(True, 0, Position(None, 1))
    assert (await queue_page(make_uow, crm_config, cursor=timed_queue)).refusal is ListRefusal.STALE_PAGE


async def test_the_unsorted_queue_pages_oldest_first_through_equal_arrival_times(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    ids = await store(
        make_uow,
        [deal(manager=None, created_at=NOW - timedelta(hours=1)) for _ in range(12)]
        + [deal(manager=None, created_at=NOW - timedelta(hours=2)) for _ in range(7)]
        + [deal()],  # Oleg's: not in the queue
    )
    queue, pages = await queue_page(make_uow, crm_config), []
    while True:
        pages.append([i.deal.id for i in queue.items])
        if queue.next is None:
            break
        queue = await queue_page(make_uow, crm_config, cursor=queue.next)
    assert [deal_id for page in pages for deal_id in page] == ids[12:19] + ids[:12]
    assert (queue.total, queue.page, queue.pages, len(pages)) == (19, 2, 3, 3)
    assert queue.previous is not None
    back = await queue_page(make_uow, crm_config, cursor=queue.previous)
    assert [i.deal.id for i in back.items] == pages[1]
