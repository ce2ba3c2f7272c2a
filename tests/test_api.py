"""The library (`import pmsize`): its public surface, and that it answers as the CLI does."""

from __future__ import annotations

import doctest
import functools
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

import pmsize
from pmsize.cli import app
from strategies import documents, examples, to_yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CASES = ROOT / "tests" / "cases"
ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--format", "json"], env=ENV)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_the_public_surface_is_all_and_only_all() -> None:
    assert pmsize.__all__ == [
        "Alternative",
        "AlternativeResult",
        "ArgumentError",
        "BreakEven",
        "Candidate",
        "Change",
        "Correlation",
        "Diff",
        "Effect",
        "Evaluation",
        "Expected",
        "Flag",
        "FlagCode",
        "Histogram",
        "InputError",
        "InputErrors",
        "LeftOut",
        "Location",
        "Marginal",
        "Market",
        "Override",
        "Plan",
        "PmsizeError",
        "Policy",
        "Problem",
        "ProblemDiff",
        "Range",
        "Scenario",
        "ScenarioFigures",
        "ScenarioResult",
        "Sensitivity",
        "Severity",
        "Side",
        "Simulated",
        "Simulation",
        "Solution",
        "Summary",
        "Thresholds",
        "TornadoBar",
        "UncertainInput",
        "UsageError",
        "ValueOfInformation",
        "Verdict",
        "Year",
        "__version__",
        "diff",
        "diff_git",
        "evaluate",
        "load",
        "plan",
        "rank",
        "report",
        "sensitivity",
        "simulate",
        "summary",
    ]
    for name in pmsize.__all__:
        assert getattr(pmsize, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'engine_internals'"):
        _ = pmsize.engine_internals  # type: ignore[attr-defined]


def _reachable(start: object, seen: set[type]) -> None:
    """Every pmsize class reachable from `start`'s type hints (returns, fields, items)."""
    import dataclasses
    import typing

    for arg in typing.get_args(start):
        _reachable(arg, seen)
    origin = typing.get_origin(start)
    if origin is not None:
        _reachable(origin, seen)
    if not isinstance(start, type) or not start.__module__.startswith("pmsize"):
        return
    if start in seen:
        return
    seen.add(start)
    if hasattr(start, "model_fields"):  # pydantic resolved them
        for field in start.model_fields.values():
            _reachable(field.annotation, seen)
    elif dataclasses.is_dataclass(start):  # names imported for type checkers only, too
        for hint in typing.get_type_hints(start, localns=_every_name()).values():
            _reachable(hint, seen)


@functools.cache
def _every_name() -> dict[str, object]:
    """Every name of every library module (for hints behind `if TYPE_CHECKING`); the
    command line's own names (its `Objective` option) are not the library's."""
    import importlib
    import pkgutil

    names: dict[str, object] = {}
    for module in pkgutil.walk_packages(pmsize.__path__, "pmsize."):
        if not module.name.startswith(("pmsize.__main__", "pmsize.cli", "pmsize.render")):
            names |= vars(importlib.import_module(module.name))
    return names


def test_every_type_a_public_function_returns_is_public() -> None:
    # a notebook user who gets a TornadoBar from `.sensitivity.tornado` can name its type
    import typing

    seen: set[type] = set()
    for name in pmsize.__all__:
        value = getattr(pmsize, name)
        if callable(value) and not isinstance(value, type):
            _reachable(typing.get_type_hints(value, localns=_every_name()).get("return"), seen)
        elif isinstance(value, type):
            _reachable(value, seen)
    missing = sorted(t.__name__ for t in seen if t.__name__ not in pmsize.__all__)
    assert missing == []
    assert {"TornadoBar", "Year", "ProblemDiff", "Candidate"} <= {t.__name__ for t in seen}


def test_the_package_ships_its_type_marker() -> None:
    assert (Path(pmsize.__file__).parent / "py.typed").is_file()


def test_the_done_when_line_prints_avoid() -> None:
    line = (
        "import pmsize; print(pmsize.evaluate("
        "pmsize.load('examples/claims-processing.yaml')[0]).verdict)"
    )
    done = subprocess.run(
        [sys.executable, "-c", line], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout == "avoid\n"


def test_evaluate_resolves_the_file_s_own_policy_like_the_cli() -> None:
    # the file sets cap_threshold 60%: the capped ceiling is flagged as in `pmsize evaluate`
    [problem] = pmsize.load(CASES / "13-policy-in-file.yaml")
    result = pmsize.evaluate(problem)
    [cli] = cli_json("evaluate", str(CASES / "13-policy-in-file.yaml"))["results"]
    assert [f.code for f in result.flags] == [f["code"] for f in cli["flags"]]
    assert [f.code for f in result.flags] == [pmsize.FlagCode.CAPPED_BY_ALTERNATIVE]
    # a policy given here wins over the file's, as a CLI flag does
    relaxed = pmsize.evaluate(problem, policy=pmsize.Policy(cap_threshold=0.1))
    assert pmsize.FlagCode.CAPPED_BY_ALTERNATIVE not in [f.code for f in relaxed.flags]


def test_to_dict_is_exactly_a_result_of_the_json_format() -> None:
    problems = pmsize.load(EXAMPLES)
    results = pmsize.rank([pmsize.evaluate(p) for p in problems], by="npv")
    assert [r.to_dict() for r in results] == cli_json("evaluate", str(EXAMPLES))["results"]
    assert json.loads(results[0].to_json()) == results[0].to_dict()


def test_a_portfolio_s_problems_keep_their_portfolio_policy(tmp_path: Path) -> None:
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(
        "policy: {thin_margin: 90%}\n"
        "problems:\n"
        "  - name: One\n"
        "    market: {customers: 100, problem_cost: 100k}\n"
        "    solution: {build_cost: 1m, adoption: 10%}\n"
    )
    [problem] = pmsize.load(portfolio)
    assert problem.portfolio_policy.thin_margin == pytest.approx(0.9)
    assert problem.source == pmsize.Location(str(portfolio), 3, 5)
    assert pmsize.evaluate(problem).to_dict() == cli_json("evaluate", str(portfolio))["results"][0]


def test_bad_input_raises_one_exception_with_every_located_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Bad\nmarket: {customers: -1, problem_cost: 10}\n")
    with pytest.raises(pmsize.InputErrors) as caught:
        pmsize.load(bad)
    errors = caught.value.errors
    assert all(isinstance(e, pmsize.InputError) for e in errors)
    assert [str(e) for e in errors] == [
        f"{bad}:1:1: solution: is required; add `solution:` with at least `adoption:`",
        f"{bad}:2:21: market.customers: -1 is negative; counts cannot be below zero",
    ]
    assert [(e.location.line, e.location.column, e.path) for e in errors] == [
        (1, 1, "solution"),
        (2, 21, "market.customers"),
    ]


def test_simulate_and_sensitivity_give_what_the_commands_write() -> None:
    [problem] = pmsize.load(EXAMPLES / "utility-bill-audit.yaml")
    path = str(EXAMPLES / "utility-bill-audit.yaml")
    simulated = pmsize.simulate(problem, samples=2_000, seed=3)
    [cli] = cli_json("simulate", path, "-n", "2000", "--seed", "3")["results"]
    assert simulated.to_dict() == cli
    found = pmsize.sensitivity(problem, samples=2_000, seed=3)
    [cli] = cli_json("sensitivity", path, "-n", "2000", "--seed", "3")["results"]
    assert found.to_dict() == cli
    with pytest.raises(ValueError, match="samples must be from 1 to 10,000,000"):
        pmsize.simulate(problem, samples=0)


def test_the_api_session_in_the_docs_runs() -> None:
    # docs/api.md is a notebook-style session: every `>>>` line runs, every output matches
    failures, tried = doctest.testfile(
        str(ROOT / "docs" / "api.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        globs={"__name__": "api_md"},
    )
    assert tried >= 10
    assert failures == 0


def test_the_package_docstring_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(pmsize, optionflags=doctest.ELLIPSIS)
    assert (result.failed, result.attempted >= 3) == (0, True)


def test_a_verdict_compares_with_its_word_by_concern() -> None:
    # alphabetically "avoid" < "reconsider"; by concern it is the other way round
    assert pmsize.Verdict.AVOID > "reconsider"
    assert pmsize.Verdict.PURSUE < "reconsider"
    assert pmsize.Verdict.RECONSIDER >= "reconsider"
    with pytest.raises(TypeError):
        _ = pmsize.Verdict.AVOID > "nonsense"


def test_mypy_checks_what_a_user_of_the_library_writes() -> None:
    """A misspelt name is a type error for mypy: tests/typing/misspelt.py holds it, checked
    by the one mypy run of CI (running mypy again here took 11 s of the suite)."""
    assert 'files = ["src/pmsize", "tests/typing"]' in (ROOT / "pyproject.toml").read_text()
    assert "= pmsize.evalute  # type: ignore[attr-defined]" in (
        ROOT / "tests" / "typing" / "misspelt.py"
    ).read_text(encoding="utf-8")
    with pytest.raises(AttributeError):
        pmsize.evalute  # type: ignore[attr-defined]  # noqa: B018


def test_bad_arguments_are_value_errors_in_pmsize_s_words() -> None:
    [problem] = pmsize.load(EXAMPLES / "claims-processing.yaml")
    with pytest.raises(ValueError, match="an empty path names no file"):
        pmsize.load("")
    with pytest.raises(ValueError, match=r"^cannot rank by 'NPV'; rank by npv, roi"):
        pmsize.rank([pmsize.evaluate(problem)], by="NPV")  # type: ignore[arg-type]
    for bad, message in (
        ({"samples": 1.5}, "samples must be a whole number, not 1.5"),
        ({"seed": -1}, "seed must be a whole number from 0, not -1"),
        ({"seed": None}, "seed must be a whole number, not None"),
    ):
        with pytest.raises(ValueError, match=f"^{message}$"):
            pmsize.simulate(problem, **bad)  # type: ignore[arg-type]


def sampled_call(name: str, problem: pmsize.Problem, **options: Any) -> object:
    """One of the library's calls that draw samples, on `problem`."""
    if name == "plan":
        return pmsize.plan([problem], 1e7, objective="expected-npv", **options)
    if name == "report":
        return pmsize.report([problem], **options)
    return getattr(pmsize, name)(problem, **options)


@pytest.mark.parametrize("call", ["simulate", "sensitivity", "plan", "report"])
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"samples": 0}, "samples must be from 1 to 10,000,000, not 0"),
        ({"samples": -3}, "samples must be from 1 to 10,000,000, not -3"),
        ({"samples": 10**8}, "samples must be from 1 to 10,000,000, not 100,000,000"),
        ({"samples": 1.5}, "samples must be a whole number, not 1.5"),
        ({"samples": True}, "samples must be a whole number, not True"),
        ({"seed": -1}, "seed must be a whole number from 0, not -1"),
        ({"seed": 1.5}, "seed must be a whole number, not 1.5"),
    ],
)
def test_every_call_that_samples_refuses_a_bad_count_or_seed_in_the_same_words(
    call: str, bad: dict[str, object], message: str
) -> None:
    # one check (limits.check_sampling): plan said some of these otherwise, and report
    # said nothing when no problem had a range to sample
    [plain] = pmsize.load(EXAMPLES / "claims-processing.yaml")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        sampled_call(call, plain, **bad)


