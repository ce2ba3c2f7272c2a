"""Errors are data; one boundary in `cli` turns them into messages and exit codes.

    PmsizeError
     ├── InputError        one located problem in an input file (file:line:column)
     ├── InputErrors       every InputError found in one run, reported together
     └── UsageError        an option or argument that cannot be used as given
          └── ArgumentError    the same from the library, also a ValueError

Exit codes are the `ExitCode` enum; the README's table is tested against it.

What pmsize leaves out on purpose while reading (a link in a folder that leads out of
it, a submodule) is no error: it is a `SkippedPath` warning, which the command line
prints as a note on stderr and a library caller can filter like any warning.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    """Process exit codes (SPEC §5)."""

    OK = 0
    POLICY_FAILED = 1
    BAD_INPUT = 2
    INTERNAL_ERROR = 3
    INTERRUPTED = 130


class PmsizeError(Exception):
    """Base of every error pmsize raises on purpose."""


@dataclass(frozen=True)
class Location:
    """Where in an input something is: file name and 1-based line and column; line 0 for
    what is in no file (`--set solution.price`, a problem built in code), named alone."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}" if self.line else self.file


class InputError(PmsizeError):
    """One problem with an input, at a place in a file, with an optional field path."""

    def __init__(
        self, location: Location, message: str, *, path: str = "", omitted: int = 0
    ) -> None:
        super().__init__(message)
        self.location = location
        self.message = message
        self.path = path
        self.omitted = omitted  # > 0: this line stands for that many errors not listed

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.location}: {where}{self.message}"


class InputErrors(PmsizeError):  # noqa: N818 - a batch of InputError, named for it
    """Every input error found, in file order; raised once loading is finished."""

    def __init__(self, errors: list[InputError]) -> None:
        super().__init__(f"{len(errors)} input error(s)")
        self.errors = errors

    @property
    def total(self) -> int:
        """How many errors were found, counting those a file's cap left unlisted."""
        return sum(e.omitted or 1 for e in self.errors)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class UsageError(PmsizeError):
    """A command-line option or argument that cannot be used as given."""


class SkippedPath(UserWarning):
    """A file or folder left out on purpose while reading paths, and why."""


class ArgumentError(UsageError, ValueError):
    """A library argument that cannot be used as given (an empty path): a `ValueError` to
    a library caller, a usage error (exit 2) to the command line.

    With `parameter`, the message names it as the library does (`budget: ...`); the
    command line names its option instead (`--budget: ...`, `on_command_line`), so only
    the command line knows an option's spelling."""

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.message, self.parameter = message, parameter

    def __str__(self) -> str:
        return self.message if self.parameter is None else f"{self.parameter}: {self.message}"

    def on_command_line(self) -> str:
        """The message with the parameter named as the command line's option."""
        if self.parameter is None:
            return self.message
        return f"--{self.parameter.replace('_', '-')}: {self.message}"
