from __future__ import annotations

import pytest

from domain.crm_config import CrmConfig
from domain.models import Temperature
from domain.qualification import (
    Accepted,
    AnswerError,
    Rejected,
    check_answer,
    check_option,
    is_target,
    temperature_of,
)


def _check(config: CrmConfig, key: str, text: str | None) -> Accepted | Rejected:
    question = config.intake.question(key)
    assert question is not None
    return check_answer(question, text, max_length=config.intake.max_answer_length, phone_region="RU")


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("need", "  Сайт для салона  ", Accepted("Сайт для салона")),
        ("need", "", Rejected(AnswerError.EMPTY)),
        ("need", "   \n ", Rejected(AnswerError.EMPTY)),
        ("need", None, Rejected(AnswerError.NOT_TEXT)),
        ("need", "x" * 1001, Rejected(AnswerError.TOO_LONG)),
        ("need", "🙂🙂🙂", Rejected(AnswerError.NO_WORDS)),
        ("need", "...", Rejected(AnswerError.NO_WORDS)),
        ("need", "CRM 🙂", Accepted("CRM 🙂")),
        ("budget", "x" * 5000, Rejected(AnswerError.UNKNOWN_OPTION)),
        ("budget", "2", Accepted("medium")),
        ("budget", "пока не знаю", Accepted("unknown")),
        ("budget", "NOT SURE YET", Accepted("unknown")),
        ("budget", "миллион", Rejected(AnswerError.UNKNOWN_OPTION)),
        ("budget", "9", Rejected(AnswerError.UNKNOWN_OPTION)),
        ("budget", None, Rejected(AnswerError.UNKNOWN_OPTION)),  # a photo at a choice: tap a button
        ("phone", "8 (916) 123-45-67", Accepted("+79161234567")),
        ("phone", "+7 916 123 45 67", Accepted("+79161234567")),
        ("phone", "79161234567", Accepted("+79161234567")),
        ("phone", "+44 20 7946 0958", Accepted("+442079460958")),
        ("phone", "12345", Rejected(AnswerError.BAD_PHONE)),
        ("phone", "позвоните мне", Rejected(AnswerError.BAD_PHONE)),
        ("phone", None, Rejected(AnswerError.NOT_TEXT)),
    ],
)
def test_answers_are_checked_by_the_kind_of_question(
    crm_config: CrmConfig, key: str, text: str | None, expected: Accepted | Rejected
) -> None:
    assert _check(crm_config, key, text) == expected


def test_a_forged_option_key_is_rejected(crm_config: CrmConfig) -> None:
    budget = crm_config.intake.question("budget")
    assert budget is not None
    assert check_option(budget, "large") == Accepted("large")
    assert check_option(budget, "x' OR 1=1") == Rejected(AnswerError.UNKNOWN_OPTION)


def test_an_option_cannot_answer_a_text_question(crm_config: CrmConfig) -> None:
    need = crm_config.intake.question("need")
    assert need is not None
    assert check_option(need, "large") == Rejected(AnswerError.UNKNOWN_OPTION)


@pytest.mark.parametrize(
    ("budget", "timing", "expected"),
    [
        ("large", "now", Temperature.HOT),  # 2 + 2
        ("medium", "now", Temperature.WARM),  # 1 + 2
        ("large", "month", Temperature.WARM),  # 2 + 1
        ("medium", "month", Temperature.WARM),  # 1 + 1
        ("small", "month", Temperature.COLD),  # 0 + 1
        ("unknown", "looking", Temperature.COLD),
    ],
)
def test_temperature_sums_option_scores_against_thresholds(
    crm_config: CrmConfig, budget: str, timing: str, expected: Temperature
) -> None:
    assert temperature_of({"budget": budget, "timing": timing}, crm_config.intake) is expected


@pytest.mark.parametrize(
    ("need", "target"),
    [
        ("Нужен сайт для кофейни", True),
        ("Я по вакансии менеджера", False),
        ("Отправляю РЕЗЮМЕ", False),
        ("I saw your vacancy", False),
    ],
)
def test_a_need_with_a_non_target_word_is_not_a_target_lead(
    crm_config: CrmConfig, need: str, target: bool
) -> None:
    assert is_target({"need": need, "budget": "small"}, crm_config.intake) is target


def test_an_option_marked_non_target_makes_the_lead_non_target(crm_config: CrmConfig) -> None:
    raw = crm_config.model_dump(mode="python")
    raw["intake"]["questions"][1]["options"][0]["target"] = False
    config = CrmConfig.model_validate(raw)
    assert is_target({"budget": "small"}, config.intake) is False
    assert is_target({"budget": "large"}, config.intake) is True
