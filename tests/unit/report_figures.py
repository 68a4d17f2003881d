"""Report figures built by hand, with known numbers, for the tests of pictures, captions and export."""

from __future__ import annotations

from domain.reports.figures import (
    ChannelRow,
    ChannelsReport,
    Funnel,
    FunnelReport,
    LossReport,
    LossShare,
    ManagerRow,
    ManagersReport,
    QuestionnaireFunnel,
    RepeatedLoss,
    StageStep,
)

FUNNEL = FunnelReport(
    funnels=(
        Funnel(
            "sales", 120,
            (StageStep("new", 120, None, 7200, 3600), StageStep("qualified", 84, 0.7, 86400, 43200),
             StageStep("proposal", 51, 51 / 84), StageStep("negotiation", 30, 30 / 51),
             StageStep("invoice", 22, 22 / 30)),
            won=14, lost=60, open=46, overall=14 / 120, worst_step="qualified",
        ),
    ),
    questionnaire=QuestionnaireFunnel(200, (180, 160, 150, 140), 138, 120),
)  # fmt: skip
EMPTY_FUNNEL = FunnelReport((), QuestionnaireFunnel(0, (0, 0, 0, 0), 0, 0))
LOSSES = LossReport(
    total=50,
    reasons=(LossShare("too_expensive", 21, 0.42, 0.30, True), LossShare("no_need", 12, 0.24),
             LossShare("competitor", 9, 0.18), LossShare("other", 8, 0.16)),
    by_pipeline=(("sales", (LossShare("too_expensive", 21, 0.42, 0.30, True),)),),
    by_manager=((1, (LossShare("no_need", 12, 1.0),)),),
    other_texts=((5, "Уехал в отпуск до весны"),),
    sample_enough=True,
    runs=(RepeatedLoss("too_expensive", 5, manager_id=1, deal_ids=(1, 2, 3, 4, 5)),),
    clients=(RepeatedLoss("too_expensive", 2, contact_id=7, deal_ids=(8, 9)),),
)  # fmt: skip
EMPTY_LOSSES = LossReport(0, (), (), (), (), sample_enough=False)
MANAGERS = ManagersReport((
    ManagerRow(1, "Олег Петров", 42, 600, 2400, 900, 5400, 28, 30, 3, 2, 8, 12, 0.4, 1_250_000, 156_250),
    ManagerRow(2, "Анастасия Константинопольская", 35, 300, 1200, 420, 2000, 34, 30, 0, 0, 10, 8, 10 / 18,
               2_000_000, 200_000),
    ManagerRow(3, "Ivan", 0, None, None, None, None, 0, 30, 0, 0, 0, 0, None, 0, None),
))  # fmt: skip
CHANNELS = ChannelsReport((
    ChannelRow("telegram", "instagram", 150, 120, 110, 10, 10 / 110, 12, 12 / 110, 900_000, 60_000, 545,
               5000),
    ChannelRow("telegram", None, 80, 60, 55, 5, 5 / 55, 6, 6 / 55, 300_000),
    ChannelRow("site", "yandex_direct", 40, 40, 40, 8, 0.2, 3, 0.075, 200_000),
))  # fmt: skip
