"""Bytes -> YAML events -> plain data -> `Problem` models; every error located file:line:column.

The file is read once through the (C, when present) YAML event parser, and
plain data is built from the events here rather than by PyYAML's constructor,
so that nothing is ever constructed from a tag, YAML 1.1 never guesses a type
(every scalar stays the text the person wrote; `values` parses it), and
duplicate keys, anchors, aliases, deep nesting and extra documents are caught
with their position. Where each mapping, list, key and value was written is
kept with the data as it is read (`_Map`, `_Seq`), so a validation error's field
path is mapped back to its line and column without reading the file again.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from pmsize import values
from pmsize.correlations import CorrelationError
from pmsize.errors import InputError, InputErrors, Location, SkippedPath, UsageError
from pmsize.models import (
    Policy,
    Problem,
    RuleError,
    cross_checks,
    format_version,
    problem_context,
)

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 20
# items in one list: a portfolio of problems is the longest list a file needs; without a cap,
# a 10 MB list of millions of items took minutes and gigabytes to build and locate
MAX_ITEMS = 100_000
# keys in one mapping: a problem has about a dozen; 300,000 unknown (or repeated) keys took
# 30 s and 667 MB to validate and locate, and printed an error for each
MAX_KEYS = 1_000
# errors told for one file: past this, one last located line counts the rest
MAX_ERRORS = 100
YAML_SUFFIXES = (".yaml", ".yml")  # what a folder argument reads, compared in any case
STDIN = "-"
STDIN_NAME = "<stdin>"
PORTFOLIO_KEYS = ("pmsize", "problems", "defaults", "policy")
_PLAIN_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_TAG_PREFIX = "tag:yaml.org,2002:"

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Entry:
    """One loaded problem: the model, where its `name:` is, and its portfolio's policy."""

    problem: Problem
    location: Location
    portfolio_policy: Policy = field(default_factory=Policy)


def load_paths(paths: Iterable[str]) -> list[Entry]:
    """Load every problem from files, directories (every *.yaml/*.yml below, sorted) or `-`.

    Raises `InputErrors` with every error found in every file.
    """
    loaded, errors = _load_files(paths)
    if errors:
        raise InputErrors(errors)
    return [entry for _, entries in loaded for entry in entries]


def check_paths(paths: Iterable[str]) -> tuple[list[tuple[str, int]], list[InputError]]:
    """Each sound file's name and how many problems it holds, and every error found in
    the other files (a file with any error is not listed as sound)."""
    loaded, errors = _load_files(paths)
    failed = {error.location.file for error in errors}
    checked = [(_display(file), len(entries)) for file, entries in loaded]
    return [(name, n) for name, n in checked if name not in failed], errors


def _load_files(paths: Iterable[str]) -> tuple[list[tuple[str, list[Entry]]], list[InputError]]:
    loaded: list[tuple[str, list[Entry]]] = []
    errors: list[InputError] = []
    for file in expand_paths(paths, errors):
        try:
            loaded.append((file, load_bytes(_read(file), file)))
        except InputErrors as exc:
            errors.extend(exc.errors)
        except InputError as exc:
            errors.append(exc)
    errors.extend(_duplicate_names([entry for _, entries in loaded for entry in entries]))
    return loaded, errors


def _display(file: str) -> str:
    return STDIN_NAME if file == STDIN else file


