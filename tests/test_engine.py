"""The engine's invariants (SPEC §3) and its edge cases, independent of any one case file."""

from __future__ import annotations

import math

import pytest

from pmsize import _engine as engine
from pmsize import _finance as finance
from pmsize import _messages as messages
from pmsize._engine import Thresholds
from pmsize._loader import load_text
from pmsize._results import Evaluation
from pmsize._service import evaluate

BASE = """
name: Base
market: {{customers: 1000, problem_cost: $200k}}
solution:
  build_cost: {build}
  annual_cost: $1m
  cost_per_customer: $10k
  solves: 80%
  adoption: [2%, 4%, 6%]
  {price}
alternatives:
  - {{name: Vendor suite, annual_cost: {alt_cost}, solves: 70%}}
  - {{name: Spreadsheets, kind: manual, annual_cost: $20k, solves: 20%}}
"""


def run(build: str = "$3m", alt_cost: str = "$60k", price: str = "") -> Evaluation:
    text = BASE.format(build=build, alt_cost=alt_cost, price=f"price: {price}" if price else "")
    return evaluate(load_text(text)[0])


@pytest.mark.parametrize("alt_cost", ["0", "$10k", "$60k", "$150k", "$400k", "$2m"])
def test_ceiling_stays_between_zero_and_value(alt_cost: str) -> None:
    r = run(alt_cost=alt_cost)
    assert 0 <= r.ceiling_per_customer <= r.value_per_customer


def test_raising_an_alternatives_cost_never_lowers_the_ceiling() -> None:
    costs = ["0", "$10k", "$30k", "$60k", "$100k", "$150k", "$400k", "$2m"]
    ceilings = [run(alt_cost=c).ceiling_per_customer for c in costs]
    assert ceilings == sorted(ceilings)
    assert ceilings[0] < ceilings[-1]  # the sweep crosses the interesting region


def test_raising_build_cost_never_raises_npv() -> None:
    npvs = [run(build=b).npv for b in ["0", "$1m", "$3m", "$10m", "$50m"]]
    assert npvs == sorted(npvs, reverse=True)
    # build cost is paid at t = 0, undiscounted: NPV falls one for one
    assert npvs[0] - npvs[1] == pytest.approx(1e6)


@pytest.mark.parametrize("alt_cost", ["0", "$60k", "$2m"])
def test_without_a_price_naive_npv_is_never_below_npv(alt_cost: str) -> None:
    r = run(alt_cost=alt_cost)
    assert r.naive_npv >= r.npv


def test_the_ceiling_worked_by_hand() -> None:
    # P = 200k, V = 160k. Vendor: c = 60k, R = 140k, C_a = 60k + 20k = 80k.
    # Spreadsheets: c = 20k, R = 40k, C_a = 20k + 120k = 140k. C = 80k (vendor), cap = 0.5.
    r = run()
    assert r.value_per_customer == pytest.approx(160e3)
    assert r.ceiling_per_customer == pytest.approx(80e3)
    assert r.ceiling_set_by == "Vendor suite"
    assert r.cap_ratio == pytest.approx(0.5)
    # w = 20, 40, 60 (then 60, 60); CF_t = 80k w - (1m + 10k w) = 70k w - 1m
    assert r.cash_flows == pytest.approx((-3e6, 0.4e6, 1.8e6, 3.2e6, 3.2e6, 3.2e6))


def test_a_price_within_the_ceiling_is_kept_and_one_above_is_capped() -> None:
    assert run(price="$50k").price_per_customer == pytest.approx(50e3)
    above = run(price="$120k")
    assert above.price_per_customer == pytest.approx(80e3)
    assert [f.code for f in above.flags] == ["overpriced"]
    # naive figures use the asked price: CF_t = 110k w - 1m
    assert above.naive_npv > above.npv


def test_thresholds_move_the_warnings() -> None:
    r = run()
    assert r.cap_ratio == pytest.approx(0.5)
    problem = load_text(BASE.format(build="$3m", alt_cost="$60k", price=""))[0]
    strict = evaluate(problem, Thresholds(cap_threshold=0.6))
    assert "capped-by-alternative" in [f.code for f in strict.flags]
    assert strict.verdict == "reconsider"
    assert "capped-by-alternative" not in [f.code for f in r.flags]  # 0.5 is not below 0.5


def test_zero_discount_rate_spreads_one_time_costs_evenly() -> None:
    text = (
        BASE.format(build="$3m", alt_cost="$60k", price="")
        .replace("name: Base", "name: Base\ndiscount_rate: 0%\nhorizon_years: 4")
        .replace("annual_cost: $60k,", "annual_cost: $60k, one_time_cost: $100k,")
    )
    r = evaluate(load_text(text)[0])
    assert r.crf == 0.25
    assert r.alternatives[0].effective_annual_cost == pytest.approx(85e3)  # 60k + 100k / 4
    assert r.npv == pytest.approx(math.fsum(r.cash_flows))


