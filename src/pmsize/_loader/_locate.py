"""Validation errors located: each at its file:line:column.

A validation error in words (`_models.validate`: a field path and a message) is mapped
to where its value (or, for an unknown key, the key) is written, from the places the
YAML reader kept with the data. A file's errors are told once each, in file order, the
first `MAX_ERRORS` of them.
"""

from __future__ import annotations

from typing import Any

from pmsize._errors import InputError, Location
from pmsize._loader._yaml import Map, Place, Seq, line_column
from pmsize._models import AtKey, Loc, loc_text

# errors told for one file: past this, one last located line counts the rest
MAX_ERRORS = 100


def locate(root: Map, name: str, loc: Loc, message: str) -> InputError:
    """The error `message` about the field at `loc` of the file `name` (whose data is
    `root`), at its key for an unknown key or a correlation's pair, else at its value."""
    at_key = "unknown key" in message or (bool(loc) and isinstance(loc[-1], AtKey))
    line, column = line_column(_position(root, loc, key=at_key))
    return InputError(Location(name, line, column), message, path=loc_text(loc))


def name_location(root: Map, name: str, prefix: Loc) -> Location:
    """Where the problem at `prefix` has its `name:` key, from the places kept while building."""
    node: Any = root
    for part in prefix:
        node = node[part]
    at = node.key_at("name") if isinstance(node, Map) else None
    if at is None:  # the name comes from `defaults:`; point where the YAML says
        at = _position(root, (*prefix, "name"), key=True)
    return Location(name, *line_column(at))


def value_location(root: Map, name: str, prefix: Loc, key: str) -> Location | None:
    """Where the mapping at `prefix` writes the value of `key`; None when it does not."""
    node: Any = root
    for part in prefix:
        node = node[part]
    at = node.value_at(key) if isinstance(node, Map) else None
    return None if at is None else Location(name, *line_column(at))


def _position(root: Map, loc: Loc, *, key: bool = False) -> Place:
    """Where the value at `loc` is written (its key, where last written, when `key`), or
    the nearest value above it that the file has."""
    node: Any = root
    at = root.at
    for depth, part in enumerate(loc):
        if isinstance(node, Map):
            found = node.value_at(part) if isinstance(part, str) else None
            if found is None or not isinstance(part, str):
                break
            at = found
            if key and depth == len(loc) - 1:
                at = (node.repeated_at or {}).get(part) or node.key_at(part) or found
            node = node[part]
        elif isinstance(node, Seq) and isinstance(part, int) and part < len(node):
            at = node.item_at[part]
            node = node[part]
        else:
            break
    return at


def in_file_order(errors: list[InputError]) -> list[InputError]:
    """Each error once (a bad default is found once per problem), by line and column."""
    unique = {(e.location.line, e.location.column, e.path, e.message): e for e in errors}
    return [unique[key] for key in sorted(unique, key=lambda k: (k[0], k[1]))]


def capped(errors: list[InputError]) -> list[InputError]:
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
