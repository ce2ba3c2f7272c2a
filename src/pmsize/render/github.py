"""`--format github`: workflow commands that annotate the problem files in a pull request.

`::error` for each `avoid`, `::warning` for each `reconsider`, at the file and
line of the problem's `name:` key, in file order. GitHub shows at most 10 errors
and 10 warnings a step (50 annotations a job), so the rest are counted in one
closing `::notice`. Text from files is escaped as the workflow-command syntax
requires (`%`, CR and LF in the message; also `:` and `,` in properties), so no
line that starts with `::` can come from data, and `##[` (read anywhere in a line) gets
a zero-width space. A last plain line is the summary.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from pmsize import _fmt as fmt
from pmsize._loader import STDIN_NAME
from pmsize._results import Evaluation, Verdict
from pmsize.render.markdown import summary_text

MAX_PER_LEVEL = 10  # GitHub shows 10 error and 10 warning annotations a step
LEVEL = {Verdict.AVOID: "error", Verdict.RECONSIDER: "warning"}


def escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF percent-encoded, other control
    characters shown as escapes (a log viewer is a terminal too), and no `##[` (the older
    command syntax, read anywhere in a line: `fmt.break_inline_commands`)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return fmt.escape_controls(fmt.break_inline_commands(text))


def escape_property(text: str) -> str:
    """A workflow command's property value: as a message, and `:` and `,` encoded too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def relative_to(file: str, workspace: str | None) -> str:
    """`file` as GitHub matches annotation paths: relative to the checkout (`workspace`)
    when it lies inside it, wherever pmsize was run from; else as given. Always normalised
    (`./x.yaml` is `x.yaml`), with forward slashes."""
    path = os.path.normpath(file)
    if workspace:
        for resolve in (os.path.abspath, os.path.realpath):  # symlinks: try both
            try:
                relative = os.path.relpath(resolve(path), resolve(workspace))
            except ValueError:  # another drive on Windows
                break
            if relative != ".." and not relative.startswith(".." + os.sep):
                path = relative
                break
    return path.replace(os.sep, "/")


def message(r: Evaluation) -> str:
    """What the annotation says: the verdict and figures, then one line a flag."""
    money = fmt.money
    set_by = f" (set by {r.ceiling_set_by})" if r.ceiling_set_by else ""
    lines = [
        f"{r.name}: {r.verdict}. NPV {money(r.npv, r.currency)} "
        f"(naive {money(r.naive_npv, r.currency, sign=True)}); "
        f"ceiling {money(r.ceiling_per_customer, r.currency)} per customer a year"
        f"{fmt.from_year(r.ceiling_year)}{set_by}."
    ]
    lines += [f"{f.code}: {f.message}" for f in r.flags]
    return "\n".join(lines)


def annotation(r: Evaluation, workspace: str | None = None) -> str:
    """One `::error` or `::warning` line for a problem to avoid or reconsider."""
    properties = []
    if r.file and r.file != STDIN_NAME:
        properties.append(f"file={escape_property(relative_to(r.file, workspace))}")
        if r.line:
            properties.append(f"line={r.line}")
    properties.append(f"title={escape_property(f'{r.verdict}: {r.name}')}")
    return f"::{LEVEL[r.verdict]} {','.join(properties)}::{escape_data(message(r))}\n"


SUMMARY_COMPLETE = "complete"  # the step summary lists every problem
SUMMARY_CUT = "cut"  # the step summary was cut (or not written) for GitHub's size limit


def document(
    results: Sequence[Evaluation], workspace: str | None = None, summary: str | None = None
) -> str:
    """Annotations in file order within GitHub's caps, a notice of any left out, the summary.

    `summary` says what the step summary holds (`SUMMARY_COMPLETE`, `SUMMARY_CUT`, or None
    when none is written), so that the notice never points at a list that is not there.
    """
    shown = dict.fromkeys(LEVEL.values(), 0)
    left_out = dict.fromkeys(LEVEL.values(), 0)
    lines: list[str] = []
    for r in sorted(results, key=lambda r: (r.file, r.line)):
        level = LEVEL.get(r.verdict)
        if level is None:
            continue
        if shown[level] < MAX_PER_LEVEL:
            shown[level] += 1
            lines.append(annotation(r, workspace))
        else:
            left_out[level] += 1
    if any(left_out.values()):
        count = sum(left_out.values())
        detail = f"{left_out['error']:,} avoid and {left_out['warning']:,} reconsider"
        noun = "annotation" if count == 1 else "annotations"
        if summary == SUMMARY_COMPLETE:
            where = "The step summary and --format json list every problem."
        elif summary == SUMMARY_CUT:
            where = (
                "The step summary was cut to fit GitHub's size limit; --format json or csv "
                "lists every problem."
            )
        else:
            where = "--format json or csv lists every problem."
        lines.append(
            f"::notice title=pmsize::{count:,} more {noun} not shown ({detail}); GitHub shows "
            f"{MAX_PER_LEVEL} errors and {MAX_PER_LEVEL} warnings a step. {where}\n"
        )
    lines.append(f"pmsize: {summary_text(results)}\n")
    return "".join(lines)
