"""The team: /pause and /resume, /invite and its deep link, /staff with removal and load norms."""

from __future__ import annotations

import contextlib
import logging
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardRemove,
)

from domain.crm_config import CrmConfig
from domain.load_norms import NORM_CHOICES, NormOutcome, NormResult, check_norm, set_load_norm
from domain.models import Role, Staff
from domain.ports import UnitOfWork
from domain.team_management import (
    DutyOutcome,
    InviteOutcome,
    JoinOutcome,
    RemovalOutcome,
    RemovalResult,
    accept_invite,
    check_removal,
    create_invite,
    may_invite,
    remove_staff,
    set_duty,
)
from domain.team_roster import Roster, team_roster
from handlers.common.callbacks import StaffAction
from handlers.common.command_menu import show_staff_commands
from handlers.common.formatting import clip, deal_numbers, esc, local_time, role_names, staff_name
from handlers.common.i18n import Texts

logger = logging.getLogger(__name__)

INVITE_PREFIX = "inv_"
ROLE_WORDS = {
    "manager": Role.MANAGER, "менеджер": Role.MANAGER, "managers": Role.MANAGER,
    "supervisor": Role.SUPERVISOR, "руководитель": Role.SUPERVISOR, "supervisors": Role.SUPERVISOR,
    "admin": Role.ADMIN, "администратор": Role.ADMIN,
}  # fmt: skip
ALERT_NAME_LIMIT = 24  # an alert holds 200 characters: a long name must not push the point out
NORM_ACTION = "norm_"  # + a number, or DEFAULT_NORM: the button that sets a manager's load norm
DEFAULT_NORM = "default"


async def cmd_pause(message: Message, staff: Staff | None, uow: UnitOfWork, t: Texts, now: datetime) -> None:
    await _duty(message, staff, uow, t, now, on_duty=False)


async def cmd_resume(message: Message, staff: Staff | None, uow: UnitOfWork, t: Texts, now: datetime) -> None:
    await _duty(message, staff, uow, t, now, on_duty=True)


async def _duty(
    message: Message, staff: Staff | None, uow: UnitOfWork, t: Texts, now: datetime, *, on_duty: bool
) -> None:
    result = await set_duty(uow, staff=staff, on_duty=on_duty, now=now)
    if result.outcome is DutyOutcome.NOT_ALLOWED:
        logger.warning("refused: user %s is no manager and cannot change duty", message.chat.id)
        await message.answer(t("duty-not-manager") if staff is not None else t("lists-not-staff"))
        return
    changed = result.outcome is DutyOutcome.CHANGED
    if on_duty:
        await message.answer(t("duty-resumed" if changed else "duty-already-on"))
        return
    lines = [t("duty-paused" if changed else "duty-already-paused")]
    if result.managers_on_duty:
        lines.append(t("duty-colleagues-left", count=result.managers_on_duty))
    else:
        lines.append(t("duty-nobody-left"))
    await message.answer("\n\n".join(lines))


async def cmd_invite(
    message: Message, command: CommandObject, staff: Staff | None, uow: UnitOfWork, t: Texts, bot: Bot,
    config: CrmConfig, now: datetime,
) -> None:  # fmt: skip
    if not may_invite(staff):
        logger.warning("refused: user %s is no admin and cannot invite", message.chat.id)
        await message.answer(t("invite-not-allowed"))
        return
    role = ROLE_WORDS.get((command.args or "").strip().casefold())
    if role is None:
        await message.answer(t("invite-usage"))
        return
    result = await create_invite(uow, staff=staff, role=role, token=secrets.token_urlsafe(16), now=now)
    if result.outcome is InviteOutcome.BAD_ROLE:
        logger.warning("refused: user %s asked for an invite as %s", message.chat.id, role)
        await message.answer(t("invite-admin-role"))
        return
    if result.outcome is not InviteOutcome.CREATED or result.invite is None:
        logger.warning("refused: user %s could not invite (%s)", message.chat.id, result.outcome)
        await message.answer(t("invite-not-allowed"))
        return
    me = await bot.me()
    link = f"https://t.me/{me.username}?start={INVITE_PREFIX}{result.invite.token}"
    until = local_time(result.invite.expires_at, ZoneInfo(config.timezone))
    logger.info("user %s created an invite as %s", message.chat.id, role)
    await message.answer(t("invite-created", role=t(f"role-{role.value}"), link=link, until=until))


