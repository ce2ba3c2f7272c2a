"""`pmsize report` (SPEC §11): one self-contained HTML page, checked as text and in a browser.

The page of `examples/` is made once (`examples_page`); the browser tests render it in
Debian's Chromium through Playwright (which downloads no browser of its own), once
per module. Outside CI a machine without Chromium skips them; under `.ci/run`
(`PMSIZE_REQUIRE_BROWSER=1`, or `CI=true`) they fail instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from html.parser import HTMLParser
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import pmsize
from pmsize import _fmt as fmt
from pmsize.cli import app
from pmsize.render.report import CSP, opening_files
from pmsize.render.simulate import chance

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CASE = ROOT / "tests" / "cases" / "01-no-alternatives.yaml"
ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}
SAMPLES = 2_000  # few, for speed; the page's simulation must equal `simulate -n 2000`
HOSTILE = '<script>alert(1)</script> costs $x$ \\ & "more"'


def run(*args: str) -> Any:
    return CliRunner(env=ENV).invoke(app, list(args))


def json_of(*args: str) -> dict[str, Any]:
    result = run(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


@pytest.fixture(scope="module")
def examples_page() -> str:
    return pmsize.report(pmsize.load(EXAMPLES), samples=SAMPLES)


def problem_file(tmp_path: Path, name: str, currency: str = "USD", file: str = "p.yaml") -> Path:
    """The reference case 01 under another name (and currency)."""
    text = CASE.read_text(encoding="utf-8")
    if currency != "USD":
        text = text.replace("$", "")
    text = text.replace(
        "name: Contract redlining for mid-market legal teams",
        f"name: {json.dumps(name)}\ncurrency: {currency}",
    )
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    return path


class _Cells(HTMLParser):
    """The text of each cell of each body row of the tables with class `css_class`, and
    the text of each `<dt>`/`<dd>` pair of the lists with class `css_class`."""

    def __init__(self, css_class: str) -> None:
        super().__init__()
        self.css_class, self.depth, self.rows = css_class, 0, list[list[str]]()
        self.cell: list[str] | None = None
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("table", "dl") and self.css_class in classes:
            self.depth += 1
        if not self.depth:
            return
        if tag == "tbody" or tag == "dl":
            self.in_body = True
        elif tag in ("tr", "div") and self.in_body:
            self.rows.append([])
        elif tag in ("td", "th", "dt", "dd") and self.in_body:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag in ("td", "th", "dt", "dd") and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None
        elif tag in ("table", "dl"):
            self.depth -= 1
            self.in_body = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def cells(page: str, css_class: str) -> list[list[str]]:
    parser = _Cells(css_class)
    parser.feed(page)
    return parser.rows


# ------------------------------------------------------------------ the page as text


def test_the_page_is_one_document_that_loads_nothing(examples_page: str) -> None:
    assert examples_page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert examples_page.endswith("</html>\n")
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in examples_page
    assert "default-src 'none'" in CSP
    lowered = examples_page.lower()
    for loader in ("<script", "<link", "<img", "<iframe", "<object", "@import", " src="):
        assert loader not in lowered
    # the only addresses are XML namespaces, which are names, never fetched
    addresses = set(re.findall(r"https?://[^\"' )<]+", examples_page))
    assert addresses == {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert not re.search(r'href="(?!#)', examples_page)  # links only within the page


def test_the_title_says_what_the_page_is_before_what_it_holds(examples_page: str) -> None:
    assert "<title>pmsize report: 6 problems</title>" in examples_page
    assert "<h1>pmsize report: 6 problems</h1>" in examples_page


def test_the_contents_links_to_each_problems_section_in_page_order(examples_page: str) -> None:
    results = json_of("evaluate", str(EXAMPLES))["results"]
    [contents] = re.findall(r'<nav id="contents".*?</nav>', examples_page, re.DOTALL)
    items = re.findall(
        r'<li><a href="#(problem-\d+)">([^<]+)</a> <span class="verdict verdict-(\w+)">',
        contents,
    )
    assert items == [(f"problem-{i}", r["name"], r["verdict"]) for i, r in enumerate(results, 1)]
    assert re.findall(r'<section id="(problem-\d+)"', examples_page) == [a for a, _, _ in items]
    assert '<span class="count">6 problems</span>' in contents
    # it opens the page: before the summary; and each section leads back to it
    assert examples_page.index('<nav id="contents"') < examples_page.index('id="summary"')
    assert examples_page.count('<a href="#contents">Back to contents</a>') == len(results)


def test_past_a_dozen_sections_the_contents_starts_closed_and_one_has_none(
    tmp_path: Path,
) -> None:
    page = pmsize.report(pmsize.load(portfolio_of(tmp_path, 13)))
    [contents] = re.findall(r'<nav id="contents".*?</nav>', page, re.DOTALL)
    assert "<details>" in contents
    assert contents.count("<li>") == 13
    single = pmsize.report(pmsize.load(problem_file(tmp_path, "Alone")))
    assert 'id="contents"' not in single
    assert 'href="#contents"' not in single


def test_the_ranked_table_shows_the_json_figures_as_the_terminal_formats_them(
    examples_page: str,
) -> None:
    results = json_of("evaluate", str(EXAMPLES))["results"]

    def expected(i: int, r: dict[str, Any]) -> list[str]:
        def money(x: float) -> str:
            return fmt.money(x, r["currency"])

        return [
            str(i),
            r["name"],
            r["verdict"],
            money(r["market_size"]),
            money(r["ceiling_per_customer"]) + fmt.from_year(r["ceiling_year"]),
            r["ceiling_set_by"] or "—",
            money(r["npv"]),
            fmt.percent(r["roi"]),
            money(r["naive_npv"]),
            fmt.payback(r["payback_years"]),
        ]

    rows = cells(examples_page, "ranked")
    assert rows == [expected(i, r) for i, r in enumerate(results, 1)]
    assert rows[0][1] == "Dock appointment scheduling for distribution centres"


def test_the_summary_counts_and_totals_are_the_json_summary(examples_page: str) -> None:
    summary = json_of("evaluate", str(EXAMPLES))["summary"]
    counts = re.findall(
        r'<span class="count">(\d+)</span> <span class="word">(\w+)</span>', examples_page
    )
    assert counts == [(str(summary[v]), v) for v in ("pursue", "reconsider", "avoid")]
    assert cells(examples_page, "totals") == [
        ["Total NPV", fmt.money(summary["total_npv"])],
        ["Total market a year", fmt.money(summary["total_market_size"])],
    ]


def test_each_problem_has_its_memo_its_charts_and_for_ranges_its_simulation(
    examples_page: str,
) -> None:
    results = json_of("evaluate", str(EXAMPLES))["results"]
    # simulated: a problem with ranges, or with scenarios drawn by their probabilities
    ranged = [r for r in results if r["uncertain_inputs"] or r.get("expected_npv") is not None]
    assert len(ranged) == 4  # claims processing and invoice matching have neither
    sections = re.split(r'<section id="problem-\d+" class="problem"', examples_page)[1:]
    assert len(sections) == len(results)
    for r, section in zip(results, sections, strict=True):
        assert (
            f'<span class="verdict verdict-{r["verdict"]}">{r["verdict"].upper()}</span>' in section
        )
        assert "<h3>Why: the memo</h3>" in section
        assert section.count("<strong>") >= 9  # the memo's numbered points
        charts = section.count('role="img"')
        moves = len({y["ceiling_per_customer"] for y in r["years"]}) > 1
        drawn = r in ranged
        # cash flow; the ceiling by year when it moves; histogram and tornado when simulated
        assert charts == 1 + moves + (2 if drawn else 0)
        assert ("Uncertainty: the simulation" in section) == drawn
        currency = r["currency"]
        money = partial(fmt.money, currency=currency)
        assert cells(section, "figures") == [
            ["NPV", money(r["npv"])],
            ["Naive NPV", money(r["naive_npv"], sign=True)],
            ["Market a year", money(r["market_size"])],
            ["Value per customer", money(r["value_per_customer"])],
            [
                "Ceiling per customer",
                money(r["ceiling_per_customer"]) + fmt.from_year(r["ceiling_year"]),
            ],
            ["Set by", r["ceiling_set_by"] or "—"],
            ["ROI", fmt.percent(r["roi"])],
            ["Payback", fmt.years(r["payback_years"], r["horizon_years"])],
        ]
    # portfolio: naive against sustainable NPV, value against ceiling; each with a title
    moving = [r for r in results if len({y["ceiling_per_customer"] for y in r["years"]}) > 1]
    assert len(moving) == 1  # invoice matching
    expected = 2 + len(results) + len(moving) + 2 * len(ranged)
    assert examples_page.count('role="img"') == expected
    assert examples_page.count("<figcaption>") == examples_page.count('role="img"')
    assert examples_page.count("<svg ") == examples_page.count("<title>") - 1  # + the page's


def test_the_simulation_is_what_simulate_gives_with_the_same_samples_and_seed(
    examples_page: str,
) -> None:
    path = EXAMPLES / "utility-bill-audit.yaml"
    [result] = json_of("simulate", str(path), "-n", str(SAMPLES))["results"]
    sim = result["simulation"]
    name = '<span class="name">Utility bill audit for multi-site businesses</span>'
    [section] = [s for s in examples_page.split('<section id="problem-') if name in s]
    figures = dict(cells(section, "simulation"))  # type: ignore[arg-type]
    assert figures["Samples"] == f"{SAMPLES:,} (seed 0)"
    assert figures["P(NPV > 0)"] == chance(sim["p_npv_positive"])
    npv = sim["npv"]
    money = fmt.money
    assert figures["NPV"] == (
        f"p5 {money(npv['p5'])} · p50 {money(npv['p50'])} · p95 {money(npv['p95'])} "
        f"(mean {money(npv['mean'])})"
    )


def test_the_same_input_gives_the_same_bytes_in_another_process(tmp_path: Path) -> None:
    # matplotlib's SVG carries a date and random ids unless told otherwise
    path = EXAMPLES / "utility-bill-audit.yaml"
    here = pmsize.report(pmsize.load(path), samples=SAMPLES)
    out = tmp_path / "report.html"
    proc = subprocess.run(
        [sys.executable, "-m", "pmsize", "report", str(path), "-n", str(SAMPLES), "-o", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, **ENV},
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (0, "")
    assert proc.stderr.startswith(f"Wrote {out}: 1 problem, ")
    assert out.read_bytes() == here.encode("utf-8")


def test_the_same_input_gives_the_same_bytes_again_and_drawn_in_several_processes(
    examples_page: str,
) -> None:
    # each chart is numbered as it is asked for and drawn from what it shows alone: the
    # processes that draw a large page's charts give the bytes this process gives
    problems = pmsize.load(EXAMPLES)
    assert pmsize.report(problems, samples=SAMPLES) == examples_page
    assert pmsize.report(problems, samples=SAMPLES, workers=2) == examples_page


def test_a_page_of_many_charts_is_drawn_in_several_processes() -> None:
    from pmsize.render.charts._processes import MAX_WORKERS, PARALLEL_FROM, workers_for

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert workers_for(PARALLEL_FROM - 1) == 1  # starting the processes costs more
    assert workers_for(PARALLEL_FROM) == max(1, min(cores or 1, MAX_WORKERS))


def test_a_chart_worker_reads_a_result_without_pydantic() -> None:
    # a worker is sent results to draw: reading one back imports what its classes need,
    # and pydantic (a tenth of a second, before a worker's first chart) is not among them
    import pickle

    [problem] = pmsize.load(EXAMPLES / "invoice-matching.yaml")
    code = "import pickle, sys; pickle.load(sys.stdin.buffer); print('pydantic' in sys.modules)"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        input=pickle.dumps(pmsize.evaluate(problem)),
        capture_output=True,
        check=True,
    )
    assert proc.stdout == b"False\n"


def _children(pid: int) -> dict[int, str]:
    """The processes `pid` started, by pid, each with its command line (Linux's /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            status = (entry / "status").read_text(encoding="utf-8")
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        if f"\nPPid:\t{pid}\n" in status:
            found[int(entry.name)] = command
    return found


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
def test_ctrl_c_while_the_chart_processes_start_is_one_line_and_exit_130(tmp_path: Path) -> None:
    # `report` starts the charts' fork server as it begins; it imports matplotlib for half
    # a second, and a Ctrl-C then was a traceback of its own on stderr: it starts with
    # Ctrl-C ignored (its status says so from its first instruction), and the command
    # says it was interrupted, once
    import signal
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "pmsize", "report", str(portfolio_of(tmp_path, 20))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **ENV},
        start_new_session=True,  # a process group of its own, as a terminal's job is
    )
    server = None
    deadline = time.monotonic() + 30
    while server is None and proc.poll() is None and time.monotonic() < deadline:
        server = next((p for p, c in _children(proc.pid).items() if "forkserver" in c), None)
        time.sleep(0.002)
    assert server is not None, "no fork server was started"
    ignored = int(re.search(r"SigIgn:\t(\w+)", Path(f"/proc/{server}/status").read_text())[1], 16)
    assert ignored & (1 << (signal.SIGINT - 1))
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches every process of the job
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (130, b"pmsize: interrupted\n")