def expand_paths(
    paths: Iterable[str], errors: list[InputError], *, skip_repositories: bool = False
) -> list[str]:
    """Files named, and the *.yaml/*.yml files (any case) below directories named (not in
    hidden folders, and not hidden themselves), in sorted order; each file once, however
    many names it is reached by (`./a.yaml a.yaml`, a symlink).

    In a folder, a link to a file is followed only when the file lies in that folder
    (`within`); a link that leads out of it is skipped with a `SkippedPath` warning, so
    that a link committed among problems cannot read any file the process can. With
    `skip_repositories` (git's view of a repository, for `diff --git`), a folder below
    one named that holds another repository (a submodule: a `.git` in it) is skipped
    with a warning too.

    Raises `UsageError` for an empty path; any other path that cannot be read is an
    error in `errors`.
    """
    files: list[str] = []
    for path in paths:
        if not path:
            # Path("") is ".", which would quietly evaluate the current folder
            raise UsageError("an empty path names no file; give a file, a folder or - for stdin")
        if path == STDIN:
            files.append(STDIN)
            continue
        try:
            info = Path(path).stat()
        except FileNotFoundError:
            errors.append(InputError(Location(path), "no such file or folder"))
            continue
        except (OSError, ValueError) as exc:
            errors.append(_unreadable(path, exc))
            continue
        if stat.S_ISDIR(info.st_mode):
            found = _yaml_files_below(path, errors, skip_repositories)
            if not found:
                errors.append(InputError(Location(path), "no *.yaml or *.yml files in this folder"))
            files.extend(found)
        else:
            files.append(path)
    return _once_each(files, errors)


def _yaml_files_below(
    folder: str, errors: list[InputError], skip_repositories: bool = False
) -> list[str]:
    """The *.yaml/*.yml files below `folder`, sorted; a folder that cannot be read is an
    error, never silently skipped. Symlinked folders are not followed (no loops); a
    symlinked file only when it lies in `folder` (see `expand_paths`)."""
    found: list[str] = []
    pending = [Path(folder)]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError as exc:
            errors.append(_unreadable(str(current), exc))
            continue
        for entry in entries:
            # hidden folders (.github/, .git/) hold workflow and tool YAML, never problems
            if entry.name.startswith("."):
                continue
            path = current / entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if skip_repositories and os.path.lexists(path / ".git"):
                        skipped(f"{path} is a git submodule (another repository)")
                    else:
                        pending.append(path)
                elif entry.name.lower().endswith(YAML_SUFFIXES) and entry.is_file():
                    if entry.is_symlink() and within(str(path), folder) is None:
                        skipped(f"{path} is a link to a file outside {folder}")
                    else:
                        found.append(str(path))
            except OSError as exc:
                errors.append(_unreadable(str(path), exc))
    return sorted(found)


def within(path: str, folder: str) -> str | None:
    """`path` relative to `folder` (with `/`, "" for the folder itself), both with every
    link resolved; None when it lies outside. The one rule for what a link may reach:
    a file found in a folder stays in it, and `diff --git` stays in its repository."""
    resolved, root = os.path.realpath(path), os.path.realpath(folder)
    relative = os.path.relpath(resolved, root)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return "" if relative == os.curdir else relative.replace(os.sep, "/")


def skipped(what: str) -> None:
    """Say that a path is left out on purpose (`what` is, so it is not read): a
    `SkippedPath` warning, which the command line prints as a note."""
    warnings.warn(SkippedPath(f"{what}, so it is not read"), stacklevel=2)


def _once_each(files: list[str], errors: list[InputError]) -> list[str]:
    """`files` with each file kept under the first name it was reached by."""
    seen: set[tuple[int, int] | str] = set()
    unique: list[str] = []
    for file in files:
        identity: tuple[int, int] | str = file
        if file != STDIN:
            try:
                info = Path(file).stat()
            except (OSError, ValueError) as exc:
                errors.append(_unreadable(file, exc))
                continue
            identity = (info.st_dev, info.st_ino)
        if identity not in seen:
            seen.add(identity)
            unique.append(file)
    return unique


def _unreadable(path: str, exc: OSError | ValueError) -> InputError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return InputError(Location(path), f"cannot read ({reason.lower()})")


def _read(file: str) -> bytes:
    if file == STDIN:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        try:
            with Path(file).open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except (OSError, ValueError) as exc:
            raise _unreadable(file, exc) from None
    return data


def load_bytes(data: bytes, file: str) -> list[Entry]:
    """Problems from the raw bytes of one file (`file` names it in messages)."""
    return [entry for entry, _ in _read_problems(data, file)]


