"""Writing output files the way `cp` would, and atomically where a file is replaced.

- A regular file (or a new one) is written to a temp file beside it, then renamed
  over it: a reader never sees a half-written file, and a failed or interrupted
  run leaves no temp file behind and the old file untouched.
- A symbolic link is written through: its target gets the text, the link stays.
  A link to a missing file is refused, as `cp` refuses it.
- A special file (a character device such as a null device, a FIFO, the pipe behind
  `/dev/stdout`) is opened through the name given and written in place, never
  replaced by a regular file.
- A replaced file keeps its mode (less set-user-ID and set-group-ID) and, where
  allowed, its owner; a new file gets 0666 less the umask.
- A regular file whose mode has no write bit at all is read-only and refused, even
  for root (who could replace it): a file made read-only was made so on purpose.
- A name ending in `/` names a folder, and a folder is never an output file.

Every failure is a `UsageError` naming the path (exit 2), never a traceback.
"""

# Paths stay strings here on purpose: Path() drops a trailing "/", which names a folder.
# ruff: noqa: PTH105, PTH108, PTH114, PTH116, PTH119, PTH120

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from pmsize._errors import UsageError
from pmsize._fmt import safe_text

_NO_PRIVILEGE_BITS = ~(stat.S_ISUID | stat.S_ISGID)
Refuse = Callable[[str], UsageError]  # a reason -> the error that names the path
# A lone surrogate (an undecodable byte of a name) left in the text is written as an
# escape, never raw and never a failure; every renderer escapes them before this.
_ERRORS = "backslashreplace"


NUL_NAME = "a file name cannot hold a NUL character (\\x00)"


def write_atomically(
    path: str | Path, text: str | Iterable[str], *, overwrite: bool = True, what: str = ""
) -> None:
    """Write `text` to `path` like `cp` (see the module docstring); `what` prefixes messages.
    `text` may come in pieces, each written as it comes; if making one fails, the file
    is left as it was (a device or FIFO keeps what was written).

    Without `overwrite`, anything at `path` (even a dangling link) is refused, and the
    temp file is hard-linked into place, which fails if a file appeared meanwhile.
    """
    name = os.fspath(path)
    shown = safe_text(name)

    def refuse(reason: str) -> UsageError:
        return refusal(name, reason, what)

    if "\x00" in name:  # the system refuses it with a ValueError, not an OSError
        raise refuse(NUL_NAME)
    if name.endswith(("/", os.sep)) or (os.altsep and name.endswith(os.altsep)):
        raise refuse("a name ending in / is a folder; name a file")
    if not overwrite and os.path.lexists(name):
        raise UsageError(f"{shown} already exists; use --force to replace it")
    # What the name given leads to, as `open` would follow it: the resolved string may
    # name nothing (`/dev/stdout` in a pipe resolves to `/proc/N/fd/pipe:[…]`).
    try:
        found: os.stat_result | None = os.stat(name)
    except FileNotFoundError:
        if os.path.islink(name):
            dangling = safe_text(os.path.realpath(name))
            raise refuse(f"it is a link to {dangling}, which does not exist") from None
        found = None
    except OSError as exc:
        raise refuse(_reason(exc)) from None
    mode = 0o666 & ~_umask()
    if found is not None:
        if stat.S_ISDIR(found.st_mode):
            raise refuse("it is a folder; name a file")
        if not stat.S_ISREG(found.st_mode):
            _write_in_place(name, text, refuse)  # opened through the name, links and all
            return
        if not found.st_mode & 0o222:
            raise refuse("the file is read-only")
        if not os.access(name, os.W_OK):
            raise refuse("Permission denied")
        mode = stat.S_IMODE(found.st_mode) & _NO_PRIVILEGE_BITS
    # a regular file is replaced where it lies: a link's target, beside which the
    # temp file goes
    target = os.path.realpath(name) if os.path.islink(name) else name
    _write_beside(target, text, mode, found, overwrite, refuse, shown)


def refusal(path: str, reason: str, what: str = "") -> UsageError:
    """The error for an output that cannot be written, as every writer words it:
    `--output out.json: cannot write there (Permission denied)`; `what` names the option."""
    shown = f"{what} {safe_text(path)}" if what else safe_text(path)
    return UsageError(f"{shown}: cannot write there ({reason})")


def is_folder(path: str) -> bool:
    """Whether `path` names a folder (through links). A path that cannot be looked at, a
    name too long or one inside a folder that cannot be searched, is refused as
    `write_atomically` refuses it (`UsageError`, exit 2): `Path.is_dir` raises on those."""
    if "\x00" in path:
        raise refusal(path, NUL_NAME)
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        raise refusal(path, _reason(exc)) from None


def refuse_inputs(output: str | Path | None, inputs: Iterable[str], what: str = "--output") -> None:
    """Refuse to write `output` when it is the same file as one of `inputs` (by identity:
    a link, another spelling or a file found in a folder all count). Standard input
    (`-`, read as `<stdin>`) counts as the file it was redirected from (`< a.yaml`).

    Raises `UsageError` (exit 2) before anything is written.
    """
    from pmsize._loader import STDIN_NAME

    if output is None or os.fspath(output) == "-":
        return
    try:
        written = os.stat(output)
    except (OSError, ValueError):  # ValueError: a NUL in the name, refused when written
        return  # nothing there yet (or unreachable): it cannot be an input
    for file in dict.fromkeys(inputs):
        with contextlib.suppress(OSError, ValueError):
            read = os.fstat(0) if file in ("-", STDIN_NAME) else os.stat(file)
            if os.path.samestat(read, written):
                raise UsageError(
                    f"{what} {safe_text(os.fspath(output))}: it is the input file "
                    f"{safe_text(file)}; writing there would destroy it. Name another file"
                )


def _write_in_place(target: str, text: str | Iterable[str], refuse: Refuse) -> None:
    """Write a device or FIFO where it is, as `cp` and a shell redirection do. A pipe
    whose reader has gone (`-o /dev/stdout | head`) stays a `BrokenPipeError`, which
    ends the run quietly, as it does on standard output."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "w", encoding="utf-8", errors=_ERRORS, newline="") as handle:
            _write(handle, text)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise refuse(_reason(exc)) from None


def _write(handle: TextIO, text: str | Iterable[str]) -> None:
    if isinstance(text, str):
        handle.write(text)
        return
    for piece in text:
        handle.write(piece)


def _write_beside(
    target: str,
    text: str | Iterable[str],
    mode: int,
    found: os.stat_result | None,
    overwrite: bool,
    refuse: Refuse,
    shown: str,
) -> None:
    directory = os.path.dirname(target) or "."
    base = os.path.basename(target)[:64]  # the temp name must fit where the name fits
    temp = ""
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8", errors=_ERRORS, newline="") as handle:
            if found is not None and hasattr(os, "fchown"):
                with contextlib.suppress(OSError):  # only root may give a file away
                    os.fchown(handle.fileno(), found.st_uid, found.st_gid)
            os.fchmod(handle.fileno(), mode)
            _write(handle, text)
        if overwrite:
            os.replace(temp, target)
        else:
            _place_new(temp, target, shown)
    except OSError as exc:
        raise refuse(_reason(exc)) from None
    finally:
        if temp:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _place_new(temp: str, path: str, shown: str) -> None:
    try:
        os.link(temp, path)
    except FileExistsError:
        raise UsageError(f"{shown} already exists; use --force to replace it") from None
    except OSError:
        # a file system without hard links: the existence check above has to do
        if os.path.lexists(path):
            raise UsageError(f"{shown} already exists; use --force to replace it") from None
        os.replace(temp, path)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
