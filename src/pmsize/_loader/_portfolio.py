"""Problems from a file's data: one problem, or a portfolio (SPEC §2).

A portfolio's `defaults:` are merged into each problem, a top-level key at a time
(no deep merge), and its `policy:` goes with each problem it holds, as does where its
`name:` is (`Problem.source`, `Problem.portfolio_policy`); a problem that takes its
`scenarios:` from `defaults:` is marked so (`Problem.shared_scenarios`). Every error
of every problem is collected and located before any is raised; names are unique.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import Any

from pmsize._errors import InputError, InputErrors, Location
from pmsize._loader._locate import in_file_order, locate, name_location, value_location
from pmsize._loader._yaml import Map
from pmsize._models import (
    Loc,
    OfProblem,
    Policy,
    Problem,
    Values,
    cross_checks,
    format_version,
    loc_text,
    problem_context,
    unknown_key,
    validate,
    whatif,
)

PORTFOLIO_KEYS = ("pmsize", "problems", "defaults", "policy")
MISSPELT_PROBLEMS = "unknown key; did you mean `problems:` (a portfolio's list of problems)?"


def problems_of(root: Map, name: str, values: Values = ()) -> list[Problem]:
    """Validate a single problem or a portfolio; collect every error before raising
    (see `each_problem_of`)."""
    return list(each_problem_of(root, name, values))


Source = tuple[dict[str, Any], Loc, frozenset[str]]
"""A problem's data to validate, its path in the file, the keys it takes from `defaults:`."""


def each_problem_of(root: Map, name: str, values: Values = ()) -> Iterator[Problem]:
    """Each problem of a single problem or a portfolio, validated, as it is made; once all
    are made, `InputErrors` with every error found, if any (so a caller may use each
    problem and let it go, and must write nothing before the end).

    Each problem keeps the data it was validated from, as the file writes it
    (`Problem.as_written`: every scalar the file's text, `defaults:` merged in): `diff`
    shows changed values as written, and `with_values` writes into it. A portfolio's
    list lets go of each entry once its problem is made, so an entry's data lives as long
    as its problem does. `values` (each an input's path and its value as plain data:
    `--set`) are written into each problem's data before it is validated; an error in
    one is named `--set PATH`.
    """
    errors: list[InputError] = []
    seen: dict[str, Location] = {}
    portfolio_policy = Policy()
    defaults: Any = {}
    sources: Iterator[Source]
    misspelt = misspelt_problems(root)
    if "problems" not in root and misspelt is None:
        sources = iter([(root, (), frozenset())])
    else:
        # a misspelt `problems:` is told once, at its key: read as one problem, the file
        # would also lack a name, a market and a solution and have `defaults:` out of place
        for key in root:
            if key == misspelt:
                errors.append(locate(root, name, (key,), MISSPELT_PROBLEMS))
            elif key not in PORTFOLIO_KEYS:
                errors.append(locate(root, name, (key,), unknown_key(key, PORTFOLIO_KEYS)))
        if "pmsize" in root:
            try:
                format_version(root["pmsize"])
            except ValueError as exc:
                errors.append(locate(root, name, ("pmsize",), str(exc)))
        problems = root.get("problems", [])
        defaults = root.get("defaults")
        defaults = {} if defaults is None else defaults
        if misspelt is None and (not isinstance(problems, list) or not problems):
            errors.append(
                locate(root, name, ("problems",), "expected a list of problems, each `- name: ...`")
            )
            problems = []
        if not isinstance(defaults, dict):
            errors.append(
                locate(root, name, ("defaults",), "expected a mapping of problem keys (key: value)")
            )
            defaults = {}
        policy_data = root.get("policy")
        policy, policy_errors = validate(Policy, {} if policy_data is None else policy_data, {})
        portfolio_policy = policy or Policy()
        errors.extend(locate(root, name, ("policy", *loc), msg) for loc, msg in policy_errors)
        sources = _entries(root, name, problems, defaults, errors)
    for data, prefix, inherited in sources:
        applied = whatif.apply(data, values)
        data = applied.data
        errors += [_set_error(path, message) for path, message in applied.errors]
        problem, problem_errors = validate(Problem, data, problem_context(data))
        problem_errors += cross_checks(data)
        for loc, message in problem_errors:
            hit = whatif.named(loc, applied.places)
            if hit is not None:  # a value of --set's: named by it, not at a line
                errors.append(_set_error(hit[0], message, hit[1]))
                continue
            where = ("defaults",) if loc and loc[0] in inherited else prefix
            if prefix and loc and loc[0] not in inherited:
                message += _replaced_default(defaults, data, loc, message)
            elif prefix and loc and isinstance(loc[-1], OfProblem):
                # what the defaults give is judged against each problem's own: say whose
                message += f" (in problem {str(data.get('name'))[:100]!r})"
            errors.append(locate(root, name, (*where, *loc), message))
        if problem is not None and not problem_errors and not applied.errors:
            location = name_location(root, name, prefix)
            written_in = ("defaults",) if "currency" in inherited else prefix
            currency_at = value_location(root, name, written_in, "currency")
            problem._located(
                location, portfolio_policy, data, applied.overrides, currency_at, values
            )
            # drawn once per sample for every problem that takes them (SPEC §14)
            problem._shared_scenarios = "scenarios" in inherited
            duplicate = duplicate_name(problem.name, location, seen)
            if duplicate is not None:
                errors.append(duplicate)
                continue
            yield problem
    if errors:
        raise InputErrors(in_file_order(errors))