def _read_problems(data: bytes, file: str) -> list[tuple[Entry, dict[str, Any]]]:
    """Each problem of one file with the data it was validated from (see `_problems_of`)."""
    name = STDIN_NAME if file == STDIN else file
    text = _decode(data, name)
    duplicates: list[InputError] = []
    root = _build(text, name, duplicates)
    if not isinstance(root, _Map):
        what = "a list" if isinstance(root, list) else "plain text"
        raise InputError(
            Location(name),
            f"the file holds {what}; a problem file is a mapping of keys (name: ...)",
        )
    try:
        found = _problems_of(root, name)
    except InputErrors as exc:
        raise InputErrors(_capped(_in_file_order(duplicates + exc.errors))) from None
    if duplicates:
        raise InputErrors(_capped(duplicates))
    return found


def _capped(errors: list[InputError]) -> list[InputError]:
    """The first `MAX_ERRORS` errors of one file, then one line, where the next error is,
    that counts the rest: a person fixes the first ones and runs again."""
    if len(errors) <= MAX_ERRORS:
        return errors
    rest = len(errors) - MAX_ERRORS
    more = "error" if rest == 1 else "errors"
    return [
        *errors[:MAX_ERRORS],
        InputError(
            errors[MAX_ERRORS].location,
            f"... and {rest:,} more {more} in this file; fix the ones above and run again",
            omitted=rest,
        ),
    ]


def load_text(text: str, file: str = "<string>") -> list[Entry]:
    """Problems from YAML text; for the API and tests."""
    return load_bytes(text.encode("utf-8"), file)


def _decode(data: bytes, name: str) -> str:
    if len(data) > MAX_BYTES:
        raise InputError(
            Location(name),
            f"the file is over {MAX_BYTES // (1024 * 1024)} MB, far more than any problem file "
            "needs; check it is the right file, or split it into several",
        )
    for bom, encoding in _OTHER_BOMS:
        if data.startswith(bom):
            raise InputError(
                Location(name), f"the file is {encoding} text; save it as UTF-8 and try again"
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        column = nul - (data.rfind(b"\n", 0, nul) + 1) + 1
        raise InputError(
            Location(name, line, column),
            "the file contains a NUL byte: it looks like a binary file, not YAML text",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            Location(name, line, column), "the file is not UTF-8 text; save it as UTF-8"
        ) from None
    return text


def _build(text: str, name: str, duplicates: list[InputError]) -> Any:
    """Plain data (dicts, lists, str, None) from YAML text, refusing what SPEC §6 refuses.

    A duplicate key is added to `duplicates` and building goes on (the last value is
    kept), so the file's other errors are found too; anything else raises at once.
    """
    builder = _Builder(name, duplicates)
    steps = builder.steps
    try:
        for event in yaml.parse(text, Loader=_Loader):
            step = steps.get(type(event))  # stream and document ends change nothing
            if step is not None:
                step(event)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, text, name) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, name) from None
    except yaml.YAMLError as exc:
        raise InputError(Location(name), f"invalid YAML: {exc}") from None
    return _checked_root(builder.root, text, name)


