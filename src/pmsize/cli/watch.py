"""`--watch` (SPEC §13): run a command, then run it again whenever a file it read changes.

One loop serves every command that takes the option: it is given the command's run
(a callable that does what the command does without `--watch`, errors and exit code
included) and the paths named. It knows nothing of problems: what it watches follows
from the paths alone, by the rule the loader reads them with (a file named; the
*.yaml/*.yml files below a folder named, not in hidden folders, so a new or removed
file counts too).

Folders are watched one by one, not recursively: a file named is watched through its
folder (an editor that saves by writing a new file and renaming it over the old one
replaces the file, and a watch on the file itself would end there), and the folders
below a folder named are listed as the loader lists them (hidden ones, such as `.git`,
left out). The watch starts before each run, so a save during a run is seen.

watchfiles (its `watch`) is imported on first use, by a command given `--watch`.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import typer

from pmsize import _signals as signals
from pmsize._errors import ExitCode, UsageError
from pmsize.cli.boundary import UsageExit, boundary
from pmsize.cli.output import warn, write_stdout

# what a folder argument reads, compared in any case (the loader's YAML_SUFFIXES)
YAML_SUFFIXES = (".yaml", ".yml")
# home, clear the screen and its scrollback: each run starts on an empty terminal
CLEAR = "\x1b[H\x1b[2J\x1b[3J"
STEP_MS = 50  # a batch of changes ends when nothing more changed for this long
DEBOUNCE_MS = 1_600  # ... or when it has gathered changes for this long
WAKE_MS = 100  # the first run waits this long for the watch to be on (it wakes as often)


def watched(
    run_once: Callable[[], None], paths: Sequence[str], *, watch: bool, output: str | None
) -> None:
    """Call `run_once`; with `watch`, call it again after each change to the files that
    `paths` name until Ctrl-C, which ends with exit 0 (see `loop`). `--watch` with
    `--output`, with `-` (stdin) or with stdout not a terminal is a usage error (exit 2)."""
    if not watch:
        run_once()
        return
    with boundary():
        refuse_watching(paths, output)
        loop(run_once, paths)


def refuse_watching(paths: Sequence[str], output: str | None) -> None:
    """The `UsageError` for `--watch` where it cannot work, if any."""
    if output is not None:
        raise UsageError(
            "--watch shows each run at the terminal; it cannot write --output too "
            "(drop one of them)"
        )
    if "-" in paths:
        raise UsageError(
            "--watch reads the files again when they change; standard input (-) can be "
            "read only once (name the file instead)"
        )
    if sys.stdout is None or not sys.stdout.isatty():
        raise UsageError(
            "--watch clears the terminal before each run, and stdout is not a terminal "
            "(in a pipe or a script, run without --watch)"
        )


def loop(
    run_once: Callable[[], None],
    paths: Sequence[str],
    *,
    stop: threading.Event | None = None,
    step_ms: int = STEP_MS,
    debounce_ms: int = DEBOUNCE_MS,
    wake_ms: int = WAKE_MS,
) -> None:
    """Call `run_once`, then again after each change to a file `paths` read (clearing
    the terminal first), until Ctrl-C or `stop` is set.

    A run that ends in an error (its messages already on stderr, its exit code raised
    as `typer.Exit`) or that meets a `--fail-on` policy does not end the watch. Ctrl-C
    ends it, during a run or between runs, and `loop` returns (exit 0); another signal
    (SIGTERM, SIGHUP) ends the command as it would any other.
    """
    import watchfiles

    def start(targets: _Targets) -> Generator[set[Any], None, None] | None:
        """Changes to `targets`, already watched when this returns; None once stopped."""
        changes = watchfiles.watch(
            *sorted(targets.folders_watched),
            watch_filter=targets.relevant,
            debounce=debounce_ms,
            step=step_ms,
            stop_event=stop,
            rust_timeout=wake_ms,
            yield_on_timeout=True,  # so the first `next` returns once the watch is on
            recursive=False,
            ignore_permission_denied=True,  # an unreadable folder is the run's error to say
        )
        return changes if next(changes, None) is not None else None

    targets = _targets(paths)
    changes = None
    try:
        changes = start(targets)
        if changes is None:
            return
        _run(run_once, paths)
        while (batch := next(changes, None)) is not None:
            if not batch:  # the watch waking with nothing changed
                continue
            now = _targets(paths)
            if now != targets:  # a folder added or removed, a path now a folder
                restarted = start(now)
                changes.close()
                changes, targets = restarted, now
                if changes is None:
                    return
            write_stdout(CLEAR)
            _run(run_once, paths)
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", None) or signals.unreported() or signal.SIGINT
        if signum != signal.SIGINT:
            raise signals.Interrupted(signum) from None
        signals.reported()  # Ctrl-C is how a watch ends: no message, exit 0
    finally:
        if changes is not None:
            changes.close()


def _run(run_once: Callable[[], None], paths: Sequence[str]) -> None:
    """One run; its input errors and its `--fail-on` exit leave the watch waiting for a
    change. Ctrl-C or another signal (said by the run's boundary) ends it, and so does a
    usage error (a bad option), which no save can mend."""
    try:
        run_once()
    except UsageExit:
        raise
    except typer.Exit as exc:
        if exc.exit_code == ExitCode.INTERRUPTED:  # Ctrl-C, said by the run's boundary
            raise KeyboardInterrupt from None
        if exc.exit_code > 128:  # SIGTERM, SIGHUP: said already, their exit code
            raise
    named = ", ".join(paths) if len(paths) <= 3 else f"{len(paths)} paths"
    warn(f"watching {named} for changes; Ctrl-C ends")


@dataclass(frozen=True)
class _Targets:
    """What a run read, and the folders watched to see it change (paths absolute, each
    also with its links resolved, as the watch may report either)."""

    files: frozenset[str]  # the paths named that are not folders (or do not exist yet)
    folders: frozenset[str]  # the folders named
    folders_watched: frozenset[str]

    def relevant(self, change: Any, path: str) -> bool:
        """Whether a change to `path` may change what a run reads."""
        if path in self.files:
            return True
        if any(file.startswith(path + os.sep) for file in self.files):
            return True  # a folder on the way to a path named that does not exist yet
        for folder in self.folders:
            if path == folder:
                return True
            if not path.startswith(folder + os.sep):
                continue
            parts = PurePath(path).relative_to(folder).parts
            if any(part.startswith(".") for part in parts):
                continue  # hidden: never read (an editor's swap file, .git)
            if parts[-1].lower().endswith(YAML_SUFFIXES) or path in self.folders_watched:
                return True
            if _is_dir(path) and not Path(path).is_symlink():
                return True  # a new folder: watched from now on
        return False


def _targets(paths: Sequence[str]) -> _Targets:
    files: set[str] = set()
    folders: set[str] = set()
    watched: set[str] = set()
    for path in paths:
        if path in ("", "-"):
            continue
        named = _absolute(path)
        forms = {named, _resolved(path)}
        if _is_dir(path):
            folders.update(forms)
            watched.update(_folders_below(named))
        else:
            files.update(forms)
            watched.update(_nearest_folder(form) for form in forms)
    return _Targets(frozenset(files), frozenset(folders), frozenset(watched))


def _absolute(path: str) -> str:
    """`path` absolute, without `.` or `..` (links left as they are)."""
    return os.path.normpath(Path(path).absolute())


def _resolved(path: str) -> str:
    """`path` absolute with its links resolved, as far as they can be."""
    try:
        return str(Path(path).resolve())
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a loop of links
        return _absolute(path)


def _is_dir(path: str | Path) -> bool:
    """Whether `path` is a folder; False for a name the system refuses (too long, no
    permission, a NUL byte), which the run reports as unreadable."""
    try:
        return Path(path).is_dir()
    except (OSError, ValueError):
        return False


def _folders_below(folder: str) -> set[str]:
    """`folder` and every folder below it that the loader reads: not hidden, no link."""
    found = set()
    for current, below, _ in os.walk(folder):
        found.add(current)
        below[:] = [name for name in below if not name.startswith(".")]
    return found


def _nearest_folder(path: str) -> str:
    """The folder that holds `path`, or when it does not exist, the nearest one above it."""
    folder = Path(path).parent
    while not _is_dir(folder) and folder.parent != folder:
        folder = folder.parent
    return str(folder)


__all__ = ["CLEAR", "YAML_SUFFIXES", "loop", "refuse_watching", "watched"]
