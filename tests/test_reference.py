"""The product against an independent reference (tests/oracle.py) and hand calculations.

Every problem file in tests/cases is read here with a parser of our own, evaluated by
the oracle, and compared field by field with `pmsize evaluate --format json`. A few key
cases are also pinned to the hand-calculated figures written in their comments, so a
wrong oracle cannot hide a wrong product.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "cases"
EXAMPLES_DIR = HERE.parent / "examples"
CASES = sorted(CASES_DIR.glob("*.yaml"))
EXAMPLE_NAMES = ("claims-processing", "dock-scheduling", "supplier-onboarding")
EXAMPLES = [EXAMPLES_DIR / f"{name}.yaml" for name in EXAMPLE_NAMES]


def _load_oracle() -> Any:
    spec = importlib.util.spec_from_file_location("pmsize_reference_oracle", HERE / "oracle.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


oracle = _load_oracle()

# --------------------------------------------------------------------------------------
# A tiny parser of our own for the SPEC section 2 value syntax. Ranges become their
# central value (the median), which is what every point calculation uses.
# --------------------------------------------------------------------------------------

_SCALES = {
    "": 1.0,
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "t": 1e12,
}
_AMOUNT = re.compile(
    r"^\s*[$€£¥]?\s*(?P<num>\d[\d,_]*(?:\.\d+)?(?:e[+-]?\d+)?)\s*(?P<scale>[a-z]*)\s*$",
    re.IGNORECASE,
)


def _central(value: Any, parse_point: Any) -> float | None:
    """The central value (median) of a range, or None when `value` is not a range."""
    if isinstance(value, dict):
        low, high = parse_point(value["low"]), parse_point(value["high"])
        dist = value.get("dist", "lognormal")
    elif isinstance(value, str) and " to " in value:
        low_text, high_text = value.split(" to ")
        low, high, dist = parse_point(low_text), parse_point(high_text), "lognormal"
    else:
        return None
    return float(math.sqrt(low * high)) if dist == "lognormal" else (low + high) / 2


def _amount_point(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError(f"not an amount: {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    match = _AMOUNT.match(str(value))
    if match is None or match["scale"].lower() not in _SCALES:
        raise ValueError(f"not an amount: {value!r}")
    number = float(match["num"].replace(",", "").replace("_", ""))
    return number * _SCALES[match["scale"].lower()]


def _percent_point(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError(f"not a percent: {value!r}")
    if isinstance(value, str) and value.strip().endswith("%"):
        return float(value.strip()[:-1]) / 100
    number = float(value)
    if not 0 <= number <= 1:
        raise ValueError(f"not a percent: {value!r}")
    return number


def parse_amount(value: Any) -> float:
    """`$5m`, `250k`, `1,200,000`, `1.2bn`, `3 million`, a YAML number, or a range's median."""
    central = _central(value, _amount_point)
    return _amount_point(value) if central is None else central


def parse_percent(value: Any) -> float:
    """`10%` as 0.1, a bare fraction in [0, 1], or a range's median."""
    central = _central(value, _percent_point)
    return _percent_point(value) if central is None else central


