from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.crm_config_file import load_crm_config
from domain.crm_config import Stage
from domain.deal_rules import (
    MAX_AMOUNT,
    MAX_NOTE_LENGTH,
    MAX_REASON_LENGTH,
    REWARM_PIPELINE,
    DealError,
    can_rewarm,
    check_amount,
    check_loss,
    check_move,
    check_new_deal,
    check_rewarm,
    check_text,
    check_win,
    missing_for,
    next_stage,
    parse_amount,
    stage_choices,
)
from domain.models import Deal, DealStatus, Temperature
from tests.conftest import FIXED_NOW

CONFIG = load_crm_config()  # the shipped default: a module constant, so hypothesis can use it too
SALES = CONFIG.pipeline("sales")
SALES_KEYS = ("new", "qualified", "proposal", "negotiation", "invoice", "won", "lost")
STATUS_OF_STAGE = {"won": DealStatus.WON, "lost": DealStatus.LOST}


def deal(
    stage: str = "new",
    *,
    pipeline: str = "sales",
    status: DealStatus | None = None,
    amount: int | None = None,
    deal_id: int = 1,
) -> Deal:
    """A deal as the rules see it; a deal in a closing stage has the matching status."""
    return Deal(
        id=deal_id, contact_id=7, pipeline=pipeline, stage=stage,
        status=status or STATUS_OF_STAGE.get(stage, DealStatus.OPEN), chat_id=500, source=None,
        answers={}, temperature=Temperature.WARM, target=True, created_at=FIXED_NOW,
        stage_entered_at=FIXED_NOW, manager_id=101, taken_at=FIXED_NOW, amount=amount,
    )  # fmt: skip


def test_the_sales_pipeline_of_the_shipped_config_is_the_one_these_tables_describe() -> None:
    assert tuple(s.key for s in SALES.stages) == SALES_KEYS
    assert [s.key for s in SALES.stages if "amount" in s.requires] == ["proposal", "negotiation", "invoice"]


# Rows: the stage a deal is in; columns: the target, in pipeline order.
# "ok" allowed, "=" same stage, "U" not a stage one moves to (closing goes through won/lost), "C" closed.
MOVES = {
    #               new   qualif  propos  negot   invoice won  lost
    "new":         ("=",  "ok",   "ok",   "ok",   "ok",   "U", "U"),
    "qualified":   ("ok", "=",    "ok",   "ok",   "ok",   "U", "U"),
    "proposal":    ("ok", "ok",   "=",    "ok",   "ok",   "U", "U"),
    "negotiation": ("ok", "ok",   "ok",   "=",    "ok",   "U", "U"),
    "invoice":     ("ok", "ok",   "ok",   "ok",   "=",    "U", "U"),
    "won":         ("C",  "C",    "C",    "C",    "C",    "C", "C"),
    "lost":        ("C",  "C",    "C",    "C",    "C",    "C", "C"),
}  # fmt: skip
MOVE_CODES = {"ok": None, "=": DealError.SAME_STAGE, "U": DealError.UNKNOWN_STAGE, "C": DealError.CLOSED}


@pytest.mark.parametrize(
    ("current", "target", "expected"),
    [
        (current, target, MOVE_CODES[cell])
        for current, row in MOVES.items()
        for target, cell in zip(SALES_KEYS, row, strict=True)
    ],
)
def test_every_move_between_sales_stages(current: str, target: str, expected: DealError | None) -> None:
    assert check_move(SALES, deal(current), target) == expected


@pytest.mark.parametrize("target", ["", "nonexistent", "NEW", "contacted"])  # "contacted" is rewarm's
def test_a_move_to_a_stage_the_pipeline_does_not_have_is_refused(target: str) -> None:
    assert check_move(SALES, deal("qualified"), target) is DealError.UNKNOWN_STAGE


@pytest.mark.parametrize(
    ("current", "choices", "following"),
    [
        ("new", ["qualified", "proposal", "negotiation", "invoice"], "qualified"),
        ("qualified", ["new", "proposal", "negotiation", "invoice"], "proposal"),
        ("negotiation", ["new", "qualified", "proposal", "invoice"], "invoice"),
        ("invoice", ["new", "qualified", "proposal", "negotiation"], None),  # next is winning it
        ("won", [], None),
        ("lost", [], None),
    ],
)
def test_stage_choices_are_the_other_open_stages_in_order(
    current: str, choices: list[str], following: str | None
) -> None:
    assert [s.key for s in stage_choices(SALES, deal(current))] == choices
    step = next_stage(SALES, deal(current))
    assert (step.key if step else None) == following


def test_a_deal_in_a_stage_the_config_no_longer_has_goes_next_to_the_first_stage() -> None:
    assert next_stage(SALES, deal("retired_stage")) == SALES.first_stage