class _Builder:
    """Plain data built from the YAML parser's events: `steps` maps each kind of event
    to the method that takes it.

    Containers being filled are kept on a stack, each with where it opened, its
    pending key (for a mapping, `_NO_KEY` until a key is read) and how many keys were
    written to it (repeats included). `root` is the finished value, `_NO_KEY` while
    nothing was read.
    """

    def __init__(self, name: str, duplicates: list[InputError]) -> None:
        self.name = name
        self.duplicates = duplicates
        self.root: Any = _NO_KEY
        self.documents = 0
        self.stack: list[Any] = []  # containers being filled
        self.keys: list[Any] = []  # for mappings: the pending key (or _NO_KEY)
        self.starts: list[Any] = []  # where each container opened
        self.counts: list[int] = []  # for mappings: how many keys were written
        self.steps: dict[type, Any] = {
            yaml.ScalarEvent: self.scalar,
            yaml.MappingStartEvent: self.open,
            yaml.SequenceStartEvent: self.open,
            yaml.MappingEndEvent: self.close,
            yaml.SequenceEndEvent: self.close,
            yaml.AliasEvent: self.alias,
            yaml.DocumentStartEvent: self.document,
        }

    def fail(self, mark: Any, message: str) -> InputError:
        """The error `message` at a parser mark (0-based) in the file's 1-based terms."""
        return InputError(Location(self.name, mark.line + 1, mark.column + 1), message)

    def scalar(self, event: Any) -> None:
        """A scalar stays the text written; only a plain empty, `~` or `null` is None."""
        if event.anchor is not None or event.tag is not None:
            _check_node(event, self.fail)
        mark = event.start_mark
        at = (mark.line + 1) << 32 | (mark.column + 1)  # a `Place`
        # a plain scalar has style "" from the C parser and None from the Python one
        if event.implicit[0] and event.value in _PLAIN_NULLS and not event.style:
            self.add(None, at)
        else:
            self.add(event.value, at)

    def open(self, event: Any) -> None:
        """A mapping or a list starts: added where it stands, then filled."""
        if event.anchor is not None or event.tag is not None:
            _check_node(event, self.fail)
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(
                event.start_mark,
                f"nested deeper than {MAX_DEPTH} levels, and no problem file needs more "
                "than 5; look for brackets that are never closed",
            )
        mark = event.start_mark
        at = (mark.line + 1) << 32 | (mark.column + 1)  # a `Place`
        new: Any = _Map(at) if type(event) is yaml.MappingStartEvent else _Seq()
        self.add(new, at)
        self.stack.append(new)
        self.starts.append(mark)
        self.keys.append(_NO_KEY)
        self.counts.append(0)

    def close(self, event: Any) -> None:
        """A mapping or a list ends: the one before it is filled again."""
        del event
        self.stack.pop()
        self.starts.pop()
        self.keys.pop()
        self.counts.pop()

    def alias(self, event: Any) -> None:
        """Aliases are refused (they make alias bombs possible)."""
        raise self.fail(
            event.start_mark,
            f"alias *{event.anchor} is not allowed; to share values between problems, "
            "put them under `defaults:` in a portfolio file",
        )

    def document(self, event: Any) -> None:
        """A file holds one YAML document: a second one is refused."""
        self.documents += 1
        if self.documents > 1:
            raise self.fail(
                event.start_mark,
                "a second YAML document (after ---); a file holds one problem, or one "
                "portfolio with `problems:`; split it into files or use `problems:`",
            )

    def add(self, value: Any, at: Place) -> None:
        """Put a value written at `at` where it belongs: the root, a list's next item, a
        mapping's next key, or the value of the key pending."""
        if not self.stack:
            self.root = value
            return
        container, keys = self.stack[-1], self.keys
        if type(container) is _Seq:
            if len(container) >= MAX_ITEMS:
                raise self.too_long()
            container.append(value)
            container.item_at.append(at)
        elif keys[-1] is _NO_KEY:
            self.take_key(value, at)
        else:
            key = keys[-1]
            container[key] = value
            container.value_at[key] = at
            keys[-1] = _NO_KEY

    def too_long(self) -> InputError:
        """The error for a list of over `MAX_ITEMS` items, where the list opened."""
        return self.fail(
            self.starts[-1],
            f"a list of over {MAX_ITEMS:,} items, far more than any problem file needs; "
            "check it is the right file",
        )

    def take_key(self, key: Any, at: Place) -> None:
        """The next key of the mapping being filled: plain text, within `MAX_KEYS`; a key
        written twice is noted in `duplicates` (where it was first is kept, and where it
        was last)."""
        if not isinstance(key, str):
            raise InputError(
                Location(self.name, *line_column(at)), "a key must be plain text, such as `name:`"
            )
        self.counts[-1] += 1
        if self.counts[-1] > MAX_KEYS:
            raise self.fail(
                self.starts[-1],
                f"a mapping of over {MAX_KEYS:,} keys, far more than any problem file needs "
                "(a problem has about a dozen); check it is the right file",
            )
        container = self.stack[-1]
        if key in container:
            first = container.key_at[key] >> 32
            self.duplicates.append(
                InputError(
                    Location(self.name, *line_column(at)),
                    f"duplicate key {key!r} (first at line {first}); each key may appear "
                    "once, so remove one of them",
                )
            )
            if container.repeated_at is None:
                container.repeated_at = {}
            container.repeated_at[key] = at
        else:
            container.key_at[key] = at
        self.keys[-1] = key


