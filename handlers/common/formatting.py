"""Small formatting rules shared by every view: escaping, long texts, money, times in the team's zone,
spans of time, colleagues' names, stage names."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal, get_currency_symbol

from domain.crm_config import CrmConfig
from domain.models import Channel, Role, Staff
from handlers.common.i18n import Texts

TELEGRAM_TEXT_LIMIT = 4096
ANSWER_PREVIEW = 300  # an answer on a card or a summary; four of them still fit one message
IDS_SHOWN = 20  # deal numbers listed in one message; the rest are counted


def esc(value: object) -> str:
    """Everything people typed is escaped: messages are sent with parse_mode HTML."""
    return html.escape(str(value), quote=False)


_TAG = re.compile(r"<[^>]*>")


def visible_length(text: str) -> int:
    """How long Telegram counts a message sent with parse_mode HTML: without its tags, entities decoded,
    in UTF-16 code units (an emoji counts two)."""
    return len(html.unescape(_TAG.sub("", text)).encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, with an ellipsis when cut (the whole text stays in the database)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    """26.11 15:00: compact, in the zone given (the team's)."""
    return moment.astimezone(tz).strftime("%d.%m %H:%M")


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Cut a long text into pieces whose *escaped* length fits `limit`, on line breaks where possible,
    so a huge message is relayed whole rather than refused by Telegram."""
    pieces: list[str] = []
    rest = text
    while len(esc(rest)) > limit:
        cut = limit
        while len(esc(rest[:cut])) > limit:
            cut = cut * 9 // 10
        newline = rest.rfind("\n", 0, cut)
        space = rest.rfind(" ", 0, cut)
        if newline > cut // 2:
            cut = newline
        elif space > cut // 2:  # no line break near: at least not in the middle of a word
            cut = space
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest:
        pieces.append(rest)
    return pieces


def money(amount: int, config: CrmConfig, locale: str) -> str:
    """150 000 ₽ / 150,000 RUB: digits grouped the way the reader's language groups them."""
    return f"{format_decimal(amount, locale=locale)} {get_currency_symbol(config.company.currency, locale)}"


def moment(at: datetime, config: CrmConfig, locale: str, *, now: datetime) -> str:
    """чт, 26 нояб., 15:00 — in the team's time zone; with the year when it is not the year of `now`
    (when the reader reads it: "25 февр. 2027" said in November)."""
    tz = ZoneInfo(config.timezone)
    same_year = at.astimezone(tz).year == now.astimezone(tz).year
    pattern = "EEE, d MMM, HH:mm" if same_year else "EEE, d MMM y, HH:mm"
    return str(format_datetime(at, pattern, tzinfo=tz, locale=locale))


def time_span(span: timedelta, t: Texts) -> str:
    """How long, compactly and without declension: "3 дн. 4 ч", "2 ч 15 мин", "5 мин"."""
    minutes = max(0, int(span.total_seconds()) // 60)
    if minutes == 0:
        return t("span-under-minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return t("span-days", count=days) + (f" {t('span-hours', count=hours)}" if hours else "")
    if hours:
        return t("span-hours", count=hours) + (f" {t('span-minutes', count=minutes)}" if minutes else "")
    return t("span-minutes", count=minutes)


def staff_name(staff: Staff, t: Texts) -> str:
    """How a colleague is called on screens (not escaped): their Telegram name, else their id."""
    return staff.name or (
        f"@{staff.username}" if staff.username else t("owner-unknown", id=staff.telegram_id)
    )


def role_names(roles: Iterable[Role], t: Texts) -> str:
    held = set(roles)
    return ", ".join(t(f"role-{role.value}") for role in Role if role in held)


def deal_numbers(deal_ids: Sequence[int], t: Texts) -> str:
    """ "№1, №2, №3" (the sign as the language writes it), at most IDS_SHOWN of them, then "and N more"."""
    shown = ", ".join(t("deal-number", id=i) for i in deal_ids[:IDS_SHOWN])
    rest = len(deal_ids) - IDS_SHOWN
    return shown + (" " + t("list-ids-more", count=rest) if rest > 0 else "")


def stage_label(config: CrmConfig, pipeline_key: str, stage_key: str, locale: str) -> str:
    """A stage's name in the reader's language (not escaped); its key when the config no longer has it."""
    pipeline = next((p for p in config.pipelines if p.key == pipeline_key), None)
    stage = pipeline.stage(stage_key) if pipeline else None
    return stage.name[locale] if stage else stage_key


def pipeline_label(config: CrmConfig, pipeline_key: str, locale: str) -> str:
    """A pipeline's name in the reader's language (not escaped); its key when the config lost it."""
    pipeline = next((p for p in config.pipelines if p.key == pipeline_key), None)
    return pipeline.name[locale] if pipeline else pipeline_key


def channel_label(channel: str, t: Texts) -> str:
    """A channel's name for people ("Telegram", "сайт"); a channel this version does not know, as stored."""
    known = {c.value for c in Channel}
    return t(f"channel-{channel}") if channel in known else channel


def source_label(config: CrmConfig, source: str | None, locale: str, t: Texts) -> str:
    """A source tag by its name in `[[sources]]` (not escaped), else the tag itself; none: "direct"."""
    if not source:
        return t("source-direct")
    named = config.source(source)
    return named.name[locale] if named else source
