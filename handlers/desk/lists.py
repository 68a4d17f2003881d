"""/deals, /unsorted and /find: lists of deals, each deal a button that opens its card."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from domain.crm_config import CrmConfig
from domain.deal_lists import (
    DealListing,
    ListItem,
    ListRefusal,
    QueryKind,
    Queue,
    Scope,
    SearchResult,
    find_deals,
    list_refusal,
    my_deals,
    unsorted_queue,
)
from domain.list_pages import ListCursor
from domain.models import Staff
from domain.phone import display_phone
from domain.ports import UnitOfWork
from handlers.common.callbacks import FROM_LIST, OPEN_LIST, DealAction, DealList, cursor_of, pack_cursor
from handlers.common.formatting import (
    channel_label,
    clip,
    esc,
    local_time,
    pipeline_label,
    source_label,
    stage_label,
)
from handlers.common.i18n import Texts

logger = logging.getLogger(__name__)

NAME_LIMIT = 40  # a contact's name in a list line
BUTTON_NAME_LIMIT = 24
Screen = tuple[str, InlineKeyboardMarkup | None]


async def cmd_deals(
    message: Message, staff: Staff | None, uow: UnitOfWork, t: Texts, config: CrmConfig, now: datetime
) -> None:
    listing = await my_deals(uow, staff=staff, config=config, now=now)
    if listing.refusal is not None:
        await _refuse_message(message, t, "/deals", listing.refusal)
        return
    text, markup = deals_screen(listing, config=config, t=t)
    await message.answer(text, reply_markup=markup)


async def cmd_unsorted(
    message: Message, staff: Staff | None, uow: UnitOfWork, t: Texts, config: CrmConfig
) -> None:
    queue = await unsorted_queue(uow, staff=staff, config=config)
    if queue.refusal is not None:
        await _refuse_message(message, t, "/unsorted", queue.refusal)
        return
    text, markup = unsorted_screen(queue, config=config, t=t)
    await message.answer(text, reply_markup=markup)


async def cmd_find(
    message: Message,
    command: CommandObject,
    staff: Staff | None,
    uow: UnitOfWork,
    t: Texts,
    config: CrmConfig,
) -> None:
    result = await find_deals(uow, staff=staff, config=config, query=command.args)
    if result.refusal is not None:
        await _refuse_message(message, t, "/find", result.refusal)
        return
    text, markup = search_screen(result, config=config, t=t)
    await message.answer(text, reply_markup=markup)


async def on_list_page(
    callback: CallbackQuery, callback_data: DealList, staff: Staff | None, uow: UnitOfWork, t: Texts,
    config: CrmConfig, now: datetime,
) -> None:  # fmt: skip
    """Paging redraws the list as it is now, going on from the deal next to the page the reader saw
    (deals may have moved since the page was sent). A forged or broken cursor gets a polite answer."""
    kind = callback_data.kind
    if kind not in _COMMANDS:
        logger.warning("user %s sent a list button of unknown kind %r", callback.from_user.id, callback.data)
        await callback.answer(t("button-outdated"), show_alert=True)
        return
    if callback_data.cursor == OPEN_LIST:  # from a notice: the list as its command shows it, below
        await callback.answer()
        await _open(callback, kind, staff, uow, config, t, now)
        return
    cursor = cursor_of(callback_data.cursor)
    refusal = list_refusal(staff, config, unsorted=kind == "unsorted")
    screen: Screen | None = None
    if refusal is None and cursor is not None:
        screen, refusal = await _page(kind, cursor, staff, uow, config, t, now)
    if screen is None:
        refusal = refusal or ListRefusal.STALE_PAGE
        logger.warning("refused: user %s paged the %s list (%s)", callback.from_user.id, kind, refusal)
        await callback.answer(t(_REFUSALS[refusal], command=_COMMANDS[kind]), show_alert=True)
        return
    await callback.answer()
    if not isinstance(callback.message, Message):
        return
    text, markup = screen
    with contextlib.suppress(TelegramBadRequest):  # "not modified": the page is already as it is
        await callback.message.edit_text(text, reply_markup=markup)


async def _open(
    callback: CallbackQuery, kind: str, staff: Staff | None, uow: UnitOfWork, config: CrmConfig, t: Texts,
    now: datetime,
) -> None:  # fmt: skip
    if not isinstance(callback.message, Message):
        return
    if kind == "mine":
        await cmd_deals(callback.message, staff, uow, t, config, now)
    else:
        await cmd_unsorted(callback.message, staff, uow, t, config)


async def _page(
    kind: str, cursor: ListCursor, staff: Staff | None, uow: UnitOfWork, config: CrmConfig, t: Texts,
    now: datetime,
) -> tuple[Screen | None, ListRefusal | None]:  # fmt: skip
    if kind == "mine":
        listing = await my_deals(uow, staff=staff, config=config, now=now, cursor=cursor)
        if listing.refusal is not None:
            return None, listing.refusal
        return deals_screen(listing, config=config, t=t), None
    queue = await unsorted_queue(uow, staff=staff, config=config, cursor=cursor)
    if queue.refusal is not None:
        return None, queue.refusal
    return unsorted_screen(queue, config=config, t=t), None


_COMMANDS = {"mine": "/deals", "unsorted": "/unsorted"}
_REFUSALS = {
    ListRefusal.NOT_STAFF: "lists-not-staff",
    ListRefusal.UNSORTED_HIDDEN: "unsorted-hidden",
    ListRefusal.STALE_PAGE: "list-outdated",
}


async def _refuse_message(message: Message, t: Texts, command: str, refusal: ListRefusal) -> None:
    logger.warning("refused: user %s asked for %s (%s)", message.chat.id, command, refusal)
    await message.answer(t(_REFUSALS[refusal], command=command))


def deals_screen(listing: DealListing, *, config: CrmConfig, t: Texts) -> Screen:
    own = listing.scope is Scope.OWN
    if listing.total == 0:
        return t("deals-empty-own" if own else "deals-empty-all"), None
    title = t("deals-title-own" if own else "deals-title-all", count=listing.total)
    if listing.pages > 1:
        title += " · " + t("list-page", page=listing.page + 1, pages=listing.pages)
    blocks, buttons = [title], []
    for group in listing.groups:
        if group.overdue:
            header = t("deals-group-overdue", count=group.count)
        else:
            names = _stage_names(config, group.pipeline or "", group.stage or "", t)
            header = t("deals-group-stage", count=group.count, **names)
        lines = [header] + [
            _deal_line(item, config, t, with_stage=group.overdue, own=own) for item in group.items
        ]
        blocks.append("\n".join(lines))
        buttons += [[_open_button(item, t)] for item in group.items]
    blocks.append(t("deals-hint"))
    buttons += _nav_row("mine", listing.previous, listing.next, t)
    return "\n\n".join(blocks), InlineKeyboardMarkup(inline_keyboard=buttons)


def unsorted_screen(queue: Queue, *, config: CrmConfig, t: Texts) -> Screen:
    if not queue.items:
        return t("unsorted-empty"), None
    tz = ZoneInfo(config.timezone)
    title = t("unsorted-title", count=queue.total)
    if queue.pages > 1:
        title += " · " + t("list-page", page=queue.page + 1, pages=queue.pages)
    lines = []
    for item in queue.items:
        deal = item.deal
        parts = [_name_part(item, t), t("unsorted-item-since", at=local_time(deal.created_at, tz))]
        if deal.take_due_at is not None:
            parts.append(t("unsorted-item-due", at=local_time(deal.take_due_at, tz)))
        lines.append(" · ".join(parts))
    blocks = [title, "\n".join(lines), t("unsorted-hint")]
    buttons = [
        [
            _open_button(item, t),
            InlineKeyboardButton(
                text=t("list-btn-take", id=item.deal.id),
                callback_data=DealAction(
                    action="take", deal_id=_id(item), v=item.deal.version, arg=FROM_LIST
                ).pack(),
            ),
        ]
        for item in queue.items
    ]
    buttons += _nav_row("unsorted", queue.previous, queue.next, t)
    return "\n\n".join(blocks), InlineKeyboardMarkup(inline_keyboard=buttons)


def search_screen(result: SearchResult, *, config: CrmConfig, t: Texts) -> Screen:
    query = result.query
    simple = {QueryKind.EMPTY: "find-usage", QueryKind.TOO_SHORT: "find-too-short"}
    if query.kind in simple:
        return t(simple[query.kind]), None
    if query.kind is QueryKind.BAD_PHONE:
        return t("find-bad-phone", query=esc(query.text)), None
    if not result.items:
        if query.kind is QueryKind.NUMBER:
            text = t("find-not-found-number", id=query.deal_id)
        elif query.kind is QueryKind.PHONE:
            text = t("find-not-found-phone", phone=esc(display_phone(query.phone or "")))
        else:
            text = t("find-not-found-name", query=esc(query.text))
        if result.scope is Scope.OWN:
            text += "\n" + t("find-only-own")
        return text, None
    own = result.scope is Scope.OWN
    blocks = [t("find-title", count=len(result.items))]
    lines = (_deal_line(item, config, t, with_stage=True, own=own, origin=True) for item in result.items)
    blocks.append("\n".join(lines))
    if result.more:
        blocks.append(t("find-more", count=len(result.items)))
    if own:
        blocks.append(t("find-only-own"))
    buttons = [[_open_button(item, t)] for item in result.items]
    return "\n\n".join(blocks), InlineKeyboardMarkup(inline_keyboard=buttons)


def _deal_line(
    item: ListItem, config: CrmConfig, t: Texts, *, with_stage: bool, own: bool, origin: bool = False
) -> str:
    """One deal in a list; `origin` adds its channel and source (/find, where deals of any kind meet)."""
    deal = item.deal
    tz = ZoneInfo(config.timezone)
    parts = [_name_part(item, t)]
    if with_stage:
        names = _stage_names(config, deal.pipeline, deal.stage, t)
        parts.append(f"{names['stage']} ({names['pipeline']})")
    if origin:
        source = source_label(config, deal.source, t.locale, t)
        parts.append(t("find-item-origin", channel=esc(channel_label(deal.channel, t)), source=esc(source)))
    if not deal.is_open:  # the stage says won or lost; a closed deal in a list needs no more
        if not own and item.manager_name:
            parts.append(t("deals-item-manager", name=esc(item.manager_name)))
    else:
        if item.overdue and deal.next_contact_at is not None:
            parts.append(t("deals-item-overdue", at=local_time(deal.next_contact_at, tz)))
        elif deal.next_contact_at is not None:
            parts.append(t("deals-item-next-contact", at=local_time(deal.next_contact_at, tz)))
        if deal.manager_id is None:
            parts.append(t("deals-item-unsorted"))
        elif not own:
            parts.append(t("deals-item-manager", name=esc(item.manager_name or deal.manager_id)))
        if deal.manager_id is not None and deal.taken_at is None:
            parts.append(t("deals-item-not-taken"))
    return " · ".join(parts)


def _name_part(item: ListItem, t: Texts) -> str:
    name = esc(clip(item.contact_name, NAME_LIMIT)) if item.contact_name else t("list-no-name")
    return f"<b>{t('list-btn-open', id=item.deal.id, name=name)}</b>"


def _stage_names(config: CrmConfig, pipeline_key: str, stage_key: str, t: Texts) -> dict[str, str]:
    """Stage and pipeline names in the viewer's language; the raw keys when the config lost them."""
    return {
        "stage": esc(stage_label(config, pipeline_key, stage_key, t.locale)),
        "pipeline": esc(pipeline_label(config, pipeline_key, t.locale)),
    }


