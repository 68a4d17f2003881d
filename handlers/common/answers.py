"""The questionnaire's answers as people read them: on the deal card, in the lead notice, in the client's
confirmation."""

from __future__ import annotations

from domain.crm_config import CrmConfig, Question, QuestionKind
from domain.phone import display_phone
from handlers.common.formatting import ANSWER_PREVIEW, clip, esc


def answer_label(question: Question, value: str, locale: str) -> str:
    """An answer as people read it: an option's label, a formatted phone, or the text as typed."""
    option = question.option(value)
    if option is not None:
        return option.label(locale)
    if question.kind is QuestionKind.CONTACT:
        return display_phone(value)
    return value


def answers_block(
    config: CrmConfig,
    answers: dict[str, str],
    locale: str,
    *,
    with_phone: bool = True,
    preview: int = ANSWER_PREVIEW,
) -> str:
    """The answers, one per line, each at most `preview` characters. A deal card shows the phone on its
    own line, so it leaves it out here."""
    lines = []
    for question in config.intake.questions:
        if question.kind is QuestionKind.CONTACT and not with_phone:
            continue
        if question.key in answers:
            label = esc(clip(answer_label(question, answers[question.key], locale), preview))
            lines.append(f"<b>{esc(question.title(locale))}:</b> {label}")
    return "\n".join(lines)
