"""The daily digest and the supervisors' notices about the bot's own reach ("blocked the bot", "an
update was set aside"), rendered at send time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiogram.methods import SendMessage, TelegramMethod
from babel.numbers import format_percent

from domain.crm_config import CrmConfig
from domain.notice_kinds import NoticeKind
from domain.ports import UnitOfWork
from handlers.common.formatting import (
    channel_label,
    clip,
    esc,
    moment,
    money,
    split_text,
    staff_name,
    time_span,
)
from handlers.common.i18n import Texts
from handlers.desk.views.history import NAME_LIMIT

DIGEST_NOTICES: frozenset[NoticeKind] = frozenset(
    {NoticeKind.DIGEST, NoticeKind.PERSON_BLOCKED, NoticeKind.UPDATE_SET_ASIDE}
)
# The kinds of update named in "an update was set aside"; another kind is named as Telegram names it.
WARNINGS = 10  # loss warnings of each kind named at most
UPDATE_KINDS = {"message", "edited_message", "callback_query", "my_chat_member"}
# Sections in the order a supervisor reads them, and how each case's number reads.
SECTIONS = (
    ("new", "waiting"),
    ("unsorted", "waiting"),
    ("taken_late", "late"),
    ("overdue", "late"),
    ("stage", "late"),
    ("won", "amount"),
)


async def render_digest_notice(
    kind: NoticeKind, data: dict[str, Any], *, chat_id: int, uow: UnitOfWork, config: CrmConfig, t: Texts,
    now: datetime,
) -> list[TelegramMethod[Any]]:  # fmt: skip
    if kind == NoticeKind.PERSON_BLOCKED:
        return [SendMessage(chat_id=chat_id, text=await _blocked(data, uow, t))]
    if kind == NoticeKind.UPDATE_SET_ASIDE:
        return [SendMessage(chat_id=chat_id, text=await _set_aside(data, uow, t))]
    if kind != NoticeKind.DIGEST:
        raise LookupError(f"not a digest notice: {kind}")
    since, until = (datetime.fromisoformat(str(data[key])) for key in ("since", "until"))
    lines = [t("digest-title", since=moment(since, config, t.locale, now=until))]
    if data.get("late"):
        lines.insert(0, t("digest-late"))
    for name, measure in SECTIONS:
        section = data.get(name) or {}
        count = int(section.get("count", 0))
        title = t(f"digest-{name.replace('_', '-')}", count=count)
        if name == "won" and count:
            title += t("digest-won-amount", amount=money(int(data.get("won_amount", 0)), config, t.locale))
        lines.append("")
        lines.append(title)
        if name == "new" and count and data.get("new_channels"):
            lines.append(_by_channel(data["new_channels"], t))
        for deal_id, value in section.get("cases", []):
            lines.append(await _case(uow, int(deal_id), int(value), measure, config, t))
    lost = data.get("lost") or {}
    lines += ["", t("digest-lost", count=int(lost.get("count", 0)))]
    for deal_id, value in lost.get("cases", []):
        lines.append(await _case(uow, int(deal_id), int(value), "amount", config, t))
    for key, count in data.get("lost_reasons", [])[:5]:
        reason = config.loss_reason(str(key))
        text = esc(reason.text[t.locale]) if reason else t("loss-reason-non-target")
        lines.append(t("digest-reason", reason=text, count=int(count)))
    lines += await _loss_warnings(data, uow, config, t)
    await uow.rollback()
    return [SendMessage(chat_id=chat_id, text=piece) for piece in split_text("\n".join(lines), limit=4096)]


async def _loss_warnings(data: dict[str, Any], uow: UnitOfWork, config: CrmConfig, t: Texts) -> list[str]:
    """Reasons over their limit in 30 days, a manager's run of losses to one reason, a client lost again
    to the same reason (README.md, "Reports → Loss reasons"); nothing when there is none."""
    found = []
    total = int(data.get("loss_total", 0))
    for key, count, limit in data.get("loss_over", [])[:WARNINGS]:
        found.append(
            t(
                "digest-loss-over",
                reason=_reason(str(key), config, t),
                count=int(count),
                total=total,
                share=_percent(int(count) / max(total, 1), t),
                limit=_percent(float(limit), t),
            )
        )
    for manager_id, key, count in data.get("loss_runs", [])[:WARNINGS]:
        member = await uow.staff.get(int(manager_id))
        name = esc(clip(staff_name(member, t), NAME_LIMIT)) if member else t("owner-unknown", id=manager_id)
        found.append(
            t("digest-loss-run", manager=name, reason=_reason(str(key), config, t), count=int(count))
        )
    for contact_id, key, count, deal_id in data.get("clients_lost_again", [])[:WARNINGS]:
        contact = await uow.contacts.get(int(contact_id))
        client = esc(clip(contact.name, NAME_LIMIT)) if contact else "—"
        found.append(
            t(
                "digest-client-lost-again",
                client=client,
                reason=_reason(str(key), config, t),
                count=int(count),
                id=int(deal_id),
            )
        )
    return ["", t("digest-loss-warnings"), *found] if found else []


def _reason(key: str, config: CrmConfig, t: Texts) -> str:
    reason = config.loss_reason(key)
    return esc(reason.text[t.locale]) if reason else esc(key)


def _percent(share: float, t: Texts) -> str:
    """ "40 %" / "40%": whole percent, as the reader's language writes them."""
    return format_percent(round(share, 2), locale=t.locale)


