"""Staff press /start and get their own menu, not the prospect's questionnaire."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove

from domain.models import Role, Staff
from domain.ports import UnitOfWork
from domain.staff_accounts import staff_overview
from handlers.common.command_menu import show_staff_commands
from handlers.common.filters import IsStaff
from handlers.common.formatting import esc
from handlers.common.i18n import Texts
from handlers.common.states import IntakeForm


async def cmd_start(
    message: Message, staff: Staff, uow: UnitOfWork, t: Texts, state: FSMContext, bot: Bot
) -> None:
    assert message.from_user is not None
    previewing = await state.get_state() in IntakeForm.__all_states_names__
    await state.clear()  # /start is a way out of anything half-typed, their /preview too
    await show_staff_commands(bot, staff, t)  # roles may have changed since the menu was last set
    user = message.from_user
    overview = await staff_overview(uow, staff)
    roles = ", ".join(t(f"role-{role.value}") for role in Role if role in staff.roles)
    lines = [t("staff-menu-title", name=esc(user.first_name), roles=roles)]
    if staff.is_manager:
        lines.append(t("staff-menu-open-deals", count=overview.open_deals))
        lines.append(t("staff-menu-duty-on") if staff.on_duty else t("staff-menu-duty-off"))
    lines.append(t("staff-menu-unsorted", count=overview.unsorted))
    lines.append(t("staff-menu-how-leads-come") if staff.is_manager else t("staff-menu-overseer-help"))
    if staff.has(Role.ADMIN):
        lines.append(t("staff-menu-admin-help"))
    # A /preview left this way takes its Back and Cancel keyboard with it.
    await message.answer("\n\n".join(lines), reply_markup=ReplyKeyboardRemove() if previewing else None)


async def on_staff_message(message: Message, t: Texts) -> None:
    await message.answer(t("staff-unknown-message"))


def build_router() -> Router:
    router = Router(name="staff_menu")
    router.message.filter(IsStaff())
    router.message.register(cmd_start, CommandStart())
    router.message.register(on_staff_message)
    return router
