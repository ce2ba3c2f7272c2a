"""Properties of the sizing model (SPEC §3) over generated problems.

Problems are drawn from the value grammar by hand (tests/strategies.py), written as
YAML and loaded, so every property also holds through the loader.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pmsize import _service as service
from pmsize._loader import load_text
from pmsize._results import Evaluation, FlagCode
from pmsize.render import json as render_json
from strategies import amount_values, examples, problems, to_yaml

SETTINGS = settings(
    max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def evaluate(data: dict[str, Any]) -> Evaluation:
    [problem] = load_text(to_yaml(data))
    return service.evaluate(problem)


def close(a: float, b: float, scale: float = 1.0) -> bool:
    """Equal but for rounding in sums whose terms are as large as `scale`."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * max(1.0, abs(scale)))


@SETTINGS
@given(problems())
def test_the_ceiling_lies_between_nothing_and_the_value(data: dict[str, Any]) -> None:
    r = evaluate(data)
    assert 0 <= r.ceiling_per_customer <= r.value_per_customer * (1 + 1e-12)
    assert r.price_per_customer <= r.ceiling_per_customer
    if r.cap_ratio is not None:
        assert 0 <= r.cap_ratio <= 1 + 1e-12
    if r.price_given is None:
        assert r.price_per_customer == r.ceiling_per_customer


@SETTINGS
@given(problems())
def test_the_naive_npv_is_never_below_the_npv(data: dict[str, Any]) -> None:
    r = evaluate(data)
    assert r.naive_npv >= r.npv - 1e-6 * max(1.0, abs(r.npv))


@SETTINGS
@given(problems(price=False))
def test_without_a_price_the_naive_pitch_charges_the_full_value(data: dict[str, Any]) -> None:
    r = evaluate(data)
    gain = sum(
        w * (r.value_per_customer - r.ceiling_per_customer) / (1 + r.discount_rate) ** t
        for t, w in enumerate(r.customers_paying, 1)
    )
    assert close(r.naive_npv - r.npv, gain, scale=r.naive_npv)


@SETTINGS
@given(problems())
def test_npv_at_the_irr_is_zero(data: dict[str, Any]) -> None:
    r = evaluate(data)
    if r.irr is None:
        assert r.irr_note
        return
    scale = max(abs(cf) for cf in r.cash_flows)
    x = 1 / (1 + r.irr)  # as a power series in x, so that a huge IRR cannot overflow
    npv = sum(cf * x**t for t, cf in enumerate(r.cash_flows))
    assert abs(npv) <= 1e-6 * scale * len(r.cash_flows)


@SETTINGS
@given(problems())
def test_a_positive_npv_always_pays_back_within_the_horizon(data: dict[str, Any]) -> None:
    r = evaluate(data)
    if r.npv >= 0:
        assert r.payback_years is not None
    if r.payback_years is not None:
        assert 0 <= r.payback_years <= r.horizon_years


@SETTINGS
@given(problems())
def test_the_verdict_follows_the_flags(data: dict[str, Any]) -> None:
    r = evaluate(data)
    severities = {f.severity for f in r.flags}
    expected = "avoid" if "error" in severities else "reconsider" if severities else "pursue"
    assert r.verdict == expected
    assert (r.npv < 0) == any(f.code == FlagCode.NEGATIVE_NPV for f in r.flags)


@SETTINGS
@given(problems(), amount_values(1, 5e6))
def test_a_dearer_alternative_never_lowers_the_ceiling(data: dict[str, Any], more: float) -> None:
    assume(data["alternatives"])
    before = evaluate(data)
    dearer = copy.deepcopy(data)
    dearer["alternatives"][0]["annual_cost"] = before.alternatives[0].annual_cost + more
    assert evaluate(dearer).ceiling_per_customer >= before.ceiling_per_customer - 1e-9


@SETTINGS
@given(problems(ranged=False))
def test_another_alternative_never_raises_the_ceiling(data: dict[str, Any]) -> None:
    before = evaluate(data)
    more = copy.deepcopy(data)
    more["alternatives"] = [*data["alternatives"], {"name": "One more", "solves": 0.5}]
    assert evaluate(more).ceiling_per_customer <= before.ceiling_per_customer + 1e-9


@SETTINGS
@given(problems(ranged=False), st.integers(1, 99))
def test_solving_more_never_lowers_the_value_or_the_ceiling(
    data: dict[str, Any], percent: int
) -> None:
    low, high = copy.deepcopy(data), copy.deepcopy(data)
    low["solution"]["solves"], high["solution"]["solves"] = f"{percent}%", f"{percent + 1}%"
    a, b = evaluate(low), evaluate(high)
    assert b.value_per_customer >= a.value_per_customer
    assert b.ceiling_per_customer >= a.ceiling_per_customer - 1e-9


@SETTINGS
@given(problems(), amount_values(1, 1e7))
def test_a_dearer_build_lowers_npv_by_exactly_its_cost(data: dict[str, Any], more: float) -> None:
    before = evaluate(data)
    dearer = copy.deepcopy(data)
    dearer["solution"]["build_cost"] = -before.cash_flows[0] + more
    scale = max(before.pv_revenue, before.pv_costs) + more
    assert close(before.npv - evaluate(dearer).npv, more, scale=scale)


@SETTINGS
@given(problems())
def test_every_result_is_finite_json(data: dict[str, Any]) -> None:
    r = evaluate(data)
    json.loads(render_json.document([r]))  # raises on NaN or infinity (allow_nan=False)
