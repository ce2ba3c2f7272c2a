"""YAML text to plain data that remembers where each part of it was written.

The file is read once through the (C, when present) YAML event parser, and
plain data is built from the events here rather than by PyYAML's constructor,
so that nothing is ever constructed from a tag, YAML 1.1 never guesses a type
(every scalar stays the text the person wrote; `values` parses it), and
duplicate keys, anchors, aliases, deep nesting, extra documents and files,
lists or mappings too large for any problem file are refused with their place.
Where each mapping, key, value and list item was written is kept with the data
(`Map`, `Seq`, as a `Place`), so a validation error's field path is located
without reading the file again (`_locate`).
"""

from __future__ import annotations

import re
from array import array
from typing import Any

import yaml

from pmsize._errors import InputError, Location
from pmsize._loader._files import MAX_BYTES, STDIN_NAME

MAX_DEPTH = 20
# items in one list: a portfolio of problems is the longest list a file needs; without a cap,
# a 10 MB list of millions of items took minutes and gigabytes to build and locate
MAX_ITEMS = 100_000
# keys in one mapping: a problem has about a dozen; 300,000 unknown (or repeated) keys took
# 30 s and 667 MB to validate and locate, and printed an error for each
MAX_KEYS = 1_000
PLAIN_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_TAG_PREFIX = "tag:yaml.org,2002:"


# Where something is written in a file: its 1-based line and column in one int,
# `line << 32 | column` (a tuple of two takes three times the memory, and a large portfolio
# keeps the place of every key and value while it is validated)
Place = int


def line_column(at: Place) -> tuple[int, int]:
    """The 1-based line and column of a `Place`."""
    return at >> 32, at & 0xFFFFFFFF


class Map(dict[str, Any]):
    """A mapping built from YAML, which remembers where it, each of its keys and each of
    their values were written, to locate errors without reading the file again.

    The places are packed in one array, a key's and its value's in the order of the keys
    (no dict and no int object a place: a portfolio of 10,000 problems is held whole
    while it is parsed, and the places were half of it)."""

    __slots__ = ("at", "places", "repeated_at")

    def __init__(self, at: Place) -> None:
        super().__init__()
        self.at = at  # where the mapping starts: its first key, or its `{`
        # each key where it is first written, then its value (the last one, which is read)
        self.places = array("q")
        self.repeated_at: dict[str, Place] | None = None  # a key written again: the last time

    def key_at(self, key: str) -> Place | None:
        """Where `key` is first written; None when the mapping has no such key."""
        index = self._index(key)
        return None if index is None else self.places[2 * index]

    def value_at(self, key: str) -> Place | None:
        """Where the value of `key` (the last written) is; None when there is no such key."""
        index = self._index(key)
        return None if index is None else self.places[2 * index + 1]

    def _index(self, key: str) -> int | None:
        if key not in self:
            return None
        return next(i for i, k in enumerate(self) if k == key)


class Seq(list[Any]):
    """A list built from YAML, which remembers where each of its items was written."""

    __slots__ = ("item_at",)

    def __init__(self) -> None:
        super().__init__()
        self.item_at = array("q")


_NO_KEY: Any = object()


def decode(data: bytes, name: str) -> str:
    """A file's bytes as text, refused when over `MAX_BYTES`, UTF-16 or UTF-32, binary (a
    NUL byte) or not UTF-8, at the line and column of the first byte at fault."""
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


def build(text: str, name: str, duplicates: list[InputError]) -> Any:
    """Plain data (`Map`, `Seq`, str, None) from YAML text, refusing what SPEC §6 refuses.

    A duplicate key is added to `duplicates` and building goes on (the last value is
    kept), so the file's other errors are found too; anything else raises at once.
    """
    builder = _Builder(name, duplicates)
    steps = builder.steps()
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
    """Plain data built from the YAML parser's events: `steps()` maps each kind of event
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
        self.known: dict[str, str] = {}  # each key read, held once however often written

    def steps(self) -> dict[type, Any]:
        """Each kind of event and the method that takes it. Made for one `build`, not kept:
        kept on the builder, its bound methods would make a cycle that holds the builder,
        and with it the whole file's data, until the garbage collector runs (which a
        large portfolio's evaluation pauses)."""
        return {
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
        if event.implicit[0] and event.value in PLAIN_NULLS and not event.style:
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
        new: Any = Map(at) if type(event) is yaml.MappingStartEvent else Seq()
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
        if type(container) is Seq:
            if len(container) >= MAX_ITEMS:
                raise self.too_long()
            container.append(value)
            container.item_at.append(at)
        elif keys[-1] is _NO_KEY:
            self.take_key(value, at)
        else:
            key = keys[-1]
            container[key] = value
            if len(container.places) == 2 * len(container):  # a new key's value
                container.places[-1] = at
            else:  # a key written again: its value's place is where the key is
                index = container._index(key)
                container.places[2 * index + 1] = at
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
        key = self.known.setdefault(key, key)  # every mapping's `name` the same text
        if key in container:
            first, _ = line_column(container.places[2 * container._index(key)])
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
            container.places.append(at)
            container.places.append(0)  # its value's, once it is read
        self.keys[-1] = key


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


def top_keys(text: str) -> set[str] | None:
    """The keys at the top of a YAML document, read from its events alone (nothing is
    built, so no anchor is expanded): the empty set for a list or a plain value at the
    top, None when the text is not YAML this can read or holds nothing."""
    depth, keys, expect_key = 0, set(), True
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.DocumentEndEvent):
                break
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                if depth == 0 and isinstance(event, yaml.SequenceStartEvent):
                    return set()
                if depth == 1:
                    expect_key = True  # a value that is a mapping or a list
                depth += 1
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
                if depth == 0:
                    return set()
                if depth == 1:
                    if expect_key and isinstance(event, yaml.ScalarEvent):
                        keys.add(event.value)
                    expect_key = not expect_key
                    continue
            if depth == 1 and isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                expect_key = True
    except yaml.YAMLError:
        return None
    return keys or None
