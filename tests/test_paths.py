"""The path grammar of SPEC §13: every input named one way, read from the right."""

from __future__ import annotations

import pytest

import pmsize
from pmsize import _inputs as inputs
from pmsize import _paths as paths
from pmsize._loader import load_text


@pytest.mark.parametrize(
    ("text", "field", "alternative", "year"),
    [
        ("discount_rate", "discount_rate", None, None),
        ("market.customers", "market.customers", None, None),
        ("solution.adoption", "solution.adoption", None, None),
        ("solution.adoption[year 4]", "solution.adoption", None, 4),
        ("  solution.adoption[ YEAR  4 ] ", "solution.adoption", None, 4),
        ("alternatives[Fast follower]", "", "Fast follower", None),
        ("alternatives[Fast follower].solves", "solves", "Fast follower", None),
        ("alternatives[Fast follower].solves[year 3]", "solves", "Fast follower", 3),
        # read from the right: a name may hold dots and brackets
        ("alternatives[v2.0 [beta]].annual_cost", "annual_cost", "v2.0 [beta]", None),
        ("alternatives[a].solves].kind", "kind", "a].solves", None),
        ("alternatives[x.from_year]", "", "x.from_year", None),
        ("alternatives[0]", "", "0", None),
    ],
)
def test_a_path_reads_as_its_field_alternative_and_year(
    text: str, field: str, alternative: str | None, year: int | None
) -> None:
    path = paths.parse(text)
    assert (path.field, path.alternative, path.year) == (field, alternative, year)
    assert paths.parse(str(path)) == path  # written back, it reads the same


def test_names_match_ignoring_case() -> None:
    a, b = paths.parse("alternatives[Excel].solves"), paths.parse("alternatives[excel ].solves")
    assert a.key == b.key
    assert a != b


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "solution.adoption[3]",
            "solution.adoption[3] counts list items from 0; name the calendar year instead: "
            "solution.adoption[year 4]",
        ),
        ("alternatives[X].solves[1]", "counts list items from 0; name the calendar year"),
        ("market.customer", "market.customer names no input; did you mean market.customers?"),
        ("market.customers[year 2]", "only a per-year list has a year's item"),
        ("alternatives[X].kind[year 2]", "only a per-year list has a year's item"),
        ("solution.adoption[year 0]", "years count from 1"),
        ("alternatives[]", "names no input"),
        ("x" * 600, "a path of 600 characters names no input"),
    ],
)
def test_a_path_that_names_no_input_says_what_to_write(text: str, message: str) -> None:
    with pytest.raises(paths.PathError, match=message.replace("[", r"\[").replace("?", r"\?")):
        paths.parse(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("scenarios[slow uptake]", "slow uptake"),
        (" scenarios[v2.0 [beta]] ", "v2.0 [beta]"),  # read from the right
        ("scenarios[a].probability]", "a].probability"),
        ("scenarios[0]", "0"),
    ],
)
def test_a_scenario_is_named_like_an_alternative(text: str, name: str) -> None:
    path = paths.parse(text, scenario=True)
    assert (path.scenario, path.alternative, path.year) == (name, None, None)
    assert str(path) == paths.of_scenario(name) == f"scenarios[{name}]"
    assert paths.parse(str(path), scenario=True) == path


def test_scenario_names_match_ignoring_case_and_never_an_alternatives() -> None:
    a, b = (paths.parse(t, scenario=True) for t in ("scenarios[Slow]", "scenarios[slow ]"))
    assert a.key == b.key
    assert a.key != paths.parse("alternatives[Slow]").key


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        (
            "scenarios[slow uptake]",
            paths.ScenarioPathError,
            "scenarios[slow uptake] names a scenario, not an input: a scenario is a set of "
            "values written under `scenarios:`; name an input instead (docs/paths.md)",
        ),
        (
            "scenarios[slow][year 2]",
            paths.PathError,
            "scenarios[slow][year 2]: a scenario has no year's item; write scenarios[slow]",
        ),
        ("scenarios[]", paths.PathError, "scenarios[] names no input; see the paths"),
        (
            "scenarios[slow].probability",
            paths.PathError,
            "scenarios[slow].probability names no input",
        ),
    ],
)
def test_a_scenario_is_not_an_input_a_value_is_written_at(
    text: str, error: type[Exception], message: str
) -> None:
    # what --set, `Problem.with_values`, a scenario's `set:` and `correlations:` read
    with pytest.raises(error) as caught:
        paths.parse(text)
    assert str(caught.value).startswith(message)


