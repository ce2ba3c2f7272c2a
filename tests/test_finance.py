"""What a point's figures imply: IRR, discounted payback, sign changes of the cash flows."""

from __future__ import annotations

import pytest

from pmsize._finance import discounted_payback, sign_changes, unique_irr


def test_irr_is_the_root_of_npv_when_unique() -> None:
    flows = (-1000.0, 300.0, 400.0, 500.0)
    irr, note = unique_irr(flows)
    assert note is None
    assert irr is not None
    assert sum(cf / (1 + irr) ** t for t, cf in enumerate(flows)) == pytest.approx(0, abs=1e-7)
    assert irr == pytest.approx(0.0889633947, rel=1e-8)  # numpy_financial.irr, same flows


def test_irr_is_null_with_a_note_when_not_unique() -> None:
    assert unique_irr((-100.0, 230.0, -132.0)) == (
        None,
        "no unique IRR: the cash flows change sign 2 times",
    )
    assert unique_irr((100.0, 50.0)) == (None, "no IRR: the cash flows never change sign")


def test_payback_interpolates_inside_the_crossing_year() -> None:
    # D = -100, -60, -20, +20: crosses in year 3, 2 + 20/40 = 2.5
    assert discounted_payback((-100.0, 40.0, 40.0, 40.0), (1.0, 1.0, 1.0, 1.0)) == 2.5
    assert discounted_payback((-100.0, 10.0, 10.0), (1.0, 1.0, 1.0)) is None
    assert discounted_payback((0.0, 5.0), (1.0, 1.0)) == 0.0


@pytest.mark.parametrize(
    ("cash_flows", "changes"),
    [
        ([1.0, 0.0, 1.0], 0),  # a zero between two inflows is no change of sign
        ([-5.0, 0.0, 0.0, 3.0], 1),
        ([2.0, 0.0, -1.0], 1),
        ([0.0, -1.0, 0.0, 2.0, 0.0, -3.0], 2),
        ([0.0, 0.0], 0),
    ],
)
def test_sign_changes_skip_zeros(cash_flows: list[float], changes: int) -> None:
    assert sign_changes(cash_flows) == changes
