"""Use case: a form posted on the website becomes a lead (README.md, "Leads from the website").

The intake endpoint (bot/intake_api.py, with bot/intake_form.py) checks the fields; this records the
inquiry and hands the lead to `domain.intake.submit_lead`, the way a finished questionnaire goes: contact
dedupe by phone or email, non-target rules, pipelines, assignment, deadlines. Its channel is "site".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.crm_config import CrmConfig, QuestionKind
from domain.intake import IntakeResult, SiteVisitor, submit_lead
from domain.models import Channel, Inquiry
from domain.ports import UnitOfWork
from domain.qualification import Accepted, check_answer


@dataclass(frozen=True)
class WebLead:
    """A web form's fields, already checked: the phone in E.164, the email lower-cased, each answer as
    the questionnaire would have stored it (an option's key for a choice)."""

    name: str
    phone: str | None = None
    email: str | None = None
    message: str | None = None
    source: str | None = None
    answers: dict[str, str] = field(default_factory=dict)
    external_id: str | None = None
    locale: str | None = None


async def submit_web_lead(
    uow: UnitOfWork, config: CrmConfig, lead: WebLead, *, now: datetime
) -> IntakeResult:
    """Record the form as an inquiry of the site channel and a lead. Commits. The same `external_id`
    again: the deal it made, `repeated`, nothing written."""
    answers = dict(lead.answers)
    if lead.message:
        _message_as_answer(config, answers, lead.message)
    contact_key = next((q.key for q in config.intake.questions if q.kind is QuestionKind.CONTACT), None)
    if contact_key is not None and lead.phone and contact_key not in answers:
        answers[contact_key] = lead.phone
    inquiry = Inquiry(
        channel=Channel.SITE, started_at=now, updated_at=now, name=lead.name, locale=lead.locale,
        source=lead.source, step=len(answers), answers=dict(answers), wrote_first=bool(lead.message),
        external_id=lead.external_id,
    )  # fmt: skip
    visitor = SiteVisitor(name=lead.name, phone=lead.phone, email=lead.email, locale=lead.locale)
    return await submit_lead(
        uow, config, prospect=visitor, answers=answers, source=lead.source, now=now,
        web_message=lead.message, inquiry=inquiry,
    )  # fmt: skip


def _message_as_answer(config: CrmConfig, answers: dict[str, str], message: str) -> None:
    """A form has a message field rather than the questionnaire's "what do you need": the message
    answers the first text question that has `non_target_words`, when the form gave it no answer, so a
    job seeker's web form is archived as non-target like a Telegram one."""
    question = next(
        (q for q in config.intake.questions if q.kind is QuestionKind.TEXT and q.non_target_words), None
    )
    if question is None or question.key in answers:
        return
    limit = config.intake.max_answer_length
    checked = check_answer(
        question, message[:limit], max_length=limit, phone_region=config.company.phone_region
    )
    if isinstance(checked, Accepted):
        answers[question.key] = checked.value
