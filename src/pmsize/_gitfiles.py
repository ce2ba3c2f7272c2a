"""Problem files as of a git revision, read through the `git` command (`pmsize diff --git`).

`files_at(rev, paths)` lists the files a path named at `rev`, as the loader finds
them in the working tree for `diff --git` (a file named; the *.yaml/*.yml files
below a folder, none in hidden folders; a link followed only to a file within the
folder named, resolved in the revision's tree as the system resolves it; no
submodule, whose files are another repository's), and reads their bytes: both
sides read the same files, and skip the same with a note. Each is named
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

from pmsize import _loader as loader
from pmsize._errors import UsageError
from pmsize._fmt import safe_text

_NOT_A_REPOSITORY = "not a git repository"  # what git says when no repository is found
_SYMLINK_MODE = "120000"  # a symbolic link's blob is its target's name, never a problem
_MAX_LINKS = 40  # links followed in a row at most, as Linux does
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
    tree = _Tree(commit, where, top)
    for path in paths:
        if not path:
            raise UsageError("an empty path names no file; give a file or a folder")
        full = _in_repository(path, where, top)
        inner = _submodule_of(full, top)
        if inner is not None:
            where_ = "a git submodule" if inner == full else f"in the git submodule {inner}"
            raise UsageError(
                f"{path}: {where_}, whose files are another repository's; run pmsize diff "
                "--git inside it"
            )
        for shown, oid, at in _listed(tree, rev, path, full):
            listed.setdefault(at, (shown, oid))
    return [GitFile(f"{rev}:{shown}", _blob(oid, where)) for shown, oid in listed.values()]


def _in_repository(path: str, cwd: str, top: str) -> str:
    """`path` relative to the repository's top folder, with forward slashes; "" for the top."""
    relative = loader.within(str(Path(cwd) / path), top)
    if relative is None:
        raise UsageError(f"{path}: outside the git repository at {top}; name a path inside it")
    return relative


def _submodule_of(full: str, top: str) -> str | None:
    """The folder of the working tree, from the top, that holds another repository (a
    submodule) and `full` or is it; None when there is none."""
    parts = full.split("/") if full else []
    for end in range(1, len(parts) + 1):
        folder = "/".join(parts[:end])
        if os.path.lexists(Path(top, folder, ".git")):
            return folder
    return None


Entry = tuple[str, str, str]  # (mode, kind, object id) of a path at a revision


