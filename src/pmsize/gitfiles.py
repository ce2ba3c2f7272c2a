"""Problem files as of a git revision, read through the `git` command (`pmsize diff --git`).

`files_at(rev, paths)` lists the files a path named at `rev`, as the loader would
find them in the working tree (a file named; the *.yaml/*.yml files below a
folder, none in hidden folders), and reads their bytes. Each is named
`REV:path` in messages, with `path` spelt as the working tree's file would be,
so that the two sides name the same file alike. A path absent at `rev` lists
nothing (its problems are all added). Git's own failures (no git, not a
repository, an unknown revision, a path outside the repository) are `UsageError`s;
a repository git refuses for another reason (another user's: "dubious ownership")
is reported in git's own words, printed as untrusted text.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pmsize import loader
from pmsize.errors import UsageError
from pmsize.fmt import safe_text

_NOT_A_REPOSITORY = "not a git repository"  # what git says when no repository is found
_SYMLINK_MODE = "120000"  # a symbolic link's blob is its target's name, never a problem
# git reads no pager, no prompts and no locks for us; pathspecs are plain names
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_PAGER": "cat"}


@dataclass(frozen=True)
class GitFile:
    """One file at a revision: its name in messages (`REV:path`) and its bytes."""

    name: str
    data: bytes


def files_at(rev: str, paths: list[str], cwd: str | None = None) -> list[GitFile]:
    """The problem files each of `paths` (relative to `cwd`) names at `rev`, with their bytes.

    Raises `UsageError` when git is missing, `cwd` is not in a repository, `rev` names no
    commit, or a path lies outside the repository.
    """
    if shutil.which("git") is None:
        raise UsageError(
            "--git needs the git command, and git is not on PATH; install git, or compare "
            "two paths: pmsize diff OLD NEW"
        )
    if not rev or rev.startswith("-"):
        raise UsageError(f"--git {rev!r} is not a revision; name a commit, such as HEAD~1 or main")
    where = cwd or str(Path.cwd())
    top = _git(["rev-parse", "--show-toplevel"], where, "not-a-repository").decode().strip()
    commit = _git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
        where,
        rev,
    ).decode()
    commit = commit.strip()
    listed: dict[str, tuple[str, str]] = {}  # each file once, under the first name it had
    for path in paths:
        if not path:
            raise UsageError("an empty path names no file; give a file or a folder")
        full = _in_repository(path, where, top)
        for shown, oid, at in _listed(commit, path, full, where):
            listed.setdefault(at, (shown, oid))
    return [GitFile(f"{rev}:{shown}", _blob(oid, where)) for shown, oid in listed.values()]


def _in_repository(path: str, cwd: str, top: str) -> str:
    """`path` relative to the repository's top folder, with forward slashes; "" for the top."""
    absolute = os.path.realpath(Path(cwd) / path)
    relative = os.path.relpath(absolute, os.path.realpath(top))
    if relative == ".." or relative.startswith(".." + os.sep):
        raise UsageError(f"{path}: outside the git repository at {top}; name a path inside it")
    return "" if relative == "." else relative.replace(os.sep, "/")


def _listed(commit: str, path: str, full: str, cwd: str) -> list[tuple[str, str, str]]:
    """(name as the working tree spells it, blob id, path from the repository's top) of
    each problem file `path` names."""
    args = ["ls-tree", "-r", "-z", "--full-tree", commit]
    if full:
        args += ["--", full]
    listing = _git(args, cwd, "").decode("utf-8", "surrogateescape")
    entries: list[tuple[str, str, str]] = []  # (mode, blob id, path from the top)
    for record in filter(None, listing.split("\0")):
        info, _, name = record.partition("\t")
        mode, kind, oid = info.split()[:3]
        if kind == "blob" and mode != _SYMLINK_MODE:
            entries.append((mode, oid, name))
    if len(entries) == 1 and entries[0][2] == full:  # a file named: read whatever its suffix
        return [(path, entries[0][1], full)]
    prefix = f"{full}/" if full else ""
    found = []
    for _, oid, name in entries:
        below = name[len(prefix) :]
        parts = below.split("/")
        # hidden folders (.github/) hold workflow and tool YAML, never problems
        if any(part.startswith(".") for part in parts):
            continue
        if below.lower().endswith(loader.YAML_SUFFIXES):
            found.append((str(Path(path) / below), oid, name))
    return sorted(found)


def _blob(oid: str, cwd: str) -> bytes:
    """A blob's bytes, at most one byte past the loader's size limit (which it then reports)."""
    with subprocess.Popen(
        ["git", "cat-file", "blob", oid],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **_ENV},
    ) as process:
        assert process.stdout is not None
        data = process.stdout.read(loader.MAX_BYTES + 1)
        process.stdout.close()
        process.kill()
    return data


def _git(args: list[str], cwd: str, rev: str) -> bytes:
    """git's output; its failure as a `UsageError` in pmsize's words (`rev` names the
    revision being resolved, or "not-a-repository" while the repository is found)."""
    try:
        done = subprocess.run(
            ["git", "--literal-pathspecs", *args],
            cwd=cwd,
            capture_output=True,
            env={**os.environ, **_ENV},
            check=False,
        )
    except OSError as exc:
        raise UsageError(f"cannot run git ({exc.strerror or exc})") from None
    if done.returncode == 0:
        return done.stdout
    reason = _said(done.stderr) or f"git exited {done.returncode}"
    if rev == "not-a-repository":
        if _NOT_A_REPOSITORY in reason:
            raise UsageError(
                f"--git: {safe_text(cwd)} is not in a git repository; run pmsize inside one, "
                "or compare two paths: pmsize diff OLD NEW"
            )
        # another refusal (a repository owned by another user: "dubious ownership"), in
        # git's own words, which say how to allow it
        raise UsageError(f"--git: git refused the repository at {safe_text(cwd)}: {reason}")
    if rev:
        raise UsageError(
            f"--git {rev}: unknown revision; name a commit of this repository, such as "
            "HEAD~1, main or origin/main (in CI, fetch it first: a shallow clone has only "
            "the last commit)"
        )
    raise UsageError(f"git {args[0]} failed: {reason}")


def _said(stderr: bytes) -> str:
    """What git wrote on stderr, on one line, safe to print (it names paths and revisions
    from the command line and the repository): its `fatal:` and `error:` prefixes
    dropped, lines joined by spaces."""
    lines = stderr.decode("utf-8", "replace").splitlines()
    said = (line.strip().removeprefix("fatal: ").removeprefix("error: ") for line in lines)
    return safe_text(" ".join(line for line in said if line))
