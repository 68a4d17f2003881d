"""The promise a prospect reads after the questionnaire depends on the working hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.crm_config import CrmConfig
from handlers.common.i18n import Translator
from handlers.prospect.views.questionnaire import human_duration, when_we_reply

FRIDAY_EVENING = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # 20:00 in Moscow, after closing
WEDNESDAY_MORNING = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # 11:00 in Moscow


@pytest.mark.parametrize(
    ("now", "russian", "english"),
    [
        (WEDNESDAY_MORNING, "в течение 15 минут", "within 15 minutes"),
        (FRIDAY_EVENING, "Менеджер свяжется с вами не позже 30.11 09:15 (MSK)", "by 30.11 09:15 (MSK)"),
    ],
)  # fmt: skip
def test_the_promise_is_the_take_deadline_in_working_time(
    crm_config: CrmConfig, now: datetime, russian: str, english: str
) -> None:
    due = crm_config.calendar().add(now, crm_config.intake.take_sla)
    translator = Translator()
    ru = when_we_reply(crm_config, now=now, reply_due=due, t=translator.bind("ru"))
    en = when_we_reply(crm_config, now=now, reply_due=due, t=translator.bind("en"))
    assert russian in ru and english in en


def test_a_lead_left_on_friday_evening_is_due_on_monday_morning(crm_config: CrmConfig) -> None:
    due = crm_config.calendar().add(FRIDAY_EVENING, crm_config.intake.take_sla)
    assert due == datetime(2026, 11, 30, 6, 15, tzinfo=UTC)  # Monday 09:15 in Moscow
    assert due - FRIDAY_EVENING > timedelta(days=2)


@pytest.mark.parametrize(
    ("minutes", "russian", "english"),
    [(1, "1 минуты", "1 minute"), (15, "15 минут", "15 minutes"), (21, "21 минуты", "21 minutes"),
     (60, "1 часа", "1 hour"), (90, "1 часа 30 минут", "1 hour 30 minutes"), (120, "2 часов", "2 hours")],
)  # fmt: skip
def test_durations_are_said_in_hours_and_minutes(minutes: int, russian: str, english: str) -> None:
    translator = Translator()
    span = timedelta(minutes=minutes)
    assert human_duration(span, translator.bind("ru")) == russian
    assert human_duration(span, translator.bind("en")) == english


def test_a_deadline_past_closing_time_is_promised_as_a_day_and_time_not_minutes(
    crm_config: CrmConfig,
) -> None:
    config = crm_config.model_copy(
        update={"intake": crm_config.intake.model_copy(update={"take_sla": timedelta(hours=2)})}
    )
    now = datetime(2026, 11, 25, 14, 55, tzinfo=UTC)  # 17:55 Moscow, five minutes before closing
    due = config.calendar().add(now, config.intake.take_sla)
    promise = when_we_reply(config, now=now, reply_due=due, t=Translator().bind("ru"))
    assert promise == "Менеджер свяжется с вами не позже 26.11 10:55 (MSK)."
