"""`pmsize report` (SPEC §11): one self-contained HTML page to share.

`document()` lays out what the library computed (ranked evaluations, the
`explain` memos, and the sensitivity of each ranged problem) as a page: a
contents list of the sections, the summary and the ranked table (a card a problem
on a narrow screen: `templates/report.css`), two portfolio charts, then a section
a problem with its key figures, its cash-flow chart (and the ceiling by year when
it moves), its memo and, when it has ranges, its simulation, NPV histogram and
tornado. Every number is formatted by `fmt`, as
the tables format it, from the same figures the JSON carries; this module
computes none.

A large portfolio is summarised, so that the page stays readable and its drawing
bounded (60,000 problems took most of an hour): the summary and the ranked table
hold every problem, the portfolio charts the first `charts.MAX_BARS` by rank, and
only the first `MAX_SECTIONS` by rank get a section; the page says so.

The page loads nothing: its styles are inline, its charts inline SVG (`charts`),
it has no script, and a Content-Security-Policy forbids any load. The template
(`pmsize/templates/report.html.j2`) is rendered by Jinja2 with autoescape on;
text that came from a file is also made safe by `fmt.safe_text` (no control
characters) and is never marked safe. The same input gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pmsize import _fmt as fmt
from pmsize._fmt import chance
from pmsize._messages import UNCAPPED
from pmsize._models import NO_ALTERNATIVE, Problem
from pmsize._options import MAX_SECTIONS
from pmsize._portfolio import currency_groups, totals
from pmsize._portfolio import summary as summary_record
from pmsize._results import Evaluation, Verdict
from pmsize._version import __version__
from pmsize.render import explain
from pmsize.render.charts import Chart, Charts
from pmsize.render.simulate import NOT_SET, break_even_text, ranges_note, spread_text
from pmsize.render.table import RANKED_HEADERS, ranked_rows

if TYPE_CHECKING:
    from jinja2 import Environment

    from pmsize._simulated import Simulated

TEMPLATE = "report.html.j2"
# forbids every load: no script, no font, no image but inline data, no form or base URL
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
SHOWN_FILES = 4  # input files the page's opening names; the rest are counted
CONTENTS_OPEN = 12  # problem sections the contents lists open; past this it starts closed
NUMERIC = frozenset(RANKED_HEADERS) - {"Problem", "Verdict", "Set by"}


CEILING = RANKED_HEADERS.index("Ceiling")


@dataclass(frozen=True)
class Cell:
    """A cell of the ranked table: its text as the terminal shows it, whether it is a
    figure, and for a ceiling reached only later the year it is reached (the template
    shows it apart; it never re-reads the text)."""

    text: str
    numeric: bool
    year: int | None = None


@dataclass(frozen=True)
class Row:
    """A row of the ranked table: its cells, and its section."""

    cells: tuple[Cell, ...]
    verdict: str
    anchor: str | None  # None: the problem has no section (past `MAX_SECTIONS`)


@dataclass(frozen=True)
class Ranking:
    """The ranked table and the portfolio charts of one currency."""

    currency: str
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[Row, ...]
    totals: tuple[tuple[str, str], ...]
    charts: tuple[Chart, ...]


@dataclass(frozen=True)
class Uncertainty:
    """A ranged problem's simulation: figures in words, its charts, its break-even values."""

    figures: tuple[tuple[str, str], ...]
    charts: tuple[Chart, ...]
    break_even: tuple[str, ...]
    advice: str | None


@dataclass(frozen=True)
class Section:
    """One problem's part of the page."""

    anchor: str
    name: str
    verdict: str
    source: str
    description: str | None
    figures: tuple[tuple[str, str], ...]
    cash_flow: Chart
    ceiling_by_year: Chart | None
    memo: explain.Memo
    uncertainty: Uncertainty | None