def _reader_error(exc: yaml.reader.ReaderError, text: str, name: str) -> InputError:
    """A character YAML does not allow, at its line and column."""
    line = text.count("\n", 0, exc.position) + 1
    column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
    return InputError(
        Location(name, line, column),
        f"the character {chr(exc.character)!r} cannot appear in a YAML file; delete it",
    )


def _checked_root(root: Any, text: str, name: str) -> Any:
    """The file's value, unless the file held nothing: empty, comments only, or null."""
    if root is None:
        raise InputError(
            Location(name),
            "the file holds only an empty value (null); a problem file is a mapping of keys "
            "(name: ...)",
        )
    if root is _NO_KEY:
        if text.strip():
            raise InputError(
                Location(name),
                "the file has only comments; write a problem below them "
                "(`pmsize init` writes a starter)",
            )
        what = "standard input is empty" if name == STDIN_NAME else "the file is empty"
        raise InputError(Location(name), f"{what}; `pmsize init` writes a starter")
    return root


def _yaml_error(exc: yaml.MarkedYAMLError, text: str, name: str) -> InputError:
    """A syntax error in words a person can act on, at the place to fix."""
    problem = exc.problem or "not valid YAML"
    mark = exc.problem_mark or exc.context_mark
    opened = exc.context_mark
    hint = ""
    long_key = _long_key_line(text, exc)
    if long_key is not None:
        # PyYAML reads a key of over 1,024 characters as no key, and then blames the `:`
        mark, hint = (
            long_key,
            f"a key over {_MAX_KEY:,} characters, longer than YAML allows; shorten it",
        )
    elif "cannot start any token" in problem and mark is not None:
        char = text[mark.index] if mark.index < len(text) else ""
        if char == "\t":
            hint = "a tab character; YAML indents with spaces only"
        else:
            hint = f"a value cannot start with {char!r}; put the whole value in quotes"
    elif "mapping values are not allowed" in problem:
        hint = (
            "a `:` that YAML cannot place; line this key up with the keys above it, "
            "or quote a value that contains ': '"
        )
    elif "could not find expected ':'" in problem and opened is not None:
        mark, hint = opened, "this line needs a `:` after its key, as in `name: value`"
    elif "end of stream" in problem and "quoted" in (exc.context or "") and opened is not None:
        mark, hint = opened, "the quote opened here is never closed"
    elif "flow node" in (exc.context or "") and mark and not text[mark.index :].strip():
        hint = "the file ends before a [ or { is closed; close it or remove it"
    elif re.search("flow (sequence|mapping)", exc.context or "") and opened is not None:
        hint = (
            f"the bracket opened at line {opened.line + 1}, column {opened.column + 1} "
            "is not closed where it should be"
        )
    elif "expected key" in problem or "expected '-' indicator" in problem:
        hint = "this line is not indented like the lines above it"
    elif "tag" in problem:
        hint = "YAML tags are not allowed; write plain values"
    message = f"invalid YAML: {hint}" if hint else f"invalid YAML: {problem}"
    if mark is None:
        return InputError(Location(name), message)
    lines = text.split("\n")
    if mark.line >= len(lines):  # the end of the stream, past the last line break
        return InputError(Location(name, len(lines), len(lines[-1]) + 1), message)
    return InputError(Location(name, mark.line + 1, mark.column + 1), message)


_MAX_KEY = 1024  # the longest implicit key YAML allows