def test_a_problem_built_in_code_has_no_file_in_every_result() -> None:
    problem = pmsize.Problem.model_validate(
        {
            "name": "Built",
            "market": {"customers": 900, "problem_cost": "$350k"},
            "solution": {"adoption": "5%", "annual_cost": "$1m"},
        }
    )
    assert problem.source is None
    assert (pmsize.evaluate(problem).file, pmsize.evaluate(problem).line) == ("", 0)
    simulated = pmsize.simulate(problem, samples=100).evaluation
    assert (simulated.file, simulated.line) == ("", 0)
    assert sorted(dir(pmsize)) == sorted(pmsize.__all__)


def test_the_library_refuses_what_a_file_would_be_refused_for() -> None:
    from pydantic import ValidationError

    def problem(**changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": "Built",
            "market": {"customers": 900, "problem_cost": "$350k"},
            "solution": {"adoption": "5%"},
        }
        data.update(changes)
        return data

    refused = {
        "give problem_cost": problem(market={"customers": 900}),
        "not both": problem(market={"customers": 9, "problem_cost": 1, "revenue": 2}),
        "'none' is reserved": problem(alternatives=[{"name": "none"}]),
        "already used by alternatives[0]": problem(alternatives=[{"name": "A"}, {"name": "a"}]),
        "written in € but the file's currency is USD": problem(
            market={"customers": 9, "problem_cost": "€5m"}
        ),
        "arrives in year 5 of 5": problem(
            alternatives=[{"name": "Late", "from_year": 5, "solves": ["1%", "2%"]}]
        ),
    }
    for message, data in refused.items():
        with pytest.raises(ValidationError, match=re.escape(message)):
            pmsize.Problem.model_validate(data)


