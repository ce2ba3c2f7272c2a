"""pmsize: size product problems by the cost of their cheapest solution.

The library under the `pmsize` command (docs/api.md has a session to follow):

    >>> import pmsize
    >>> [problem] = pmsize.load("examples/claims-processing.yaml")
    >>> print(pmsize.evaluate(problem).verdict)
    avoid

Names are imported when first used, so `import pmsize` stays instant and pulls in
neither the command line (Typer, Rich) nor numpy.
"""

# Nothing is imported here, not even typing (TYPE_CHECKING is typing's, spelt out) or
# `from __future__`: `python -m pmsize` runs this before the entry point has installed its
# signal handlers (`pmsize.__main__`).
TYPE_CHECKING = False


__all__ = [
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

# public name -> the module that defines it
_HOMES = {
    "load": "pmsize._api",
    "evaluate": "pmsize._api",
    "rank": "pmsize._api",
    "plan": "pmsize._api",
    "simulate": "pmsize._api",
    "sensitivity": "pmsize._api",
    "diff": "pmsize._api",
    "diff_git": "pmsize._api",
    "Diff": "pmsize._diffing",
    "report": "pmsize._api",
    "Evaluation": "pmsize._results",
    "Flag": "pmsize._results",
    "FlagCode": "pmsize._results",
    "Severity": "pmsize._results",
    "Verdict": "pmsize._results",
    "Policy": "pmsize._models",
    "Problem": "pmsize._models",
    "Simulated": "pmsize._simulated",
    "Plan": "pmsize._planned",
    "InputError": "pmsize._errors",
    "InputErrors": "pmsize._errors",
    "Location": "pmsize._errors",
    "AlternativeResult": "pmsize._results",
    "Year": "pmsize._results",
    "UncertainInput": "pmsize._results",
    "Thresholds": "pmsize._results",
    "Market": "pmsize._models",
    "Solution": "pmsize._models",
    "Alternative": "pmsize._models",
    "Simulation": "pmsize._simulated",
    "Summary": "pmsize._summary",
    "Histogram": "pmsize._summary",
    "Sensitivity": "pmsize._drivers",
    "TornadoBar": "pmsize._drivers",
    "BreakEven": "pmsize._drivers",
    "ValueOfInformation": "pmsize._drivers",
    "Correlation": "pmsize._pairs",
    "Candidate": "pmsize._planned",
    "LeftOut": "pmsize._planned",
    "Marginal": "pmsize._planned",
    "ProblemDiff": "pmsize._diffing",
    "Change": "pmsize._diffing",
    "Effect": "pmsize._diffing",
    "Expected": "pmsize._diffing",
    "Side": "pmsize._diffing",
    "ArgumentError": "pmsize._errors",
    "UsageError": "pmsize._errors",
    "PmsizeError": "pmsize._errors",
    "Range": "pmsize._values",
    "summary": "pmsize._portfolio",
    "__version__": "pmsize._version",  # one place, which the build reads too
    "Override": "pmsize._models",
    "Scenario": "pmsize._models",
    "ScenarioResult": "pmsize._results",
    "ScenarioFigures": "pmsize._simulated",
}

if TYPE_CHECKING:
    from pmsize._api import (
        diff,
        diff_git,
        evaluate,
        load,
        plan,
        rank,
        report,
        sensitivity,
        simulate,
    )
    from pmsize._diffing import Change, Diff, Effect, Expected, ProblemDiff, Side
    from pmsize._drivers import BreakEven, Sensitivity, TornadoBar, ValueOfInformation
    from pmsize._errors import (
        ArgumentError,
        InputError,
        InputErrors,
        Location,
        PmsizeError,
        UsageError,
    )
    from pmsize._models import Alternative, Market, Override, Policy, Problem, Scenario, Solution
    from pmsize._pairs import Correlation
    from pmsize._planned import Candidate, LeftOut, Marginal, Plan
    from pmsize._portfolio import summary
    from pmsize._results import (
        AlternativeResult,
        Evaluation,
        Flag,
        FlagCode,
        ScenarioResult,
        Severity,
        Thresholds,
        UncertainInput,
        Verdict,
        Year,
    )
    from pmsize._simulated import ScenarioFigures, Simulated, Simulation
    from pmsize._summary import Histogram, Summary
    from pmsize._values import Range
    from pmsize._version import __version__

if not TYPE_CHECKING:  # type checkers see the imports above, so a misspelt name is an error

    def __getattr__(name: str) -> object:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module 'pmsize' has no attribute {name!r}")
        import importlib

        value = getattr(importlib.import_module(home), name)
        globals()[name] = value  # the next lookup is a plain attribute
        return value

    def __dir__() -> list[str]:
        return list(__all__)