@pytest.mark.parametrize(
    ("stage", "amount", "deal_amount", "expected"),
    [
        ("proposal", None, None, DealError.NEEDS_AMOUNT),
        ("proposal", 150_000, None, None),
        ("proposal", None, 90_000, None),  # the deal's own amount counts
        ("invoice", None, None, DealError.NEEDS_AMOUNT),
        ("invoice", 200_000, None, None),
        ("qualified", None, None, None),
        ("negotiation", None, None, DealError.NEEDS_AMOUNT),  # an offer was made: it has a sum
        ("new", None, None, None),
    ],
)
def test_stages_that_require_an_amount(
    stage: str, amount: int | None, deal_amount: int | None, expected: DealError | None
) -> None:
    target = SALES.stage(stage)
    assert target is not None
    assert missing_for(target, deal("qualified", amount=deal_amount), amount=amount, note=None) == expected


NAME = {"ru": "Встреча", "en": "Meeting"}


@pytest.mark.parametrize(
    ("requires", "amount", "note", "expected"),
    [
        (["note"], None, None, DealError.NEEDS_NOTE),
        (["note"], None, "", DealError.NEEDS_NOTE),
        (["note"], None, "  \n ", DealError.NEEDS_NOTE),
        (["note"], None, "met at their office", None),
        (["amount", "note"], None, "met", DealError.NEEDS_AMOUNT),  # asked one at a time, amount first
        (["amount", "note"], 5_000, None, DealError.NEEDS_NOTE),
        (["amount", "note"], 5_000, "met", None),
        ([], None, None, None),
    ],
)
def test_stages_that_require_a_note(
    requires: list[str], amount: int | None, note: str | None, expected: DealError | None
) -> None:
    stage = Stage.model_validate({"key": "meeting", "name": NAME, "requires": requires})
    assert missing_for(stage, deal("qualified"), amount=amount, note=note) == expected


@pytest.mark.parametrize(
    ("current", "amount", "expected"),
    [
        ("new", 100_000, DealError.WON_FROM_FIRST),  # a lead never worked cannot be won
        ("new", None, DealError.WON_FROM_FIRST),
        ("qualified", None, DealError.NEEDS_AMOUNT),
        ("invoice", None, DealError.NEEDS_AMOUNT),  # the final amount is asked even if one was set
        ("qualified", 0, DealError.BAD_AMOUNT),
        ("qualified", -5, DealError.BAD_AMOUNT),
        ("qualified", MAX_AMOUNT + 1, DealError.BAD_AMOUNT),
        ("qualified", 1, None),
        ("invoice", MAX_AMOUNT, None),
        ("won", 100_000, DealError.CLOSED),
        ("lost", 100_000, DealError.CLOSED),
    ],
)
def test_winning_needs_a_worked_deal_and_a_sensible_amount(
    current: str, amount: int | None, expected: DealError | None
) -> None:
    assert check_win(SALES, deal(current, amount=50_000), amount=amount) == expected


def test_winning_a_rewarm_deal_from_its_first_stage_is_refused_too() -> None:
    rewarm = CONFIG.pipeline(REWARM_PIPELINE)
    assert check_win(rewarm, deal("new", pipeline=REWARM_PIPELINE), amount=10) is DealError.WON_FROM_FIRST
    assert check_win(rewarm, deal("contacted", pipeline=REWARM_PIPELINE), amount=10) is None


@pytest.mark.parametrize(
    ("reason", "note", "expected"),
    [
        ("too_expensive", None, None),
        ("competitor", "chose Acme", None),
        ("no_such_reason", None, DealError.UNKNOWN_REASON),
        ("", None, DealError.UNKNOWN_REASON),
        ("other", None, DealError.REASON_TEXT_REQUIRED),
        ("other", "", DealError.REASON_TEXT_REQUIRED),
        ("other", "   ", DealError.REASON_TEXT_REQUIRED),
        ("other", "moved abroad", None),
        ("other", "x" * MAX_REASON_LENGTH, None),
        ("other", "x" * (MAX_REASON_LENGTH + 1), DealError.TOO_LONG),
    ],
)
def test_loss_reasons(reason: str, note: str | None, expected: DealError | None) -> None:
    assert check_loss(CONFIG, deal("proposal"), reason=reason, note=note) == expected


@pytest.mark.parametrize("stage", ["won", "lost"])
def test_a_closed_deal_cannot_be_lost_again(stage: str) -> None:
    assert check_loss(CONFIG, deal(stage), reason="too_expensive", note=None) is DealError.CLOSED


LOST = deal("lost", deal_id=1)


