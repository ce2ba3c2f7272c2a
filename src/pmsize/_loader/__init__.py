"""Bytes -> YAML events -> plain data -> `Problem` models; every error located file:line:column.

Each file is read once, and each job has its module:

    _files       paths named -> the files to read (folders, stdin, links) and their bytes
    _yaml        bytes -> plain data that keeps where each key and value was written;
                 the limits, and every YAML error located
    _locate      validation errors -> messages at file:line:column, in file order, capped
    _portfolio   a file's data -> problems, each knowing where it was read and its
                 portfolio's policy: `defaults:` and `policy:` merged, `--set` written in
    _settings    `--set PATH=VALUE` -> each input's path and its value as plain data

This module runs them: `load_paths` for files and folders (`each_problem`, one problem
at a time, for a caller that lets each go), `load_bytes` and
`load_text` for one file's content, `check_paths` for `validate`, and
`load_written` for `diff`, which also needs each problem's data as written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from pmsize._errors import InputError, InputErrors, Location
from pmsize._loader import _portfolio, _yaml
from pmsize._loader._files import (
    MAX_BYTES,
    STDIN,
    STDIN_NAME,
    YAML_SUFFIXES,
    display_name,
    expand_paths,
    read_file,
    skipped,
    within,
)
from pmsize._loader._locate import MAX_ERRORS, capped, in_file_order
from pmsize._loader._portfolio import PORTFOLIO_KEYS, duplicate_name, duplicate_names
from pmsize._loader._settings import read_settings
from pmsize._loader._yaml import MAX_DEPTH, MAX_ITEMS, MAX_KEYS
from pmsize._models import Problem, Values
from pmsize._models import model_in as _model_in  # diffing: the model a field holds

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_ERRORS",
    "MAX_ITEMS",
    "MAX_KEYS",
    "PORTFOLIO_KEYS",
    "STDIN",
    "STDIN_NAME",
    "YAML_SUFFIXES",
    "_model_in",
    "check_paths",
    "each_problem",
    "expand_paths",
    "load_bytes",
    "load_paths",
    "load_text",
    "load_written",
    "read_file",
    "read_settings",
    "skipped",
    "within",
]


def load_paths(paths: Iterable[str], values: Values = ()) -> list[Problem]:
    """Load every problem from files, directories (every *.yaml/*.yml below, sorted) or `-`,
    each with `values` written at their input paths before it is validated (`--set`).

    Raises `InputErrors` with every error found in every file.
    """
    return list(each_problem(paths, values))


def each_problem(
    paths: Iterable[str], values: Values = (), counted: Callable[[int], None] | None = None
) -> Iterator[Problem]:
    """`load_paths` one problem at a time, each as it is made: a caller that uses each
    problem and lets it go never holds a large portfolio whole (a file's data is let go
    entry by entry, see `_portfolio.each_problem_of`). `InputErrors`, with every error
    found in every file, comes once all are read, so write nothing before the end.
    `counted(n)` is told how many problems each file holds, once it is parsed."""
    errors: list[InputError] = []
    yield from _each_file(paths, values, [], errors, counted)
    if errors:
        raise InputErrors(errors)


def check_paths(
    paths: Iterable[str], values: Values = ()
) -> tuple[list[tuple[str, int]], list[InputError]]:
    """Each sound file's name and how many problems it holds, and every error found in
    the other files (a file with any error is not listed as sound)."""
    loaded: list[tuple[str, int]] = []
    errors: list[InputError] = []
    for _ in _each_file(paths, values, loaded, errors):
        pass
    failed = {error.location.file for error in errors}
    checked = [(display_name(file), count) for file, count in loaded]
    return [(name, n) for name, n in checked if name not in failed], errors


# A file found in a folder is a problem file when its top level has one of these keys;
# another YAML file there (a docker-compose.yml, a CI workflow) is skipped with a note.
# A file named on the command line is always read as a problem file.
PROBLEM_KEYS = frozenset({"pmsize", "name", "problems", "market", "solution"})


def _each_file(
    paths: Iterable[str],
    values: Values,
    loaded: list[tuple[str, int]],
    errors: list[InputError],
    counted: Callable[[int], None] | None = None,
) -> Iterator[Problem]:
    """Every problem of every file, as it is made; each file that loads whole is added to
    `loaded` (its name and how many problems it holds), and every error found to
    `errors`, once all are read (names used twice across files among them)."""
    named = list(paths)
    others: list[str] = []  # YAML files in folders that are no problem files
    names: list[tuple[str, Location]] = []  # of the files loaded whole, for duplicates
    for file in expand_paths(named, errors):
        data = b""  # a file that cannot be read is an error, whatever it holds
        read: list[tuple[str, Location]] = []
        try:
            data = read_file(file)
            found = _each_problem_in(data, file, values, counted)
            if file in named:
                data = b""  # only a file found in a folder may be some other YAML
            for problem in found:
                if problem.source is not None:
                    read.append((problem.name, problem.source))
                yield problem
            loaded.append((file, len(read)))
            names += read
        except (InputError, InputErrors) as exc:
            if file not in named and _not_a_problem_file(data):
                others.append(file)
                continue
            errors.extend(exc.errors if isinstance(exc, InputErrors) else [exc])
    if others:
        _skipped_others(others)
    # a bad --set value is one error, however many problems take it (it is at no line)
    errors[:] = [e for e in errors if e.location.line] + list(
        {str(e): e for e in errors if not e.location.line}.values()
    )
    seen: dict[str, Location] = {}
    errors.extend(
        error
        for name, location in names
        if (error := duplicate_name(name, location, seen)) is not None
    )


def _not_a_problem_file(data: bytes) -> bool:
    """Whether a file that did not load is some other YAML: it reads as YAML, and its top
    level (a mapping, a list or a value) has none of `PROBLEM_KEYS`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    keys = _yaml.top_keys(text)
    return keys is not None and not keys & PROBLEM_KEYS


def _skipped_others(files: list[str]) -> None:
    """One note for the YAML files in folders that are not problem files."""
    shown = [display_name(f) for f in files[:SHOWN_OTHERS]]
    more = len(files) - len(shown)
    listed = ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")
    several = len(files) > 1
    skipped(
        f"{listed} {'are not problem files' if several else 'is not a problem file'} "
        f"(none of {', '.join(sorted(PROBLEM_KEYS))} at the top)",
        several=several,
    )


SHOWN_OTHERS = 5  # files a note names; the rest are counted


def load_bytes(data: bytes, file: str) -> list[Problem]:
    """Problems from the raw bytes of one file (`file` names it in messages)."""
    return _read_problems(data, file)


def _read_problems(data: bytes, file: str, values: Values = ()) -> list[Problem]:
    """Each problem of one file, with `values` written in (see `_portfolio.problems_of`)."""
    return list(_each_problem_in(data, file, values))


def _each_problem_in(
    data: bytes, file: str, values: Values = (), counted: Callable[[int], None] | None = None
) -> Iterator[Problem]:
    """`_read_problems` one problem at a time (see `_portfolio.each_problem_of`); the file's
    bytes and text are let go once parsed. `counted` as `each_problem` takes it."""
    name = display_name(file)
    text = _yaml.decode(data, name)
    del data
    duplicates: list[InputError] = []
    root = _yaml.build(text, name, duplicates)
    del text
    if not isinstance(root, _yaml.Map):
        what = "a list" if isinstance(root, list) else "plain text"
        raise InputError(
            Location(name),
            f"the file holds {what}; a problem file is a mapping of keys (name: ...)",
        )
    if counted is not None:
        listed = root.get("problems")
        counted(len(listed) if isinstance(listed, list) else 1)
    try:
        yield from _portfolio.each_problem_of(root, name, values)
    except InputErrors as exc:
        raise InputErrors(capped(in_file_order(duplicates + exc.errors))) from None
    if duplicates:
        raise InputErrors(capped(duplicates))


def load_text(text: str, file: str = "<string>") -> list[Problem]:
    """Problems from YAML text; for the API and tests."""
    return load_bytes(text.encode("utf-8"), file)


def load_written(named: Iterable[tuple[str, bytes]]) -> list[Problem]:
    """Problems from files' bytes (each `(name in messages, bytes)`), each with its data as
    written (`Problem.as_written`): every scalar the text the file has, `defaults:` merged
    in as for validation (for `diff`, which shows changed values as the files write them).

    Raises `InputErrors` with every error in every file, duplicate names across them too.
    """
    loaded: list[Problem] = []
    errors: list[InputError] = []
    for name, data in named:
        try:
            loaded.extend(_read_problems(data, name))
        except InputErrors as exc:
            errors.extend(exc.errors)
        except InputError as exc:
            errors.append(exc)
    errors.extend(duplicate_names(loaded))
    if errors:
        raise InputErrors(errors)
    return loaded
