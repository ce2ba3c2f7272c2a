"""Writing output files atomically: a temp file beside the target, then a rename (or link).

A reader never sees a half-written file, and a failed run leaves no file behind
and the old one untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from pmsize.errors import UsageError


def write_atomically(path: Path, text: str, *, overwrite: bool = True, what: str = "") -> None:
    """Write `text` to `path` via a temp file beside it; `what` prefixes error messages.

    With `overwrite` the temp file is renamed over `path`; without, it is hard-linked
    to `path`, which fails if anything exists there, so a file created meanwhile is
    never replaced either. The file gets the permissions a new file would (mkstemp
    makes it private).
    """
    prefix = f"{what} {path}" if what else str(path)
    if path.is_dir():
        raise UsageError(f"{prefix}: cannot write there (it is a folder; name a file)")
    if not overwrite and path.exists():
        raise UsageError(f"{path} already exists; use --force to replace it")
    directory = path.parent if str(path.parent) else Path()
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise UsageError(f"{prefix}: cannot write there ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        Path(temp).chmod(0o666 & ~_umask())
        if overwrite:
            Path(temp).replace(path)
        else:
            _place_new(Path(temp), path)
    except OSError as exc:
        raise UsageError(f"{prefix}: cannot write there ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(temp).unlink()


def _place_new(temp: Path, path: Path) -> None:
    try:
        os.link(temp, path)
    except FileExistsError:
        raise UsageError(f"{path} already exists; use --force to replace it") from None
    except OSError:
        # a file system without hard links: the existence check above has to do
        if path.exists():
            raise UsageError(f"{path} already exists; use --force to replace it") from None
        temp.replace(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
