"""The promise a prospect reads after the questionnaire depends on the working hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.crm_config import CrmConfig
from handlers.i18n import Translator
from handlers.views.questionnaire import when_we_reply

FRIDAY_EVENING = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # 20:00 in Moscow, after closing
WEDNESDAY_MORNING = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # 11:00 in Moscow


@pytest.mark.parametrize(
    ("now", "russian", "english"),
    [
        (WEDNESDAY_MORNING, "в течение 15 минут", "within 15 minutes"),
        (FRIDAY_EVENING, "Сейчас нерабочее время — менеджер свяжется с вами 30.11 после 09:00",
         "on 30.11 after 09:00"),
    ],
)  # fmt: skip
def test_the_promise_is_the_take_deadline_in_working_time(
    crm_config: CrmConfig, now: datetime, russian: str, english: str
) -> None:
    calendar = crm_config.calendar()
    due = calendar.add(now, crm_config.intake.take_sla)
    working = calendar.is_working(now)
    translator = Translator()
    ru = when_we_reply(crm_config, reply_due=due, working_now=working, t=translator.bind("ru"))
    en = when_we_reply(crm_config, reply_due=due, working_now=working, t=translator.bind("en"))
    assert russian in ru and english in en


def test_a_lead_left_on_friday_evening_is_due_on_monday_morning(crm_config: CrmConfig) -> None:
    due = crm_config.calendar().add(FRIDAY_EVENING, crm_config.intake.take_sla)
    assert due == datetime(2026, 11, 30, 6, 15, tzinfo=UTC)  # Monday 09:15 in Moscow
    assert due - FRIDAY_EVENING > timedelta(days=2)