@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_what_the_library_accepts_a_file_accepts_and_the_engine_sizes(
    data: dict[str, Any],
) -> None:
    from pydantic import ValidationError

    from pmsize._errors import InputError, InputErrors
    from pmsize._loader import load_text

    try:
        [problem] = load_text(to_yaml(json.loads(json.dumps(data))))  # unshared: no anchors
    except (InputError, InputErrors):
        from_file = None
    else:
        from_file = problem
    try:
        built = pmsize.Problem.model_validate(data)
    except ValidationError:
        return  # (a file may still accept it: YAML gives `name: -5` as text, code as a number)
    assert from_file is not None  # every rule of a file holds in code
    assert built.model_dump(warnings=False) == from_file.model_dump(warnings=False)
    r = pmsize.evaluate(built)  # never an AssertionError or TypeError inside the engine
    assert r.verdict in ("pursue", "reconsider", "avoid")
    pmsize.simulate(built, samples=50)


def test_results_have_a_one_line_repr_for_notebooks(tmp_path: Path) -> None:
    [claims] = pmsize.load(ROOT / "examples" / "claims-processing.yaml")
    shown = repr(pmsize.evaluate(claims))
    assert shown == (
        "<Evaluation 'Claims order processing': avoid, NPV -15,164,662 USD, "
        "ceiling 0 per customer a year>"
    )
    shown = repr(pmsize.diff([claims], [claims]))
    assert shown == "<Diff None -> None: 0 changed, 0 added, 0 removed, 1 unchanged; 0 worse>"


