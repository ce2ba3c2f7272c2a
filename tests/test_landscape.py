"""The landscape over time (SPEC §7): a market that grows, alternatives that arrive,
cheapen and improve, and a ceiling computed year by year.

The hand-computed cases use a 0% discount rate where they can (CRF = 1/H, NPV a plain
sum), so every figure in a comment can be checked on paper; one case checks a positive
rate against numpy-financial.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import ValidationError
from typer.testing import CliRunner

from pmsize import _engine as engine
from pmsize import _service as service
from pmsize._loader import load_text
from pmsize._models import Problem
from pmsize._results import Evaluation, FlagCode, Verdict
from pmsize._sampling import ARRAY
from pmsize._values import central
from pmsize.cli import app
from strategies import examples, problems, to_yaml

SETTINGS = settings(
    max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}


def evaluate_text(text: str) -> Evaluation:
    [problem] = load_text(text)
    return service.evaluate(problem)


def evaluate(data: dict[str, Any]) -> Evaluation:
    return evaluate_text(to_yaml(data))


def ceilings(r: Evaluation) -> list[float]:
    return [y.ceiling_per_customer for y in r.years]


FOLLOWER = """
name: Follower
horizon_years: 4
discount_rate: {rate}
market: {{customers: 100, problem_cost: 100k}}
solution: {{name: Ours, build_cost: 1m, adoption: 10%}}
alternatives:
  - name: Spreadsheets
    annual_cost: 90k
    solves: 50%
  - name: Fast follower
    from_year: 3
    annual_cost: 30k
    solves: 90%
"""


def test_a_follower_arriving_in_year_3_caps_the_price_from_then_on() -> None:
    r = evaluate_text(FOLLOWER.format(rate="0%"))
    # V = 100k. Spreadsheets: C = 90k + (100k - 50k) = 140k > V, so years 1-2 are uncapped.
    # Fast follower from year 3: C = 30k + (100k - 90k) = 40k.
    assert ceilings(r) == [100_000, 100_000, 40_000, 40_000]
    assert [y.ceiling_set_by for y in r.years] == [None, None, "Fast follower", "Fast follower"]
    assert (r.ceiling_per_customer, r.ceiling_set_by, r.ceiling_year) == (
        40_000,
        "Fast follower",
        3,
    )
    assert r.price_per_customer == 40_000
    # w_t = 100 x 10% = 10; CF = -1m, 10 x 100k, 10 x 100k, 10 x 40k, 10 x 40k
    assert r.cash_flows == (-1_000_000, 1_000_000, 1_000_000, 400_000, 400_000)
    assert r.npv == 1_800_000  # r = 0: the plain sum
    assert r.naive_npv == 3_000_000  # 100k in every year: -1m + 4 x 1m
    # cap = 40k / 100k = 40% < 50%: capped, and the message says from when
    [flag] = r.flags
    assert flag.code == FlagCode.CAPPED_BY_ALTERNATIVE
    assert flag.message == (
        "From year 3, Fast follower caps the price at $40.0k a year, 40% of the $100k Ours "
        "is worth (below 50%)."
    )
    assert r.verdict == Verdict.RECONSIDER


def test_a_positive_rate_matches_numpy_financial_year_by_year() -> None:
    r = evaluate_text(FOLLOWER.format(rate="10%"))
    # CRF(10%, 4) does not enter: neither alternative has a one-time cost
    flows = [-1_000_000, 1_000_000, 1_000_000, 400_000, 400_000]
    assert r.cash_flows == pytest.approx(flows)
    assert r.npv == pytest.approx(npf.npv(0.10, flows))
    assert r.irr == pytest.approx(npf.irr(flows))
    assert [y.cash_flow for y in r.years] == list(r.cash_flows[1:])
    assert [y.revenue - y.costs for y in r.years] == pytest.approx(flows[1:])


def test_a_stack_that_matures_to_a_price_of_zero_is_avoided_though_early_years_pay() -> None:
    r = evaluate_text(
        """
name: Maturing stack
horizon_years: 5
discount_rate: 0%
market: {customers: 100, problem_cost: 100k}
solution: {name: Ours, build_cost: 200k, adoption: 10%}
alternatives:
  - name: Open-source stack
    kind: open-source
    solves: [50%, 70%, 90%, 100%]