def _open_button(item: ListItem, t: Texts) -> InlineKeyboardButton:
    name = clip(item.contact_name, BUTTON_NAME_LIMIT) if item.contact_name else t("list-no-name")
    key = "list-btn-open-overdue" if item.overdue else "list-btn-open"
    data = DealAction(action="open", deal_id=_id(item), v=0).pack()
    return InlineKeyboardButton(text=t(key, id=item.deal.id, name=name), callback_data=data)


def _nav_row(
    kind: str, previous: ListCursor | None, following: ListCursor | None, t: Texts
) -> list[list[InlineKeyboardButton]]:
    row = [
        InlineKeyboardButton(
            text=t(label), callback_data=DealList(kind=kind, cursor=pack_cursor(cursor)).pack()
        )
        for label, cursor in (("list-btn-prev", previous), ("list-btn-next", following))
        if cursor is not None
    ]
    return [row] if row else []


def _id(item: ListItem) -> int:
    assert item.deal.id is not None
    return item.deal.id


def build_router() -> Router:
    router = Router(name="deal_lists")
    router.message.register(cmd_deals, Command("deals"))
    router.message.register(cmd_unsorted, Command("unsorted"))
    router.message.register(cmd_find, Command("find"))
    router.callback_query.register(on_list_page, DealList.filter())
    return router
