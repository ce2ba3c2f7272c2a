"""A memo as plain markdown, to paste into a document: file text escaped."""

from __future__ import annotations

from collections.abc import Sequence

from pmsize.render import markdown as markdown_format
from pmsize.render.explain._memo import Bullet, Memo
from pmsize.render.table import SEVERITY_MARK


def escape_markdown(text: str) -> str:
    """Text shown as written in markdown, on one line (see `markdown.escape`)."""
    return markdown_format.escape(" ".join(text.split()))


def markdown(memos: Sequence[Memo]) -> str:
    """Every memo as markdown, newline-terminated."""
    return "\n".join(_memo_markdown(m) for m in memos)


def _memo_markdown(m: Memo) -> str:
    lines = [f"## {escape_markdown(m.name)}", ""]
    if m.description:
        lines += [f"_{escape_markdown(m.description)}_", ""]
    if m.whatif:
        lines += [f"_{escape_markdown(m.whatif)}_", ""]
    lines += [f"**Verdict: {m.verdict.upper()}**", ""]
    for number, point in enumerate(m.points, 1):
        head = f"**{number}. {escape_markdown(point.title)}.**"
        lines += [f"{head} {escape_markdown(point.text)}".rstrip(), ""]
        if point.bullets:
            lines += [f"- {_markdown_mark(b)}{escape_markdown(b.text)}" for b in point.bullets] + [
                ""
            ]
        if point.table:
            header, *rows = point.table
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "---:|" * len(header))
            lines += ["| " + " | ".join(escape_markdown(c) for c in row) + " |" for row in rows]
            lines.append("")
    return "\n".join(lines)


def _markdown_mark(bullet: Bullet) -> str:
    return f"{SEVERITY_MARK[bullet.severity][0]} " if bullet.severity else ""
