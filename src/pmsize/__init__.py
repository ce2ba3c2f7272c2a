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
    "Diff",
    "Evaluation",
    "Flag",
    "FlagCode",
    "InputError",
    "InputErrors",
    "Location",
    "Plan",
    "Policy",
    "Problem",
    "Severity",
    "Simulated",
    "Verdict",
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
    from pmsize.diffing import Diff
    from pmsize.errors import InputError, InputErrors, Location
    from pmsize.models import Policy, Problem
    from pmsize.planning import Plan
    from pmsize.results import Evaluation, Flag, FlagCode, Severity, Verdict
    from pmsize.simulation import Simulated


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