def test_a_hostile_name_is_text_everywhere_in_the_page(tmp_path: Path) -> None:
    result = run("report", str(problem_file(tmp_path, HOSTILE + "\x1b[31m")))
    assert result.exit_code == 0, result.stderr
    page = result.stdout
    assert "<script" not in page.lower()
    assert "\x1b" not in page
    shown = "&lt;script&gt;alert(1)&lt;/script&gt; costs $x$ \\ &amp; &#34;more&#34;\\x1b[31m"
    assert f"<title>pmsize report: {shown}</title>" in page
    assert f'<span class="name">{shown}</span>' in page
    # and in the charts' text: matplotlib writes it as XML text, not as math (`$x$`),
    # on the line above its bars in both portfolio charts
    in_charts = '&lt;script&gt;alert(1)&lt;/script&gt; costs $x$ \\ &amp; "more"\\x1b[31m</text>'
    assert len(re.findall(r"<text[^>]*>" + re.escape(in_charts), page)) == 2


def test_problems_in_several_currencies_are_ranked_and_totalled_apart(tmp_path: Path) -> None:
    problem_file(tmp_path, "Dollars", "USD", "a.yaml")
    problem_file(tmp_path, "Euros", "EUR", "b.yaml")
    result = run("report", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    page = result.stdout
    assert "The problems use different currencies" in page
    assert cells(page, "totals") == [  # as many problems of each: by currency code
        ["Total NPV (EUR)", "€4.18m"],
        ["Total market a year (EUR)", "€100m"],
        ["Total NPV (USD)", "$4.18m"],
        ["Total market a year (USD)", "$100m"],
    ]
    assert page.count('<table class="ranked">') == 2
    assert page.count("<figcaption>NPV: the naive pitch") == 2  # one a currency, never mixed


def test_without_output_the_page_goes_to_stdout_and_with_it_only_to_the_file(
    tmp_path: Path,
) -> None:
    path = problem_file(tmp_path, "Plain")
    printed = run("report", str(path))
    assert printed.exit_code == 0, printed.stderr
    assert printed.stdout.startswith("<!DOCTYPE html>")
    out = tmp_path / "page.html"
    written = run("report", str(path), "--output", str(out))
    assert (written.exit_code, written.stdout) == (0, "")
    assert written.stderr.startswith(f"Wrote {out}: 1 problem, ")
    assert out.read_text(encoding="utf-8") == printed.stdout


def test_bad_input_writes_no_page(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nhorizon_years: no\n", encoding="utf-8")
    out = tmp_path / "page.html"
    result = run("report", str(bad), "-o", str(out))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"{bad}:")
    assert result.stderr.endswith("; nothing evaluated\n")
    assert not out.exists()


def test_a_home_that_cannot_be_written_gives_a_page_and_no_warning(tmp_path: Path) -> None:
    # matplotlib warns on stderr and leaves a folder behind when it cannot write its
    # configuration; pmsize gives it a temporary one (as root, a file is what stops it)
    blocked = tmp_path / "home"
    blocked.write_text("not a folder", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MPL", "XDG_"))}
    env.update(ENV, HOME=str(blocked / "inside"), PYTHONIOENCODING="ascii")
    proc = subprocess.run(
        [sys.executable, "-m", "pmsize", "report", str(problem_file(tmp_path, "Café"))],
        capture_output=True,
        env=env,
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (0, b"")
    # stdout could not encode "é": the page says it with a character reference
    assert b"<h1>pmsize report: Caf&#233;</h1>" in proc.stdout
    assert proc.stdout.isascii()


def portfolio_of(tmp_path: Path, count: int) -> Path:
    """A portfolio of `count` problems of ranked NPVs (more customers, more NPV)."""
    items = "".join(
        f"  - name: Problem {i}\n"
        f"    market: {{customers: {100 + 10 * i}, problem_cost: $200k}}\n"
        "    solution: {build_cost: $2m, annual_cost: $1m, solves: 50%, adoption: 8%}\n"
        for i in range(count)
    )
    path = tmp_path / "portfolio.yaml"
    path.write_text(f"problems:\n{items}", encoding="utf-8")
    return path


SUMMARISED = (
    "35 problems: this page has a section for each of the first 2 by rank; the other 33 "
    "are in the summary and the ranked table only."
)


def test_a_large_portfolio_gets_sections_for_the_first_by_rank_only(tmp_path: Path) -> None:
    # 60,000 problems (a 7.5 MB file, within every loader limit) drew for most of an hour
    page = pmsize.report(pmsize.load(portfolio_of(tmp_path, 35)), max_sections=2)
    assert f'<p class="note" id="sections-note">{SUMMARISED}</p>' in page
    assert re.findall(r'<section id="(problem-\d+)"', page) == ["problem-1", "problem-2"]
    assert [row[1] for row in cells(page, "ranked")][:3] == [
        "Problem 34",
        "Problem 33",
        "Problem 32",
    ]
    assert len(cells(page, "ranked")) == 35  # the table holds every problem
    # only the rows with a section link to one, and the contents lists those sections
    [table] = re.findall(r'<table class="ranked".*?</table>', page, re.DOTALL)
    assert re.findall(r'<a href="#([^"]+)"', table) == ["problem-1", "problem-2"]
    [contents] = re.findall(r'<nav id="contents".*?</nav>', page, re.DOTALL)
    assert re.findall(r'<a href="#([^"]+)"', contents) == ["problem-1", "problem-2"]
    assert "<details open>" in contents  # short: open
    assert '<span class="count">the first 2 of 35 by rank</span>' in contents
    # no link points nowhere
    ids = set(re.findall(r' id="([^"]+)"', page))
    assert set(re.findall(r'<a href="#([^"]+)"', page)) <= ids
    counts = re.findall(r'<li class="verdict-\w+"><span class="count">(\d+)</span>', page)
    assert sum(map(int, counts)) == 35  # and the summary counts them all
    # the portfolio charts show the first 30, and say so where a reader sees it
    assert (
        "<figcaption>NPV: the naive pitch against the sustainable price "
        "(the first 30 of 35, by rank)</figcaption>"
    ) in page
    assert page.count(">Problem 5</text>") == 2  # the 30th by rank, in both charts
    assert ">Problem 4</text>" not in page


def test_the_command_line_says_on_stderr_that_the_page_summarises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pmsize import _options as options

    path = portfolio_of(tmp_path, 35)
    monkeypatch.setattr(options, "MAX_SECTIONS", 2)
    result = run("report", str(path), "-o", str(tmp_path / "page.html"))
    assert (result.exit_code, result.stdout) == (0, "")
    said = result.stderr.splitlines()
    assert said[0] == f"pmsize: {SUMMARISED}"
    assert said[1].startswith(f"Wrote {tmp_path / 'page.html'}: 35 problems, ")
    assert SUMMARISED in (tmp_path / "page.html").read_text(encoding="utf-8")


# Settings a pull request can commit beside the problems: matplotlib reads a matplotlibrc
# in the working folder first (then MATPLOTLIBRC's, then the user's). `text.usetex` made
# the report fail (no LaTeX); the others changed its bytes, or made matplotlib complain.
HOSTILE_RC = """\
text.usetex: True
font.size: 30
font.family: serif
svg.fonttype: path
svg.hashsalt: another
axes.prop_cycle: cycler('color', ['r', 'g'])
lines.linewidth: 9
this line has no colon
no.such.key: 1
"""


@pytest.mark.parametrize("where", ["working folder", "MATPLOTLIBRC"])
def test_a_matplotlibrc_changes_nothing_in_the_page(tmp_path: Path, where: str) -> None:
    path = problem_file(tmp_path, "Plain")
    here = pmsize.report(pmsize.load(path))
    folder = tmp_path / "review"
    folder.mkdir()
    rc = folder / "matplotlibrc" if where == "working folder" else tmp_path / "evil.rc"
    rc.write_text(HOSTILE_RC, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "MATPLOTLIBRC"}
    env.update(ENV)
    if where == "MATPLOTLIBRC":
        env["MATPLOTLIBRC"] = str(rc)
    out = tmp_path / "report.html"
    proc = subprocess.run(
        [sys.executable, "-m", "pmsize", "report", str(path), "-o", str(out)],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (0, "")
    assert proc.stderr.startswith(f"Wrote {out}: 1 problem, ")
    assert out.read_bytes() == here.encode("utf-8")


def test_settings_changed_in_the_process_change_nothing_in_the_page(tmp_path: Path) -> None:
    # a notebook's style, say: the charts start from matplotlib's defaults all the same
    import matplotlib

    problems = pmsize.load(problem_file(tmp_path, "Plain"))
    plain = pmsize.report(problems)
    with matplotlib.rc_context({"font.size": 30, "lines.linewidth": 9, "svg.fonttype": "path"}):
        assert pmsize.report(problems) == plain


def test_a_glyph_no_font_has_draws_without_a_warning(tmp_path: Path) -> None:
    # matplotlib warned on stderr (with a line of its source) for each such character
    import warnings

    problems = pmsize.load(problem_file(tmp_path, "Private \ue000 use"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        page = pmsize.report(problems)
    assert [str(w.message) for w in caught] == []
    assert "Private \ue000 use" in page


def test_the_opening_names_four_files_at_most() -> None:
    assert opening_files(["b.yaml", "a.yaml", "a.yaml"]) == ["a.yaml", "b.yaml"]
    many = [f"p{i}.yaml" for i in range(1, 8)]
    assert opening_files(many) == ["p1.yaml", "p2.yaml", "p3.yaml", "4 more files"]
    assert opening_files(["new\nline.yaml"]) == ["new line.yaml"]


def test_the_library_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="seed must be a whole number from 0, not -1"):
        pmsize.report([], seed=-1)
    with pytest.raises(ValueError, match="max_sections must be a whole number from 0"):
        pmsize.report([], max_sections=-1)
    for workers in (0, True, 1.5):
        with pytest.raises(ValueError, match="workers must be a whole number from 1"):
            pmsize.report([], workers=workers)  # type: ignore[arg-type]


# ------------------------------------------------------------------ in a browser

# PMSIZE_CHROMIUM names another Chromium build to drive (a Chrome, a snap)
CHROMIUM = os.environ.get("PMSIZE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = [
        *([] if Path(CHROMIUM).exists() else ["Chromium (Debian: apt-get install chromium)"]),
        *([] if find_spec("playwright") else ["Playwright (pip install -e '.[test]')"]),
    ]
    if missing:
        reason = f"the browser tests need {' and '.join(missing)}"
        if os.environ.get("PMSIZE_REQUIRE_BROWSER") or os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; under CI (.ci/run installs them) they must run")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def page_file(examples_page: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(examples_page, encoding="utf-8")
    return path


def test_the_browser_shows_every_problem_and_verdict_and_requests_nothing_else(
    browser: Any, page_file: Path, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1000, "height": 1200})
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: problems.append(request.url))
    page.on("console", lambda message: problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(page_file.as_uri())
    text = page.inner_text("body")
    shot = page.screenshot(full_page=False)
    page.close()
    assert requests == [page_file.as_uri()]
    assert problems == []
    for r in json_of("evaluate", str(EXAMPLES))["results"]:
        assert r["name"] in text
        assert r["verdict"].upper() in text
    for verdict in ("pursue", "reconsider", "avoid"):
        assert verdict in text
    from PIL import Image

    (tmp_path / "shot.png").write_bytes(shot)
    with Image.open(tmp_path / "shot.png") as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 50  # text, rules, the verdict colours: not blank


def test_dark_mode_and_print_restyle_the_page(browser: Any, page_file: Path) -> None:
    page = browser.new_page()
    page.emulate_media(color_scheme="dark")
    page.goto(page_file.as_uri())
    style = "e => getComputedStyle(e).{}"
    assert page.eval_on_selector("html", style.format("backgroundColor")) == "rgb(21, 23, 26)"
    # the charts' text follows the page's colour
    ink = page.eval_on_selector("svg.chart text", style.format("fill"))
    assert ink == page.eval_on_selector("body", style.format("color")) == "rgb(232, 230, 225)"
    page.emulate_media(media="print", color_scheme="dark")
    assert page.eval_on_selector("html", style.format("backgroundColor")) == "rgb(255, 255, 255)"
    assert page.eval_on_selector("section.problem", style.format("breakBefore")) == "page"
    assert page.eval_on_selector("nav.contents", style.format("display")) == "none"
    # on paper (about 700 px between an A4 page's margins) the ranked table is a table,
    # whole: nothing scrolls on paper
    page.set_viewport_size({"width": 700, "height": 1000})
    layout = page.evaluate(RANKED_LAYOUT)
    assert (layout["display"], layout["tableOverflow"]) == ("table", 0)
    page.close()


def test_a_name_with_no_space_to_break_at_never_widens_the_page(
    browser: Any, tmp_path: Path
) -> None:
    long = "W" * 60
    path = tmp_path / "p.yaml"
    path.write_text(
        f"name: Problem {long}\n"
        "market: {customers: 100, problem_cost: $100k}\n"
        "solution: {build_cost: $1m, adoption: 10%}\n"
        f"alternatives:\n  - {{name: Tool {long}, annual_cost: $30k, solves: 50%}}\n",
        encoding="utf-8",
    )
    html = tmp_path / "report.html"
    html.write_text(pmsize.report(pmsize.load(path)), encoding="utf-8")
    page = browser.new_page(viewport={"width": 400, "height": 900})
    page.goto(html.as_uri())
    layout = page.evaluate(RANKED_LAYOUT)
    page.close()
    assert layout["pageWidth"] <= 400
    for row in layout["rows"]:
        assert all(cell["left"] >= 0 and cell["right"] <= 400 for cell in row)


# where each ranked row's cells sit on the page, and how the table is laid out
RANKED_LAYOUT = """() => {
  const table = document.querySelector('table.ranked');
  const rows = [...table.querySelectorAll('tbody tr')].map(tr => [...tr.children].map(c => {
    const box = c.getBoundingClientRect();
    return {
      text: c.innerText, left: box.left, right: box.right,
      label: getComputedStyle(c, '::before').content,
    };
  }));
  const scroll = table.parentElement;
  return {
    display: getComputedStyle(table).display, rows,
    pageWidth: document.documentElement.scrollWidth,
    tableOverflow: scroll.scrollWidth - scroll.clientWidth,
  };
}"""


@pytest.mark.parametrize("width", [400, 1280])
def test_the_ranked_table_fits_a_phone_as_cards_and_a_desktop_as_a_table(
    browser: Any, page_file: Path, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(page_file.as_uri())
    layout = page.evaluate(RANKED_LAYOUT)
    page.close()
    assert layout["pageWidth"] <= width  # the page never scrolls sideways
    assert layout["tableOverflow"] <= 0  # nor does the table inside its box
    results = json_of("evaluate", str(EXAMPLES))["results"]
    assert len(layout["rows"]) == len(results)
    for row in layout["rows"]:
        # every figure (NPV, ROI, payback: the last columns) is on screen
        assert all(cell["left"] >= 0 and cell["right"] <= width for cell in row)
    headers = ["#", "Problem", "Verdict", "Market/yr", "Ceiling", "Set by", "NPV", "ROI"]
    headers += ["Naive NPV", "Payback"]
    labels = [cell["label"] for cell in layout["rows"][0]]
    if width == 400:  # one card a problem, each figure under its header
        assert layout["display"] == "block"
        assert labels == ["none", "none", *(f'"{h}"' for h in headers[2:])]
    else:
        assert layout["display"] == "table"
        assert set(labels) == {"none"}


# each chart's text as the reader sees it: its font size in CSS px (the SVG's own, times
# the scale the page draws the SVG at) and the height of its box on screen
CHART_TEXT = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => ({
    text: t.textContent,
    px: parseFloat(getComputedStyle(t).fontSize) * scale,
    height: t.getBoundingClientRect().height,
    right: box.right,
  }));
})"""


@pytest.mark.parametrize(("width", "smallest", "largest"), [(400, 10, 12), (1280, 11, 16)])
def test_chart_text_stays_legible_on_a_phone_and_a_desktop(
    browser: Any, page_file: Path, width: int, smallest: float, largest: float
) -> None:
    # at 400 px the charts were 720 units scaled to 360 px: their labels 4 to 5 px tall
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(page_file.as_uri())
    texts = page.evaluate(CHART_TEXT)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    page.close()
    assert scroll_width <= width
    assert len(texts) > 100
    sizes = [t["px"] for t in texts]
    assert smallest <= min(sizes), min(texts, key=lambda t: t["px"])
    assert max(sizes) <= largest  # and not shouting on a wide screen
    assert min(t["height"] for t in texts) >= smallest  # the box drawn, too
    assert max(t["right"] for t in texts) <= width  # every chart whole on screen


def test_a_ceiling_that_moves_gets_its_chart_by_year(examples_page: str) -> None:
    sections = examples_page.split('<section id="problem-')[1:]
    moving = [s for s in sections if "Invoice matching for mid-market retailers" in s]
    assert len(moving) == 1
    assert "The ceiling by year" in moving[0]
    assert "year 3 $72.0k (set by Fast follower)" in moving[0]  # its text alternative
    # the other examples' ceilings hold every year: no such chart
    assert sum("The ceiling by year" in s for s in sections) == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_counts_each_problems_simulation_and_its_drawing(workers: int) -> None:
    told: list[tuple[int, int]] = []
    problems = pmsize.load(EXAMPLES)
    pmsize.report(
        problems,
        samples=SAMPLES,
        progress=lambda done, total: told.append((done, total)),
        workers=workers,
    )
    steps = 2 * len(problems)  # a simulation step (even without ranges), then the drawing
    assert told == [(done, steps) for done in range(1, steps + 1)]


def test_the_page_says_declared_correlations_are_drawn_together() -> None:
    # simulate says so for this example; the page must say the same, never "independently"
    problems = pmsize.load(EXAMPLES / "utility-bill-audit.yaml")
    page = pmsize.report(problems, samples=SAMPLES)
    result = run("simulate", str(EXAMPLES / "utility-bill-audit.yaml"), "-n", str(SAMPLES))
    assert "except those paired" in result.stdout
    assert "except those paired under `correlations:`" in page
    assert "The tornado moves" in page
    # without correlations, the plain note
    plain = pmsize.report(pmsize.load(EXAMPLES / "claims-processing.yaml"), samples=SAMPLES)
    ranged = [p for p in pmsize.load(EXAMPLES) if not p.correlations]
    assert "except those paired" not in plain
    assert "except those paired" not in pmsize.report(ranged[:3], samples=SAMPLES)


def test_a_name_that_says_from_year_is_a_name_not_a_moving_ceiling(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "name: Legacy from year 2010 problem\n"
        "market: {customers: 100, problem_cost: $100k}\n"
        "solution: {build_cost: $1m, adoption: 10%}\n"
        "alternatives:\n"
        "  - {name: Legacy tool from year 2010, annual_cost: $30k, solves: 90%}\n",
        encoding="utf-8",
    )
    page = pmsize.report(pmsize.load(path))
    assert 'class="num moves"' not in page
    assert '<span class="when">' not in page
    [row] = cells(page, "ranked")
    assert row[1] == "Legacy from year 2010 problem"
    assert row[5] == "Legacy tool from year 2010"
    # a ceiling reached later still shows its year apart, from the figures
    path.write_text(
        path.read_text(encoding="utf-8").replace("{name: Legacy", "{from_year: 2, name: Legacy"),
        encoding="utf-8",
    )
    page = pmsize.report(pmsize.load(path))
    cell = '<td class="num moves" data-label="Ceiling">$40.0k <span class="when">from year 2</span>'
    assert cell + "</td>" in page