@pytest.mark.parametrize(
    ("subject", "others", "expected"),
    [
        (LOST, [LOST], None),
        (LOST, [LOST, deal("new", deal_id=2)], None),  # an open sales deal is not a rewarm one
        (deal("proposal"), [], DealError.NOT_LOST),
        (deal("won"), [], DealError.NOT_LOST),
        (LOST, [LOST, deal("new", pipeline=REWARM_PIPELINE, deal_id=2)], DealError.ALREADY_REWARMED),
        (LOST, [LOST, deal("lost", pipeline=REWARM_PIPELINE, deal_id=2)], DealError.ALREADY_REWARMED),
        (LOST, [LOST, deal("won", pipeline=REWARM_PIPELINE, deal_id=2)], DealError.ALREADY_REWARMED),
        # a rewarm deal lost in its turn does not go round again
        (
            deal("lost", pipeline=REWARM_PIPELINE, deal_id=2),
            [LOST, deal("lost", pipeline=REWARM_PIPELINE, deal_id=2)],
            DealError.ALREADY_REWARMED,
        ),
    ],
)
def test_rewarm_once_only_and_only_after_a_loss(
    subject: Deal, others: list[Deal], expected: DealError | None
) -> None:
    assert check_rewarm(subject, others) == expected
    assert can_rewarm(subject, others) is (expected is None)


@pytest.mark.parametrize(
    ("pipeline", "others", "expected"),
    [
        ("sales", [], None),
        ("sales", [deal("proposal")], DealError.HAS_OPEN_DEAL),
        ("sales", [deal("won"), deal("lost", deal_id=2)], None),  # closed ones do not block a new one
        ("repeat", [deal("proposal")], None),  # one open deal per pipeline, not per contact
        ("repeat", [deal("new", pipeline="repeat")], DealError.HAS_OPEN_DEAL),
        ("repeat", [deal("won", pipeline="repeat")], None),  # repeat sales may repeat
        (REWARM_PIPELINE, [deal("won", pipeline=REWARM_PIPELINE)], DealError.ALREADY_REWARMED),
        (REWARM_PIPELINE, [deal("new", pipeline=REWARM_PIPELINE)], DealError.ALREADY_REWARMED),
        (REWARM_PIPELINE, [deal("won")], None),
    ],
)
def test_one_open_deal_per_contact_and_pipeline(
    pipeline: str, others: list[Deal], expected: DealError | None
) -> None:
    assert check_new_deal(pipeline, others) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("150 000", 150_000),
        ("150000 руб.", 150_000),
        ("150 000 ₽", 150_000),
        ("1 500 000,00", 1_500_000),
        ("$1,500", 1_500),
        ("1 500,50", 1_500),  # whole units
        ("1000000000000", MAX_AMOUNT),
        ("-5", None),
        ("−5", None),  # a typographic minus too
        ("abc", None),
        ("", None),
        ("0", None),
        ("0,4", None),  # rounds to nothing
        ("1000000000001", None),  # over the limit
        ("1 000 000 000 000 000 000", None),
    ],
)
def test_parse_amount(text: str, expected: int | None) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("150k", 150_000),
        ("150 тыс.", 150_000),
        ("1,5 млн", 1_500_000),
        ("2 миллиона", 2_000_000),
        ("1e10", None),  # refused rather than read as 1
        ("12 месяцев", 12),  # "м" of a word is not "million"
    ],
)
def test_parse_amount_reads_multiplier_words_and_never_a_smaller_sum(text: str, meant: int | None) -> None:
    assert parse_amount(text) == meant


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(1, None), (MAX_AMOUNT, None), (0, DealError.BAD_AMOUNT), (-1, DealError.BAD_AMOUNT)],
)
def test_check_amount(amount: int, expected: DealError | None) -> None:
    assert check_amount(amount) == expected


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        (None, MAX_NOTE_LENGTH, DealError.EMPTY_TEXT),
        ("", MAX_NOTE_LENGTH, DealError.EMPTY_TEXT),
        (" \n\t", MAX_NOTE_LENGTH, DealError.EMPTY_TEXT),
        ("called, no answer", MAX_NOTE_LENGTH, None),
        ("x" * MAX_NOTE_LENGTH, MAX_NOTE_LENGTH, None),
        ("x" * (MAX_NOTE_LENGTH + 1), MAX_NOTE_LENGTH, DealError.TOO_LONG),
        ("x" * 11, 10, DealError.TOO_LONG),
    ],
)
def test_check_text(text: str | None, limit: int, expected: DealError | None) -> None:
    assert check_text(text, limit=limit) == expected


@given(
    pipeline_key=st.sampled_from([p.key for p in CONFIG.pipelines]),
    picks=st.lists(st.integers(min_value=0, max_value=50), max_size=30),
)
def test_moves_offered_never_close_a_deal_and_never_stay_in_place(
    pipeline_key: str, picks: list[int]
) -> None:
    pipeline = CONFIG.pipeline(pipeline_key)
    current = deal(pipeline.first_stage.key, pipeline=pipeline_key)
    every_key = [s.key for s in pipeline.stages] + ["nonexistent"]
    for pick in picks:
        choices = stage_choices(pipeline, current)
        assert choices, "an open deal always has somewhere to go"
        accepted = [key for key in every_key if check_move(pipeline, current, key) is None]
        assert accepted == [s.key for s in choices]  # the list offered is exactly what a move accepts
        assert check_move(pipeline, current, current.stage) is DealError.SAME_STAGE
        current = replace(current, stage=choices[pick % len(choices)].key)
        stage = pipeline.stage(current.stage)
        assert stage is not None and stage.is_open and current.is_open
