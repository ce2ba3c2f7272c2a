"""A memo for a terminal, printed with Rich: file text is always `Text`, never markup."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from pmsize import _fmt as fmt
from pmsize.render.explain._memo import Memo, Point
from pmsize.render.table import (
    NBSP,
    SEVERITY_MARK,
    VERDICT_STYLE,
    glued,
    print_trimmed,
)


def render(console: Console, memos: Sequence[Memo]) -> None:
    """Print each memo, separated by a blank line."""
    parts: list[RenderableType] = []
    for i, m in enumerate(memos):
        if i:
            parts.append(Text())
        parts.append(memo_renderable(m, console.width))
    print_trimmed(console, Group(*parts))


def memo_renderable(m: Memo, width: int = 80) -> RenderableType:
    """One memo for a terminal `width` wide: the title and verdict, then the numbered points."""
    head = Table.grid(expand=True)
    head.add_column(ratio=1)
    head.add_column(justify="right", no_wrap=True)
    head.add_row(
        Text(fmt.safe_text(m.name), style="bold"), Text(m.verdict.upper(), VERDICT_STYLE[m.verdict])
    )
    parts: list[RenderableType] = [head]
    if m.description:
        parts.append(Text(fmt.safe_text(" ".join(m.description.split())), style="dim"))
    if m.whatif:
        parts.append(Text(m.whatif, style="dim"))
    for number, point in enumerate(m.points, 1):
        parts += [Text(), _point(number, point, width)]
    return Group(*parts)


def _point(number: int, point: Point, width: int) -> RenderableType:
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True, width=3, justify="right")
    grid.add_column(ratio=1)
    body = Text()
    body.append(fmt.safe_text(f"{point.title}."), style="bold")
    if point.text:
        body.append(" " + fmt.safe_text(point.text))
    inner: list[RenderableType] = [body]
    if point.bullets:
        bullets = Table.grid(padding=(0, 1, 0, 0))
        bullets.add_column(no_wrap=True)
        bullets.add_column(ratio=1)
        for bullet in point.bullets:
            text = Text(fmt.safe_text(bullet.text))
            if bullet.severity is None:
                bullets.add_row(Text("•"), text)
                continue
            mark, style = SEVERITY_MARK[bullet.severity]
            text.stylize(style, 0, len(bullet.text.split(" ", 1)[0]))  # the flag's code
            bullets.add_row(Text(mark, style=style), text)
        inner.append(bullets)
    if point.table:
        inner.append(Padding(_cash_flows(point.table, width - POINT_INDENT), (1, 0, 0, 0)))
    grid.add_row(Text(f"{number}."), Group(*inner))
    return grid


POINT_INDENT = 4  # the point's number column and its padding


def _cash_flows(rows: tuple[tuple[str, ...], ...], width: int) -> RenderableType:
    """The year-by-year table, or where it would not fit, a line a year: figures never cut."""
    widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
    if sum(widths) + 2 * (len(widths) - 1) <= width:  # padding (0, 1), no edge
        return _cash_table(rows)
    headers, lines = rows[0], []
    for row in rows[1:]:
        figures = " · ".join(
            f"{header.lower()}{NBSP}{cell}"
            for header, cell in zip(headers[1:], row[1:], strict=True)
            if cell
        )
        lines.append(glued(f"{headers[0]}{NBSP}{row[0]}: {figures}", width))
    return Group(*lines)


def _cash_table(rows: tuple[tuple[str, ...], ...]) -> Table:
    table = Table(box=None, padding=(0, 1), header_style="bold", pad_edge=False)
    for header in rows[0]:
        table.add_column(header, justify="right", no_wrap=True)
    for row in rows[1:]:
        table.add_row(*(Text(cell) for cell in row))
    return table
