"""The reports' results, as the charts, captions and spreadsheets show them (README.md, "Reports").

Durations are whole seconds; shares and conversions are fractions (0.25 is 25 %), None when there is
nothing to divide by.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StageStep:
    """One open stage of a funnel, "with conversion": a deal that reached a later stage (or skipped this
    one) counts here too. `conversion` is from the step before (None for the first); times are of the
    stays in this stage that ended in the period's deals."""

    stage: str
    reached: int
    conversion: float | None = None
    average_s: int | None = None
    median_s: int | None = None


@dataclass(frozen=True)
class Funnel:
    """A pipeline's funnel over the deals created in the period (non-target ones left out)."""

    pipeline: str
    deals: int
    steps: tuple[StageStep, ...]
    won: int
    lost: int
    open: int
    overall: float | None  # won / deals
    worst_step: str | None  # the stage after which the most deals were lost (the biggest drop)


@dataclass(frozen=True)
class QuestionnaireFunnel:
    """The questionnaire before the first stage, from the recorded inquiries of the Telegram channel:
    started, how many answered each question (the N-th question: at least N answers), finished, and of
    those that became leads, how many were target."""

    started: int
    answered: tuple[int, ...]  # by question, in the questionnaire's order
    finished: int
    target: int


@dataclass(frozen=True)
class FunnelReport:
    funnels: tuple[Funnel, ...]
    questionnaire: QuestionnaireFunnel


@dataclass(frozen=True)
class LossShare:
    reason: str  # a loss reason's key
    count: int
    share: float
    limit: float | None = None  # `loss_reasons[].max_share`
    over: bool = False  # the share is above its limit, with at least `reports.min_sample` losses


@dataclass(frozen=True)
class RepeatedLoss:
    """A manager whose last `reports.repeat_loss_run` losses all had one reason (`manager_id` set), or a
    client lost twice or more to the same reason (`contact_id` set)."""

    reason: str
    count: int
    manager_id: int | None = None
    contact_id: int | None = None
    deal_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class LossReport:
    total: int
    reasons: tuple[LossShare, ...]  # biggest first
    by_pipeline: tuple[tuple[str, tuple[LossShare, ...]], ...]
    by_manager: tuple[tuple[int, tuple[LossShare, ...]], ...]
    other_texts: tuple[tuple[int, str], ...]  # (deal id, the manager's words) for the reason "other"
    sample_enough: bool  # at least `reports.min_sample` losses: the limits are judged
    runs: tuple[RepeatedLoss, ...] = ()
    clients: tuple[RepeatedLoss, ...] = ()


@dataclass(frozen=True)
class ManagerRow:
    manager_id: int
    name: str
    received: int  # leads assigned to them in the period
    take_median_s: int | None  # working time from the lead's arrival to "take into work"
    take_p90_s: int | None
    reply_median_s: int | None  # working time from the lead's arrival to their first message to the client
    reply_p90_s: int | None
    open_deals: int  # now
    norm: int  # their load norm
    overdue: int  # open deals whose next contact is overdue now
    breaches: int  # deadlines missed in the period (take, stage, contact)
    won: int
    lost: int
    conversion: float | None  # won / (won + lost) of the deals closed in the period
    amount_won: int
    average_deal: int | None


@dataclass(frozen=True)
class ManagersReport:
    rows: tuple[ManagerRow, ...]


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    source: str | None
    inquiries: int  # questionnaires begun, forms received
    finished: int  # questionnaires finished, forms received
    leads: int  # deals created
    non_target: int
    non_target_share: float | None
    won: int
    conversion: float | None  # won / leads
    amount_won: int
    spend: int | None = None  # what the source cost over the period (`[[sources]].spend`, by months' share)
    cost_per_lead: int | None = None
    cost_per_won: int | None = None


@dataclass(frozen=True)
class ChannelsReport:
    rows: tuple[ChannelRow, ...] = field(default=())