"""
    )
    # free, so C_t = 0 + (100k - R_t): 50k, 30k, 10k, 0 and 0 (the last share repeats)
    assert ceilings(r) == [50_000, 30_000, 10_000, 0, 0]
    # 10 paying customers: -200k + 500k + 300k + 100k + 0 + 0 = 700k, made in years 1-3
    assert r.cash_flows == (-200_000, 500_000, 300_000, 100_000, 0, 0)
    assert r.npv == 700_000
    assert (r.ceiling_per_customer, r.ceiling_year) == (0, 4)
    assert [f.code for f in r.flags] == [FlagCode.NO_SUSTAINABLE_PRICE]
    assert r.flags[0].message == (
        "From year 4, Open-source stack removes 100% of the problem for $0 a year, so no "
        "customer should pay for Ours."
    )
    assert r.verdict == Verdict.AVOID  # the displacement the seed warns about


def test_a_shrinking_market_loses_paying_customers_each_year() -> None:
    r = evaluate_text(
        """
name: Shrinking
horizon_years: 3
discount_rate: 0%
market: {customers: 1000, problem_cost: 1k, growth: -10%}
solution: {adoption: 10%}
"""
    )
    # N_t = 1000, 1000 x 0.9 = 900, 1000 x 0.81 = 810; w_t = 10% of each
    assert [y.customers for y in r.years] == pytest.approx([1000, 900, 810])
    assert [y.paying_customers for y in r.years] == pytest.approx([100, 90, 81])
    assert r.npv == pytest.approx(100_000 + 90_000 + 81_000)  # at 1k each, nothing spent
    # customers and market size stay year 1's
    assert (r.customers, r.market_size) == (1000, 1_000_000)
    assert r.growth == -0.1


def test_a_vendor_raising_prices_lifts_the_ceiling_after_year_1() -> None:
    r = evaluate_text(
        """
name: Vendor raises prices
horizon_years: 3
discount_rate: 0%
market: {customers: 100, problem_cost: 100k}
solution: {adoption: 10%}
alternatives:
  - {name: Vendor, kind: vendor, annual_cost: [20k, 30k, 40k]}
"""
    )
    # C_t = annual_t + (100k - 100k): 20k, 30k, 40k; the headline is year 1's 20k
    assert ceilings(r) == [20_000, 30_000, 40_000]
    assert (r.ceiling_per_customer, r.ceiling_year, r.ceiling_set_by) == (20_000, 1, "Vendor")
    # the price follows each year's ceiling: 10 x (20k + 30k + 40k)
    assert [y.price_per_customer for y in r.years] == [20_000, 30_000, 40_000]
    assert r.npv == 900_000
    # the message needs no year: the ceiling is reached in year 1
    assert r.flags[0].message.startswith("Vendor caps the price at $20.0k a year")


def test_a_price_set_below_the_later_ceiling_holds_until_the_ceiling_falls_under_it() -> None:
    r = evaluate_text(
        FOLLOWER.format(rate="0%").replace("adoption: 10%", "adoption: 10%, price: 60k")
    )
    # p_t = min(60k, C_t) = 60k, 60k, 40k, 40k; overpriced against the headline 40k
    assert [y.price_per_customer for y in r.years] == [60_000, 60_000, 40_000, 40_000]
    assert r.price_per_customer == 40_000
    overpriced = next(f for f in r.flags if f.code == FlagCode.OVERPRICED)
    assert overpriced.message == (
        "From year 3, the price $60.0k is above the ceiling $40.0k: customers would rather use "
        "Fast follower; NPV assumes $40.0k from then on."
    )


def test_the_json_gains_a_record_a_year() -> None:
    result = CliRunner().invoke(
        app, ["evaluate", "examples/invoice-matching.yaml", "--format", "json"], env=ENV
    )
    [record] = json.loads(result.stdout)["results"]
    years = record["years"]
    assert [y["year"] for y in years] == [1, 2, 3, 4, 5, 6]
    assert set(years[0]) == {
        "year",
        "customers",
        "paying_customers",
        "ceiling_per_customer",
        "ceiling_set_by",
        "price_per_customer",
        "revenue",
        "costs",
        "cash_flow",
    }
    assert [y["ceiling_set_by"] for y in years] == [
        None,
        "Open-source OCR stack",
        *["Fast follower"] * 4,
    ]
    assert [y["cash_flow"] for y in years] == record["cash_flows"][1:]
    assert record["ceiling_per_customer"] == min(y["ceiling_per_customer"] for y in years)
    assert record["ceiling_year"] == 3


def test_explain_tells_when_and_why_the_ceiling_falls() -> None:
    result = CliRunner().invoke(app, ["explain", "examples/invoice-matching.yaml"], env=ENV)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "5. The ceiling over time." in text
    assert (
        "Year 2: Open-source OCR stack gets cheaper ($54.7k a year) and removes more (40% of "
        "the problem), so it now sets the ceiling; the ceiling falls from $153k to $136k."
    ) in text
    assert (
        "Year 3: Fast follower arrives and allows at most $72.0k; the ceiling falls from $136k "
        "to $72.0k."
    ) in text
    assert "Year Paying Ceiling Revenue Costs Net Discounted Cumulative" in text
    assert "The market grows by 8% a year: 1,763 customers in year 6." in text


def test_ranked_tables_mark_a_ceiling_reached_later() -> None:
    result = CliRunner().invoke(app, ["evaluate", "examples/", "--format", "markdown"], env=ENV)
    assert "| $72.0k from year 3 | Fast follower |" in result.stdout
    assert "| $222k | WMS vendor's yard-and-dock module |" in result.stdout  # year 1: no mark


def test_sensitivity_names_list_items_by_name_and_calendar_year() -> None:
    text = """
