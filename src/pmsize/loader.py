"""Bytes -> YAML events -> plain data -> `Problem` models; every error located file:line:column.

The file is read once through the (C, when present) YAML event parser, and
plain data is built from the events here rather than by PyYAML's constructor,
so that nothing is ever constructed from a tag, YAML 1.1 never guesses a type
(every scalar stays the text the person wrote; `values` parses it), and
duplicate keys, anchors, aliases, deep nesting and extra documents are caught
with their position. Only when validation fails is the file composed a second
time, to map each error's field path back to its line and column.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from pmsize.errors import InputError, InputErrors, Location
from pmsize.models import Policy, Problem, cross_checks

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 20
STDIN = "-"
STDIN_NAME = "<stdin>"
PORTFOLIO_KEYS = ("pmsize", "problems", "defaults", "policy")
_PLAIN_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_ALLOWED_TAGS = frozenset(
    {None, "!"} | {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "map", "seq")}
)
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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
    entries: list[Entry] = []
    errors: list[InputError] = []
    for file in expand_paths(paths, errors):
        try:
            entries.extend(load_bytes(_read(file), file))
        except InputErrors as exc:
            errors.extend(exc.errors)
        except InputError as exc:
            errors.append(exc)
    errors.extend(_duplicate_names(entries))
    if errors:
        raise InputErrors(errors)
    return entries


def expand_paths(paths: Iterable[str], errors: list[InputError]) -> list[str]:
    """Files named, and the *.yaml/*.yml files below directories named, in sorted order."""
    files: list[str] = []
    for path in paths:
        if path == STDIN:
            files.append(STDIN)
        elif Path(path).is_dir():
            found = sorted(
                str(p)
                for p in Path(path).rglob("*")
                if p.suffix in (".yaml", ".yml") and p.is_file()
            )
            if not found:
                errors.append(InputError(Location(path), "no *.yaml or *.yml files in this folder"))
            files.extend(found)
        elif not Path(path).exists():
            errors.append(InputError(Location(path), "no such file or folder"))
        else:
            files.append(path)
    return files


def _read(file: str) -> bytes:
    if file == STDIN:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        try:
            with Path(file).open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise InputError(Location(file), f"cannot read: {exc.strerror or exc}") from None
    return data


def load_bytes(data: bytes, file: str) -> list[Entry]:
    """Problems from the raw bytes of one file (`file` names it in messages)."""
    name = STDIN_NAME if file == STDIN else file
    text = _decode(data, name)
    root = _build(text, name)
    if not isinstance(root, dict):
        what = "a list" if isinstance(root, list) else "plain text"
        raise InputError(
            Location(name),
            f"the file holds {what}; a problem file is a mapping of keys (name: ...)",
        )
    return _problems_of(root, text, name)


def load_text(text: str, file: str = "<string>") -> list[Entry]:
    """Problems from YAML text; for the API and tests."""
    return load_bytes(text.encode("utf-8"), file)


def _decode(data: bytes, name: str) -> str:
    if len(data) > MAX_BYTES:
        raise InputError(
            Location(name), f"the file is over {MAX_BYTES // (1024 * 1024)} MB; split it up"
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        column = nul - (data.rfind(b"\n", 0, nul) + 1) + 1
        raise InputError(
            Location(name, line, column),
            "the file contains a NUL byte; it looks binary, not a YAML text file",
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


def _build(text: str, name: str) -> Any:
    """Plain data (dicts, lists, str, None) from YAML text, refusing what SPEC §6 refuses."""
    stack: list[Any] = []  # containers being filled
    keys: list[Any] = []  # for mappings: the pending key (or _NO_KEY)
    root: Any = _NO_KEY
    documents = 0

    def fail(mark: Any, message: str) -> InputError:
        return InputError(Location(name, mark.line + 1, mark.column + 1), message)

    def add(value: Any, mark: Any) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        container = stack[-1]
        if isinstance(container, list):
            container.append(value)
        elif keys[-1] is _NO_KEY:
            if not isinstance(value, str):
                raise fail(mark, "a key must be plain text")
            if value in container:
                raise fail(mark, f"duplicate key {value!r}; each key may appear once")
            keys[-1] = value
        else:
            container[keys[-1]] = value
            keys[-1] = _NO_KEY

    try:
        event: Any
        for event in yaml.parse(text, Loader=_Loader):
            kind = type(event)
            if kind is yaml.ScalarEvent:
                _check_node(event, fail)
                if event.implicit[0] and event.value in _PLAIN_NULLS and event.style is None:
                    add(None, event.start_mark)
                else:
                    add(event.value, event.start_mark)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                _check_node(event, fail)
                if len(stack) >= MAX_DEPTH:
                    raise fail(event.start_mark, f"nested deeper than {MAX_DEPTH} levels")
                new: Any = _Map() if kind is yaml.MappingStartEvent else _List()
                add(new, event.start_mark)
                stack.append(new)
                keys.append(_NO_KEY)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                stack.pop()
                keys.pop()
            elif kind is yaml.AliasEvent:
                raise fail(
                    event.start_mark,
                    f"alias *{event.anchor} is not allowed; share values with `defaults:` instead",
                )
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise fail(
                        event.start_mark,
                        "a second YAML document (---); a file holds one problem or one portfolio",
                    )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        where = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name)
        raise InputError(where, f"invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise InputError(
            Location(name, line, column), f"invalid character in the text: {exc.reason}"
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(Location(name), f"invalid YAML: {exc}") from None
    if root is _NO_KEY or root is None:
        raise InputError(Location(name), "the file is empty; start from `pmsize init`")
    return root


class _Container:
    """Marks dicts and lists built from YAML collections."""


class _Map(dict[str, Any], _Container):
    pass


class _List(list[Any], _Container):
    pass


_NO_KEY: Any = object()


def _check_node(event: Any, fail: Any) -> None:
    if event.anchor is not None:
        raise fail(
            event.start_mark,
            f"anchor &{event.anchor} is not allowed; share values with `defaults:` instead",
        )
    if event.tag not in _ALLOWED_TAGS:
        raise fail(event.start_mark, f"YAML tag {event.tag} is not allowed; write plain values")


def _problems_of(root: dict[str, Any], text: str, name: str) -> list[Entry]:
    """Validate a single problem or a portfolio; collect every error before raising."""
    errors: list[InputError] = []
    entries: list[Entry] = []
    portfolio_policy = Policy()
    # (data to validate, its path in the file, keys it takes from `defaults:`)
    sources: list[tuple[dict[str, Any], Loc, frozenset[str]]] = []
    if "problems" not in root:
        sources.append((root, (), frozenset()))
    else:
        for key in root:
            if key not in PORTFOLIO_KEYS:
                errors.append(_locate(text, name, (key,), _unknown_key(key, PORTFOLIO_KEYS)))
        problems, defaults = root["problems"], root.get("defaults") or {}
        if not isinstance(problems, list) or not problems:
            errors.append(
                _locate(text, name, ("problems",), "expected a list of problems (- name: ...)")
            )
            problems = []
        if not isinstance(defaults, dict):
            errors.append(_locate(text, name, ("defaults",), "expected a mapping of problem keys"))
            defaults = {}
        policy, policy_errors = _validate(Policy, root.get("policy") or {}, "")
        portfolio_policy = policy or Policy()
        errors.extend(_locate(text, name, ("policy", *loc), msg) for loc, msg in policy_errors)
        for index, item in enumerate(problems):
            if not isinstance(item, dict):
                errors.append(
                    _locate(text, name, ("problems", index), "expected a problem (name: ...)")
                )
                continue
            inherited = frozenset(defaults.keys() - item.keys())
            sources.append(({**defaults, **item}, ("problems", index), inherited))
    for data, prefix, inherited in sources:
        problem, problem_errors = _validate(Problem, data, _currency_of(data))
        if problem is not None:
            problem_errors = cross_checks(problem)
        for loc, message in problem_errors:
            where = ("defaults",) if loc and loc[0] in inherited else prefix
            errors.append(_locate(text, name, (*where, *loc), message))
        if problem is not None and not problem_errors:
            entries.append(Entry(problem, _name_location(text, name, prefix), portfolio_policy))
    if errors:
        raise InputErrors(errors)
    return entries


def _currency_of(data: dict[str, Any]) -> str:
    currency = data.get("currency", "USD")
    return currency if isinstance(currency, str) else ""


def _validate(model: type[M], data: Any, currency: str) -> tuple[M | None, list[tuple[Loc, str]]]:
    try:
        return model.model_validate(data, context={"currency": currency}), []
    except ValidationError as exc:
        return None, [(tuple(e["loc"]), _message(model, e)) for e in exc.errors(include_url=False)]


def _message(model: type[BaseModel], error: Any) -> str:
    kind, loc = error["type"], tuple(error["loc"])
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return _unknown_key(str(loc[-1]), tuple(_model_at(model, loc[:-1]).model_fields))
    if kind == "literal_error":
        expected = str(error["ctx"]["expected"]).replace("'", "")
        return f"{error['input']} is not one of: {expected}"
    if kind in ("model_type", "model_attributes_type"):
        return "expected a mapping of keys (key: value)"
    if kind in ("tuple_type", "list_type"):
        return "expected a list (- item)"
    return str(error["msg"])


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


def _locate(text: str, name: str, loc: Loc, message: str) -> InputError:
    line, column = _position(text, loc, key="unknown key" in message)
    return InputError(Location(name, line, column), message, path=_path_text(loc))


def _name_location(text: str, name: str, prefix: Loc) -> Location:
    line, column = _position(text, (*prefix, "name"), key=True)
    return Location(name, line, column)


def _path_text(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_COMPOSED: dict[tuple[str, int], Any] = {}


def _position(text: str, loc: Loc, *, key: bool = False) -> tuple[int, int]:
    """1-based line and column of the node at `loc` (its key's when `key`), or of its parent."""
    node = _compose(text)
    mark = node.start_mark
    for depth, part in enumerate(loc):
        last = depth == len(loc) - 1
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    mark = key_node.start_mark if (last and key) else value_node.start_mark
                    node = value_node
                    break
            else:
                return mark.line + 1, mark.column + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


def _compose(text: str) -> Any:
    cache_key = (text[:64], hash(text))
    node = _COMPOSED.get(cache_key)
    if node is None:
        _COMPOSED.clear()
        node = yaml.compose(text, Loader=_Loader)
        _COMPOSED[cache_key] = node
    return node


def _duplicate_names(entries: list[Entry]) -> Iterator[InputError]:
    seen: dict[str, Location] = {}
    for entry in entries:
        first = seen.setdefault(entry.problem.name, entry.location)
        if first is not entry.location:
            yield InputError(
                entry.location,
                f"problem name {entry.problem.name!r} is already used at {first}; "
                "names must be unique",
                path="name",
            )
