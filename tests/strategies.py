"""Hypothesis strategies for problem files, written by hand from the value grammar of SPEC §2.

`problems()` draws sound problems as plain data (what an editor sees once the YAML is
parsed): every value in one of the forms a person writes (numbers, `$5m`, `250k`,
`10%`, `1,200`, ranges as text or mappings). `documents()` draws the same, but now and
then spoils one value or key with a mistake from `MISTAKES`, so a test can compare
what the loader and the JSON Schema each make of it. `to_yaml()` writes either as text.
"""

from __future__ import annotations

import os
from typing import Any

import yaml
from hypothesis import strategies as st

# Every run tries `examples(n)` examples of a property, few enough that the suite stays under a
# minute on two cores (the properties were a fifth of its time at twice these counts);
# `.ci/run` tries twice as many (`PMSIZE_EXAMPLES_SCALE=2`, the same examples each run), and
# `PMSIZE_EXAMPLES_SCALE=10 python -m pytest` is the long, nightly-style run.
EXAMPLES_SCALE = float(os.environ.get("PMSIZE_EXAMPLES_SCALE", "1"))


def examples(n: int) -> int:
    """How many examples a property tries on this run: `n`, scaled by PMSIZE_EXAMPLES_SCALE."""
    return max(1, round(n * EXAMPLES_SCALE))


SCALES = {"": 1.0, "k": 1e3, "m": 1e6, "M": 1e6, "bn": 1e9, " million": 1e6}
KINDS = ("open-source", "vendor", "in-house", "manual", "other")
# a file may write a choice in any case; the loader holds it lower case
KINDS_AS_WRITTEN = (*KINDS, "Vendor", "OPEN-SOURCE", "In-House")
NAMES = ("Invoice matching", "Dock scheduling", "src/[id] :x:", "Ärger & Co", "42")


def _amount_text(value: float, symbol: str, scale: str, grouped: bool) -> str:
    number = value / SCALES[scale]
    if grouped and scale == "" and number >= 1000 and number == int(number):
        digits = f"{int(number):,}"
    else:
        digits = f"{number:.6g}" if "e" not in f"{number:.6g}" else f"{number:.1f}"
    return f"{symbol}{digits}{scale}"


def amount_values(low: float = 0.0, high: float = 5e8) -> st.SearchStrategy[float]:
    """Amounts as numbers, rounded to what a person would write."""
    return st.floats(low, high, allow_nan=False).map(lambda x: float(f"{x:.3g}"))


def amounts(low: float = 0.0, high: float = 5e8) -> st.SearchStrategy[Any]:
    """An amount in any written form: a number, or text with a symbol, scale or grouping."""
    values = amount_values(low, high)
    texts = st.builds(
        _amount_text,
        values,
        st.sampled_from(["", "$"]),
        st.sampled_from(list(SCALES)),
        st.booleans(),
    )
    return st.one_of(values, values.map(int), texts)


def shares(low: float = 0.0, high: float = 1.0) -> st.SearchStrategy[Any]:
    """A share as a fraction (0.25) or a percent (25%)."""
    whole = st.integers(round(low * 100), round(high * 100))
    return st.one_of(
        whole.filter(lambda n: n != 100).map(lambda n: n / 100),  # a bare 1 is ambiguous
        whole.map(lambda n: f"{n}%"),
        st.tuples(whole, st.integers(1, 9))
        .filter(lambda t: low <= t[0] / 100 + t[1] / 1000 <= high)
        .map(lambda t: f"{t[0]}.{t[1]}%"),
    )


def counts() -> st.SearchStrategy[Any]:
    """A count of customers: a number, `1,200` or `1.5k`."""
    n = st.integers(1, 200_000)
    return st.one_of(n, n.map(lambda x: f"{x:,}"), st.integers(1, 99).map(lambda x: f"{x}k"))


def ranges(points: st.SearchStrategy[float], fmt: str = "{}") -> st.SearchStrategy[Any]:
    """A range of positive values: `low to high`, or `{low, high}` with or without `dist`."""
    pair = st.tuples(points, points).filter(lambda t: 0 < t[0] < t[1])
    return st.one_of(
        pair.map(lambda t: f"{fmt.format(t[0])} to {fmt.format(t[1])}"),
        st.builds(
            lambda t, dist: {"low": t[0], "high": t[1]} | ({"dist": dist} if dist else {}),
            pair,
            st.sampled_from(
                [None, "lognormal", "normal", "uniform", "Normal", "UNIFORM", "LogNormal"]
            ),
        ),
    )


def uncertain(value: st.SearchStrategy[Any], points: st.SearchStrategy[float]) -> Any:
    """Mostly a plain value, sometimes a range."""
    return st.one_of(value, value, value, ranges(points))