name: Ranged items
discount_rate: 0%
market: {customers: 100, problem_cost: 100k, growth: 2% to 10%}
solution: {adoption: [1%, 5% to 15%]}
alternatives:
  - name: Stack
    solves: [50%, 60% to 80%]
  - name: Late
    from_year: 3
    annual_cost: [$10k to $30k, $5k]
"""
    [problem] = load_text(text)
    paths = [path for path, _ in engine.ranged_inputs(problem)]
    # SPEC §13: the item of year 3 of the horizon, whatever the alternative's from_year
    assert paths == [
        "solution.adoption[year 2]",
        "market.growth",
        "alternatives[Stack].solves[year 2]",
        "alternatives[Late].annual_cost[year 3]",
    ]


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


@SETTINGS
@given(problems(ranged=False, landscape=True))
def test_another_alternative_never_raises_any_years_ceiling(data: dict[str, Any]) -> None:
    before = evaluate(data)
    more = copy.deepcopy(data)
    more["alternatives"] = [*data["alternatives"], {"name": "One more", "solves": 0.5}]
    after = evaluate(more)
    for old, new in zip(ceilings(before), ceilings(after), strict=True):
        assert new <= old + 1e-9 * max(1.0, old)


@SETTINGS
@given(problems(ranged=False, landscape=True))
def test_an_alternative_arriving_later_never_lowers_npv(data: dict[str, Any]) -> None:
    horizon = data["horizon_years"]
    for alternative in data["alternatives"]:
        early, late = copy.deepcopy(data), copy.deepcopy(data)
        index = data["alternatives"].index(alternative)
        year = alternative.get("from_year", 1)
        early["alternatives"][index]["from_year"] = year
        late["alternatives"][index]["from_year"] = min(year + 1, horizon)
        if year < horizon:  # the same figures in each year it is there: item 1 is its arrival
            for key in ("annual_cost", "one_time_cost", "solves"):
                given = alternative.get(key)
                if isinstance(given, list) and len(given) > 1:
                    late["alternatives"][index][key] = given[1:]
        assert evaluate(late).npv >= evaluate(early).npv - 1e-6 * max(1.0, abs(evaluate(early).npv))


@SETTINGS
@given(problems(ranged=True, landscape=True))
def test_the_point_evaluation_is_the_sampled_engine_at_central_values(
    data: dict[str, Any],
) -> None:
    [problem] = load_text(to_yaml(data))
    point = engine.point(problem)
    columns = engine.size(
        engine.Inputs.take(problem, lambda item: np.full(3, central(item.value))),
        engine.DEFAULT_THRESHOLDS,
        ARRAY,
    )

    def same(x: Any, y: float) -> None:
        expected = np.full(3, y, dtype=float)
        assert np.allclose(np.broadcast_to(x, 3), expected, rtol=1e-12, atol=1e-9, equal_nan=True)

    for t in range(problem.horizon_years):
        same(columns.ceilings[t], point.ceilings[t])
        same(columns.set_by_years[t], point.set_by_years[t])
        same(columns.prices[t], point.prices[t])
        same(columns.customers[t], point.customers[t])
        same(columns.cash_flows[t + 1], point.cash_flows[t + 1])
    same(columns.ceiling, point.ceiling)
    same(columns.ceiling_year, point.ceiling_year)
    same(columns.set_by, point.set_by)
    same(columns.npv, point.npv)
    same(columns.verdict, point.verdict)


@SETTINGS
@given(problems(landscape=False))
def test_the_new_keys_at_their_defaults_change_nothing(data: dict[str, Any]) -> None:
    spelled = copy.deepcopy(data)
    spelled["market"]["growth"] = "0%"
    for alternative in spelled["alternatives"]:
        alternative["from_year"] = 1
        if "solves" in alternative:
            alternative["solves"] = [alternative["solves"]]
    assert evaluate(spelled).to_dict() == evaluate(data).to_dict()


def test_a_constant_landscape_computes_the_ceiling_once() -> None:
    # years that share their inputs share one computation: the same object every year
    [problem] = load_text(FOLLOWER.format(rate="0%").replace("from_year: 3", "from_year: 1"))
    s = engine.point(problem)
    assert all(c is s.ceilings[0] for c in s.ceilings)
    assert s.ceiling_year == 1
    assert math.isclose(s.ceiling, 40_000)


GROWING = """
name: Growth ranged
horizon_years: 6
market: {customers: 500, problem_cost: 100k, growth: {low: -10%, high: 20%, dist: normal}}
solution: {name: Ours, build_cost: 3m, annual_cost: 600k, adoption: [2%, 4%, 6%]}
alternatives:
  - name: Stack
    annual_cost: [40k, 30k]
    solves: [30%, 40% to 70%]
