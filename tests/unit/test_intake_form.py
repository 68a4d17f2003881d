"""A website's posted fields into a web lead (bot/intake_form.py): the names site builders use, answers
in their forms, and what is refused with the field named."""

from __future__ import annotations

from typing import Any

import pytest

from bot.intake_form import InvalidLead, Posted, check, gather, loose_tag
from domain.crm_config import CrmConfig
from domain.web_intake import WebLead


def lead_of(items: list[tuple[str, Any]] | dict[str, Any], config: CrmConfig) -> WebLead:
    pairs = list(items.items()) if isinstance(items, dict) else items
    return check(gather(pairs, config), config)


def problems_of(items: dict[str, Any], config: CrmConfig) -> dict[str, str]:
    with pytest.raises(InvalidLead) as refused:
        lead_of(items, config)
    return {p.field: p.detail for p in refused.value.problems}


def test_tilda_s_field_names_are_ours(crm_config: CrmConfig) -> None:
    lead = lead_of(
        {
            "Name": "Мария", "Phone": "+7 (903) 555-12-34", "Email": "Maria@Example.RU",
            "Textarea": "Нужен сайт", "formname": "Заявка: Main form", "tranid": "3812345:4412345",
            "formid": "form1", "COOKIES": "a=b",
        },
        crm_config,
    )  # fmt: skip
    assert lead == WebLead(
        name="Мария", phone="+79035551234", email="maria@example.ru", message="Нужен сайт",
        source="main_form", answers={}, external_id="3812345:4412345",
    )  # fmt: skip


def test_names_are_known_in_any_case_and_the_first_filled_one_counts(crm_config: CrmConfig) -> None:
    lead = lead_of(
        [
            ("NAME", ""),
            ("name", "Пётр"),
            ("Name", "Павел"),
            ("TEL", "89167654321"),
            ("Comments", "Позвоните"),
        ],
        crm_config,
    )
    assert (lead.name, lead.phone, lead.message) == ("Пётр", "+79167654321", "Позвоните")


@pytest.mark.parametrize(
    ("items", "answers"),
    [
        ([("answers[budget]", "large")], {"budget": "large"}),
        ([("answers.budget", "БОЛЬШЕ 500 ТЫС. ₽")], {"budget": "large"}),
        ([("Budget", "Over 500k ₽")], {"budget": "large"}),
        ([("timing", "2")], {"timing": "month"}),  # the option's number, as in the questionnaire
        ([("need", "  Сайт  ")], {"need": "Сайт"}),
        ([("answers[need]", "Сайт"), ("answers[need]", "и приложение")], {"need": "Сайт, и приложение"}),
        (
            [("answers", {"budget": "small"}), ("answers[timing]", "now")],
            {"budget": "small", "timing": "now"},
        ),
    ],
)
def test_answers_come_by_question_key_in_every_form_s_way(
    crm_config: CrmConfig, items: list[tuple[str, Any]], answers: dict[str, str]
) -> None:
    assert lead_of([*items, ("email", "a@example.com")], crm_config).answers == answers


def test_the_contact_question_s_answer_is_the_phone_when_no_phone_field_is_given(
    crm_config: CrmConfig,
) -> None:
    lead = lead_of({"name": "Анна", "answers": {"phone": "8 916 123 45 67"}}, crm_config)
    assert lead.phone == "+79161234567" and lead.answers == {"phone": "+79161234567"}


def test_empty_fields_are_not_given(crm_config: CrmConfig) -> None:
    lead = lead_of(
        {"name": " ", "phone": "", "email": "a@example.com", "message": "\n", "budget": ""}, crm_config
    )
    assert lead == WebLead(name="", email="a@example.com")


def test_numbers_are_read_as_text(crm_config: CrmConfig) -> None:
    lead = lead_of({"phone": 79161234567, "external_id": 123456}, crm_config)
    assert (lead.phone, lead.external_id) == ("+79161234567", "123456")


