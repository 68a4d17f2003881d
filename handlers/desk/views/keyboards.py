"""The buttons under a deal card: the main set, and the small menus that replace it for one choice."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from domain.crm_config import CrmConfig
from domain.deal_access import may_act, may_view
from domain.deal_card import DealCard
from domain.deal_rules import may_plan_contact, next_stage, past_first_stage, stage_choices
from domain.models import Deal, Staff
from domain.next_contact_time import QUICK_CODES
from domain.preview_deals import may_delete
from handlers.common.callbacks import DealAction
from handlers.common.formatting import clip, money
from handlers.common.i18n import Texts

Button = InlineKeyboardButton
REWARM_CODES = ("1m", "3m")


def button(text: str, action: str, deal: Deal, arg: str = "", *, versioned: bool = True) -> Button:
    assert deal.id is not None
    data = DealAction(action=action, deal_id=deal.id, v=deal.version if versioned else 0, arg=arg).pack()
    return Button(text=text, callback_data=data)


def _markup(rows: Iterable[list[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


def deal_card_keyboard(
    card: DealCard, t: Texts, *, viewer: Staff | None = None, config: CrmConfig | None = None
) -> InlineKeyboardMarkup | None:
    """The main buttons, for what `viewer` may do now. Without a viewer (a card sent as a notice, drawn
    before anyone pressed anything): the buttons of the deal's owner. A possible duplicate adds a row
    for the viewer: the other deal, when they may open it, and merging, for a supervisor."""
    rows = _main_rows(card, t, viewer=viewer, config=config)
    return _markup([*rows, _duplicate_row(card, t, viewer, config), _test_row(card, t, viewer)])


def _test_row(card: DealCard, t: Texts, viewer: Staff | None) -> list[Button]:
    """A test deal's "delete", for whoever may delete it (a notice goes to its maker, who may)."""
    deal = card.deal
    if not deal.is_test or (viewer is not None and not may_delete(viewer, deal)):
        return []
    return [button(t("btn-test-delete"), "tdel", deal, versioned=False)]


def test_delete_keyboard(deal: Deal, t: Texts) -> InlineKeyboardMarkup:
    """The question before a test deal is deleted: yes, or back to the card."""
    yes = button(t("btn-test-delete-yes"), "tdelok", deal, versioned=False)
    return _markup([[yes], [button(t("btn-test-delete-no"), "card", deal, versioned=False)]])


def _duplicate_row(card: DealCard, t: Texts, viewer: Staff | None, config: CrmConfig | None) -> list[Button]:
    twin = card.duplicate
    if twin is None or viewer is None:  # a notice: its reader is not known here
        return []
    row: list[Button] = []
    other = twin.deal
    if other is not None and other.id is not None and other.id != card.deal.id:
        visible = may_view(viewer, other, config) if config is not None else may_act(viewer, other)
        if visible:
            data = DealAction(action="open", deal_id=other.id, v=0).pack()
            row.append(Button(text=t("btn-open-twin", id=other.id), callback_data=data))
    if viewer.oversees and twin.mergeable:
        row.append(button(t("btn-merge"), "merge", card.deal, versioned=False))
    return row


def _main_rows(
    card: DealCard, t: Texts, *, viewer: Staff | None, config: CrmConfig | None
) -> list[list[Button]]:
    deal = card.deal
    if deal.untaken:
        rows = [[button(t("btn-take"), "take", deal)]]
        if viewer is not None and viewer.oversees and not deal.is_test:  # a test deal stays its maker's
            rows.append([button(t("btn-assign"), "hand", deal)])
        return rows
    acting = viewer is None or may_act(viewer, deal)
    history = button(t("btn-history"), "hist", deal, versioned=False)
    reply = button(t("btn-reply"), "reply", deal, versioned=False) if deal.chat_id is not None else None
    if not deal.is_open:
        rows = [[b for b in (reply, history) if b]]
        if acting and may_plan_contact(deal):  # "call back in three months": the client comes back then
            rows.insert(0, [button(t("btn-come-back"), "nc", deal)])
        if acting and card.rewarm_allowed:
            rows.insert(0, [button(t("btn-rewarm"), "rewarm", deal)])
        return rows
    if not acting:
        return [[history]]
    rows = []
    if config is not None:
        following = next_stage(config.pipeline(deal.pipeline), deal)
        if following is not None:
            rows.append(
                [
                    button("➡️ " + clip(following.name[t.locale], 24), "next", deal, following.key),
                    button(t("btn-stages"), "stages", deal),
                ]
            )
        else:
            rows.append([button(t("btn-stages"), "stages", deal)])
    rows.append([button(t("btn-note"), "note", deal), button(t("btn-next-contact"), "nc", deal)])
    first = config is not None and not past_first_stage(config.pipeline(deal.pipeline), deal)
    rows.append(
        [
            b
            for b in (
                None if first else button(t("btn-won"), "won", deal),
                button(t("btn-lost"), "lost", deal),
            )
            if b
        ]
    )
    hand = None if deal.is_test else button(t("btn-hand-over"), "hand", deal)  # it stays with its maker
    rows.append([b for b in (reply, history, hand) if b])
    return rows