def _long_key_line(text: str, exc: yaml.MarkedYAMLError) -> Any:
    """The mark of a line whose key is too long for YAML, among the lines the error names."""
    lines = text.split("\n")
    for mark in (exc.context_mark, exc.problem_mark):
        if mark is None or mark.line >= len(lines):
            continue
        line = lines[mark.line]
        key = line.split(": ", 1)[0] if ": " in line else line.rstrip().removesuffix(":")
        if len(key.strip().lstrip("- ")) > _MAX_KEY and (
            ": " in line or line.rstrip().endswith(":")
        ):
            return yaml.Mark("", 0, mark.line, len(line) - len(line.lstrip()), "", 0)
    return None


# Where something is written in a file: its 1-based line and column in one int,
# `line << 32 | column` (a tuple of two takes three times the memory, and a large portfolio
# keeps the place of every key and value while it is validated)
Place = int


def line_column(at: Place) -> tuple[int, int]:
    """The 1-based line and column of a `Place`."""
    return at >> 32, at & 0xFFFFFFFF


class _Map(dict[str, Any]):
    """A mapping built from YAML, which remembers where it, each of its keys and each of
    their values were written, to locate errors without reading the file again."""

    __slots__ = ("at", "key_at", "repeated_at", "value_at")

    def __init__(self, at: Place) -> None:
        super().__init__()
        self.at = at  # where the mapping starts: its first key, or its `{`
        self.key_at: dict[str, Place] = {}  # each key, where it is first written
        self.value_at: dict[str, Place] = {}  # each key's value (the last one, which is read)
        self.repeated_at: dict[str, Place] | None = None  # a key written again: the last time


class _Seq(list[Any]):
    """A list built from YAML, which remembers where each of its items was written."""

    __slots__ = ("item_at",)

    def __init__(self) -> None:
        super().__init__()
        self.item_at: list[Place] = []


_NO_KEY: Any = object()


def _check_node(event: Any, fail: Any) -> None:
    if event.anchor is not None:
        raise fail(
            event.start_mark,
            f"anchor &{event.anchor} is not allowed; to share values between problems, "
            "put them under `defaults:` in a portfolio file",
        )
    if event.tag is not None:
        # even core tags (`!!map [2%]`, `market: !!seq`) can contradict the node they sit on;
        # no problem file needs one, so every explicit tag is refused
        tag = str(event.tag)
        shown = "!!" + tag.removeprefix(_TAG_PREFIX) if tag.startswith(_TAG_PREFIX) else tag
        raise fail(
            event.start_mark,
            f"YAML tag {shown} is not allowed; pmsize reads plain values only, so remove the tag",
        )


def _problems_of(root: _Map, name: str) -> list[tuple[Entry, dict[str, Any]]]:
    """Validate a single problem or a portfolio; collect every error before raising.

    Each problem comes with the data it was validated from, as the file writes it:
    every scalar the file's text, `defaults:` merged in (for `diff`, which shows
    changed values as written).
    """
    errors: list[InputError] = []
    found: list[tuple[Entry, dict[str, Any]]] = []
    portfolio_policy = Policy()
    defaults: Any = {}
    # (data to validate, its path in the file, keys it takes from `defaults:`)
    sources: list[tuple[dict[str, Any], Loc, frozenset[str]]] = []
    if "problems" not in root:
        sources.append((root, (), frozenset()))
    else:
        for key in root:
            if key not in PORTFOLIO_KEYS:
                errors.append(_locate(root, name, (key,), _unknown_key(key, PORTFOLIO_KEYS)))
        if "pmsize" in root:
            try:
                format_version(root["pmsize"])
            except ValueError as exc:
                errors.append(_locate(root, name, ("pmsize",), str(exc)))
        problems = root["problems"]
        defaults = root.get("defaults")
        defaults = {} if defaults is None else defaults
        if not isinstance(problems, list) or not problems:
            errors.append(
                _locate(
                    root, name, ("problems",), "expected a list of problems, each `- name: ...`"
                )
            )
            problems = []
        if not isinstance(defaults, dict):
            errors.append(
                _locate(
                    root, name, ("defaults",), "expected a mapping of problem keys (key: value)"
                )
            )
            defaults = {}
        policy_data = root.get("policy")
        policy, policy_errors = _validate(Policy, {} if policy_data is None else policy_data, {})
        portfolio_policy = policy or Policy()
        errors.extend(_locate(root, name, ("policy", *loc), msg) for loc, msg in policy_errors)
        for index, item in enumerate(problems):
            if not isinstance(item, dict):
                errors.append(
                    _locate(root, name, ("problems", index), "expected a problem (name: ...)")
                )
                continue
            inherited = frozenset(defaults.keys() - item.keys())
            sources.append(({**defaults, **item}, ("problems", index), inherited))
    for data, prefix, inherited in sources:
        problem, problem_errors = _validate(Problem, data, problem_context(data))
        problem_errors += cross_checks(data)
        for loc, message in problem_errors:
            where = ("defaults",) if loc and loc[0] in inherited else prefix
            if prefix and loc and loc[0] not in inherited:
                message += _replaced_default(defaults, data, loc, message)
            elif prefix and loc and isinstance(loc[-1], _ProblemPairKey):
                # the default's pairs are judged against each problem's own ranges: say whose
                message += f" (in problem {str(data.get('name'))[:100]!r})"
            errors.append(_locate(root, name, (*where, *loc), message))
        if problem is not None and not problem_errors:
            location = _name_location(root, name, prefix)
            entry = Entry(problem._located(location, portfolio_policy), location, portfolio_policy)
            found.append((entry, data))
    errors.extend(_duplicate_names([entry for entry, _ in found]))
    if errors:
        raise InputErrors(_in_file_order(errors))
    return found


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


