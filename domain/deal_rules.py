"""The rules of working a deal, pure: where it may move, what a stage needs, how it may be closed.

Use cases (`domain/deal_stages.py`, `domain/deal_notes.py`, `domain/taking.py` and neighbours) ask these
before they change anything, and turn a refusal into a `DealError` code that the handler puts into words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from price_parser import Price

from domain.crm_config import CrmConfig, Pipeline, Stage, StageKind
from domain.models import Deal, DealStatus, NoteKind

REWARM_PIPELINE = "rewarm"
NON_TARGET_REASON = "non_target"  # the loss reason intake gives a lead that is not a sales inquiry
MAX_AMOUNT = 10**12
MAX_NOTE_LENGTH = 2000
MAX_REASON_LENGTH = 500


class DealError(StrEnum):
    """Why an action on a deal was refused."""

    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"  # not this person's deal, or not their role
    STALE = "stale"  # the card the button was on shows an older version of the deal
    CLOSED = "closed"
    NOT_TAKEN = "not_taken"  # nobody has taken it into work yet
    SAME_STAGE = "same_stage"
    UNKNOWN_STAGE = "unknown_stage"
    WON_FROM_FIRST = "won_from_first"  # a lead that was never worked cannot be won
    NEEDS_AMOUNT = "needs_amount"
    NEEDS_NOTE = "needs_note"
    UNKNOWN_REASON = "unknown_reason"
    REASON_TEXT_REQUIRED = "reason_text_required"
    BAD_AMOUNT = "bad_amount"
    IN_PAST = "in_past"
    NOT_LOST = "not_lost"
    NON_TARGET = "non_target"  # closed at intake as not a sales inquiry: nobody to win back
    ALREADY_REWARMED = "already_rewarmed"
    HAS_OPEN_DEAL = "has_open_deal"
    NO_CHAT = "no_chat"  # the client did not come through Telegram: there is nobody to write to
    BAD_TARGET = "bad_target"  # hand over to someone who is not an active manager
    SAME_OWNER = "same_owner"
    EMPTY_TEXT = "empty_text"
    TOO_LONG = "too_long"
    NO_CONTACT_PLANNED = "no_contact_planned"  # "done" on a reminder whose contact is already done
    CONTACT_CHANGED = "contact_changed"  # a reminder's button, but the contact was done or moved since
    TEST_DEAL = "test_deal"  # a test deal (/preview) stays with whoever made it: not handed over


def may_plan_contact(deal: Deal) -> bool:
    """An open deal, or a closed one whose client is worth coming back to (won, or lost for a reason
    other than not being a sales inquiry): when its contact falls due the client comes back as a deal."""
    return deal.is_open or deal.loss_reason != NON_TARGET_REASON


def stage_choices(pipeline: Pipeline, deal: Deal) -> list[Stage]:
    """Stages the deal may be moved to from the stage list: every other open stage, in pipeline order.

    Closing goes through "won" and "lost" (they ask for an amount and a reason), not through this list.
    """
    if not deal.is_open:
        return []
    return [s for s in pipeline.open_stages if s.key != deal.stage]


def next_stage(pipeline: Pipeline, deal: Deal) -> Stage | None:
    """The open stage after the current one; None at the last open stage (winning is what comes next)."""
    if not deal.is_open:
        return None
    keys = [s.key for s in pipeline.open_stages]
    if deal.stage not in keys:
        return pipeline.first_stage
    index = keys.index(deal.stage)
    return pipeline.open_stages[index + 1] if index + 1 < len(keys) else None


def check_move(pipeline: Pipeline, deal: Deal, target: str) -> DealError | None:
    """Whether the deal may go to the open stage `target` (requirements aside: see `missing_for`)."""
    if not deal.is_open:
        return DealError.CLOSED
    stage = pipeline.stage(target)
    if stage is None or not stage.is_open:
        return DealError.UNKNOWN_STAGE
    if stage.key == deal.stage:
        return DealError.SAME_STAGE
    return None


def missing_for(stage: Stage, deal: Deal, *, amount: int | None, note: str | None) -> DealError | None:
    """What entering `stage` still lacks: an amount (the deal's own one counts) or a note."""
    if "amount" in stage.requires and amount is None and deal.amount is None:
        return DealError.NEEDS_AMOUNT
    if "note" in stage.requires and not (note and note.strip()):
        return DealError.NEEDS_NOTE
    return None


def past_first_stage(pipeline: Pipeline, deal: Deal) -> bool:
    """Whether the deal has left its pipeline's first stage: one that never did was never worked, so it
    cannot be won (the card offers no Won button there)."""
    return deal.stage != pipeline.first_stage.key


def check_win(pipeline: Pipeline, deal: Deal, *, amount: int | None) -> DealError | None:
    """Won needs the final amount, and a deal that never left its first stage cannot be won."""
    if not deal.is_open:
        return DealError.CLOSED
    if not past_first_stage(pipeline, deal):
        return DealError.WON_FROM_FIRST
    if amount is None:
        return DealError.NEEDS_AMOUNT
    return check_amount(amount)


def check_loss(config: CrmConfig, deal: Deal, *, reason: str, note: str | None) -> DealError | None:
    """Lost needs a configured reason; "other" needs the manager's own words."""
    if not deal.is_open:
        return DealError.CLOSED
    if config.loss_reason(reason) is None:
        return DealError.UNKNOWN_REASON
    if reason == "other" and not (note and note.strip()):
        return DealError.REASON_TEXT_REQUIRED
    if note and len(note) > MAX_REASON_LENGTH:
        return DealError.TOO_LONG
    return None


def check_rewarm(deal: Deal, contact_deals: Iterable[Deal]) -> DealError | None:
    """A lost client may go to the rewarm pipeline once: never twice through the same pipeline."""
    if deal.status is not DealStatus.LOST:
        return DealError.NOT_LOST
    if deal.loss_reason == NON_TARGET_REASON:
        return DealError.NON_TARGET
    return check_new_deal(REWARM_PIPELINE, contact_deals)


def check_new_deal(pipeline: str, contact_deals: Iterable[Deal]) -> DealError | None:
    """One deal per contact and pipeline: none while one is open there; rewarm only ever once."""
    there = [other for other in contact_deals if other.pipeline == pipeline]
    if there and pipeline == REWARM_PIPELINE:
        return DealError.ALREADY_REWARMED
    if any(other.is_open for other in there):
        return DealError.HAS_OPEN_DEAL
    return None


def can_rewarm(deal: Deal, contact_deals: Iterable[Deal]) -> bool:
    return check_rewarm(deal, contact_deals) is None


def closing_stage(pipeline: Pipeline, *, won: bool) -> Stage:
    return pipeline.closing_stage(StageKind.WON if won else StageKind.LOST)


def check_amount(amount: int) -> DealError | None:
    return None if 0 < amount <= MAX_AMOUNT else DealError.BAD_AMOUNT


# "150k", "150 тыс.", "1,5 млн": price-parser reads the number and drops the word, which would turn
# 1.5 million into 2. The multiplier words are few and ours to know.
_MULTIPLIERS = (
    (re.compile(r"\d\s*(k|к|тыс\.?|тысяч[аи]?|thousand)(?![a-zа-я])", re.IGNORECASE), 1000),
    (re.compile(r"\d\s*(m|м|млн\.?|миллион(а|ов)?|mln|million)(?![a-zа-я])", re.IGNORECASE), 1_000_000),
)
_EXPONENT = re.compile(r"\d\s*e\s*[+-]?\d", re.IGNORECASE)


def parse_amount(text: str) -> int | None:
    """A sum as people type it ("150 000", "150000 руб.", "1 500 000,00", "150k", "1,5 млн"), in whole
    units; None when there is no positive sum in it. `price-parser` knows the separators and currency
    marks; the multiplier words are read here."""
    if any(sign in text for sign in "-−") or _EXPONENT.search(text):
        return None  # "-5" is not a sum a deal can be worth; price-parser would read it as 5
    amount = Price.fromstring(text).amount
    if amount is None:
        return None
    for pattern, factor in _MULTIPLIERS:
        if pattern.search(text):
            amount *= factor
            break
    try:
        whole = int(amount.to_integral_value())
    except (InvalidOperation, ValueError):
        return None
    return whole if amount > Decimal(0) and check_amount(whole) is None else None


def check_text(text: str | None, *, limit: int = MAX_NOTE_LENGTH) -> DealError | None:
    if not (text and text.strip()):
        return DealError.EMPTY_TEXT
    if len(text) > limit:
        return DealError.TOO_LONG
    return None


def note_kind(value: str) -> NoteKind | None:
    try:
        return NoteKind(value)
    except ValueError:
        return None
