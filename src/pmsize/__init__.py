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

__version__ = "0.1.0"

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
    "Flag",
    "FlagCode",
    "Histogram",
    "InputError",
    "InputErrors",
    "LeftOut",
    "Location",
    "Marginal",
    "Market",
    "Plan",
    "PmsizeError",
    "Policy",
    "Problem",
    "ProblemDiff",
    "Range",
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
]

# public name -> the module that defines it
_HOMES = {
    "load": "pmsize.api",
    "evaluate": "pmsize.api",
    "rank": "pmsize.api",
    "plan": "pmsize.api",
    "simulate": "pmsize.api",
    "sensitivity": "pmsize.api",
    "diff": "pmsize.api",
    "diff_git": "pmsize.api",
    "Diff": "pmsize.diffing",
    "report": "pmsize.api",
    "Evaluation": "pmsize.results",
    "Flag": "pmsize.results",
    "FlagCode": "pmsize.results",
    "Severity": "pmsize.results",
    "Verdict": "pmsize.results",
    "Policy": "pmsize.models",
    "Problem": "pmsize.models",
    "Simulated": "pmsize.simulation",
    "Plan": "pmsize.planning",
    "InputError": "pmsize.errors",
    "InputErrors": "pmsize.errors",
    "Location": "pmsize.errors",
    "AlternativeResult": "pmsize.results",
    "Year": "pmsize.results",
    "UncertainInput": "pmsize.results",
    "Thresholds": "pmsize.results",
    "Market": "pmsize.models",
    "Solution": "pmsize.models",
    "Alternative": "pmsize.models",
    "Simulation": "pmsize.simulation",
    "Summary": "pmsize.summary",
    "Histogram": "pmsize.summary",
    "Sensitivity": "pmsize.drivers",
    "TornadoBar": "pmsize.drivers",
    "BreakEven": "pmsize.drivers",
    "ValueOfInformation": "pmsize.drivers",
    "Correlation": "pmsize.correlations",
    "Candidate": "pmsize.planning",
    "LeftOut": "pmsize.planning",
    "Marginal": "pmsize.planning",
    "ProblemDiff": "pmsize.diffing",
    "Change": "pmsize.diffing",
    "Effect": "pmsize.diffing",
    "Side": "pmsize.diffing",
    "ArgumentError": "pmsize.errors",
    "UsageError": "pmsize.errors",
    "PmsizeError": "pmsize.errors",
    "Range": "pmsize.values",
}

if TYPE_CHECKING:
    from pmsize.api import (
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
    from pmsize.correlations import Correlation
    from pmsize.diffing import Change, Diff, Effect, ProblemDiff, Side
    from pmsize.drivers import BreakEven, Sensitivity, TornadoBar, ValueOfInformation
    from pmsize.errors import (
        ArgumentError,
        InputError,
        InputErrors,
        Location,
        PmsizeError,
        UsageError,
    )
    from pmsize.models import Alternative, Market, Policy, Problem, Solution
    from pmsize.planning import Candidate, LeftOut, Marginal, Plan
    from pmsize.results import (
        AlternativeResult,
        Evaluation,
        Flag,
        FlagCode,
        Severity,
        Thresholds,
        UncertainInput,
        Verdict,
        Year,
    )
    from pmsize.simulation import Simulated, Simulation
    from pmsize.summary import Histogram, Summary
    from pmsize.values import Range

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
