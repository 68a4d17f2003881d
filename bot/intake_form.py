"""A website's lead as it is posted: the fields of a JSON body or of a form, under the names that site
builders give them, checked into a `domain.web_intake.WebLead` (README.md, "Leads from the website").

No HTTP here (that is `bot/intake_api.py`): the fields come in as (name, value) pairs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from domain.crm_config import CrmConfig, QuestionKind
from domain.phone import normalize_phone
from domain.qualification import Accepted, AnswerError, check_answer
from domain.web_intake import WebLead
from handlers.prospect.questionnaire_flow import parse_source

NAME_MAX = 256
MESSAGE_MAX = 4000  # a long letter; a card shows it whole in one Telegram message
EXTERNAL_ID_MAX = 128
PHONE_MAX = 64
EMAIL_MAX = 320
ANSWER_MAX = 4000  # any one answer, before its question's own limit (`intake.max_answer_length`)
FIELDS_MAX = 200  # fields in one form; a builder's form with every extra it adds has a few dozen

# What site builders call each field, lower-cased: Tilda posts Name, Phone, Email, Comments or Textarea,
# formname and tranid (its own id of the submission); other builders name them in lower case.
ALIASES = {
    "name": "name", "fio": "name", "fullname": "name", "full_name": "name",
    "phone": "phone", "tel": "phone", "telephone": "phone",
    "email": "email", "e-mail": "email", "mail": "email",
    "message": "message", "comment": "message", "comments": "message", "textarea": "message",
    "source": "source", "utm_source": "utm_source", "formname": "formname",
    "external_id": "external_id", "tranid": "external_id",
    "answers": "answers",
}  # fmt: skip
AUTH_FIELD = "api_key"  # the token as a form field (Tilda's webhook can send it so)
PING_FIELD = "test"  # Tilda's check of a new webhook posts test=test
ANSWER_FIELD = re.compile(r"^answers(?:\[([^\]]+)\]|\.(.+))$")
SOURCE_TAG = re.compile(r"[^a-z0-9_-]+")


@dataclass(frozen=True)
class Problem:
    field: str
    detail: str


class InvalidLead(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.detail}" for p in problems))
        self.problems = problems


@dataclass
class Posted:
    """The fields of one post under their own names, the token it carries, and whether it is a ping."""

    fields: dict[str, Any] = field(default_factory=dict)
    api_key: str | None = None
    ping: bool = False


def gather(items: Iterable[tuple[str, Any]], config: CrmConfig) -> Posted:
    """Sort what was posted under our names. A field is known by its name in any case; `answers[key]`,
    `answers.key` and a field named as a question are answers; anything else (a builder's form id,
    cookies, UTM tags but the source) is ignored. A name given twice: the first value that is not
    empty; an answer given twice (checkboxes): the values joined."""
    posted = Posted()
    answers: dict[str, Any] = {}
    pinged = False
    for raw_name, value in items:
        name = raw_name.strip().casefold()
        if name == AUTH_FIELD:
            posted.api_key = posted.api_key or (value if isinstance(value, str) else None)
            continue
        if name == PING_FIELD:
            pinged = pinged or (isinstance(value, str) and value.strip().casefold() == PING_FIELD)
            continue
        answer_key = _answer_key(name, config)
        if answer_key is not None:
            if _blank(value):
                continue
            known = answers.get(answer_key)
            if isinstance(known, str) and isinstance(value, str) and value.strip() not in known:
                answers[answer_key] = f"{known}, {value.strip()}"
            elif known is None:
                answers[answer_key] = value
            continue
        ours = ALIASES.get(name)
        if ours is not None and _blank(posted.fields.get(ours)) and not _blank(value):
            posted.fields[ours] = value
    if answers:
        nested = posted.fields.get("answers")
        posted.fields["answers"] = {**answers, **nested} if isinstance(nested, dict) else answers
    posted.ping = pinged and not any(posted.fields.get(f) for f in ("name", "phone", "email"))
    return posted


def _answer_key(name: str, config: CrmConfig) -> str | None:
    if match := ANSWER_FIELD.match(name):
        return (match.group(1) or match.group(2)).strip()
    if name not in ALIASES and config.intake.question(name) is not None:
        return name
    return None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value: object) -> object:
    """Text as given, less what no database keeps: NUL and other control characters (line breaks and
    tabs stay) and halves of surrogate pairs; trimmed; empty is not given."""
    if isinstance(value, bool):
        return value  # refused as text below, not read as "True"
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return value
    value = value.encode("utf-8", "replace").decode("utf-8")
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()
    return value or None


Text = Annotated[str | None, BeforeValidator(_clean)]
Answers = Annotated[dict[str, Annotated[Text, Field(max_length=ANSWER_MAX)]], Field(max_length=100)]
ANSWERS = TypeAdapter(Answers)


class LeadFields(BaseModel):
    """The fields' types and lengths. `context` carries `config` (phone region, questions)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Field(max_length=NAME_MAX)] = None
    phone: Annotated[Text, Field(max_length=PHONE_MAX)] = None
    email: Annotated[Text, Field(max_length=EMAIL_MAX)] = None
    message: Annotated[Text, Field(max_length=MESSAGE_MAX)] = None
    source: Annotated[Text, Field(max_length=64)] = None
    utm_source: Annotated[Text, Field(max_length=256)] = None
    formname: Annotated[Text, Field(max_length=256)] = None
    external_id: Annotated[Text, Field(max_length=EXTERNAL_ID_MAX)] = None
    answers: Answers = {}

    @field_validator("phone")
    @classmethod
    def _a_phone(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        phone = normalize_phone(value, region=_config(info).company.phone_region)
        if phone is None:
            raise ValueError("is not a phone number (write it with the country code: +7 916 123-45-67)")
        return phone

    @field_validator("email")
    @classmethod
    def _an_email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError as error:
            raise ValueError(f"is not an email address: {error}") from None

    @field_validator("source")
    @classmethod
    def _a_tag(cls, value: str | None) -> str | None:
        if value is None:
            return None
        tag = parse_source(value)
        if tag is None:
            raise ValueError("is a tag of 1-48 Latin letters, digits, _ or - (e.g. instagram)")
        return tag


def _config(info: ValidationInfo) -> CrmConfig:
    assert isinstance(info.context, dict)
    config = info.context["config"]
    assert isinstance(config, CrmConfig)
    return config


def check(posted: Posted, config: CrmConfig) -> WebLead:
    """The lead the post makes, or `InvalidLead` naming every field that is wrong."""
    problems: list[Problem] = []
    try:
        fields = LeadFields.model_validate(posted.fields, context={"config": config})
    except ValidationError as error:
        problems = [_problem(e) for e in error.errors()]
        if not any(p.field.startswith("answers") for p in problems):  # the answers are named too
            _checked_answers(ANSWERS.validate_python(posted.fields.get("answers", {})), config, problems)
        raise InvalidLead(problems) from None
    answers = _checked_answers(fields.answers, config, problems)
    phone = fields.phone or _answered_phone(answers, config)
    if not phone and not fields.email:
        problems.append(Problem("phone", "give a phone or an email: a lead nobody can reach is lost"))
    if problems:
        raise InvalidLead(problems)
    return WebLead(
        name=fields.name or "", phone=phone, email=fields.email, message=fields.message,
        source=fields.source or loose_tag(fields.utm_source) or loose_tag(fields.formname),
        answers=answers, external_id=fields.external_id,
    )  # fmt: skip


def _problem(error: Any) -> Problem:
    place = ".".join(str(part) for part in error["loc"]) or "body"
    limit = (error.get("ctx") or {}).get("max_length")
    if error["type"] in ("too_long", "string_too_long") and limit is not None:
        unit = "answers" if place == "answers" else "characters"  # the answers object counts its keys
        return Problem(place, f"at most {limit} {unit}")
    return Problem(place, str(error["msg"]).removeprefix("Value error, "))


def _checked_answers(
    given: dict[str, str | None], config: CrmConfig, problems: list[Problem]
) -> dict[str, str]:
    """Each answer as the questionnaire stores it: the text, a choice's option key (its key, or its
    Russian or English text, in any case), an E.164 phone, a number."""
    answers: dict[str, str] = {}
    for key, text in given.items():
        if text is None:
            continue
        question = config.intake.question(key)
        if question is None:
            known = ", ".join(q.key for q in config.intake.questions)
            problems.append(Problem(f"answers.{key}", f"is not a question (the questions are: {known})"))
            continue
        checked = check_answer(
            question, text, max_length=config.intake.max_answer_length,
            phone_region=config.company.phone_region,
        )  # fmt: skip
        if isinstance(checked, Accepted):
            answers[key] = checked.value
        else:
            problems.append(Problem(f"answers.{key}", _answer_problem(checked.error, question, config)))
    return answers


def _answer_problem(error: AnswerError, question: Any, config: CrmConfig) -> str:
    match error:
        case AnswerError.TOO_LONG:
            return f"is longer than {config.intake.max_answer_length} characters"
        case AnswerError.NO_WORDS:
            return "has no letters or digits"
        case AnswerError.UNKNOWN_OPTION:
            options = ", ".join(o.key for o in question.options)
            return f"is not an option: give one of {options} (or its Russian or English text)"
        case AnswerError.BAD_PHONE:
            return "is not a phone number"
        case AnswerError.NOT_A_NUMBER:
            return "is not a number"
        case AnswerError.OUT_OF_RANGE:
            return f"is out of range ({question.min}..{question.max})"
    return "is empty"


def _answered_phone(answers: dict[str, str], config: CrmConfig) -> str | None:
    key = next((q.key for q in config.intake.questions if q.kind is QuestionKind.CONTACT), None)
    return answers.get(key) if key else None


def loose_tag(text: str | None) -> str | None:
    """A form's name or a UTM source as a source tag ("Main page form" → "main_page_form"); what has
    no Latin letter or digit is no tag."""
    if not text:
        return None
    tag = SOURCE_TAG.sub("_", text.strip().casefold()).strip("_-")[:48].strip("_-")
    return tag or None
