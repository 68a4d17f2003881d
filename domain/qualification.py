"""Qualification: checking answers to the intake questions, temperature, and target or not."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.crm_config import Intake, Question, QuestionKind
from domain.models import Temperature
from domain.phone import normalize_phone


class AnswerError(StrEnum):
    EMPTY = "empty"
    NO_WORDS = "no_words"
    TOO_LONG = "too_long"
    NOT_TEXT = "not_text"
    UNKNOWN_OPTION = "unknown_option"
    BAD_PHONE = "bad_phone"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True)
class Accepted:
    value: str


@dataclass(frozen=True)
class Rejected:
    error: AnswerError


Checked = Accepted | Rejected


def check_answer(question: Question, text: str | None, *, max_length: int, phone_region: str) -> Checked:
    """Check a typed answer (`text` is None for a sticker, photo, voice... where text was expected).

    The accepted value is what is stored: the trimmed text, an option key, an E.164 phone, a number.
    """
    if text is None:  # at a choice the buttons are the way to answer: say so rather than "type it"
        return Rejected(
            AnswerError.UNKNOWN_OPTION if question.kind is QuestionKind.CHOICE else AnswerError.NOT_TEXT
        )
    value = text.strip()
    if not value:
        return Rejected(AnswerError.EMPTY)
    match question.kind:
        case QuestionKind.TEXT:
            if len(value) > max_length:
                return Rejected(AnswerError.TOO_LONG)
            if not any(ch.isalnum() for ch in value):
                return Rejected(AnswerError.NO_WORDS)  # "🙂🙂🙂" or "..." tells a manager nothing
            return Accepted(value)
        case QuestionKind.CHOICE:
            return _match_option(question, value)
        case QuestionKind.CONTACT:
            phone = normalize_phone(value, region=phone_region)
            return Accepted(phone) if phone else Rejected(AnswerError.BAD_PHONE)
        case QuestionKind.NUMBER:
            return _check_number(question, value[:64])
    raise AssertionError(question.kind)  # pragma: no cover - the match is exhaustive


def check_option(question: Question, key: str) -> Checked:
    """An option chosen with a button (its key comes from callback data, so it may be forged)."""
    if question.kind is QuestionKind.CHOICE and question.option(key) is not None:
        return Accepted(key)
    return Rejected(AnswerError.UNKNOWN_OPTION)


def _match_option(question: Question, value: str) -> Checked:
    wanted = value.casefold()
    if wanted.isdigit() and 1 <= int(wanted) <= len(question.options):
        return Accepted(question.options[int(wanted) - 1].key)
    for option in question.options:
        if wanted in (option.ru.casefold(), option.en.casefold(), option.key):
            return Accepted(option.key)
    return Rejected(AnswerError.UNKNOWN_OPTION)


def _check_number(question: Question, value: str) -> Checked:
    cleaned = value.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return Rejected(AnswerError.NOT_A_NUMBER)
    if number != number or number in (float("inf"), float("-inf")):
        return Rejected(AnswerError.NOT_A_NUMBER)
    if (question.min is not None and number < question.min) or (
        question.max is not None and number > question.max
    ):
        return Rejected(AnswerError.OUT_OF_RANGE)
    return Accepted(f"{number:g}" if number != int(number) else str(int(number)))


def temperature_of(answers: Mapping[str, str], intake: Intake) -> Temperature:
    """Sum of the chosen options' scores against the config's thresholds."""
    score = 0
    for question in intake.questions:
        option = question.option(answers.get(question.key, ""))
        if option is not None:
            score += option.score
    if score >= intake.temperature.hot_from:
        return Temperature.HOT
    if score >= intake.temperature.warm_from:
        return Temperature.WARM
    return Temperature.COLD


def is_target(answers: Mapping[str, str], intake: Intake) -> bool:
    """False when an answer is an option marked `target = false` or a text holds a non-target word."""
    for question in intake.questions:
        answer = answers.get(question.key)
        if answer is None:
            continue
        option = question.option(answer)
        if option is not None and not option.target:
            return False
        text = answer.casefold()
        if any(word.casefold() in text for word in question.non_target_words):
            return False
    return True