def _by_channel(split: list[list[Any]], t: Texts) -> str:
    """ "по каналам: Telegram — 9, сайт — 3" """
    parts = (t("digest-channel-count", channel=esc(channel_label(str(c), t)), count=int(n)) for c, n in split)
    return t("digest-new-channels", channels=", ".join(parts))


async def _case(uow: UnitOfWork, deal_id: int, value: int, measure: str, config: CrmConfig, t: Texts) -> str:
    """ "№12 Анна · Олег · 2 ч 15 мин": the deal, the client, the manager, how late or how much."""
    deal = await uow.deals.get(deal_id)
    if deal is None:
        return t("digest-case-gone", id=deal_id)
    contact = await uow.contacts.get(deal.contact_id)
    client = esc(clip(contact.name, NAME_LIMIT)) if contact else "—"
    manager = t("digest-nobody")
    if deal.manager_id is not None:
        member = await uow.staff.get(deal.manager_id)
        manager = (
            esc(clip(staff_name(member, t), NAME_LIMIT)) if member else t("owner-unknown", id=deal.manager_id)
        )
    if measure == "amount":
        shown = money(value, config, t.locale)
    else:  # "waiting 2 h" for what still waits, "2 h late" for a missed deadline
        shown = t(f"digest-case-{measure}", span=time_span(timedelta(seconds=value), t))
    return t("digest-case", id=deal_id, client=client, manager=manager, value=shown)


async def _blocked(data: dict[str, Any], uow: UnitOfWork, t: Texts) -> str:
    chat_id = int(data["chat_id"])
    if data.get("staff"):
        member = await uow.staff.get(chat_id)
        await uow.rollback()
        name = esc(staff_name(member, t)) if member else t("owner-unknown", id=chat_id)
        return t(
            "notice-staff-never-started" if data.get("never_started") else "notice-staff-blocked", name=name
        )
    contact = await uow.contacts.get(int(data["contact_id"])) if data.get("contact_id") else None
    await uow.rollback()
    name = esc(clip(contact.name, NAME_LIMIT)) if contact else str(chat_id)
    if data.get("deal_id"):
        return t("notice-client-blocked", name=name, id=int(data["deal_id"]))
    return t("notice-client-blocked-no-deal", name=name)


async def _set_aside(data: dict[str, Any], uow: UnitOfWork, t: Texts) -> str:
    """Whose update it was and of what kind; never what it said."""
    kind = str(data.get("kind", ""))
    what = t(f"update-kind-{kind.replace('_', '-')}") if kind in UPDATE_KINDS else esc(kind)
    chat = data.get("chat_id")
    who = t("update-sender-unknown")
    if isinstance(chat, int):
        member = await uow.staff.get(chat)
        contact = None if member else await uow.contacts.by_telegram_id(chat)
        if member is not None:
            who = esc(clip(staff_name(member, t), NAME_LIMIT))
        elif contact is not None:
            who = esc(clip(contact.name, NAME_LIMIT))
        else:
            who = str(chat)
    await uow.rollback()
    return t("notice-update-set-aside", what=what, who=who, chat=str(chat), update=str(data.get("update_id")))