def test_a_given_source_wins_over_the_utm_source_and_the_form_s_name(crm_config: CrmConfig) -> None:
    items = {"email": "a@example.com", "formname": "Main", "utm_source": "VK Ads"}
    assert lead_of(items, crm_config).source == "vk_ads"
    assert lead_of({**items, "source": "src_Instagram"}, crm_config).source == "instagram"
    assert lead_of({"email": "a@example.com", "formname": "Заявка с главной"}, crm_config).source is None


@pytest.mark.parametrize(
    ("text", "tag"),
    [("Main Page Form", "main_page_form"), ("  promo-2026 ", "promo-2026"), ("Заявка", None), ("", None),
     ("x" * 60, "x" * 48), ("Форма: landing #2", "landing_2")],
)  # fmt: skip
def test_a_form_s_name_as_a_source_tag(text: str, tag: str | None) -> None:
    assert loose_tag(text) == tag


def test_unknown_fields_are_ignored_and_unknown_answers_are_named(crm_config: CrmConfig) -> None:
    assert lead_of({"email": "a@example.com", "utm_medium": "cpc", "referer": "x"}, crm_config).answers == {}
    assert problems_of({"email": "a@example.com", "answers": {"colour": "red"}}, crm_config) == {
        "answers.colour": "is not a question (the questions are: need, budget, timing, phone)"
    }


def test_every_wrong_field_is_named(crm_config: CrmConfig) -> None:
    problems = problems_of(
        {
            "name": "x" * 257,
            "phone": "123",
            "email": "not-an-email",
            "source": "two words",
            "external_id": [],
        },
        crm_config,
    )
    assert set(problems) == {"name", "phone", "email", "source", "external_id"}
    assert "+7 916 123-45-67" in problems["phone"]


def test_answers_are_named_beside_the_other_fields(crm_config: CrmConfig) -> None:
    problems = problems_of({"name": "X", "phone": "12", "answers": {"budget": "lots"}}, crm_config)
    assert set(problems) == {"phone", "answers.budget"}


def test_answers_are_checked_as_the_questionnaire_checks_them(crm_config: CrmConfig) -> None:
    problems = problems_of(
        {"email": "a@example.com", "answers": {"budget": "many", "need": "!!!", "phone": "12"}}, crm_config
    )
    assert problems == {
        "answers.budget": "is not an option: give one of small, medium, large, unknown (or its Russian or "
        "English text)",
        "answers.need": "has no letters or digits",
        "answers.phone": "is not a phone number",
    }


def test_a_lead_nobody_can_reach_is_refused(crm_config: CrmConfig) -> None:
    assert problems_of({"name": "Анна", "message": "Позвоните"}, crm_config) == {
        "phone": "give a phone or an email: a lead nobody can reach is lost"
    }


def test_control_characters_go_and_line_breaks_stay(crm_config: CrmConfig) -> None:
    lead = lead_of(
        {"name": "Ан\x00на\x1b", "email": "a@example.com", "message": "раз\nдва\tтри\x7f"}, crm_config
    )
    assert (lead.name, lead.message) == ("Анна", "раз\nдва\tтри")


@pytest.mark.parametrize(
    ("items", "ping"),
    [
        ({"test": "test"}, True),
        ({"Test": "TEST", "formid": "form1"}, True),
        ({"test": "test", "Phone": "79161234567"}, False),  # a real lead that happens to have the field
        ({"test": "yes"}, False),
    ],
)
def test_tilda_s_ping_is_told_from_a_lead(crm_config: CrmConfig, items: dict[str, str], ping: bool) -> None:
    assert gather(list(items.items()), crm_config).ping is ping


def test_the_token_field_is_kept_apart_and_never_a_lead_s_field(crm_config: CrmConfig) -> None:
    posted = gather([("api_key", "secret"), ("API_KEY", "other"), ("email", "a@example.com")], crm_config)
    assert posted == Posted(fields={"email": "a@example.com"}, api_key="secret")