def document(
    problems: Sequence[Problem],
    results: Sequence[Evaluation],
    sampled: Sequence[Simulated | None],
    charts: Charts | None = None,
) -> str:
    """The page, for `results` in the order given (ranked). The first `len(problems)`
    results get a section each, beside their problem and, for a ranged problem, its
    `pmsize.sensitivity` result (None for the others) in `sampled`; the rest appear in
    the summary, the ranked table and (the first by rank) the charts only.
    `charts` draws the page's charts (by default each in this process as it is asked
    for), a `step()` as each problem's section is put together and all of them at the end
    (`Charts.finish`), in several processes when it was made to: the same bytes whichever
    way."""
    from markupsafe import Markup

    charts = charts if charts is not None else Charts()
    shown = results[: len(problems)]
    anchors = {id(r): f"problem-{i}" for i, r in enumerate(shown, 1)}
    summary = summary_record(results)
    groups = currency_groups(results)
    rankings = [_ranking(currency, group, anchors, charts) for currency, group in groups]
    sections = []
    for problem, r, s in zip(problems, shown, sampled, strict=True):
        sections.append(_section(problem, r, s, anchors[id(r)], charts))
        charts.step()
    # compiled before the charts are awaited: the processes drawing them are often still
    # starting, and if not, the last chart comes as much later as the page comes sooner
    template = _environment().get_template(TEMPLATE)
    charts.finish()
    return template.render(
        version=__version__,
        csp=Markup(CSP),  # our constant, its quotes as written (it has no `"`)
        title=_title(results),
        files=opening_files(r.file for r in results),
        counts=[(str(v), summary[v]) for v in Verdict],
        problems=len(results),
        mixed=len(groups) > 1,
        rankings=rankings,
        sections=sections,
        contents_open=len(sections) <= CONTENTS_OPEN,
        contents_count=contents_count(len(sections), len(results)),
        sections_note=sections_note(len(sections), len(results)),
        ranges_note=ranges_note(sampled, tornado=True),
    )


def sections_note(sections: int, problems: int) -> str | None:
    """What the page leaves out when it summarises a large portfolio; None when every
    problem has its section."""
    if sections >= problems:
        return None
    rest = problems - sections
    return (
        f"{fmt.count(problems)} problems: this page has a section for each of the first "
        f"{fmt.count(sections)} by rank; the other {fmt.count(rest)} are in the summary and "
        "the ranked table only."
    )


def contents_count(sections: int, problems: int) -> str:
    """What the contents lists: `6 problems`, or `the first 200 of 60,000 by rank`."""
    if sections >= problems:
        return fmt.plural(sections, "problem")
    return f"the first {fmt.count(sections)} of {fmt.count(problems)} by rank"


def opening_files(files: Iterable[str]) -> list[str]:
    """The input files the page's opening names, sorted: at most `SHOWN_FILES`, the rest
    counted in the last entry (`3 more files`)."""
    names = sorted({fmt.safe_text(f) for f in files})
    if len(names) <= SHOWN_FILES:
        return names
    rest = len(names) - SHOWN_FILES + 1
    return [*names[: SHOWN_FILES - 1], f"{fmt.count(rest)} more files"]


def _title(results: Sequence[Evaluation]) -> str:
    """What the page is first, then what it holds: `pmsize report: 6 problems`, or the
    problem's name when it holds one (a tab or a bookmark shows the start)."""
    if len(results) == 1:
        return f"pmsize report: {fmt.safe_text(results[0].name)}"
    return f"pmsize report: {fmt.plural(len(results), 'problem')}"


def _environment() -> Environment:
    import jinja2
    import markupsafe

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pmsize", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["clean"] = fmt.safe_text
    env.filters["svg"] = lambda chart: markupsafe.Markup(chart.svg)  # drawn by pmsize
    return env


def _ranking(
    currency: str, group: Sequence[Evaluation], anchors: dict[int, str], charts: Charts
) -> Ranking:
    header, *cells = ranked_rows(group)
    numeric = tuple(h in NUMERIC for h in header)
    rows = []
    for row, r in zip(cells, group, strict=True):
        row_cells = [Cell(text, is_number) for text, is_number in zip(row, numeric, strict=True)]
        if r.ceiling_year > 1:  # the figure alone, and the year it is reached beside it
            row_cells[CEILING] = Cell(
                fmt.money(r.ceiling_per_customer, currency), True, r.ceiling_year
            )
        rows.append(Row(tuple(row_cells), r.verdict, anchors.get(id(r))))
    sums = totals(group)
    return Ranking(
        currency=currency,
        headers=header,
        numeric=numeric,
        rows=tuple(rows),
        totals=(
            ("Total NPV", fmt.money(sums["total_npv"], currency)),
            ("Total market a year", fmt.money(sums["total_market_size"], currency)),
        ),
        charts=(charts.npv_gap(group), charts.value_ceiling(group)),
    )