def _in_file_order(errors: list[InputError]) -> list[InputError]:
    """Each error once (a bad default is found once per problem), by line and column."""
    unique = {(e.location.line, e.location.column, e.path, e.message): e for e in errors}
    return [unique[key] for key in sorted(unique, key=lambda k: (k[0], k[1]))]


def _validate(
    model: type[M], data: Any, context: dict[str, Any]
) -> tuple[M | None, list[tuple[Loc, str]]]:
    try:
        return model.model_validate(data, context=context), []
    except ValidationError as exc:
        found: list[tuple[Loc, str]] = []
        for e in exc.errors(include_url=False):
            cause = (e.get("ctx") or {}).get("error")
            if isinstance(cause, CorrelationError):  # one per pair, each at its key
                at = _ProblemPairKey if cause.of_problem else _PairKey
                found += [(_at_pair(key, at), message) for key, message in cause.problems]
            elif isinstance(cause, RuleError):  # also found by `cross_checks`: once each
                found += cause.problems
            else:
                found.append((_loc_of(e), _message(model, e)))
        return None, found


def _at_pair(key: str | None, at: type[_PairKey]) -> Loc:
    """Where a correlation error points: its pair's key, or the `correlations:` block."""
    return ("correlations",) if key is None else ("correlations", at(key))


class _PairKey(str):
    """A key of `correlations:` in a field path: located at the key itself, and left out
    of the path printed (the message names the pair)."""

    __slots__ = ()


class _ProblemPairKey(_PairKey):
    """A `_PairKey` whose error comes from judging the pair against its problem's ranges."""

    __slots__ = ()


def _loc_of(error: Any) -> Loc:
    """The error's field path, with the index of a bad list item (`solution.adoption[2]`)."""
    loc = tuple(error["loc"])
    cause = (error.get("ctx") or {}).get("error")
    return (*loc, cause.index) if isinstance(cause, values.ItemError) else loc


def _message(model: type[BaseModel], error: Any) -> str:
    kind, loc = error["type"], tuple(error["loc"])
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "missing":
        return _REQUIRED.get(str(loc[-1]), "is required")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        if len(loc) == 1 and key in ("problems", "defaults"):
            return f"unknown key {key!r}; `defaults:` works only beside `problems:` in a portfolio"
        if key == "<<":
            return "merge keys (<<) are not allowed; share values with `defaults:` instead"
        return _unknown_key(key, tuple(_model_at(model, loc[:-1]).model_fields))
    if kind == "literal_error":
        expected = str(error["ctx"]["expected"]).replace("'", "")
        return f"{error['input']} is not one of: {expected}"
    if kind in ("model_type", "model_attributes_type"):
        return "expected a mapping of keys (key: value)"
    if kind in ("tuple_type", "list_type"):
        return "expected a list (- item)"
    return str(error["msg"])


