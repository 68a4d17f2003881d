"""/report and /export (README.md, "Reports"): a menu of reports, a period and filters by buttons, one
message edited in place; each report a PNG chart with its key numbers in the caption, and the
spreadsheets as documents.

The menu's whole state rides in its buttons (`ReportMenu`), so a restart loses nothing; only a range
being typed waits in the FSM. Every press is checked again: who pressed (`may_see_reports`) and what the
button says (`menu_state.checked`). A manager's scope always has their own id (`viewer_scope`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, InputMediaPhoto, Message
from pydantic import ValidationError

from domain.crm_config import CrmConfig
from domain.models import Staff
from domain.ports import UnitOfWork
from domain.reports.access import may_see_reports, sees_own_only
from domain.reports.channels import channels_report
from domain.reports.funnel import funnel_report
from domain.reports.losses import loss_report
from domain.reports.managers import managers_report
from domain.reports.scope import ReportScope, days_period
from handlers.common.callbacks import ReportMenu
from handlers.common.formatting import staff_name, visible_length
from handlers.common.i18n import Texts
from handlers.reports import captions
from handlers.reports.charts import channels_png, funnel_png, losses_png, managers_png, render_png
from handlers.reports.menu_state import PICKERS, Do, ReportKind, checked, fresh
from handlers.reports.menu_view import (
    cancel_keyboard,
    menu_keyboard,
    menu_text,
    picker,
    report_name,
    scope_lines,
    typed_button,
)
from handlers.reports.period_input import parse_range
from handlers.reports.spreadsheet import export_files

logger = logging.getLogger(__name__)

CAPTION_LIMIT = 1024  # Telegram's, for a photo's caption
LAST_MENU = "report_menu"  # FSM data: the last report's state (packed), which a plain /export exports
MENU_MESSAGE = "report_message"  # FSM data while a range is typed: the menu message it is for


class ReportInput(StatesGroup):
    period = State()  # a range typed after "type a range"; data: LAST_MENU, MENU_MESSAGE


@dataclass(frozen=True)
class Report:
    compute: Callable[[UnitOfWork, CrmConfig, ReportScope, datetime], Awaitable[Any]]
    draw: Callable[[Any, CrmConfig, Texts], bytes]
    caption: Callable[[Any, CrmConfig, Texts, dict[int, str]], str]  # the figures, ..., managers' names
    file: str


async def _funnel(uow: UnitOfWork, config: CrmConfig, scope: ReportScope, now: datetime) -> Any:
    return await funnel_report(uow, config, scope)


async def _losses(uow: UnitOfWork, config: CrmConfig, scope: ReportScope, now: datetime) -> Any:
    return await loss_report(uow, config, scope)


async def _managers(uow: UnitOfWork, config: CrmConfig, scope: ReportScope, now: datetime) -> Any:
    return await managers_report(uow, config, scope, now=now)


async def _channels(uow: UnitOfWork, config: CrmConfig, scope: ReportScope, now: datetime) -> Any:
    return await channels_report(uow, config, scope)


def _funnel_caption(report: Any, config: CrmConfig, t: Texts, names: dict[int, str]) -> str:
    return captions.funnel_caption(report, config, t)


def _losses_caption(report: Any, config: CrmConfig, t: Texts, names: dict[int, str]) -> str:
    return captions.losses_caption(report, config, t, names=names)


def _managers_caption(report: Any, config: CrmConfig, t: Texts, names: dict[int, str]) -> str:
    return captions.managers_caption(report, config, t)


def _channels_caption(report: Any, config: CrmConfig, t: Texts, names: dict[int, str]) -> str:
    return captions.channels_caption(report, config, t)


REPORTS = {
    ReportKind.FUNNEL: Report(_funnel, funnel_png, _funnel_caption, "funnel"),
    ReportKind.LOSSES: Report(_losses, losses_png, _losses_caption, "losses"),
    ReportKind.MANAGERS: Report(_managers, managers_png, _managers_caption, "managers"),
    ReportKind.CHANNELS: Report(_channels, channels_png, _channels_caption, "channels"),
}


@dataclass
class Menu:
    """What every screen of the menu needs, for one person and one update."""

    bot: Bot
    staff: Staff
    uow: UnitOfWork
    config: CrmConfig
    t: Texts
    now: datetime
    state: FSMContext

    async def names(self) -> dict[int, str]:
        """Managers' names, for the filter's label and the captions (a manager's own only, for theirs)."""
        if sees_own_only(self.staff):
            return {self.staff.telegram_id: staff_name(self.staff, self.t)}
        team = await self.uow.staff.active()
        await self.uow.rollback()
        return {member.telegram_id: staff_name(member, self.t) for member in team}

    async def managers(self) -> list[Staff]:
        team = [member for member in await self.uow.staff.active() if member.is_manager]
        await self.uow.rollback()
        return sorted(team, key=lambda member: (staff_name(member, self.t).casefold(), member.telegram_id))

    async def screen(
        self, data: ReportMenu, scope: ReportScope, *, export: bool = False
    ) -> tuple[str, InlineKeyboardMarkup]:
        names = await self.names()
        lines = scope_lines(scope, self.staff, self.config, self.t, names=names, now=self.now)
        markup = menu_keyboard(
            data, self.staff, self.config, self.t, names=names, period=scope.period, now=self.now
        )
        return menu_text(lines, self.t, export=export), markup

    async def show(
        self, data: ReportMenu, scope: ReportScope, *, chat_id: int, replacing: Message | None
    ) -> None:
        """The report as a picture with the menu under it: in place of `replacing` when that is a
        picture already, else (or when Telegram refuses the edit) anew, `replacing` then deleted."""
        kind = ReportKind(data.r)
        report = REPORTS[kind]
        figures = await report.compute(self.uow, self.config, scope, self.now)
        picture = await render_png(report.draw, figures, self.config, self.t)
        names = await self.names()
        lines = scope_lines(scope, self.staff, self.config, self.t, names=names, now=self.now)
        caption = fit_caption(
            [
                f"<b>{report_name(kind, self.t)}</b>",
                *lines,
                "",
                report.caption(figures, self.config, self.t, names),
            ]
        )
        shown = data.model_copy(update={"do": Do.SHOW.value})
        markup = menu_keyboard(
            shown, self.staff, self.config, self.t, names=names, period=scope.period, now=self.now
        )
        photo = BufferedInputFile(picture, filename=f"{report.file}.png")
        await self.state.update_data({LAST_MENU: shown.pack()})
        if replacing is not None and replacing.photo:
            try:
                await replacing.edit_media(InputMediaPhoto(media=photo, caption=caption), reply_markup=markup)
                return
            except TelegramBadRequest as error:  # too old to edit, deleted: a new message then
                logger.info("could not edit report %s in %s: %s", replacing.message_id, chat_id, error)
        await self.bot.send_photo(chat_id, photo, caption=caption, reply_markup=markup)
        if replacing is not None:
            await self.drop(chat_id, replacing.message_id)

    async def export(self, scope: ReportScope, *, chat_id: int) -> None:
        # A busy quarter's workbook takes a minute to write (README.md, "Performance"): say so first.
        await self.bot.send_message(chat_id, self.t("report-export-preparing"))
        files = await export_files(self.uow, self.config, scope, self.t, now=self.now)
        names = await self.names()
        lines = scope_lines(scope, self.staff, self.config, self.t, names=names, now=self.now)
        workbooks = sum(name.endswith(".xlsx") for name, _ in files)
        said = [self.t("report-export-title"), *lines]
        if workbooks > 1:
            said.append(self.t("report-export-split", parts=workbooks))
        said.append(self.t("report-export-csv"))
        await self.bot.send_message(chat_id, "\n".join(said))
        for name, content in files:
            await self.bot.send_document(chat_id, BufferedInputFile(content, filename=name))

    async def drop(self, chat_id: int, message_id: int) -> None:
        """Best effort: an old menu left behind answers "outdated" at worst, never acts wrongly."""
        try:
            await self.bot.delete_message(chat_id, message_id)
        except TelegramAPIError as error:
            logger.info("could not delete menu %s in %s: %s", message_id, chat_id, error)


def fit_caption(parts: list[str]) -> str:
    """The caption within Telegram's 1024 characters: whole lines from the end dropped, then "…"."""
    lines = "\n".join(parts).strip().split("\n")
    while len(lines) > 1 and visible_length("\n".join(lines)) > CAPTION_LIMIT - 2:
        lines.pop()
        lines[-1] = lines[-1] if lines[-1].endswith("…") else lines[-1] + " …"
    return "\n".join(lines)


async def cmd_report(
    message: Message, staff: Staff | None, uow: UnitOfWork, t: Texts, config: CrmConfig, now: datetime,
    state: FSMContext, bot: Bot,
) -> None:  # fmt: skip
    await _open(message, staff, uow, t, config, now, state, bot, export=False)


async def cmd_export(
    message: Message, staff: Staff | None, uow: UnitOfWork, t: Texts, config: CrmConfig, now: datetime,
    state: FSMContext, bot: Bot,
) -> None:  # fmt: skip
    """Straight after a report: that report's period and filters, at once; else the menu to choose them."""
    await _open(message, staff, uow, t, config, now, state, bot, export=True)


async def _open(
    message: Message, staff: Staff | None, uow: UnitOfWork, t: Texts, config: CrmConfig, now: datetime,
    state: FSMContext, bot: Bot, *, export: bool,
) -> None:  # fmt: skip
    if staff is None or not may_see_reports(staff):
        logger.warning("refused: user %s asked for reports", message.chat.id)
        await message.answer(t("report-not-staff"))
        return
    menu = Menu(bot, staff, uow, config, t, now, state)
    if await state.get_state() == ReportInput.period.state:
        await state.set_state(None)
    if export:
        remembered = _unpacked((await state.get_data()).get(LAST_MENU))
        if remembered is not None and (scope := checked(remembered, staff=staff, config=config, now=now)):
            await menu.export(scope, chat_id=message.chat.id)
            return
    data = fresh(staff)
    scope = checked(data, staff=staff, config=config, now=now)
    assert scope is not None  # a fresh menu is always one this menu draws
    text, markup = await menu.screen(data, scope, export=export)
    await message.answer(text, reply_markup=markup)


async def on_menu(
    callback: CallbackQuery, callback_data: ReportMenu, staff: Staff | None, uow: UnitOfWork, t: Texts,
    config: CrmConfig, now: datetime, state: FSMContext, bot: Bot,
) -> None:  # fmt: skip
    if staff is None or not may_see_reports(staff):
        logger.warning("refused: user %s pressed a report button", callback.from_user.id)
        await callback.answer(t("report-not-staff"), show_alert=True)
        return
    scope = checked(callback_data, staff=staff, config=config, now=now)
    message = callback.message
    if (
        scope is None
        or not isinstance(message, Message)
        or (callback_data.do == Do.SHOW and not callback_data.r)
    ):
        logger.warning(
            "user %s pressed a report button %r that this menu does not draw",
            staff.telegram_id,
            callback.data,
        )
        await callback.answer(t("report-button-outdated"), show_alert=True)
        return
    menu, do = Menu(bot, staff, uow, config, t, now, state), Do(callback_data.do)
    if do is Do.MANAGER and sees_own_only(staff):
        await callback.answer(t("report-button-outdated"), show_alert=True)
        return
    if do is not Do.TYPE and await state.get_state() == ReportInput.period.state:
        await state.set_state(None)  # a range was asked for, and a button pressed instead: no longer
    if do is Do.EXPORT:
        await callback.answer(t("report-export-wait"))
        await menu.export(scope, chat_id=message.chat.id)
        return
    await callback.answer()
    if do is Do.SHOW:
        await menu.show(callback_data, scope, chat_id=message.chat.id, replacing=message)
    elif do is Do.MENU:
        text, markup = await menu.screen(callback_data, scope)
        await _put(message, text, markup)
    elif do in PICKERS:
        managers = await menu.managers() if do is Do.MANAGER else []
        text, markup = picker(callback_data, staff, config, t, managers=managers, period=scope.period)
        if message.photo:  # the picture stays; only its buttons change
            with contextlib.suppress(TelegramBadRequest):
                await message.edit_reply_markup(reply_markup=markup)
        else:
            await _put(message, text, markup)
    else:  # Do.TYPE
        await state.set_state(ReportInput.period)
        await state.update_data({LAST_MENU: callback_data.pack(), MENU_MESSAGE: message.message_id})
        await _put(message, t("report-type-range"), cancel_keyboard(callback_data, t))


async def on_forged(callback: CallbackQuery, t: Texts) -> None:
    """A report button whose data does not even unpack: forged, or from a version long gone."""
    logger.warning("user %s pressed a broken report button %r", callback.from_user.id, callback.data)
    await callback.answer(t("report-button-outdated"), show_alert=True)


async def on_typed_range(
    message: Message, staff: Staff | None, uow: UnitOfWork, t: Texts, config: CrmConfig, now: datetime,
    state: FSMContext, bot: Bot,
) -> None:  # fmt: skip
    if staff is None or not may_see_reports(staff):
        await state.set_state(None)
        await message.answer(t("report-not-staff"))
        return
    days = parse_range(message.text or "", now=now, timezone=config.timezone)
    if days is None:
        await message.answer(t("report-range-bad"))
        return
    stored = await state.get_data()
    data = _unpacked(stored.get(LAST_MENU))
    await state.set_state(None)
    if data is None:
        await message.answer(t("report-button-outdated"))
        return
    data = typed_button(data, days_period(*days, timezone=config.timezone))
    scope = checked(data, staff=staff, config=config, now=now)
    if scope is None:
        await message.answer(t("report-button-outdated"))
        return
    menu = Menu(bot, staff, uow, config, t, now, state)
    old = stored.get(MENU_MESSAGE)
    if data.r:
        await menu.show(data, scope, chat_id=message.chat.id, replacing=None)
    else:
        text, markup = await menu.screen(data, scope)
        await message.answer(text, reply_markup=markup)
    if isinstance(old, int):
        await menu.drop(message.chat.id, old)


async def on_typed_other(message: Message, t: Texts) -> None:
    """A photo or a sticker where a range was asked for: asked again, nothing lost."""
    await message.answer(t("report-range-bad"))


async def _put(message: Message, text: str, markup: InlineKeyboardMarkup) -> None:
    """A screen of the menu in place of the one pressed: the caption of a picture, else the text."""
    with contextlib.suppress(TelegramBadRequest):  # "not modified": it already says this
        if message.photo:
            await message.edit_caption(caption=fit_caption([text]), reply_markup=markup)
        else:
            await message.edit_text(text, reply_markup=markup)


def _unpacked(packed: object) -> ReportMenu | None:
    if not isinstance(packed, str):
        return None
    try:
        return ReportMenu.unpack(packed)
    except (ValueError, TypeError, ValidationError):
        return None


def build_router() -> Router:
    router = Router(name="reports")
    router.message.register(cmd_report, Command("report"))
    router.message.register(cmd_export, Command("export"))
    router.message.register(on_typed_range, StateFilter(ReportInput.period), F.text, ~F.text.startswith("/"))
    router.message.register(on_typed_other, StateFilter(ReportInput.period), ~F.text)
    router.callback_query.register(on_menu, ReportMenu.filter())
    router.callback_query.register(on_forged, F.data.startswith(f"{ReportMenu.__prefix__}:"))
    return router
