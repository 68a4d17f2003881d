"""The bench reads the bot's messages, its questionnaire and py-spy's output the way it means to."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench.checkout import Checkout
from bench.figures import percentile, ratio, table
from bench.profiling import package_of, summarise
from bench.storm import numbers_in


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("🆕 Сделка №12 · тёплый клиент", {12}),
        ("Новые заявки: №1, №2, №3 и ещё 5", {1, 2, 3}),
        ("12 новых заявок ждут: #101–#112", set(range(101, 113))),
        ("#7-#9 and № 20", {7, 8, 9, 20}),
        ("Бюджет 100–500 тыс. ₽, телефон +7 916 123-45-67", set()),
    ],
)
def test_a_lead_counts_as_told_when_its_number_is_in_the_message(text: str, numbers: set[int]) -> None:
    assert numbers_in(text) == numbers


def test_percentiles_are_nearest_rank_and_ratios_keep_two_figures() -> None:
    values = [float(n) for n in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)) == (50, 95, 99)
    assert math.isnan(percentile([], 0.5))
    assert (ratio(92, 1), ratio(1.25, 1), ratio(0.0123, 1), ratio(1, None)) == (
        "92.0×",
        "1.25×",
        "0.012×",
        "—",
    )


def test_a_table_lines_up_its_columns() -> None:
    lines = table(("run", "upd/s"), [["echo", "1,353.0"], ["sqlite", "16.7"]]).splitlines()
    assert lines == ["run       upd/s", "------  -------", "echo    1,353.0", "sqlite     16.7"]


def test_the_questionnaire_is_read_from_the_checkout_s_own_config_and_texts(tmp_path: Path) -> None:
    (tmp_path / "bot" / "defaults").mkdir(parents=True)
    (tmp_path / "locales" / "ru").mkdir(parents=True)
    (tmp_path / "bot" / "__main__.py").write_text("", encoding="utf-8")
    questions = '[[intake.questions]]\nkind = "text"\n\n[[intake.questions]]\nkind = "number"\n'
    (tmp_path / "bot" / "defaults" / "crm.toml").write_text(questions, encoding="utf-8")
    (tmp_path / "locales" / "ru" / "main.ftl").write_text(
        "intake-done =\n    <b>Готово!</b> Заявка №{ $id } у нас.\n\n    { $summary }\n"
        "error-generic = Ой, сбой. Попробуйте ещё раз.\n",
        encoding="utf-8",
    )
    questionnaire = Checkout.at(str(tmp_path)).questionnaire()
    assert questionnaire.kinds == ("text", "number")
    assert questionnaire.done == "Готово! Заявка №"
    assert questionnaire.failure == "Ой, сбой. Попробуйте ещё раз."
    overridden = Checkout.at(str(tmp_path)).questionnaire({"intake": {"questions": [{"kind": "contact"}]}})
    assert overridden.kinds == ("contact",)


def test_this_checkout_s_questionnaire_is_the_one_the_bench_expects() -> None:
    questionnaire = Checkout.at(None).questionnaire()
    assert questionnaire.kinds and set(questionnaire.kinds) <= {"text", "choice", "contact", "number"}
    assert questionnaire.done and questionnaire.failure


def test_py_spy_stacks_are_summed_by_package(tmp_path: Path) -> None:
    site = "/v/lib/python3.11/site-packages"
    raw = "\n".join(
        [
            f"<module> (/r/bot/__main__.py:40);run (/usr/lib/python3.11/asyncio/runners.py:118);"
            f"execute ({site}/sqlalchemy/engine/base.py:1400) 6",
            f"run (/usr/lib/python3.11/threading.py:975);run ({site}/aiosqlite/core.py:105) 3",
            "handle (/r/handlers/prospect/questionnaire.py:88) 1",
        ]
    )
    total, own, inclusive = summarise(raw, roots=("/r",))
    assert total == 10
    assert own == {"sqlalchemy": 6, "aiosqlite": 3, "ours: handlers": 1}
    assert (
        inclusive["ours: bot"] == 6
        and inclusive["stdlib: asyncio"] == 6
        and inclusive["stdlib: threading"] == 3
    )
    assert package_of("<frozen importlib._bootstrap>") == "stdlib: importlib"
    assert package_of("<sqlalchemy generated _go() wrapper>") == "sqlalchemy"