async def on_invite_link(
    message: Message,
    command: CommandObject,
    uow: UnitOfWork,
    t: Texts,
    state: FSMContext,
    now: datetime,
    bot: Bot,
) -> None:
    """`/start inv_<token>`: anyone may open it, a prospect or a member; it wins over the questionnaire."""
    assert message.from_user is not None and command.args is not None
    user = message.from_user
    result = await accept_invite(
        uow, token=command.args.removeprefix(INVITE_PREFIX), telegram_id=user.id, name=user.full_name,
        username=user.username, locale=t.locale, now=now,
    )  # fmt: skip
    role = t(f"role-{result.role.value}") if result.role else ""
    if result.outcome is JoinOutcome.JOINED:
        logger.info("user %s joined the team as %s", user.id, result.role)
        await state.clear()  # a questionnaire begun as a prospect is over
        text = t("invite-joined", name=esc(user.first_name), role=role)
        guide = "invite-joined-manager" if result.role is Role.MANAGER else "invite-joined-supervisor"
        # A keyboard left by the questionnaire (the phone question's) has no use any more.
        await message.answer(f"{text}\n\n{t(guide)}", reply_markup=ReplyKeyboardRemove())
        member = await uow.staff.get(user.id)
        await uow.rollback()
        if member is not None:
            await show_staff_commands(bot, member, t)
        return
    if result.outcome is JoinOutcome.ALREADY_MEMBER:
        await message.answer(t("invite-already-member", role=role))
        return
    if result.outcome is JoinOutcome.USED and result.by_you:
        await message.answer(t("invite-used-by-you"))
        return
    logger.warning("refused: user %s opened an invite link that is %s", user.id, result.outcome)
    await message.answer(t(f"invite-{result.outcome.value}"))


async def cmd_staff(
    message: Message, staff: Staff | None, uow: UnitOfWork, t: Texts, pinned_staff: frozenset[int],
    config: CrmConfig,
) -> None:  # fmt: skip
    roster = await team_roster(uow, config, staff=staff, pinned=pinned_staff)
    if roster is None or staff is None:
        logger.warning("refused: user %s asked for /staff", message.chat.id)
        await message.answer(t("team-not-staff"))
        return
    text, markup = roster_screen(roster, viewer_id=staff.telegram_id, t=t)
    await message.answer(text, reply_markup=markup)


async def on_staff_action(
    callback: CallbackQuery, callback_data: StaffAction, staff: Staff | None, uow: UnitOfWork, t: Texts,
    pinned_staff: frozenset[int], now: datetime, config: CrmConfig,
) -> None:  # fmt: skip
    """remove: asks first, saying what happens to the deals; confirm: removes; back: the list again.
    norm: the choice of a manager's load norm; norm_<n> / norm_default: sets it; list: the list again.

    The data may be forged or stale: every step checks again who presses and whom it is about."""
    target_id, action = callback_data.user_id, callback_data.action
    if action in ("back", "list"):
        roster = await team_roster(uow, config, staff=staff, pinned=pinned_staff)
        if roster is None or staff is None:
            await _refuse(callback, t, "team-not-staff", action, target_id)
            return
        await callback.answer(t("team-remove-cancelled") if action == "back" else None)
        await _edit(callback, *roster_screen(roster, viewer_id=staff.telegram_id, t=t))
        return
    if action == "norm" or action.startswith(NORM_ACTION):
        await _on_norm(callback, action, target_id, staff, uow, t, pinned_staff, config)
        return
    if action == "remove":
        result = await check_removal(uow, staff=staff, target_id=target_id, pinned=pinned_staff)
    elif action == "confirm":
        result = await remove_staff(
            uow, config, staff=staff, target_id=target_id, pinned=pinned_staff, now=now
        )
    else:
        await _refuse(callback, t, "button-outdated", action, target_id)
        return
    if result.outcome is RemovalOutcome.CONFIRM:
        await callback.answer()
        await _edit(callback, *confirm_screen(result, t))
    elif result.outcome is RemovalOutcome.REMOVED:
        logger.info("user %s removed %s from the team", callback.from_user.id, target_id)
        await callback.answer()
        await _after_removal(callback, result, staff, uow, t, pinned_staff, config)
        if result.target is not None and callback.bot is not None:
            result.target.active = False  # their work commands go from their chat's menu
            await show_staff_commands(callback.bot, result.target, t)
    else:
        name = clip(staff_name(result.target, t) if result.target else str(target_id), ALERT_NAME_LIMIT)
        key = f"team-remove-{result.outcome.value.replace('_', '-')}"
        await _refuse(callback, t, key, action, target_id, name=name, id=target_id)