def _convert_alternative(alt: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": alt["name"]}
    for key in ("annual_cost", "one_time_cost"):
        if key in alt:
            out[key] = parse_amount(alt[key])
    if "solves" in alt:
        out["solves"] = parse_percent(alt["solves"])
    return out


def to_oracle_input(doc: dict[str, Any]) -> dict[str, Any]:
    """Turn a loaded problem file into the oracle's dict of floats."""
    market_in = doc["market"]
    market: dict[str, Any] = {"customers": parse_amount(market_in["customers"])}
    if "problem_cost" in market_in:
        market["problem_cost"] = parse_amount(market_in["problem_cost"])
    else:
        market["revenue"] = parse_amount(market_in["revenue"])
        market["problem_share"] = parse_percent(market_in["problem_share"])

    solution_in = doc.get("solution") or {}
    solution: dict[str, Any] = {}
    for key in ("build_cost", "annual_cost", "cost_per_customer", "price"):
        if key in solution_in:
            solution[key] = parse_amount(solution_in[key])
    if "solves" in solution_in:
        solution["solves"] = parse_percent(solution_in["solves"])
    if "adoption" in solution_in:
        adoption = solution_in["adoption"]
        solution["adoption"] = (
            [parse_percent(s) for s in adoption]
            if isinstance(adoption, list)
            else parse_percent(adoption)
        )

    problem: dict[str, Any] = {
        "name": doc["name"],
        "market": market,
        "solution": solution,
        "alternatives": [_convert_alternative(a) for a in doc.get("alternatives") or []],
    }
    if "horizon_years" in doc:
        problem["horizon_years"] = int(doc["horizon_years"])
    if "discount_rate" in doc:
        problem["discount_rate"] = parse_percent(doc["discount_rate"])
    return problem


def thresholds(doc: dict[str, Any]) -> dict[str, float]:
    """The file's own policy thresholds, if it sets any (no CLI flags are passed here)."""
    policy = doc.get("policy") or {}
    keys = ("cap_threshold", "thin_margin")
    return {key: parse_percent(policy[key]) for key in keys if key in policy}


def reference(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return oracle.evaluate(to_oracle_input(doc), **thresholds(doc))


def run_evaluate(path: Path) -> Any:
    """`pmsize evaluate PATH --format json`, in-process (imported late, so the oracle tests
    run even before the package exists)."""
    from typer.testing import CliRunner

    from pmsize.cli import app

    return CliRunner().invoke(app, ["evaluate", str(path), "--format", "json"])


def product(path: Path) -> dict[str, Any]:
    result = run_evaluate(path)
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    document = json.loads(result.stdout)
    assert len(document["results"]) == 1
    found: dict[str, Any] = document["results"][0]
    found["flag_codes"] = [flag["code"] for flag in found["flags"]]
    return found


def evaluated(source: str, path: Path) -> dict[str, Any]:
    return reference(path) if source == "oracle" else product(path)


def case(name: str) -> Path:
    path = CASES_DIR / f"{name}.yaml"
    assert path.is_file(), path
    return path


def close(value: float) -> Any:
    return pytest.approx(value, rel=1e-9, abs=1e-6)


NUMERIC_FIELDS = (
    "problem_cost_per_customer",
    "customers",
    "market_size",
    "value_per_customer",
    "ceiling_per_customer",
    "cap_ratio",
    "price_per_customer",
    "npv",
    "roi",
    "irr",
    "payback_years",
    "pv_revenue",
    "pv_costs",
    "naive_npv",
    "naive_roi",
)

SOURCES = ["oracle", "product"]

# --------------------------------------------------------------------------------------
# The product agrees with the reference on every case file.
# --------------------------------------------------------------------------------------


def test_there_are_enough_reference_cases() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("path", CASES + EXAMPLES, ids=[p.stem for p in CASES + EXAMPLES])
def test_product_matches_reference_on_every_figure(path: Path) -> None:
    expected = reference(path)
    actual = product(path)
    mismatches = []
    for field in NUMERIC_FIELDS:
        want, got = expected[field], actual.get(field, "<missing>")
        if want is None:
            if got is not None:
                mismatches.append(f"{field}: expected null, got {got!r}")
        elif got is None or isinstance(got, (str, bool)) or got != close(want):
            mismatches.append(f"{field}: expected {want!r}, got {got!r}")
    flows = actual.get("cash_flows")
    if flows != [close(want) for want in expected["cash_flows"]]:
        mismatches.append(f"cash_flows: expected {expected['cash_flows']}, got {flows}")
    if actual.get("ceiling_set_by") != expected["ceiling_set_by"]:
        mismatches.append(
            f"ceiling_set_by: expected {expected['ceiling_set_by']!r}, "
            f"got {actual.get('ceiling_set_by')!r}"
        )
    if set(actual["flag_codes"]) != set(expected["flag_codes"]):
        mismatches.append(f"flags: expected {expected['flag_codes']}, got {actual['flag_codes']}")
    if actual.get("verdict") != expected["verdict"]:
        verdict = actual.get("verdict")
        mismatches.append(f"verdict: expected {expected['verdict']!r}, got {verdict!r}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_json_numbers_are_plain_finite_numbers_or_null(path: Path) -> None:
    actual = product(path)
    for field in NUMERIC_FIELDS:
        value = actual[field]
        if value is not None:
            assert type(value) in (int, float), (field, value)
            assert math.isfinite(value), (field, value)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_evaluate_exits_zero_without_fail_on_whatever_the_verdict(path: Path) -> None:
    result = run_evaluate(path)
    assert result.exit_code == 0, result.stderr


def test_every_flag_carries_a_severity_that_matches_its_code() -> None:
    severities = dict.fromkeys(oracle.ERROR_CODES, "error")
    severities.update(dict.fromkeys(oracle.WARNING_CODES, "warning"))
    for path in CASES:
        for flag in json.loads(run_evaluate(path).stdout)["results"][0]["flags"]:
            assert flag["severity"] == severities[flag["code"]], (path.name, flag)
            assert flag["message"], (path.name, flag)


# --------------------------------------------------------------------------------------
# The worked examples shipped with the project come out as their comments promise.
# --------------------------------------------------------------------------------------

EXAMPLE_VERDICTS = {
    "claims-processing": ("avoid", {"no-sustainable-price", "negative-npv"}),
    "supplier-onboarding": ("pursue", set()),
    "dock-scheduling": ("reconsider", {"capped-by-alternative"}),
}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("name", sorted(EXAMPLE_VERDICTS))
def test_examples_reach_their_intended_verdict(name: str, source: str) -> None:
    path = EXAMPLES_DIR / f"{name}.yaml"
    verdict, codes = EXAMPLE_VERDICTS[name]
    result = evaluated(source, path)
    assert result["verdict"] == verdict
    assert set(result["flag_codes"]) == codes


def test_dock_scheduling_example_is_capped_but_still_profitable() -> None:
    result = reference(EXAMPLES_DIR / "dock-scheduling.yaml")
    assert result["npv"] > 0
    assert result["ceiling_set_by"] is not None


# --------------------------------------------------------------------------------------
# Hand calculations (see each case file's header comment), pinned as literals.
# Checked against both the oracle and the product.
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES)
def test_problem_without_alternatives_can_charge_its_full_value(source: str) -> None:
    r = evaluated(source, case("01-no-alternatives"))
    assert r["problem_cost_per_customer"] == close(200_000)
    assert r["market_size"] == close(100_000_000)
    assert r["value_per_customer"] == close(100_000)
    assert r["ceiling_per_customer"] == close(100_000)
    assert r["ceiling_set_by"] is None
    assert r["cap_ratio"] == close(1.0)
    assert r["price_per_customer"] == close(100_000)
    assert r["cash_flows"] == [close(v) for v in (-2e6, 0.8e6, 2.6e6, 4.4e6)]
    assert r["npv"] == pytest.approx(4_181_818.18, rel=1e-6)
    assert r["pv_costs"] == pytest.approx(5_450_037.6, rel=1e-6)
    assert r["irr"] == pytest.approx(0.8006, abs=1e-4)
    assert r["payback_years"] == pytest.approx(1 + 1.272727 / 2.148760, rel=1e-6)
    assert r["flag_codes"] == []
    assert r["verdict"] == "pursue"


@pytest.mark.parametrize("source", SOURCES)
def test_alternative_that_solves_more_for_less_leaves_no_price(source: str) -> None:
    r = evaluated(source, case("02-alternative-solves-more-for-less"))
    assert r["value_per_customer"] == close(1_600_000)
    assert r["ceiling_per_customer"] == close(0)
    assert r["price_per_customer"] == close(0)
    assert r["cap_ratio"] == close(0)
    assert r["ceiling_set_by"] == "Open-source workflow stack"
    assert r["cash_flows"] == [close(v) for v in (-3e6, -1.04e6, -1.4e6, -1.76e6, -1.76e6, -1.76e6)]
    assert r["npv"] == pytest.approx(-8_719_718.6, rel=1e-6)
    assert r["pv_revenue"] == close(0)
    assert r["roi"] == close(-1.0)
    assert r["naive_npv"] == pytest.approx(98_763_848.7, rel=1e-6)
    assert r["irr"] is None
    assert r["payback_years"] is None
    assert set(r["flag_codes"]) == {"no-sustainable-price", "negative-npv"}
    assert r["verdict"] == "avoid"


@pytest.mark.parametrize("source", SOURCES)
def test_alternative_that_solves_more_but_costs_more_caps_the_price_partly(source: str) -> None:
    r = evaluated(source, case("03-alternative-solves-more-costs-more"))
    assert r["ceiling_per_customer"] == close(350_000)
    assert r["ceiling_set_by"] == "ServiceSuite Enterprise"
    assert r["cap_ratio"] == close(350 / 600)
    assert r["cash_flows"] == [close(v) for v in (-4e6, 0.9e6, 3.3e6, 5.7e6, 8.1e6)]
    assert r["npv"] == pytest.approx(9_360_357.9, rel=1e-6)
    assert r["payback_years"] == pytest.approx(2 + 0.454545 / 4.282494, rel=1e-6)
    assert r["flag_codes"] == []
    assert r["verdict"] == "pursue"


@pytest.mark.parametrize("source", SOURCES)
def test_zero_discount_rate_spreads_one_time_costs_evenly_over_the_horizon(source: str) -> None:
    r = evaluated(source, case("04-one-time-cost-zero-discount"))
    # CRF = 1/4: $600k setup + $60k a year = $210k a year; C = 210k + 300k - 320k
    assert r["ceiling_per_customer"] == close(190_000)
    assert r["ceiling_set_by"] == "In-house LIMS extension"
    assert r["cash_flows"] == [close(v) for v in (-1.5e6, 1.0e6, 2.6e6, 4.2e6, 5.8e6)]
    assert r["npv"] == close(12_100_000)
    assert r["pv_costs"] == close(6_900_000)
    assert r["pv_revenue"] == close(19_000_000)
    assert r["naive_npv"] == close(23_100_000)
    assert r["payback_years"] == close(1 + 0.5 / 2.6)
    assert r["verdict"] == "pursue"


@pytest.mark.parametrize("source", SOURCES)
def test_price_above_the_ceiling_is_cut_to_the_ceiling_and_flagged(source: str) -> None:
    r = evaluated(source, case("05-price-above-ceiling"))
    assert r["ceiling_per_customer"] == close(300_000)
    assert r["price_per_customer"] == close(300_000)
    assert r["cash_flows"] == [close(-2.5e6)] + [close(1.92e6)] * 5
    assert r["npv"] == pytest.approx(4_421_170.3, rel=1e-6)
    assert r["naive_npv"] == pytest.approx(8_746_901.8, rel=1e-6)
    assert r["payback_years"] == pytest.approx(1 + 0.785714 / 1.530612, rel=1e-6)
    assert r["flag_codes"] == ["overpriced"]
    assert r["verdict"] == "reconsider"


@pytest.mark.parametrize("source", SOURCES)
def test_short_adoption_list_repeats_its_last_value_to_the_horizon(source: str) -> None:
    r = evaluated(source, case("06-adoption-shorter-than-horizon"))
    # payers 20, 60, then 100 for years 3..6, each worth 80k - 8k; fixed cost 900k
    assert r["cash_flows"] == [close(v) for v in (-1.2e6, 0.54e6, 3.42e6) + (6.3e6,) * 4]
    assert r["npv"] == pytest.approx(20_121_672.7, rel=1e-6)
    assert r["payback_years"] == pytest.approx(1 + 0.7 / 2.932099, rel=1e-6)


@pytest.mark.parametrize("source", SOURCES)
def test_irr_is_null_when_cash_flows_change_sign_twice(source: str) -> None:
    r = evaluated(source, case("07-several-sign-changes"))
    assert r["cash_flows"] == [close(v) for v in (-1e6, 5e6, 1.5e6, -2e6, -2e6, -2e6, -2e6)]
    assert r["irr"] is None
    assert r["npv"] == pytest.approx(-454_323.05, rel=1e-6)
    # payback is the FIRST year the cumulative discounted flow reaches zero
    assert r["payback_years"] == close(0.22)
    assert r["flag_codes"] == ["negative-npv"]
    assert r["verdict"] == "avoid"


@pytest.mark.parametrize("source", SOURCES)
def test_payback_is_interpolated_inside_the_crossing_year(source: str) -> None:
    r = evaluated(source, case("08-payback-inside-a-year"))
    assert r["cash_flows"] == [close(v) for v in (-5e6, 0.12e6, 1.74e6, 4.98e6, 8.22e6, 11.46e6)]
    assert r["payback_years"] == pytest.approx(2 + 3.452893 / 3.741548, rel=1e-6)
    assert r["npv"] == pytest.approx(13_018_784.1, rel=1e-6)


@pytest.mark.parametrize("source", SOURCES)
def test_payback_is_null_when_never_reached_and_irr_can_be_negative(source: str) -> None:
    r = evaluated(source, case("09-payback-never-reached"))
    assert r["customers"] == close(1500)
    assert r["cash_flows"] == [close(v) for v in (-6e6, -1.28e6, -0.56e6, 0.16e6, 0.88e6, 1.6e6)]
    assert r["payback_years"] is None
    assert r["npv"] == pytest.approx(-5_911_709.96, rel=1e-6)
    assert r["irr"] == pytest.approx(-0.2267, abs=1e-4)
    assert r["naive_npv"] == pytest.approx(-3_035_511.1, rel=1e-6)
    assert r["verdict"] == "avoid"


@pytest.mark.parametrize("source", SOURCES)
def test_problem_cost_can_be_given_as_revenue_times_share(source: str) -> None:
    r = evaluated(source, case("10-revenue-times-share"))
    assert r["problem_cost_per_customer"] == close(1_000_000)
    assert r["market_size"] == close(600_000_000)
    assert r["price_per_customer"] == close(360_000)  # the given price, below the ceiling
    assert r["ceiling_per_customer"] == close(450_000)
    assert r["npv"] == pytest.approx(13_741_460.8, rel=1e-6)
    assert r["naive_npv"] == close(r["npv"])
    assert r["flag_codes"] == []


@pytest.mark.parametrize("source", SOURCES)
def test_positive_npv_with_low_roi_is_a_thin_margin(source: str) -> None:
    r = evaluated(source, case("11-thin-margin"))
    assert r["ceiling_per_customer"] == pytest.approx(69_189.87, rel=1e-6)
    assert r["npv"] == pytest.approx(925_251.3, rel=1e-6)
    assert r["pv_costs"] == pytest.approx(12_956_544.2, rel=1e-6)
    assert r["roi"] == pytest.approx(0.07141, abs=1e-5)
    assert r["payback_years"] == pytest.approx(4 + 1_170_476.09 / 2_095_727.39, rel=1e-6)
    assert r["flag_codes"] == ["thin-margin"]
    assert r["verdict"] == "reconsider"


@pytest.mark.parametrize("source", SOURCES)
def test_first_listed_alternative_wins_a_tie_for_the_ceiling(source: str) -> None:
    r = evaluated(source, case("12-tie-first-listed-sets-ceiling"))
    assert r["ceiling_per_customer"] == close(350_000)
    assert r["ceiling_set_by"] == "Rebate suite from an ERP vendor"
    assert r["cap_ratio"] == close(0.35)
    assert r["npv"] == pytest.approx(11_537_450.9, rel=1e-6)
    assert r["payback_years"] == close(1.75625)
    assert r["flag_codes"] == ["capped-by-alternative"]
    assert r["verdict"] == "reconsider"


@pytest.mark.parametrize("source", SOURCES)
def test_policy_in_the_file_replaces_the_default_thresholds(source: str) -> None:
    r = evaluated(source, case("13-policy-in-file"))
    assert r["cap_ratio"] == close(30 / 54)
    assert r["roi"] == pytest.approx(0.10634, abs=1e-5)
    assert r["npv"] == pytest.approx(755_012.39, rel=1e-6)
    assert r["flag_codes"] == ["capped-by-alternative"]
    assert r["verdict"] == "reconsider"


def test_policy_case_would_be_thin_margin_only_under_default_thresholds() -> None:
    doc = yaml.safe_load(case("13-policy-in-file").read_text(encoding="utf-8"))
    r = oracle.evaluate(to_oracle_input(doc))
    assert r["flag_codes"] == ["thin-margin"]


@pytest.mark.parametrize("source", SOURCES)
def test_alternative_exactly_worth_its_cost_does_not_set_the_ceiling(source: str) -> None:
    r = evaluated(source, case("14-alternative-worth-exactly-its-cost"))
    assert r["ceiling_per_customer"] == close(400_000)
    assert r["ceiling_set_by"] is None
    assert r["cap_ratio"] == close(1.0)
    assert r["npv"] == pytest.approx(7_649_286.25, rel=1e-6)


@pytest.mark.parametrize("source", SOURCES)
def test_omitted_keys_take_defaults_and_zero_build_cost_pays_back_at_once(source: str) -> None:
    r = evaluated(source, case("15-defaults-and-no-build-cost"))
    assert r["value_per_customer"] == close(50_000)
    assert r["ceiling_per_customer"] == close(35_000)
    assert r["cash_flows"] == [close(0)] + [close(2.5e6)] * 5
    assert r["npv"] == pytest.approx(9_476_966.9, rel=1e-6)
    assert r["roi"] == close(2.5)
    assert r["naive_roi"] == close(4.0)
    assert r["irr"] is None
    assert r["payback_years"] == close(0)
    assert r["verdict"] == "pursue"


# --------------------------------------------------------------------------------------
# The oracle's own building blocks, against figures anyone can check by hand.
# --------------------------------------------------------------------------------------


def test_capital_recovery_factor_matches_the_annuity_formula() -> None:
    assert oracle.capital_recovery_factor(0.1, 5) == pytest.approx(0.263797, abs=1e-6)
    assert oracle.capital_recovery_factor(0.0, 4) == 0.25


def test_sign_changes_ignore_zeros() -> None:
    assert oracle.count_sign_changes([-1.0, 0.0, 2.0, 0.0, 3.0]) == 1
    assert oracle.count_sign_changes([0.0, 1.0, 1.0]) == 0
    assert oracle.count_sign_changes([-1.0, 2.0, -1.0]) == 2


def test_value_parser_reads_the_spec_syntax() -> None:
    assert parse_amount("$5m") == 5e6
    assert parse_amount("250k") == 250e3
    assert parse_amount("5,000,000") == 5e6
    assert parse_amount("1.2bn") == pytest.approx(1.2e9)
    assert parse_amount("3 million") == 3e6
    assert parse_amount(1500) == 1500.0
    assert parse_amount("400 to 900") == pytest.approx(600.0)
    assert parse_amount({"low": 10, "high": 30, "dist": "uniform"}) == 20.0
    assert parse_percent("10%") == pytest.approx(0.1)
    assert parse_percent(0.25) == 0.25