def _back(deal: Deal, t: Texts) -> list[Button]:
    return [button(t("btn-back"), "card", deal)]


def stages_keyboard(deal: Deal, config: CrmConfig, t: Texts) -> InlineKeyboardMarkup:
    stages = stage_choices(config.pipeline(deal.pipeline), deal)
    return _markup([*([button(s.name[t.locale], "stage", deal, s.key)] for s in stages), _back(deal, t)])


def loss_reasons_keyboard(deal: Deal, config: CrmConfig, t: Texts) -> InlineKeyboardMarkup:
    buttons = [button(r.text[t.locale], "reason", deal, r.key) for r in config.loss_reasons]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return _markup([*rows, _back(deal, t)])


def next_contact_keyboard(deal: Deal, t: Texts) -> InlineKeyboardMarkup:
    """Quick times, or a date typed or picked on a calendar (`handlers/desk/calendar.py`)."""
    quick = [button(t(f"btn-nc-{code}"), "ncq", deal, code) for code in QUICK_CODES]
    other = [button(t("btn-type-date"), "ncpick", deal), button(t("btn-calendar"), "ncal", deal)]
    return _markup([quick[:2], quick[2:], other, _back(deal, t)])


NOTE_KINDS = ("call", "meeting", "email", "other")


def note_prompt_keyboard(deal_id: int, t: Texts, *, chosen: str) -> InlineKeyboardMarkup:
    """Under "type your note": what kind of note it is (✓ marks the chosen one), and Cancel."""

    def kind(key: str) -> Button:
        label = ("✓ " if key == chosen else "") + t(f"btn-note-{key}")
        return Button(
            text=label, callback_data=DealAction(action="notekind", deal_id=deal_id, v=0, arg=key).pack()
        )

    kinds = [kind(key) for key in NOTE_KINDS]
    cancel = Button(
        text=t("btn-cancel"), callback_data=DealAction(action="cancel", deal_id=deal_id, v=0).pack()
    )
    return _markup([kinds[:2], kinds[2:], [cancel]])


def won_keyboard(deal: Deal, config: CrmConfig, t: Texts) -> InlineKeyboardMarkup:
    """Won with the amount already on the deal, or another one typed."""
    assert deal.amount is not None
    keep = button(t("btn-won-with", amount=money(deal.amount, config, t.locale)), "wonok", deal)
    return _markup([[keep], [button(t("btn-other-amount"), "wonamt", deal)], _back(deal, t)])


def managers_keyboard(deal: Deal, candidates: list[tuple[Staff, int]], t: Texts) -> InlineKeyboardMarkup:
    """Who the deal can go to, with how many open deals each has (⏸: off duty)."""
    rows = []
    for member, load in candidates:
        name = clip(member.name or str(member.telegram_id), 30)
        label = t("btn-manager-load", name=name, count=load, duty="" if member.on_duty else " ⏸")
        rows.append([button(label, "handto", deal, str(member.telegram_id))])
    return _markup([*rows, _back(deal, t)])


def rewarm_keyboard(deal: Deal, t: Texts) -> InlineKeyboardMarkup:
    quick = [button(t(f"btn-rewarm-{code}"), "rw", deal, code, versioned=False) for code in REWARM_CODES]
    return _markup([quick, [button(t("btn-type-date"), "rwpick", deal, versioned=False)], _back(deal, t)])


def cancel_keyboard(deal_id: int, t: Texts) -> InlineKeyboardMarkup:
    data = DealAction(action="cancel", deal_id=deal_id, v=0).pack()
    return InlineKeyboardMarkup(inline_keyboard=[[Button(text=t("btn-cancel"), callback_data=data)]])


def confirm_time_keyboard(
    deal_id: int, action: str, epoch: int, t: Texts, *, working: tuple[int, str] | None = None
) -> InlineKeyboardMarkup:
    """Yes for the time understood from a typed text (`epoch` in seconds), or type it again. A time on a
    day off also offers `working`: the same time on the next working day (its epoch, and how to say it)."""
    yes = DealAction(action=action, deal_id=deal_id, v=0, arg=str(epoch)).pack()
    cancel = DealAction(action="cancel", deal_id=deal_id, v=0).pack()
    rows = [
        [Button(text=t("btn-yes"), callback_data=yes), Button(text=t("btn-cancel"), callback_data=cancel)]
    ]
    if working is not None:
        moved = DealAction(action=action, deal_id=deal_id, v=0, arg=str(working[0])).pack()
        rows.insert(0, [Button(text=t("btn-next-working-day", day=working[1]), callback_data=moved)])
    return InlineKeyboardMarkup(inline_keyboard=rows)