@st.composite
def problems(
    draw: st.DrawFn, *, ranged: bool = True, price: bool | None = None, landscape: bool = False
) -> dict[str, Any]:
    """A sound problem file as plain data; with `landscape`, also the keys of SPEC §7 (a
    market that grows or shrinks, alternatives that arrive later or change year by year)."""

    def maybe_range(value: st.SearchStrategy[Any], points: st.SearchStrategy[float]) -> Any:
        return draw(uncertain(value, points) if ranged else value)

    horizon = draw(st.integers(1, 12))
    market: dict[str, Any] = {"customers": maybe_range(counts(), st.integers(1, 10**5))}
    if draw(st.booleans()):
        market["problem_cost"] = maybe_range(amounts(0, 5e7), amount_values(1, 5e7))
    else:
        market["revenue"] = draw(amounts(0, 5e9))
        market["problem_share"] = draw(shares(0, 0.5))
    solution: dict[str, Any] = {
        "name": draw(st.sampled_from(["MatchDesk", "DockSlot", "ClaimFlow"])),
        "build_cost": draw(amounts(0, 2e7)),
        "annual_cost": draw(amounts(0, 5e6)),
        "cost_per_customer": draw(amounts(0, 1e5)),
        "solves": maybe_range(shares(0.01, 1), st.integers(1, 99).map(lambda n: n / 100)),
        "adoption": draw(
            st.one_of(shares(0, 0.3), st.lists(shares(0, 0.3), min_size=1, max_size=horizon))
        ),
    }
    if price is True or (price is None and draw(st.booleans())):
        solution["price"] = draw(amounts(0, 1e7))
    alternatives = draw(
        st.lists(
            st.fixed_dictionaries(
                {"name": st.sampled_from(["Spreadsheets", "ERP module", "Open-source stack"])},
                optional={
                    "kind": st.sampled_from(KINDS_AS_WRITTEN),
                    "annual_cost": amounts(0, 5e6),
                    "one_time_cost": amounts(0, 5e6),
                    "solves": shares(0, 1),
                },
            ),
            max_size=3,
        )
    )
    for i, alternative in enumerate(alternatives):
        alternative["name"] = f"{alternative['name']} {i + 1}"
        if landscape:
            alternative.update(draw(_over_time(horizon)))
    if landscape and draw(st.booleans()):
        market["growth"] = draw(
            st.integers(-30, 40).map(lambda n: f"{n}%")
            | st.integers(-30, 40).map(lambda n: n / 100)
        )
    problem: dict[str, Any] = {
        "name": draw(st.sampled_from(NAMES)),
        "horizon_years": horizon,
        "discount_rate": maybe_range(shares(0, 0.4), st.integers(1, 40).map(lambda n: n / 100)),
        "market": market,
        "solution": solution,
        "alternatives": alternatives,
    }
    if draw(st.booleans()):
        problem["pmsize"] = 1
    return problem


@st.composite
def _over_time(draw: st.DrawFn, horizon: int) -> dict[str, Any]:
    """An alternative's keys of SPEC §7: when it arrives, and figures that change each year."""
    found: dict[str, Any] = {}
    arrival = 1
    if draw(st.booleans()):
        arrival = found["from_year"] = draw(st.integers(1, horizon))
    yearly = {"annual_cost": amounts(0, 5e6), "one_time_cost": amounts(0, 5e6)}
    yearly["solves"] = shares(0, 1)
    for key, value in yearly.items():
        if draw(st.booleans()):  # item 1 is the year it arrives (SPEC §7)
            found[key] = draw(st.lists(value, min_size=1, max_size=horizon - arrival + 1))
    return found


# Mistakes people make, and values that are right in one place and wrong in another.
MISTAKES: tuple[Any, ...] = (
    -5,
    -0.5,
    10,
    150,
    1e16,
    True,
    None,
    "",
    "yes",
    "abc",
    "012",
    "10",
    "150%",
    "100%",
    "0%",
    "0",
    "-$5m",
    "$-5m",
    "1,5m",
    "€5m",
    "2000t",
    "2024-01-01",
    "1:30",
    "5 to 3",
    "0 to 5",
    "5 to 5",
    "10% to 120%",
    {"low": 0, "high": 5},
    {"low": 0, "high": 0.5, "dist": "uniform"},
    {"low": 5},
    {"low": 1, "high": 2, "dist": "beta"},
    {"low": 0, "high": 0.5, "dist": "LogNormal"},
    {"low": 1, "high": 2, "dist": "normel"},
    [],
    [0.1] * 60,
    ["5%", "150%"],
    {"nested": "mapping"},
    "saas",
    "vender",
    "5.5",
    51,
    "USD",
    "eur",
    2,
)
KEYS_TO_SPOIL = (
    ("name",),
    ("currency",),
    ("horizon_years",),
    ("discount_rate",),
    ("market",),
    ("market", "customers"),
    ("market", "problem_cost"),
    ("market", "revenue"),
    ("market", "problem_share"),
    ("solution", "build_cost"),
    ("solution", "solves"),
    ("solution", "adoption"),
    ("solution", "price"),
    ("alternatives",),
    ("policy",),
    ("policy", "cap_threshold"),
    ("pmsize",),
)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A problem that is sound, or spoiled in one or two places."""
    problem: dict[str, Any] = draw(problems())
    for _ in range(draw(st.integers(0, 2))):
        path = draw(st.sampled_from(KEYS_TO_SPOIL))
        action = draw(st.sampled_from(["set", "set", "set", "delete", "unknown"]))
        parent = problem
        for key in path[:-1]:
            child = parent.get(key)
            if not isinstance(child, dict):
                child = parent[key] = {}
            parent = child
        if action == "delete":
            parent.pop(path[-1], None)
        elif action == "unknown":
            parent[path[-1] + "s"] = 1
        else:
            parent[path[-1]] = draw(st.sampled_from(MISTAKES))
    if draw(st.integers(0, 9)) == 0:
        problem["alternatives"] = [
            {
                "name": "Vendor",
                "kind": draw(st.sampled_from([*KINDS_AS_WRITTEN, "saas", "vender", None])),
            }
        ]
    return problem


def to_yaml(data: Any) -> str:
    """Data as YAML text, the way a person would lay it out."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