def _section(
    problem: Problem, r: Evaluation, s: Simulated | None, anchor: str, charts: Charts
) -> Section:
    def money(x: float | None, sign: bool = False) -> str:
        return fmt.money(x, r.currency, sign=sign)

    figures = (
        ("NPV", money(r.npv)),
        ("Naive NPV", money(r.naive_npv, True)),
        ("Market a year", money(r.market_size)),
        ("Value per customer", money(r.value_per_customer)),
        ("Ceiling per customer", money(r.ceiling_per_customer) + fmt.from_year(r.ceiling_year)),
        ("Set by", fmt.safe_text(r.ceiling_set_by) if r.ceiling_set_by else UNCAPPED),
        ("ROI", fmt.percent(r.roi)),
        ("Payback", fmt.years(r.payback_years, r.horizon_years)),
    )
    return Section(
        anchor=anchor,
        name=r.name,
        verdict=r.verdict,
        source=f"{r.file}:{r.line}" if r.file else "",
        description=" ".join(r.description.split()) if r.description else None,
        figures=figures,
        cash_flow=charts.cash_flow(r, r.cumulative_discounted),
        ceiling_by_year=ceiling_by_year(r, charts),
        memo=explain.memo(problem, r),
        uncertainty=_uncertainty(s, charts) if s is not None else None,
    )


def ceiling_by_year(r: Evaluation, charts: Charts) -> Chart | None:
    """The ceiling per customer year by year, when the landscape moves (SPEC §7); None
    when it holds every year (the key figures say it once)."""
    return charts.ceiling_by_year(r) if r.ceiling_moves else None


def _uncertainty(s: Simulated, charts: Charts) -> Uncertainty:
    e, sim, sens = s.evaluation, s.simulation, s.sensitivity

    def money(x: float | None) -> str:
        return fmt.money(x, e.currency)

    figures = [
        ("Samples", f"{sim.samples:,} (seed {sim.seed})"),
        ("P(NPV > 0)", chance(sim.p_npv_positive)),
        ("Verdicts", _shares(sim.verdicts)),
        ("NPV", f"{spread_text(sim.npv, money)} (mean {money(sim.npv.mean)})"),
        ("ROI", spread_text(sim.roi, fmt.percent)),
        ("Ceiling", f"{spread_text(sim.ceiling, money)} per customer a year"),
    ]
    if e.alternatives:
        shown = {NOT_SET if k == NO_ALTERNATIVE else k: v for k, v in sim.set_by.items()}
        figures.append(("Set by", fmt.safe_text(_shares(shown))))
    drawn: list[Chart] = []
    if sim.histogram.counts:
        drawn.append(charts.histogram(sim.histogram, e.currency, chance(sim.p_npv_positive)))
    break_even: tuple[str, ...] = ()
    advice = None
    if sens is not None:
        if sens.tornado:
            drawn.append(charts.tornado(sens.tornado, sens.central_npv, e.currency))
        means = {u.input: u.range.mean for u in e.uncertain if u.range.mean_differs}
        break_even = tuple(
            break_even_text(b, sens.central_npv, e.currency, means.get(b.input))
            for b in sens.break_even
        )
        if sens.value_of_information:
            best = sens.value_of_information[0]
            advice = (
                f"Most worth researching: {best.input} (value of information {money(best.evpi)})."
                if best.evpi > 0
                else "Nothing here is worth researching first: learning any one input would "
                "not change the decision."
            )
    return Uncertainty(tuple(figures), tuple(drawn), break_even, advice)


def _shares(shares: dict[str, float]) -> str:
    """`pursue 49% · reconsider 19% · avoid 32%`, entries with no samples left out."""
    return " · ".join(f"{name} {chance(share)}" for name, share in shares.items() if share)


__all__ = [
    "CSP",
    "MAX_SECTIONS",
    "Section",
    "ceiling_by_year",
    "contents_count",
    "document",
    "opening_files",
    "sections_note",
]