_REQUIRED = {
    "name": "is required; add `name:` with a short name for it",
    "market": "is required; add `market:` with customers and problem_cost",
    "solution": "is required; add `solution:` with at least `adoption:`",
    "customers": "is required; add `customers:`, how many organisations have the problem",
    "adoption": "is required; add `adoption:`, the share of customers paying each year (2%)",
}


def _unknown_key(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else f"; known keys: {', '.join(known)}"
    return f"unknown key {key!r}{hint}"


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel]:
    """The model class that holds the field at `loc` (skipping list indexes)."""
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            break
        inner = _model_in(field.annotation)
        if inner is None:
            break
        current = inner
    return current


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _locate(root: _Map, name: str, loc: Loc, message: str) -> InputError:
    at_key = "unknown key" in message or (bool(loc) and isinstance(loc[-1], _PairKey))
    line, column = line_column(_position(root, loc, key=at_key))
    shown = loc[:-1] if loc and isinstance(loc[-1], _PairKey) else loc
    return InputError(Location(name, line, column), message, path=_path_text(shown))


def _name_location(root: _Map, name: str, prefix: Loc) -> Location:
    """Where the problem at `prefix` has its `name:` key, from the places kept while building."""
    node: Any = root
    for part in prefix:
        node = node[part]
    at = node.key_at.get("name") if isinstance(node, _Map) else None
    if at is None:  # the name comes from `defaults:`; point where the YAML says
        at = _position(root, (*prefix, "name"), key=True)
    return Location(name, *line_column(at))


def _path_text(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _position(root: _Map, loc: Loc, *, key: bool = False) -> Place:
    """Where the value at `loc` is written (its key, where last written, when `key`), or
    the nearest value above it that the file has."""
    node: Any = root
    at = root.at
    for depth, part in enumerate(loc):
        if isinstance(node, _Map):
            if part not in node.value_at:
                break
            if key and depth == len(loc) - 1:
                at = (node.repeated_at or {}).get(part) or node.key_at[part]
            else:
                at = node.value_at[part]
            node = node[part]
        elif isinstance(node, _Seq) and isinstance(part, int) and part < len(node):
            at = node.item_at[part]
            node = node[part]
        else:
            break
    return at


def _duplicate_names(entries: list[Entry]) -> Iterator[InputError]:
    seen: dict[str, Location] = {}
    for entry in entries:
        first = seen.setdefault(entry.problem.name, entry.location)
        if first is not entry.location:
            where = f"line {first.line}" if first.file == entry.location.file else str(first)
            yield InputError(
                entry.location,
                f"problem name {entry.problem.name!r} is already used at {where}; "
                "names must be unique",
                path="name",
            )


def read_file(file: str) -> bytes:
    """A file's bytes as the loader reads them (`-` is stdin), at most one past the size
    limit; `InputError` when it cannot be read."""
    return _read(file)


def load_written(named: Iterable[tuple[str, bytes]]) -> list[tuple[Entry, dict[str, Any]]]:
    """Problems from files' bytes (each `(name in messages, bytes)`), each with its data as
    written: every scalar the text the file has, `defaults:` merged in as for validation
    (for `diff`, which shows changed values as the files write them).

    Raises `InputErrors` with every error in every file, duplicate names across them too.
    """
    loaded: list[tuple[Entry, dict[str, Any]]] = []
    errors: list[InputError] = []
    for name, data in named:
        try:
            loaded.extend(_read_problems(data, name))
        except InputErrors as exc:
            errors.extend(exc.errors)
        except InputError as exc:
            errors.append(exc)
    errors.extend(_duplicate_names([entry for entry, _ in loaded]))
    if errors:
        raise InputErrors(errors)
    return loaded