def test_the_old_index_forms_are_their_own_error() -> None:
    with pytest.raises(paths.OldPathError):
        paths.parse("solution.adoption[0]")
    assert paths.parse("alternatives[0]").alternative == "0"  # a name, until a problem says


LATE = """
name: Late
horizon_years: 5
market: {customers: 100, problem_cost: $100k to $200k}
solution: {adoption: [1%, 2% to 4%]}
alternatives:
  - name: Sheets
    annual_cost: $10k
  - name: v2.0 [beta]
    from_year: 3
    annual_cost: [$30k to $50k, $20k]
    solves: 40% to 60%
"""


def test_the_catalogue_names_every_input_once_with_its_kind_and_years() -> None:
    [problem] = load_text(LATE)
    listed = {i.path: (i.kind, i.years) for i in inputs.catalogue(problem)}
    assert listed == {
        "market.problem_cost": ("amount", (1, 5)),
        "solution.adoption[year 1]": ("percent", (1, 1)),
        "solution.adoption[year 2]": ("percent", (2, 5)),
        "discount_rate": ("percent", (1, 5)),
        "market.customers": ("count", (1, 5)),
        "market.growth": ("growth", (1, 5)),
        "solution.solves": ("percent", (1, 5)),
        "solution.build_cost": ("amount", (1, 5)),
        "solution.annual_cost": ("amount", (1, 5)),
        "solution.cost_per_customer": ("amount", (1, 5)),
        "alternatives[Sheets].annual_cost": ("amount", (1, 5)),
        "alternatives[Sheets].one_time_cost": ("amount", (1, 5)),
        "alternatives[Sheets].solves": ("percent", (1, 5)),
        # item 1 is the year it arrives; the last item holds to the horizon
        "alternatives[v2.0 [beta]].annual_cost[year 3]": ("amount", (3, 3)),
        "alternatives[v2.0 [beta]].annual_cost[year 4]": ("amount", (4, 5)),
        "alternatives[v2.0 [beta]].one_time_cost": ("amount", (3, 5)),
        "alternatives[v2.0 [beta]].solves": ("percent", (3, 5)),
    }


def test_every_command_names_a_late_alternatives_item_by_its_calendar_year() -> None:
    [problem] = load_text(LATE)
    result = pmsize.sensitivity(problem, samples=500)
    assert result.sensitivity is not None
    named = {bar.input for bar in result.sensitivity.tornado}
    assert named == {
        "market.problem_cost",
        "solution.adoption[year 2]",
        "alternatives[v2.0 [beta]].annual_cost[year 3]",
        "alternatives[v2.0 [beta]].solves",
    }
    assert set(result.simulation.ranged_inputs) == named


def test_a_correlation_names_an_alternative_by_name_in_any_case() -> None:
    text = LATE + "correlations:\n  market.problem_cost ~ ALTERNATIVES[V2.0 [BETA]].solves: 0.5\n"
    with pytest.raises(pmsize.InputErrors, match=r"names no input|not a ranged input"):
        load_text(text)  # the word `alternatives` itself is not a name: its case counts
    text = LATE + "correlations:\n  market.problem_cost ~ alternatives[V2.0 [BETA]].solves: 0.5\n"
    [problem] = load_text(text)
    result = pmsize.simulate(problem, samples=2000)
    assert result.simulation.correlations[0].b == "alternatives[V2.0 [BETA]].solves"