"""


def test_sensitivity_covers_growth_and_list_items_with_a_negative_break_even() -> None:
    import pmsize

    [problem] = load_text(GROWING)
    found = pmsize.sensitivity(problem, samples=4_000, seed=3).sensitivity
    assert [bar.input for bar in found.tornado] == [
        "market.growth",
        "alternatives[Stack].solves[year 2]",
    ]
    growth = next(b for b in found.break_even if b.input == "market.growth")
    # NPV falls to zero at a shrinking market: found below 0, the search running over 1 + g
    assert growth.value is not None
    assert -0.5 < growth.value < 0
    assert pmsize.evaluate(problem).npv > 0
    market = problem.market.model_copy(update={"growth": growth.value})
    at_root = engine.point(problem.model_copy(update={"market": market})).npv
    assert abs(at_root) < 1e-3 * 3e6


def test_simulate_samples_each_list_item_and_clips_growth_at_minus_100_percent() -> None:
    import pmsize
    from pmsize._sampling import draw, stream
    from pmsize._values import Range

    [problem] = load_text(GROWING)
    run = pmsize.simulate(problem, samples=2_000, seed=1)
    assert 0 < run.simulation.p_npv_positive < 1
    assert math.isfinite(run.simulation.npv.mean)
    # a normal range centred at -20% with sigma 1.4 / 3.29 = 0.43 falls below -100% in about
    # 3% of samples (z < -1.88): those are clipped to -100%, none below, and none above +1,000%
    x = draw(Range(-0.9, 0.5, "normal"), "growth", stream(0, "market.growth"), 10_000)
    assert x.min() == -1.0
    assert 0.01 < (x == -1.0).mean() < 0.05


def test_the_library_judges_from_year_once_the_horizon_is_known() -> None:
    data: dict[str, Any] = {
        "name": "x",
        "horizon_years": 3,
        "market": {"customers": 1, "problem_cost": 1},
        "solution": {"adoption": "1%"},
        "alternatives": [{"name": "Late", "from_year": 4}],
    }
    # model_validate reads the horizon from the data, as a file does: the file's message
    with pytest.raises(ValidationError, match="4 is not a year from 1 to 3"):
        Problem.model_validate(data)
    # built field by field, the horizon is known only once every field is read
    with pytest.raises(ValidationError, match="from_year 4 is after the horizon of 3 years"):
        Problem(**data)
    data["alternatives"] = [{"name": "Long", "solves": ["1%"] * 4}]
    with pytest.raises(ValidationError, match="lists 4 years but horizon_years is 3"):
        Problem.model_validate(data)
    with pytest.raises(ValidationError, match="solves lists 4 years but horizon_years is 3"):
        Problem(**data)


def test_the_starters_commented_landscape_is_valid_once_uncommented() -> None:
    from pmsize import _starter as starter

    text = starter.text()
    assert "# growth: 5%" in text
    assert "#   from_year: 2" in text
    lines = []
    for line in text.splitlines():
        if line.startswith(("  # - name: Open", "  #   ", "  # growth:")):
            line = "  " + line[4:]
        lines.append(line)
    [problem] = load_text("\n".join(lines))
    r = service.evaluate(problem)
    assert r.growth == 0.05
    matcher = r.alternatives[-1]
    assert matcher.from_year == 2
    assert r.ceiling_moves
    # every item is used: item 1 is the year it arrives (SPEC §7). CRF at 10% over 5 years
    # is irrelevant here (no one-time cost): c = annual cost; R = $150k x solves
    assert matcher.effective_annual_costs == (None, 20_000, 12_000, 12_000, 12_000)
    reliefs = [None if x is None else round(x) for x in matcher.reliefs]
    assert reliefs == [None, 45_000, 67_500, 90_000, 90_000]


def test_an_alternatives_lists_count_from_the_year_it_arrives() -> None:
    text = FOLLOWER.format(rate="0%").replace(
        "from_year: 3\n    annual_cost: 30k", "from_year: 2\n    annual_cost: [60k, 40k, 25k]"
    )
    r = evaluate_text(text)
    follower = r.alternatives[1]
    # item 1 ($60k) in year 2, the year it arrives; then $40k, then $25k
    assert follower.effective_annual_costs == (None, 60_000, 40_000, 25_000)
    # V = 100k; C = cost + (100k - 90k): 70k, 50k, 35k from year 2
    assert ceilings(r) == [100_000, 70_000, 50_000, 35_000]
    assert r.npv == -1_000_000 + 10 * (100_000 + 70_000 + 50_000 + 35_000)


def test_a_list_longer_than_the_years_after_arrival_is_a_located_error() -> None:
    from pmsize._errors import InputErrors

    # horizon 4, arriving in year 3: years 3 and 4 are left, so three items are one too many
    text = FOLLOWER.format(rate="0%").replace("annual_cost: 30k", "annual_cost: [30k, 20k, 10k]")
    with pytest.raises(InputErrors) as caught:
        load_text(text)
    [error] = caught.value.errors
    assert error.path == "alternatives[1].annual_cost"
    assert error.message == (
        "lists 3 years but the alternative arrives in year 3 of 4 (horizon_years), which "
        "leaves 2 years; item 1 is the year it arrives, so shorten the list or raise the horizon"
    )
    # two items fit, and both are used
    r = evaluate_text(text.replace("[30k, 20k, 10k]", "[30k, 20k]"))
    assert r.alternatives[1].effective_annual_costs == (None, None, 30_000, 20_000)


def test_the_library_judges_a_list_by_the_years_after_arrival() -> None:
    data = {
        "name": "Late",
        "horizon_years": 3,
        "market": {"customers": 10, "problem_cost": "$100k"},
        "solution": {"adoption": "10%"},
        "alternatives": [{"name": "Late", "from_year": 3, "solves": ["10%", "20%"]}],
    }
    with pytest.raises(
        ValidationError, match="lists 2 years but the alternative arrives in year 3"
    ):
        Problem.model_validate(data)
    with pytest.raises(ValidationError, match="solves lists 2 years but the alternative arrives"):
        Problem(**data)
    data["alternatives"][0]["solves"] = ["10%"]
    assert service.evaluate(Problem.model_validate(data)).alternatives[0].from_year == 3


def test_from_year_is_never_a_range() -> None:
    from pmsize._errors import InputErrors

    text = FOLLOWER.format(rate="0%").replace("from_year: 3", "from_year: 2 to 3")
    with pytest.raises(InputErrors) as caught:
        load_text(text)
    [error] = caught.value.errors
    assert error.path == "alternatives[1].from_year"
    assert error.message.startswith("the year an alternative arrives cannot be a range")