def _entries(
    root: Map, name: str, problems: list[Any], defaults: dict[str, Any], errors: list[InputError]
) -> Iterator[Source]:
    """Each entry of a portfolio's `problems:` with `defaults:` merged in; an entry that
    is no mapping is an error. The list lets go of each entry once the next is asked for:
    its problem holds it from then on (`as_written`), or nothing does."""
    for index, item in enumerate(problems):
        if not isinstance(item, dict):
            errors.append(locate(root, name, ("problems", index), "expected a problem (name: ...)"))
            continue
        inherited = frozenset(defaults.keys() - item.keys())
        yield {**defaults, **item}, ("problems", index), inherited
        problems[index] = None


def _set_error(path: str, message: str, field: Loc = ()) -> InputError:
    """An error in a value of `--set PATH=VALUE`: named by the option, as a file's is by
    its line (`--set solution.price: -5k is negative`)."""
    return InputError(Location(f"--set {path}", 0, 0), message, path=loc_text(field))


def misspelt_problems(root: Map) -> str | None:
    """The key written where a portfolio's `problems:` belongs (`problem:` beside
    `defaults:`), when the file has no `problems:`; else None.

    The key is none a problem or a portfolio has, and shows two of a portfolio's three
    signs: a name close to `problems`, a list under it, `defaults:` beside it. One sign
    alone is not enough: a single problem's stray `problem: text` or `tags: [a, b]` stays
    an unknown key of that problem."""
    if "problems" in root:
        return None
    beside_defaults = "defaults" in root
    best: tuple[int, str] | None = None
    for key, value in root.items():
        if key in Problem.model_fields or key in PORTFOLIO_KEYS:
            continue
        close = bool(difflib.get_close_matches(key.lower(), ["problems"], cutoff=0.75))
        signs = close + isinstance(value, list) + beside_defaults
        if signs >= 2 and (best is None or signs > best[0]):
            best = (signs, key)
    return None if best is None else best[1]


def _replaced_default(
    defaults: dict[str, Any], data: dict[str, Any], loc: Loc, message: str
) -> str:
    """A hint when what is missing from a problem's own top-level key is in `defaults:`,
    whose whole value for that key the problem's own replaced (SPEC §2: no deep merge)."""
    top = str(loc[0])
    default, own = defaults.get(top), data.get(top)
    if not isinstance(default, dict) or not isinstance(own, dict):
        return ""
    if message.startswith("is required") and len(loc) == 2:
        missing = [str(loc[1])] if loc[1] in default else []
    elif message.startswith(("give ", "revenue is missing", "problem_share is missing")):
        missing = [key for key in default if key not in own and default[key] is not None]
    else:
        return ""
    if not missing:
        return ""
    dropped = [key for key in default if key not in own and key not in missing]
    also = f" (the default's {_and(dropped)} are dropped too)" if dropped else ""
    if len(dropped) == 1:
        also = f" (the default's {dropped[0]} is dropped too)"
    return (
        f"; this problem's own `{top}:` replaces the whole `{top}` of `defaults:`; "
        f"repeat {_and(missing)} here{also}"
    )


def _and(words: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def duplicate_names(problems: Iterable[Problem]) -> Iterator[InputError]:
    """An error at each loaded problem whose name an earlier one has, in its file or
    another."""
    seen: dict[str, Location] = {}
    for problem in problems:
        location = problem.source
        if location is None:  # built in code: not loaded, never in a file
            continue
        duplicate = duplicate_name(problem.name, location, seen)
        if duplicate is not None:
            yield duplicate


def duplicate_name(name: str, location: Location, seen: dict[str, Location]) -> InputError | None:
    """The error for a problem `name` read at `location` when an earlier one has it (`seen`:
    each name so far and where it was read, which this adds to); else None."""
    first = seen.setdefault(name, location)
    if first is location:
        return None
    where = f"line {first.line}" if first.file == location.file else str(first)
    return InputError(
        location,
        f"problem name {name!r} is already used at {where}; names must be unique",
        path="name",
    )