async def _on_norm(
    callback: CallbackQuery, action: str, target_id: int, staff: Staff | None, uow: UnitOfWork, t: Texts,
    pinned: frozenset[int], config: CrmConfig,
) -> None:  # fmt: skip
    """An admin's load norm for a manager: the choice of numbers first, then the number pressed."""
    if action == "norm":
        result = await check_norm(uow, staff=staff, target_id=target_id)
    else:
        value = action.removeprefix(NORM_ACTION)
        if value != DEFAULT_NORM and not (value.isascii() and value.isdigit()):
            await _refuse(callback, t, "button-outdated", action, target_id)
            return
        norm = None if value == DEFAULT_NORM else int(value)
        result = await set_load_norm(uow, staff=staff, target_id=target_id, norm=norm)
    if result.outcome is NormOutcome.CHOOSE:
        await callback.answer()
        await _edit(callback, *norm_screen(result, config, t))
        return
    name = clip(staff_name(result.target, t) if result.target else str(target_id), ALERT_NAME_LIMIT)
    if result.outcome is not NormOutcome.SET or result.target is None or staff is None:
        key = f"team-norm-{result.outcome.value.replace('_', '-')}"
        await _refuse(callback, t, key, action, target_id, name=name)
        return
    logger.info("user %s set the load norm of %s to %s", callback.from_user.id, target_id, action)
    own = result.target.max_open_deals
    await callback.answer(
        t("team-norm-set", name=name, norm=own)
        if own is not None
        else t("team-norm-set-default", name=name, norm=config.distribution.max_open_deals)
    )
    roster = await team_roster(uow, config, staff=staff, pinned=pinned)
    if roster is not None:
        await _edit(callback, *roster_screen(roster, viewer_id=staff.telegram_id, t=t))


async def _after_removal(
    callback: CallbackQuery, result: RemovalResult, staff: Staff | None, uow: UnitOfWork, t: Texts,
    pinned: frozenset[int], config: CrmConfig,
) -> None:  # fmt: skip
    assert result.target is not None and staff is not None
    lines = [t("team-removed", name=esc(staff_name(result.target, t)))]
    if result.deal_ids:
        lines.append(
            t("team-removed-deals", count=len(result.deal_ids), ids=deal_numbers(result.deal_ids, t))
        )
    else:
        lines.append(t("team-removed-no-deals"))
    roster = await team_roster(uow, config, staff=staff, pinned=pinned)
    markup = None
    if roster is not None:
        text, markup = roster_screen(roster, viewer_id=staff.telegram_id, t=t)
        lines.append(text)
    await _edit(callback, "\n\n".join(lines), markup)


async def _refuse(
    callback: CallbackQuery, t: Texts, key: str, action: str, target_id: int, **args: object
) -> None:
    logger.warning(
        "refused: user %s pressed %s on staff member %s (%s)", callback.from_user.id, action, target_id, key
    )
    await callback.answer(t(key, **args), show_alert=True)


