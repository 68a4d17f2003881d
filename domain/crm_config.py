"""The CRM config: pipelines, questions, loss reasons and deadlines, validated.

Validation lives here because the rules are the domain's (a pipeline has one won and one lost stage, the
last loss reason is "other", ...). Reading the TOML file and merging it over the shipped default is I/O
and lives in `bot/crm_config_file.py`.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    PrivateAttr,
    model_validator,
)

from domain.business_hours import BusinessHours
from domain.config_types import Duration, Localized, Strict
from domain.working_time import BusinessCalendar, CalendarError


class QuestionKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    CONTACT = "contact"
    NUMBER = "number"


class StageKind(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class Company(Strict):
    name: Localized = {"ru": "Воронка", "en": "Voronka"}
    phone_region: str = "RU"
    currency: str = Field(default="RUB", pattern=r"^[A-Z]{3}$")  # ISO 4217 code: deal amounts are in it


class Option(Strict):
    key: str = Field(pattern=r"^[a-z0-9_]{1,24}$")
    ru: str
    en: str
    score: int = 0
    target: bool = True

    def label(self, locale: str) -> str:
        return self.ru if locale == "ru" else self.en


class Question(Strict):
    key: str = Field(pattern=r"^[a-z0-9_]{1,24}$")
    kind: QuestionKind
    text: Localized
    label: Localized | None = None
    options: list[Option] = []
    non_target_words: list[str] = []
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _options_fit_the_kind(self) -> Question:
        if self.kind is QuestionKind.CHOICE:
            if len(self.options) < 2:
                raise ValueError("a choice question needs at least 2 options")
            keys = [o.key for o in self.options]
            if len(set(keys)) != len(keys):
                raise ValueError("option keys must be unique")
        elif self.options:
            raise ValueError(f"options are only for choice questions, not {self.kind.value}")
        return self

    def title(self, locale: str) -> str:
        """Short name of the answer on a deal card."""
        return (self.label or self.text)[locale]

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


class Temperature(Strict):
    warm_from: int = 2
    hot_from: int = 4

    @model_validator(mode="after")
    def _hot_is_above_warm(self) -> Temperature:
        if self.hot_from < self.warm_from:
            raise ValueError("hot_from must not be below warm_from")
        return self


class Intake(Strict):
    take_sla: Duration = timedelta(minutes=15)
    max_answer_length: int = Field(default=1000, ge=10, le=4000)
    # Messages a minute from one client that reach the manager one by one; past it they are counted.
    flood_limit: int = Field(default=20, ge=1, le=1000)
    temperature: Temperature = Temperature()
    questions: list[Question] = Field(min_length=1)
    # A questionnaire left this long (wall-clock time, not working time) becomes a lead marked unfinished.
    abandoned_after: Duration = Field(default=timedelta(minutes=30))
    # Web leads a minute from one source that the intake endpoint accepts; past it it answers 429.
    web_leads_per_minute: int = Field(default=30, ge=1, le=100_000)

    @model_validator(mode="after")
    def _abandonment_takes_a_while(self) -> Intake:
        if not timedelta(minutes=1) <= self.abandoned_after <= timedelta(days=7):
            raise ValueError("abandoned_after must be between 1m and 7d")
        return self

    @model_validator(mode="after")
    def _questions_are_unique(self) -> Intake:
        keys = [q.key for q in self.questions]
        if len(set(keys)) != len(keys):
            raise ValueError("question keys must be unique")
        if sum(q.kind is QuestionKind.CONTACT for q in self.questions) > 1:
            raise ValueError("at most one contact question")
        return self

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


class Source(Strict):
    """A source tag named for people, with what it costs a month (for cost per lead in the reports)."""

    key: str = Field(pattern=r"^[a-z0-9_-]{1,48}$")
    name: Localized
    spend: int | None = Field(default=None, ge=0)  # a month, in whole units of `company.currency`


class Distribution(Strict):
    mode: Literal["least_loaded", "round_robin"] = "least_loaded"
    max_open_deals: int = Field(default=30, ge=1)


class Reminders(Strict):
    overdue_after: Duration = timedelta(hours=1)
    escalate_after: Duration = timedelta(hours=4)
    digest_at: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")

    @model_validator(mode="after")
    def _escalation_comes_after_the_overdue_alert(self) -> Reminders:
        if self.escalate_after <= self.overdue_after:
            raise ValueError("escalate_after must be longer than overdue_after (the manager hears first)")
        return self


class LossReason(Strict):
    key: str = Field(pattern=r"^[a-z0-9_]{1,24}$")
    text: Localized
    # A share of the period's losses above this is a warning in the reports and the digest (0.30: 30 %).
    max_share: float | None = Field(default=None, gt=0, le=1)


class Reports(Strict):
    min_sample: int = Field(default=10, ge=1, le=100_000)  # losses needed before limits are judged
    repeat_loss_run: int = Field(default=5, ge=2, le=100)  # a manager's last N losses all for one reason


class Stage(Strict):
    key: str = Field(pattern=r"^[a-z0-9_]{1,24}$")
    name: Localized
    kind: StageKind = StageKind.OPEN
    sla: Duration | None = None
    # What a deal must have before it enters this stage; entering without it asks for it first.
    requires: list[Literal["amount", "note"]] = []

    @property
    def is_open(self) -> bool:
        return self.kind is StageKind.OPEN


class Deals(Strict):
    managers_see_unsorted: bool = True  # managers may open /unsorted and take from the queue themselves


class Pipeline(Strict):
    key: str = Field(pattern=r"^[a-z0-9_]{1,24}$")
    name: Localized
    stages: list[Stage] = Field(min_length=3)

    @model_validator(mode="after")
    def _stages_make_a_funnel(self) -> Pipeline:
        keys = [s.key for s in self.stages]
        if len(set(keys)) != len(keys):
            raise ValueError("stage keys must be unique")
        for kind in (StageKind.WON, StageKind.LOST):
            if sum(s.kind is kind for s in self.stages) != 1:
                raise ValueError(f"needs exactly one stage of kind {kind.value}")
        if self.stages[0].kind is not StageKind.OPEN:
            raise ValueError("the first stage must be an open one")
        for stage in self.stages:
            if stage.requires and not stage.is_open:
                raise ValueError(
                    f"stage {stage.key}: `requires` is for open stages (won asks for the amount, lost "
                    "for the reason)"
                )
        return self

    @property
    def open_stages(self) -> list[Stage]:
        return [s for s in self.stages if s.is_open]

    @property
    def first_stage(self) -> Stage:
        return self.stages[0]

    def stage(self, key: str) -> Stage | None:
        return next((s for s in self.stages if s.key == key), None)

    def closing_stage(self, kind: StageKind) -> Stage:
        return next(s for s in self.stages if s.kind is kind)


REQUIRED_PIPELINES = ("sales", "rewarm", "repeat")


class CrmConfig(Strict):
    timezone: str = "Europe/Moscow"
    company: Company = Company()
    business_hours: BusinessHours = BusinessHours()
    intake: Intake
    distribution: Distribution = Distribution()
    reminders: Reminders = Reminders()
    deals: Deals = Deals()
    reports: Reports = Reports()
    loss_reasons: list[LossReason] = Field(min_length=2)
    pipelines: list[Pipeline] = Field(min_length=1)
    sources: list[Source] = []
    _calendar: tuple[tuple[str, BusinessHours], BusinessCalendar] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _whole_config_is_consistent(self) -> CrmConfig:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone: unknown time zone {self.timezone!r}") from None
        if self.loss_reasons[-1].key != "other":
            raise ValueError('loss_reasons: the last reason must be "other" (it asks for free text)')
        reason_keys = [r.key for r in self.loss_reasons]
        if len(set(reason_keys)) != len(reason_keys):
            raise ValueError("loss_reasons: keys must be unique")
        source_keys = [s.key for s in self.sources]
        if len(set(source_keys)) != len(source_keys):
            raise ValueError("sources: keys must be unique")
        keys = [p.key for p in self.pipelines]
        if len(set(keys)) != len(keys):
            raise ValueError("pipelines: keys must be unique")
        missing = [k for k in REQUIRED_PIPELINES if k not in keys]
        if missing:
            raise ValueError(f"pipelines: missing required pipeline(s): {', '.join(missing)}")
        try:
            self._build_calendar()
        except CalendarError as error:
            # The calendar names its own fields; say them as the keys of this file.
            field, _, message = str(error).partition(": ")
            key = {"timezone": "timezone", "holidays_country": "business_hours.holidays"}.get(
                field, f"business_hours.{field}"
            )
            raise ValueError(f"{key}: {message}" if message else str(error)) from None
        return self

    def pipeline(self, key: str) -> Pipeline:
        for p in self.pipelines:
            if p.key == key:
                return p
        raise KeyError(key)

    def calendar(self) -> BusinessCalendar:
        """The team's business calendar, built once (every deadline and card asks for it). The cache is
        keyed by what it is built from: `model_copy` carries private attributes over to the copy."""
        key = (self.timezone, self.business_hours)
        if self._calendar is None or self._calendar[0] != key:
            self._calendar = (key, self._build_calendar())
        return self._calendar[1]

    def _build_calendar(self) -> BusinessCalendar:
        return self.business_hours.calendar(self.timezone)

    def source(self, key: str | None) -> Source | None:
        return next((s for s in self.sources if s.key == key), None) if key else None

    def loss_reason(self, key: str) -> LossReason | None:
        return next((r for r in self.loss_reasons if r.key == key), None)
