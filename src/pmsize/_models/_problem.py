"""A problem: one file, or one entry of a portfolio (format version 1).

`Problem.model_validate` takes its context (currency, horizon) from the data, so a
problem built in code is held to every rule a file is: each field's, the per-year lists
within the horizon, the rules across fields (`_rules`) and the correlations'.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import (
    BaseModel,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails

from pmsize import _correlations as correlations
from pmsize._errors import InputError, InputErrors, Location
from pmsize._models import _scenarios as scenarios
from pmsize._models import _whatif as whatif
from pmsize._models._fields import (
    DEFAULT_HORIZON,
    YEARLY_FIELDS,
    Correlations,
    Currency,
    Rate,
    Text,
    Version,
    Years,
    problem_context,
    too_many_years,
)
from pmsize._models._parts import FROZEN, Alternative, Market, Policy, Solution
from pmsize._models._rules import (
    COST_KEYS,
    Loc,
    RuleError,
    cost_rule,
    cross_checks,
    loc_text,
    name_rules,
)
from pmsize._models._scenarios import Scenario, Scenarios
from pmsize._models._whatif import Override
from pmsize._models._words import validate
from pmsize._pairs import CorrelationError


class Kept:
    """What a problem makes of itself once and keeps (its scenarios' problems, what a
    simulation draws), with the problem it was made for (`owner`: a copy shares the
    attribute until it makes its own). Not part of what the problem is: any two compare
    equal, so two problems that kept other things (or kept each other) still compare by
    their values, and never recurse."""

    __slots__ = ("owner", "value")

    def __init__(self, owner: object = None, value: Any = None) -> None:
        self.owner, self.value = owner, value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Kept)

    def __hash__(self) -> int:
        return 0


class Problem(BaseModel):
    """One problem file (or one entry of a portfolio), format version 1."""

    model_config = FROZEN

    pmsize: Version = 1
    name: Text
    description: Text | None = None
    currency: Currency = "USD"
    horizon_years: Years = DEFAULT_HORIZON
    discount_rate: Rate = 0.10
    market: Market
    solution: Solution
    alternatives: tuple[Alternative, ...] = Field(default=())
    policy: Policy = Policy()
    # rank correlations between ranged inputs (SPEC §10), in file order
    correlations: Correlations = ()
    # named cases beside the file as written, each values at input paths (SPEC §14)
    scenarios: Scenarios = ()
    # Never read from a file: where the problem's `name:` and `currency:` are, the
    # `policy:` of the portfolio it came in (set by the loader), the data it was
    # validated from, the what-ifs that data holds (see `source`, `currency_source`,
    # `portfolio_policy`, `as_written`, `overrides`) and their values as plain data, and
    # the scenario it is, if any (`scenario`), and whether its scenarios are its
    # portfolio's `defaults:` ones (`shared_scenarios`).
    _source: Location | None = PrivateAttr(default=None)
    _currency_source: Location | None = PrivateAttr(default=None)
    _portfolio_policy: Policy | None = PrivateAttr(default=None)
    _as_written: Mapping[str, Any] | None = PrivateAttr(default=None)
    _overrides: tuple[Override, ...] = PrivateAttr(default=())
    _values: whatif.Values = PrivateAttr(default=())
    _scenario: Scenario | None = PrivateAttr(default=None)
    _shared_scenarios: bool = PrivateAttr(default=False)
    # the problem as each scenario has it, made once (`in_scenario`), with the problem it
    # was made from: a copy (`model_copy` shares this) makes its own
    _in_scenarios: Kept = PrivateAttr(default_factory=Kept)
    # what a simulation makes of the problem's scenarios (`mixture.mixture`: its cases, how
    # they are sized, their copulas), made once, likewise with the problem it was made from
    _mixture: Kept = PrivateAttr(default_factory=Kept)

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        **kwargs: Any,
    ) -> Problem:
        """A problem from data written as in a file, checked by every rule the loader
        applies: without a `context`, the one the data gives (`problem_context`), so a `€`
        amount in a USD problem is refused in code as in a file."""
        if context is None and isinstance(obj, Mapping):
            context = problem_context(obj)
        problem = super().model_validate(
            obj, strict=strict, from_attributes=from_attributes, context=context, **kwargs
        )
        if isinstance(obj, Mapping):  # kept, so that `with_values` can write into it
            problem._as_written = obj
        return problem

    @property
    def source(self) -> Location | None:
        """Where the problem was read from (`file:line:column` of its `name:`); None when
        the problem was built in code."""
        return self._source

    @property
    def currency_source(self) -> Location | None:
        """Where the problem's currency is written (`file:line:column` of its `currency:`
        value, or its portfolio's `defaults:` one); None when no `currency:` is written
        (USD) or the problem was built in code."""
        return self._currency_source

    @property
    def portfolio_policy(self) -> Policy:
        """The `policy:` of the portfolio file the problem came in (empty if none)."""
        return self._portfolio_policy or Policy()

    @property
    def as_written(self) -> Mapping[str, Any] | None:
        """The data the problem was validated from, as its file writes it (every value
        the file's text, `defaults:` merged in), or as given to `model_validate`; None for
        a problem built field by field."""
        return self._as_written

    @property
    def overrides(self) -> tuple[Override, ...]:
        """The what-ifs this problem holds (`with_values`, `--set`), in the order given:
        each input's path, its value as given and as the file wrote it."""
        return self._overrides

    @property
    def scenario(self) -> Scenario | None:
        """The scenario this problem is (`in_scenario`), None for a file as written."""
        return self._scenario

    @property
    def shared_scenarios(self) -> bool:
        """Whether the problem's scenarios are its portfolio's `defaults:` ones (set by the
        loader): a simulation draws them once per sample for every problem that takes them,
        where a problem's own scenarios are drawn for it alone (SPEC §14)."""
        return self._shared_scenarios and bool(self.scenarios)

    def in_scenario(self, name: str) -> Problem:
        """The problem as the scenario `name` (matched ignoring case) has it: its values
        written over the file's, then the what-ifs this problem holds (`with_values`,
        `--set`). The new problem has no scenarios; its `overrides` are the scenario's,
        then the what-ifs'. Made and checked once: each later call gives the same problem
        (a simulation asks for every scenario at each run). Raises `ValueError` naming the
        scenarios when none is `name`.
        """
        wanted = name.strip().casefold()
        made = self._in_scenarios
        if made.owner is self and wanted in made.value:
            kept: Problem = made.value[wanted]
            return kept
        scenario = next((s for s in self.scenarios if s.name.strip().casefold() == wanted), None)
        if scenario is None:
            raise ValueError(self._no_scenario(name))
        if self._as_written is None:
            raise ValueError(
                "this problem keeps no data to write values into; build it with "
                "Problem.model_validate(data) or pmsize.load(...)"
            )
        applied = scenarios.apply(self._as_written, scenario, self._values)
        where = self._source or Location(self.name[:100], 0, 0)
        errors = [
            InputError(where, f"scenario {scenario.name!r}: {path}: {message}")
            for path, message in applied.errors
        ]
        problem, found = validate(type(self), applied.data, problem_context(applied.data))
        for loc, message in [*found, *cross_checks(applied.data)]:
            field = loc_text(loc)
            errors.append(InputError(where, f"scenario {scenario.name!r}: {field}: {message}"))
        if errors or problem is None:
            raise InputErrors(list({str(e): e for e in errors}.values()))
        own = applied.overrides[: len(scenario.values)]
        problem._located(
            self._source or Location(self.name, 0, 0),
            self._portfolio_policy,
            applied.data,
            (*own, *self._overrides),
            self._currency_source,
            self._values,
        )
        problem._scenario = scenario
        if made.owner is not self:
            made = self._in_scenarios = Kept(self, {})
        made.value[wanted] = problem
        return problem

    def _no_scenario(self, name: str) -> str:
        shown = f"problem {self.name[:100]!r}"
        if not self.scenarios:
            return f"{shown} has no scenarios, so none is named {name[:100]!r}"
        names = ", ".join(s.name for s in self.scenarios)
        return f"{shown} has no scenario named {name[:100]!r} (its scenarios: {names})"

    def with_values(self, values: Mapping[str, object]) -> Problem:
        """A new problem: this one with each value written at its input path (docs/paths.md)
        as the file would write it, validated by every rule a file is held to.

            problem.with_values({"solution.price": "$50k", "alternatives[Excel]": None})

        A value is the file's text (`"$100k to $300k"`, `"10%"`), a list of them, an
        alternative as a mapping, or None to remove a field or an alternative. Raises
        `InputErrors`, each naming the input it is about, when a path names no input or a
        value would be refused in the file.
        """
        if self._as_written is None:
            raise ValueError(
                "this problem keeps no data to write values into; build it with "
                "Problem.model_validate(data) or pmsize.load(...)"
            )
        parsed, unknown = whatif.parsed(values)
        where = self._source or Location(self.name[:100], 0, 0)
        errors = [InputError(where, message) for message in unknown]
        applied = whatif.apply(self._as_written, parsed)
        errors += [InputError(Location(path, 0, 0), message) for path, message in applied.errors]
        if errors:
            raise InputErrors(errors)
        problem, found = validate(type(self), applied.data, problem_context(applied.data))
        for loc, message in [*found, *cross_checks(applied.data)]:
            hit = whatif.named(loc, applied.places)
            at, field = (where, loc) if hit is None else (Location(hit[0], 0, 0), hit[1])
            errors.append(InputError(at, message, path=loc_text(field)))
        if errors or problem is None:
            raise InputErrors(errors)
        problem._located(
            self._source or Location(self.name, 0, 0),
            self._portfolio_policy,
            applied.data,
            (*self._overrides, *applied.overrides),
            self._currency_source,
            (*self._values, *parsed),
        )
        problem._shared_scenarios = self._shared_scenarios
        return problem

    def _located(
        self,
        source: Location,
        portfolio_policy: Policy | None = None,
        as_written: Mapping[str, Any] | None = None,
        overrides: tuple[Override, ...] = (),
        currency_source: Location | None = None,
        values: whatif.Values = (),
    ) -> Problem:
        """This problem, marked as read from `source` (its currency from `currency_source`)
        in a portfolio with that policy, validated from `as_written` (which holds
        `overrides`, written from `values`)."""
        self._source = source
        self._currency_source = currency_source
        self._portfolio_policy = portfolio_policy
        if as_written is not None:
            self._as_written = as_written
        self._overrides = overrides
        self._values = tuple(values)
        self._in_scenarios = Kept()  # made from what the problem held before
        self._mixture = Kept()
        return self

    @field_validator("alternatives", "policy", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object, info: ValidationInfo) -> object:
        """`alternatives:` or `policy:` with nothing under it (every entry commented out)."""
        if value is None:
            return () if info.field_name == "alternatives" else {}
        return value

    @model_validator(mode="after")
    def _years_within_horizon(self) -> Problem:
        """Without the loader's context (the API), per-year lists and `from_year` are judged
        once the horizon is read."""
        horizon = self.horizon_years
        if len(self.solution.adoption) > horizon:
            raise ValueError(too_many_years(len(self.solution.adoption), horizon))
        for alternative in self.alternatives:
            if alternative.from_year > horizon:
                raise ValueError(
                    f"{alternative.name}: from_year {alternative.from_year} is after the "
                    f"horizon of {horizon} years"
                )
            left = horizon - alternative.from_year + 1
            for field in YEARLY_FIELDS:
                given = getattr(alternative, field)
                if isinstance(given, tuple) and len(given) > left:
                    too_long = too_many_years(len(given), horizon, alternative.from_year)
                    raise ValueError(f"{alternative.name}: {field} {too_long}")
        return self

    @model_validator(mode="after")
    def _rules_hold(self) -> Problem:
        """The rules of `cross_checks`, for a problem built in code as for one read from a
        file (where the loader has already reported them, at their lines)."""
        market = self.market
        found = cost_rule({key for key in COST_KEYS if getattr(market, key) is not None})
        found += name_rules([a.name for a in self.alternatives])
        if found:
            raise RuleError(found)
        return self

    @model_validator(mode="after")
    def _correlations_hold(self) -> Problem:
        """Each side of a correlation a ranged input, and the pairs able to hold together."""
        if self.correlations:
            found = correlations.check(self)
            if found:
                raise CorrelationError(found, of_problem=True)
        return self

    # defined after every other check of the problem, so that it wraps them all
    @model_validator(mode="wrap")
    @classmethod
    def _scenarios_hold(cls, data: Any, handler: ModelWrapValidatorHandler[Problem]) -> Problem:
        """Each scenario's values judged as the file's own: written into the data and
        validated (`scenarios.check`); a scenario's problem has no scenarios to judge.

        Every error is told at once: when the problem has errors of its own, or its
        `scenarios:` block has, the values of the scenarios that can be read are judged
        all the same (`scenarios.check_read`) and told beside them.
        """
        try:
            problem = handler(data)
        except ValidationError as exc:
            if not isinstance(data, Mapping) or not data.get("scenarios"):
                raise
            found = scenarios.check_read(data, cls._judged)
            if not found:
                raise
            raise _told_beside(exc, scenarios.ScenarioError(found), data) from None
        if problem.scenarios:
            found = (
                scenarios.check(data, problem.scenarios, cls._judged)
                if isinstance(data, Mapping)
                else scenarios.probabilities(problem.scenarios)
            )
            if found:
                raise scenarios.ScenarioError(found)
        return problem

    @classmethod
    def _judged(cls, data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
        """Every error in a problem's data, as the loader finds them."""
        _, found = validate(cls, data, problem_context(data))
        return [*found, *cross_checks(data)]


def _told_beside(exc: ValidationError, error: ValueError, data: Any) -> ValidationError:
    """`exc` with `error` as one more of its errors: a validator raises them together."""
    details: list[InitErrorDetails] = []
    for e in exc.errors(include_url=False):
        detail = InitErrorDetails(type=e["type"], loc=e["loc"], input=e["input"])
        if "ctx" in e:
            detail["ctx"] = e["ctx"]
        details.append(detail)
    details.append(InitErrorDetails(type="value_error", loc=(), input=data, ctx={"error": error}))
    return ValidationError.from_exception_data(exc.title, details)
