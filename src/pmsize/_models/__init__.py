"""The problem file as frozen Pydantic models (SPEC §2, format version 1).

Fields hold parsed values: money, shares and counts are floats or `Range`s
(see `values`). Amount fields read the file's currency from the validation
context, so a `€` in a USD file is caught where it is written. Rules that span
fields live in `cross_checks`, which reads the raw data (so they are reported
together with every field error) and names the field to blame; a `Problem` checks
the same rules once its fields are valid, and `Problem.model_validate` takes its
context (currency, horizon) from the data, so a problem built in code is held to
every rule a file is.

Each field names its JSON Schema (`Schema("Amount")`); `pmsize._schema` builds the
schema editors use, and is imported only when a schema is asked for. Each job has its
module, and other modules import from this one:

    _fields      the value types of the fields, their parsers, and per-year lists
    _parts       a problem's market, solution, alternatives and policy
    _rules       the rules that span fields (`cross_checks`, `RuleError`)
    _problem     `Problem`, which holds every rule a file is held to
    _words       a validation error in words: (field path, message) pairs
    _whatif      values written at input paths (`Problem.with_values`, `--set`)
"""

from __future__ import annotations

from pmsize._models import _scenarios as scenarios
from pmsize._models import _whatif as whatif
from pmsize._models._fields import (
    ALTERNATIVE_KINDS,
    DEFAULT_HORIZON,
    MAX_HORIZON,
    YEARLY_FIELDS,
    currency_code,
    each_year,
    format_version,
    from_arrival,
    horizon_of,
    problem_context,
    too_many_years,
)
from pmsize._models._parts import (
    NO_POLICY,
    Alternative,
    Market,
    Policy,
    Solution,
)
from pmsize._models._problem import Problem
from pmsize._models._rules import (
    NO_ALTERNATIVE,
    AtKey,
    Hidden,
    Loc,
    Named,
    NamedKey,
    OfProblem,
    RuleError,
    cross_checks,
    loc_text,
)
from pmsize._models._scenarios import Scenario
from pmsize._models._whatif import Override, Values
from pmsize._models._words import PairKey, ProblemPairKey, model_in, unknown_key, validate

__all__ = [
    "ALTERNATIVE_KINDS",
    "DEFAULT_HORIZON",
    "MAX_HORIZON",
    "NO_ALTERNATIVE",
    "NO_POLICY",
    "YEARLY_FIELDS",
    "Alternative",
    "AtKey",
    "Hidden",
    "Loc",
    "Market",
    "Named",
    "NamedKey",
    "OfProblem",
    "Override",
    "PairKey",
    "Policy",
    "Problem",
    "ProblemPairKey",
    "RuleError",
    "Scenario",
    "Solution",
    "Values",
    "cross_checks",
    "currency_code",
    "each_year",
    "format_version",
    "from_arrival",
    "horizon_of",
    "loc_text",
    "model_in",
    "problem_context",
    "scenarios",
    "too_many_years",
    "unknown_key",
    "validate",
    "whatif",
]