class _Tree:
    """A revision's tree, listed as git stores it: files, links (a blob holding the name
    of what it links to) and submodules (a commit of another repository). What is listed
    is kept, so a link is resolved from the folder named's listing, and a folder outside
    it is listed only when a link passes through it."""

    def __init__(self, commit: str, cwd: str, top: str) -> None:
        self.commit, self.cwd, self.top = commit, cwd, top
        self.entries: dict[str, Entry] = {}
        self.complete: set[str] = set()  # folders whose every entry is in `entries`

    def listing(self, full: str) -> dict[str, Entry]:
        """Every path at or below `full` ("" for the whole tree), folders included."""
        args = ["ls-tree", "-r", "-t", "-z", "--full-tree", self.commit]
        if full:
            args += ["--", full]
        found = self._listed(args)
        below = f"{full}/" if full else ""
        self.complete.update(p for p, e in found.items() if e[1] == "tree" and p.startswith(below))
        if not full or found.get(full, ("", "", ""))[1] == "tree":
            self.complete.add(full)
        return {p: e for p, e in found.items() if p == full or p.startswith(below)}

    def _listed(self, args: list[str]) -> dict[str, Entry]:
        found: dict[str, Entry] = {}
        listed = _git(args, self.cwd, "").decode("utf-8", "surrogateescape")
        for record in filter(None, listed.split("\0")):
            info, _, name = record.partition("\t")
            mode, kind, oid = info.split()[:3]
            found[name] = (mode, kind, oid)
        self.entries.update(found)
        return found

    def entry(self, path: str) -> Entry | None:
        """The entry at `path` (from the top), its folder listed first if need be."""
        folder = path.rpartition("/")[0]
        if path not in self.entries and folder not in self.complete:
            args = ["ls-tree", "-z", "--full-tree", self.commit]
            self._listed([*args, "--", f"{folder}/"] if folder else args)
            self.complete.add(folder)
        return self.entries.get(path)

    def follow(self, link: str) -> tuple[str, str] | None:
        """Where the link at path `link` leads in this tree, every link on the way followed
        as the system would: (path from the top, object id) of the file it reaches; ""
        for the path when it leads out of the repository; None when it reaches no file (a
        folder, nothing, or a loop)."""
        done: list[str] = link.split("/")[:-1]
        found = self.entry(link)
        todo = self._target(found[2]) if found is not None else []
        for _ in range(_MAX_LINKS):
            if todo and todo[0] == "/":  # an absolute name: from the top, if it is inside
                inside = loader.within("/" + "/".join(todo[1:]), self.top)
                if inside is None:
                    return "", ""
                done, todo = [], inside.split("/") if inside else []
            while todo:
                part = todo.pop(0)
                if part in ("", "."):
                    continue
                if part == "..":
                    if not done:
                        return "", ""  # above the top of the repository
                    done.pop()
                    continue
                done.append(part)
                entry = self.entry("/".join(done))
                if entry is None or (entry[1] != "tree" and entry[0] != _SYMLINK_MODE and todo):
                    return None  # nothing there, or a file taken for a folder
                if entry[0] == _SYMLINK_MODE:
                    done.pop()
                    todo = self._target(entry[2]) + todo
                    break
            else:
                entry = self.entry("/".join(done)) if done else None
                if entry is None or entry[1] != "blob":
                    return None
                return "/".join(done), entry[2]
        return None  # links that lead round in circles

    def _target(self, oid: str) -> list[str]:
        """A link's target, as parts (["/", ...] for an absolute name)."""
        name = _blob(oid, self.cwd).decode("utf-8", "surrogateescape")
        return ["/", *name[1:].split("/")] if name.startswith("/") else name.split("/")


def _listed(tree: _Tree, rev: str, path: str, full: str) -> list[tuple[str, str, str]]:
    """(name as the working tree spells it, blob id, path from the repository's top) of
    each problem file `path` names, read as the working tree's are (`loader.expand_paths`
    for `diff --git`): a link is followed to a file only within the folder named (within
    the repository for a file named), and a submodule is skipped; each said in a note."""
    listing = tree.listing(full)
    if listing.get(full, ("", "tree", ""))[1] == "commit":
        raise UsageError(
            f"{path}: a git submodule at {rev}, whose files are another repository's; "
            "run pmsize diff --git inside it"
        )
    named = listing.get(full)
    if named is not None and named[1] == "blob":  # a file named: read whatever its suffix
        if named[0] != _SYMLINK_MODE:
            return [(path, named[2], full)]
        reached = tree.follow(full)
        if reached is not None and not reached[0]:
            loader.skipped(f"{rev}:{path} is a link to a file outside the repository")
        return [(path, reached[1], reached[0])] if reached and reached[0] else []
    prefix = f"{full}/" if full else ""
    found = []
    for name, (mode, kind, oid) in listing.items():
        below = name[len(prefix) :]
        parts = below.split("/")
        # hidden folders (.github/) hold workflow and tool YAML, never problems
        if any(part.startswith(".") for part in parts):
            continue
        shown = str(Path(path) / below)
        if kind == "commit":
            loader.skipped(f"{rev}:{shown} is a git submodule (another repository)")
        elif kind == "blob" and below.lower().endswith(loader.YAML_SUFFIXES):
            if mode != _SYMLINK_MODE:
                found.append((shown, oid, name))
                continue
            reached = tree.follow(name)
            if reached is None:
                continue  # a link to a folder or to nothing, as in the working tree
            if reached[0] == full or reached[0].startswith(prefix):
                found.append((shown, reached[1], reached[0]))
            else:
                loader.skipped(f"{rev}:{shown} is a link to a file outside {path}")
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