def test_the_value_of_information_is_where_the_json_puts_it() -> None:
    [audit] = pmsize.load(EXAMPLES / "utility-bill-audit.yaml")
    result = pmsize.sensitivity(audit, samples=4_000)
    assert result.sensitivity is not None
    learned = [{"input": v.input, "evpi": v.evpi} for v in result.sensitivity.value_of_information]
    assert learned == result.to_dict()["value_of_information"]
    assert learned  # the example has ranges worth learning
    assert result.simulation.value_of_information == ()  # held once, on the sensitivity


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: pmsize.evaluate("problem.yaml"),  # type: ignore[arg-type]
            "problem must be a pmsize.Problem, not str; load it first: "
            "pmsize.load('problem.yaml') gives its problems",
        ),
        (
            lambda: pmsize.evaluate([]),  # type: ignore[arg-type]
            "problem must be a pmsize.Problem, not list; pass one problem at a time",
        ),
        (
            lambda: pmsize.simulate(Path("p.yaml")),  # type: ignore[arg-type]
            "problem must be a pmsize.Problem, not PosixPath",
        ),
        (
            lambda: pmsize.plan("examples", "$10m"),  # type: ignore[arg-type]
            "problems must be problems, not a path; load them first: pmsize.load('examples')",
        ),
        (lambda: pmsize.report([1]), "problems[0] must be a pmsize.Problem, not int"),  # type: ignore[list-item]
    ],
)
def test_a_path_or_a_list_where_a_problem_belongs_is_a_type_error_that_says_what_to_pass(
    call: Any, message: str
) -> None:
    with pytest.raises(TypeError, match=re.escape(message)):
        call()


def test_the_summary_is_the_jsons() -> None:
    results = [pmsize.evaluate(p) for p in pmsize.load(str(EXAMPLES))]
    assert pmsize.summary(results) == cli_json("evaluate", str(EXAMPLES))["summary"]
    counts = list(pmsize.summary(results).items())[:4]
    assert counts == [("problems", 6), ("pursue", 2), ("reconsider", 3), ("avoid", 1)]
    assert all(type(key) is str for key, _ in counts)  # plain words, not enum members
