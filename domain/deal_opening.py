"""One factory for a new deal, whatever opens it: a finished questionnaire, a lost client sent to
rewarming, or a sleeping client whose planned contact fell due."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from domain.crm_config import CrmConfig, Pipeline
from domain.deadlines import deadline
from domain.models import Channel, Deal, DealStatus, Temperature


def new_deal(
    pipeline: Pipeline,
    *,
    contact_id: int,
    chat_id: int | None,
    source: str | None,
    answers: Mapping[str, str],
    temperature: Temperature,
    target: bool,
    now: datetime,
    owner: int | None = None,
    take_due_at: datetime | None = None,
    amount: int | None = None,
    next_contact_at: datetime | None = None,
    channel: Channel = Channel.TELEGRAM,
    is_test: bool = False,
) -> Deal:
    """An open deal at the first stage of `pipeline`, not stored yet: owned from `now` (assigned and
    taken) when `owner` is given, else waiting to be taken by `take_due_at`. `is_test`: made by a staff
    member's /preview."""
    return Deal(
        id=None,
        contact_id=contact_id,
        pipeline=pipeline.key,
        stage=pipeline.first_stage.key,
        status=DealStatus.OPEN,
        chat_id=chat_id,
        source=source,
        answers=dict(answers),
        temperature=temperature,
        target=target,
        created_at=now,
        stage_entered_at=now,
        manager_id=owner,
        assigned_at=now if owner else None,
        taken_at=now if owner else None,
        take_due_at=take_due_at,
        amount=amount,
        next_contact_at=next_contact_at,
        channel=channel,
        is_test=is_test,
    )


def follow_up_deal(
    config: CrmConfig,
    pipeline: Pipeline,
    earlier: Deal,
    *,
    owner: int | None,
    target: bool,
    amount: int | None,
    next_contact_at: datetime,
    now: datetime,
) -> Deal:
    """A new deal for the client of a closed one (rewarming, or a planned contact falling due): the same
    contact, chat, source, answers and temperature; owned by `owner` when there is one, else on the usual
    take-into-work deadline. A test deal's follow-up is a test deal too."""
    return new_deal(
        pipeline,
        contact_id=earlier.contact_id,
        chat_id=earlier.chat_id,
        source=earlier.source,
        answers=earlier.answers,
        temperature=earlier.temperature,
        target=target,
        now=now,
        owner=owner,
        take_due_at=None if owner else deadline(config, now, config.intake.take_sla),
        amount=amount,
        next_contact_at=next_contact_at,
        channel=earlier.channel,
        is_test=earlier.is_test,
    )