def test_roi_is_null_when_costs_round_to_nothing() -> None:
    # PV of costs of 5e-324 (the smallest float) makes NPV / PV_costs overflow to infinity;
    # JSON carries finite numbers only, so the ratio is reported as undefined.
    text = """
name: Free to run
market: {customers: 100, problem_cost: $10k}
solution: {annual_cost: 5e-324, adoption: 10%}
"""
    r = evaluate(load_text(text)[0])
    assert r.pv_costs > 0
    assert r.roi is None
    assert r.naive_roi is None
    assert r.npv > 0


def test_the_engine_writes_no_words() -> None:
    """The engine imports neither the number formatting nor the messages: numbers and flag
    codes out; a fresh interpreter shows what importing it pulls in."""
    import subprocess
    import sys

    code = (
        "import sys, pmsize._engine; print({'pmsize._fmt', 'pmsize._messages'} & set(sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "set()\n"
    sizing = engine.point(load_text(BASE.format(build="$3m", alt_cost="$60k", price=""))[0])
    # every flag of one case; scenario-risk is raised across a problem's scenarios
    # (`engine.scenario_risk`), never by one case alone
    one_case = [c for c in engine.FlagCode if c is not engine.FlagCode.SCENARIO_RISK]
    assert list(sizing.flags) == one_case
    assert [code for code, raised in sizing.flags.items() if raised] == [
        f.code for f in run().flags
    ]


def test_verdicts_flag_codes_and_severities_are_their_json_strings() -> None:
    import json

    from pmsize._results import FlagCode, Severity, Verdict

    assert engine.VERDICTS == (Verdict.PURSUE, Verdict.RECONSIDER, Verdict.AVOID)
    assert engine.VERDICTS == ("pursue", "reconsider", "avoid")
    assert Verdict.PURSUE < Verdict.RECONSIDER < Verdict.AVOID
    assert max([Verdict.RECONSIDER, Verdict.AVOID, Verdict.PURSUE]) is Verdict.AVOID
    assert sorted(Verdict, reverse=True) == [Verdict.AVOID, Verdict.RECONSIDER, Verdict.PURSUE]
    assert json.dumps({Verdict.AVOID: [FlagCode.THIN_MARGIN, Severity.WARNING]}) == (
        '{"avoid": ["thin-margin", "warning"]}'
    )
    assert f"{Verdict.AVOID}|{FlagCode.NEGATIVE_NPV:>14}|{Severity.ERROR}" == (
        "avoid|  negative-npv|error"
    )
    assert {"avoid": 1}[Verdict.AVOID] == 1
    assert [c.severity for c in FlagCode] == [
        *("error", "error", "warning", "warning", "warning", "warning")
    ]


def test_the_figures_explain_uses_come_from_the_model() -> None:
    r = run()
    cumulative = r.cumulative_discounted
    assert len(cumulative) == r.horizon_years + 1
    assert cumulative[-1] == pytest.approx(r.npv)
    assert cumulative[0] == -3e6
    even = messages.price_for_roi(r, 0.0)
    assert even is not None
    assert finance.price_for_roi(r.pv_costs, r.customers_paying, r.discount_factors, 0.0) == even
    pairs = [(a.relief, a.effective_annual_cost) for a in r.alternatives]
    assert finance.solves_for_cap(
        r.problem_cost_per_customer, pairs, 0.5
    ) == messages.solves_for_cap(r, 0.5)
    assert finance.solves_for_cap(r.problem_cost_per_customer, [], 0.5) is None
    assert finance.solves_for_cap(0.0, pairs, 0.5) is None


def test_code_names_match_the_json_names() -> None:
    r = run()
    record = r.to_dict()
    assert record["customers_paying"] == list(r.customers_paying)
    assert [a["max_price"] for a in record["alternatives"]] == [a.max_price for a in r.alternatives]
    sizing = engine.point(load_text(BASE.format(build="$3m", alt_cost="$60k", price=""))[0])
    assert sizing.customers_paying == r.customers_paying
    # per year; the landscape of this file never moves, so every year's is the same
    assert sizing.alternative_max_prices == tuple((a.max_price,) * 5 for a in r.alternatives)


def test_npv_of_exactly_zero_is_a_thin_margin_not_a_loss() -> None:
    # one customer, one year at 0%: NPV = $1m of value - $1m of build = 0 exactly, and
    # ROI = 0 / $1m = 0%, below the 20% thin margin (SPEC §3: thin-margin when NPV >= 0)
    text = (
        "name: Break even\nhorizon_years: 1\ndiscount_rate: 0%\n"
        "market: {customers: 1, problem_cost: $1m}\n"
        "solution: {build_cost: $1m, adoption: 100%}\n"
    )
    r = evaluate(load_text(text)[0])
    assert (r.npv, r.roi) == (0, 0)
    assert [f.code for f in r.flags] == ["thin-margin"]
    assert r.verdict == "reconsider"
