"""A deal's history in words: one line per event, for the card's last entries and the history pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from domain.crm_config import CrmConfig
from domain.history_pages import HISTORY_PAGE, HistoryCursor, HistoryWindow
from domain.models import DealEvent, EventKind
from handlers.common.callbacks import DealAction
from handlers.common.formatting import (
    TELEGRAM_TEXT_LIMIT,
    clip,
    esc,
    local_time,
    moment,
    money,
    stage_label,
    visible_length,
)
from handlers.common.i18n import Texts

LATER, EARLIER = "a", "b"  # a page button's place: after an event, or before it
NOTE_ICONS = {"call": "📞", "meeting": "🤝", "email": "✉️", "other": "📝"}
ENTRY_ON_CARD = 120
NAME_LIMIT = 40  # a staff member's name in a history line
ENTRY_ON_PAGE = 2100  # a note is at most 2000 characters: whole on its page
TITLE_ROOM = 120  # the page's title line


def person(staff_id: object, names: dict[int, str], t: Texts) -> str:
    if not isinstance(staff_id, int):
        return t("history-nobody")
    return esc(clip(names.get(staff_id) or t("owner-unknown", id=staff_id), NAME_LIMIT))


def history_line(
    event: DealEvent, names: dict[int, str], config: CrmConfig, t: Texts, *, pipeline: str, limit: int
) -> str:
    """ "26.11 15:00 · Олег: этап «Новая» → «КП отправлено»"."""
    data = event.data
    actor = person(event.actor_id, names, t)
    stages = config.pipeline(pipeline)

    def stage_name(key: object) -> str:
        return esc(stage_label(config, pipeline, str(key), t.locale))

    def said(key: str = "text") -> str:
        text = str(data.get(key) or "")
        return esc(clip(text, limit)) if text else ""

    kind = event.kind
    if kind is EventKind.STAGE_CHANGED:
        text = t(
            "history-stage", actor=actor, old=stage_name(data.get("from")), new=stage_name(data.get("to"))
        )
        if isinstance(data.get("amount"), int):
            text += t("history-with-amount", amount=money(data["amount"], config, t.locale))
        if data.get("note"):
            text += f": {said('note')}"
    elif kind is EventKind.NOTE:
        note = str(data.get("kind", "other"))
        text = t(
            "history-note",
            icon=NOTE_ICONS.get(note, "📝"),
            actor=actor,
            kind=t(f"note-kind-{note}"),
            text=said(),
        )
    elif kind is EventKind.NEXT_CONTACT_SET:
        at = datetime.fromisoformat(str(data["at"]))
        text = t("history-next-contact", actor=actor, at=moment(at, config, t.locale, now=event.at))
    elif kind is EventKind.WON:
        amount = data.get("amount")
        text = t(
            "history-won",
            actor=actor,
            amount=money(amount, config, t.locale) if isinstance(amount, int) else "—",
        )
    elif kind is EventKind.LOST:
        reason = config.loss_reason(str(data.get("reason")))
        shown = esc(reason.text[t.locale]) if reason else t("loss-reason-non-target")
        text = t("history-lost", actor=actor, reason=shown)
        if data.get("note"):
            text += f": {said('note')}"
    elif kind is EventKind.REWARMED:
        text = t("history-rewarmed", actor=actor, id=data.get("new_deal", 0))
    elif kind is EventKind.REASSIGNED:
        old, new = person(data.get("from"), names, t), person(data.get("to"), names, t)
        if data.get("from") is None:
            text = t("history-assigned-by", actor=actor, new=new)
        else:
            key = "history-reassigned" if said("reason") else "history-reassigned-no-reason"
            text = t(key, actor=actor, old=old, new=new, reason=said("reason"))
    elif kind is EventKind.UNASSIGNED:
        text = t("history-unassigned", old=person(data.get("from"), names, t))
    elif kind is EventKind.MESSAGE_IN:
        key = "history-message-edited" if data.get("edited") else "history-message-in"
        text = t(key, text=content(data, said(), t))
    elif kind is EventKind.MESSAGE_OUT:
        text = t("history-message-out", actor=actor, text=content(data, said(), t))
    elif kind is EventKind.CONTACT_DONE:
        if data.get("note"):  # a call, meeting or email noted once the contact was due
            text = t("history-contact-done-by-note", actor=actor, kind=t(f"note-kind-{data['note']}"))
        else:
            text = t("history-contact-done", actor=actor, text=said())
    elif kind is EventKind.DEADLINE_MISSED:
        due = datetime.fromisoformat(str(data["due"]))
        text = t(
            f"history-missed-{data.get('kind', 'stage')}",
            due=local_time(due, ZoneInfo(config.timezone)),
            stage=stage_name(data.get("stage")),
            manager=person(data.get("manager"), names, t),
            owned="yes" if isinstance(data.get("manager"), int) else "no",  # no "· —" without an owner
        )
    elif kind is EventKind.REOPENED:
        text = t("history-reopened", id=data.get("new_deal", 0))
    elif kind is EventKind.CREATED and data.get("reason") == "next_contact":
        text = t("history-created-woken", id=data.get("from_deal", 0), pipeline=esc(stages.name[t.locale]))
    elif kind is EventKind.CREATED and data.get("from_deal"):
        text = t(
            "history-created-from", actor=actor, id=data["from_deal"], pipeline=esc(stages.name[t.locale])
        )
    elif kind is EventKind.CONTACTS_MERGED:
        text = t(
            "history-contacts-merged",
            actor=actor,
            merged=esc(clip(str(data.get("from_name") or ""), NAME_LIMIT)),
            merged_id=data.get("from_contact", 0),
            kept=esc(clip(str(data.get("into_name") or ""), NAME_LIMIT)),
            kept_id=data.get("into_contact", 0),
        )
    elif kind is EventKind.TAKEN:
        text = t("history-taken", actor=actor)
    elif kind is EventKind.ASSIGNED:
        text = t("history-assigned", new=person(data.get("to"), names, t))
    else:  # created, queued, request repeated, archived, questionnaire finished
        text = t(f"history-{kind.value.replace('_', '-')}")
    return f"<i>{local_time(event.at, ZoneInfo(config.timezone))}</i> · {text}"


def content(data: dict[str, object], words: str, t: Texts) -> str:
    """What a message held: its words, marked "[фото]" and the like when it was not plain text."""
    kind = str(data.get("kind") or "text")
    if kind == "text":
        return words
    return f"{t(f'content-{kind}')} {words}".rstrip()


def history_page(
    window: HistoryWindow, config: CrmConfig, t: Texts, *, deal_id: int, pipeline: str
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the history from what was read next to the reader's place, oldest entry first, with
    buttons to the earlier and later pages.

    Entries are shown whole (a note of two thousand characters too); a page holds up to ten of them, or
    fewer when they would not fit one message: then the entries nearest the cursor are kept (the newest
    when reading back). "Page N of M" counts the entries before and after the page in tens.
    """
    lines = [
        history_line(e, window.names, config, t, pipeline=pipeline, limit=ENTRY_ON_PAGE)
        for e in window.events
    ]
    budget = TELEGRAM_TEXT_LIMIT - TITLE_ROOM
    kept = _fitting(lines[::-1] if window.from_end else lines, budget=budget)
    dropped = len(lines) - kept
    events = window.events[dropped:] if window.from_end else window.events[:kept]
    lines = lines[dropped:] if window.from_end else lines[:kept]
    before = window.before + (dropped if window.from_end else 0)
    after = window.after + (0 if window.from_end else dropped)
    page = -(-before // HISTORY_PAGE)
    pages = page + 1 + -(-after // HISTORY_PAGE)
    title = t("history-title", id=deal_id, page=page + 1, pages=pages)
    text = "\n".join([title, "", *(lines or [t("history-empty")])])
    nav: list[InlineKeyboardButton] = []
    if before > 0 and events:
        nav.append(_page_button("« " + t("btn-earlier"), deal_id, f"{EARLIER}{events[0].id}"))
    if after > 0 and events:
        nav.append(_page_button(t("btn-later") + " »", deal_id, f"{LATER}{events[-1].id}"))
    card = InlineKeyboardButton(
        text=t("btn-open-card"), callback_data=DealAction(action="open", deal_id=deal_id, v=0).pack()
    )
    return text, InlineKeyboardMarkup(inline_keyboard=[row for row in (nav, [card]) if row])


def history_cursor_of(arg: str) -> HistoryCursor | None:
    """The place a history page button carries: "a<event id>" (the page after it), "b<event id>" (the
    page before it); None for anything else (a forged button, or one from before pages were read so)."""
    if len(arg) < 2 or arg[0] not in (LATER, EARLIER) or not (arg[1:].isascii() and arg[1:].isdigit()):
        return None
    event_id = int(arg[1:])
    return HistoryCursor(arg[0] == LATER, event_id) if event_id < 2**63 else None


def _fitting(lines: list[str], *, budget: int) -> int:
    """How many of `lines`, from the first on, make a page: at most HISTORY_PAGE of them and `budget`
    visible characters, and always at least one (an entry is never cut)."""
    used = 0
    for count, line in enumerate(lines[:HISTORY_PAGE]):
        used += visible_length(line) + 1
        if count and used > budget:
            return count
    return min(len(lines), HISTORY_PAGE)


def _page_button(text: str, deal_id: int, place: str) -> InlineKeyboardButton:
    data = DealAction(action="hist", deal_id=deal_id, v=0, arg=place).pack()
    return InlineKeyboardButton(text=text, callback_data=data)