async def _edit(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if not isinstance(callback.message, Message):
        return
    try:
        await callback.message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        if "not modified" not in str(error):
            logger.info("staff screen could not be edited (%s); sending it anew", error)
            with contextlib.suppress(TelegramBadRequest):
                await callback.message.answer(text, reply_markup=markup)


def roster_screen(roster: Roster, *, viewer_id: int, t: Texts) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = [t("team-title", count=len(roster.members)), t("team-unsorted", count=roster.unsorted), ""]
    buttons = []
    for member in roster.members:
        person = member.staff
        head = f"<b>{esc(staff_name(person, t))}</b>"
        if person.username:
            head += f" @{esc(person.username)}"
        if member.pinned:
            head += " 📌"
        if person.telegram_id == viewer_id:
            head += " " + t("team-member-you")
        parts = [f"{head} — {role_names(person.roles, t)}"]
        if person.is_manager:
            parts.append(t("team-member-on-duty" if person.on_duty else "team-member-off-duty"))
            parts.append(t("team-member-norm", count=member.open_deals, norm=member.norm))
        elif member.open_deals:
            parts.append(t("team-member-load", count=member.open_deals))
        lines.append(" · ".join(parts))
        if roster.may_remove:
            name = clip(staff_name(person, t), 32)
            row = []
            if person.is_manager:
                data = StaffAction(action="norm", user_id=person.telegram_id).pack()
                row.append(InlineKeyboardButton(text=t("team-btn-norm", name=name), callback_data=data))
            if person.telegram_id != viewer_id:
                data = StaffAction(action="remove", user_id=person.telegram_id).pack()
                row.append(InlineKeyboardButton(text=t("team-btn-remove", name=name), callback_data=data))
            if row:
                buttons.append(row)
    if any(m.pinned for m in roster.members):
        lines += ["", t("team-pinned-legend")]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=buttons) if buttons else None


def norm_screen(result: NormResult, config: CrmConfig, t: Texts) -> tuple[str, InlineKeyboardMarkup]:
    """The choice of a manager's load norm: a few numbers, the team's default, and back to the list."""
    assert result.target is not None
    target_id, own = result.target.telegram_id, result.target.max_open_deals
    default = config.distribution.max_open_deals
    lines = [
        t("team-norm-title", name=esc(staff_name(result.target, t))),
        t("team-norm-own", norm=own) if own is not None else t("team-norm-default", norm=default),
        "",
        t("team-norm-explain"),
    ]

    def button(text: str, value: str, current: bool) -> InlineKeyboardButton:
        data = StaffAction(action=NORM_ACTION + value, user_id=target_id).pack()
        return InlineKeyboardButton(text=f"✓ {text}" if current else text, callback_data=data)

    numbers = [button(str(n), str(n), n == own) for n in NORM_CHOICES]
    rows = [numbers[i : i + 3] for i in range(0, len(numbers), 3)]
    rows.append([button(t("team-btn-norm-default", norm=default), DEFAULT_NORM, own is None)])
    back = StaffAction(action="list", user_id=target_id).pack()
    rows.append([InlineKeyboardButton(text=t("btn-back"), callback_data=back)])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def confirm_screen(result: RemovalResult, t: Texts) -> tuple[str, InlineKeyboardMarkup]:
    assert result.target is not None
    target_id = result.target.telegram_id
    count = len(result.deal_ids)
    lines = [
        t("team-confirm-remove", name=esc(staff_name(result.target, t))),
        t("team-confirm-deals", count=count) if count else t("team-confirm-no-deals"),
    ]
    row = [
        InlineKeyboardButton(
            text=t("team-btn-confirm"), callback_data=StaffAction(action="confirm", user_id=target_id).pack()
        ),
        InlineKeyboardButton(
            text=t("team-btn-cancel"), callback_data=StaffAction(action="back", user_id=target_id).pack()
        ),
    ]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=[row])


def build_router() -> Router:
    router = Router(name="team")
    router.message.register(
        on_invite_link, CommandStart(deep_link=True, magic=F.args.startswith(INVITE_PREFIX))
    )
    router.message.register(cmd_pause, Command("pause"))
    router.message.register(cmd_resume, Command("resume"))
    router.message.register(cmd_invite, Command("invite"))
    router.message.register(cmd_staff, Command("staff"))
    router.callback_query.register(on_staff_action, StaffAction.filter())
    return router
