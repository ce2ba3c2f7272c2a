"""`pmsize evaluate` end to end: inputs, ranking, `--output`, pipes, the table on narrow screens.

Three small problems, one for each verdict, are used throughout; their figures
are worked out by hand below, so the ranking can be checked against numbers
rather than against the product itself.
"""

from __future__ import annotations

import gc
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pmsize import _fmt as fmt
from pmsize import _loader as loader
from pmsize import _service as service
from pmsize._errors import InputErrors
from pmsize._models import Policy
from pmsize.cli import app
from pmsize.render import progress

ROOT = Path(__file__).resolve().parent.parent
ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}

# pursue. P = $50k, N = 5,000, V = $50k; the add-on: C_a = 35k + 50k - 50k = 35k = C.
# w = 100 a year; CF_t = 100 x (35k - 5k) - 500k = 2.5m; CF_0 = 0.
# NPV = 2.5m x 3.790787 (annuity factor, 5 years at 10%) = $9,476,967.
PURSUE = """\
market: {customers: 5k, problem_cost: $50k}
solution: {name: ReceiptMatch, annual_cost: $500k, cost_per_customer: $5k, adoption: 2%}
alternatives:
  - {name: Expense tool add-on, annual_cost: $35k}
"""
PURSUE_NPV = 9_476_967.0

# reconsider (capped-by-alternative). P = V = $100k; the suite: C_a = 10k + 100k - 80k
# = 30k = C, cap 30% < 50%. w = 100 a year; CF = [-1m, 3m x 5];
# NPV = -1m + 3m x 3.790787 = $10,372,360; ROI 10.4 (not thin).
RECONSIDER = """\
market: {customers: 1000, problem_cost: $100k}
solution: {name: Ours, build_cost: $1m, adoption: 10%}
alternatives:
  - {name: Cheap suite, annual_cost: $10k, solves: 80%}
"""
RECONSIDER_NPV = 10_372_360.0

# avoid. The free tool removes all of the $1m problem for nothing: C = 0, so
# CF = [-1m, 0 x 5] and NPV = -$1,000,000 (no-sustainable-price, negative-npv).
AVOID = """\
market: {customers: 100, problem_cost: $1m}
solution: {name: Ours, build_cost: $1m, adoption: 10%}
alternatives:
  - {name: Free tool, annual_cost: 0}
"""
AVOID_NPV = -1_000_000.0


def problem(name: str, body: str) -> str:
    """A problem file: `name:` on line 1 (written as JSON, which is valid YAML), then `body`."""
    return f"name: {json.dumps(name)}\n{body}"


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def invoke(*args: str, stdin: str | None = None, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={**ENV, **env}, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def evaluate_json(*args: str, stdin: str | None = None) -> dict[str, object]:
    code, out, err = invoke("evaluate", *args, "--format", "json", stdin=stdin)
    assert (code, err) == (0, ""), err
    doc: dict[str, object] = json.loads(out)
    return doc


def results_of(doc: dict[str, object]) -> list[dict[str, object]]:
    results = doc["results"]
    assert isinstance(results, list)
    return results


@pytest.fixture
def three(tmp_path: Path) -> Path:
    """A folder with one problem of each verdict."""
    folder = tmp_path / "problems"
    folder.mkdir()
    (folder / "a-pursue.yaml").write_text(problem("Receipt matching", PURSUE))
    (folder / "b-reconsider.yaml").write_text(problem("Dock slots", RECONSIDER))
    (folder / "c-avoid.yaml").write_text(problem("Claims", AVOID))
    return folder


# ------------------------------------------------------------------ inputs


def test_a_folder_gives_every_yaml_and_yml_below_it_and_ignores_other_files(
    tmp_path: Path,
) -> None:
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "one.yaml").write_text(problem("One", PURSUE))
    (tmp_path / "deep" / "two.yml").write_text(problem("Two", PURSUE))
    (tmp_path / "deep" / "er" / "three.yaml").write_text(problem("Three", PURSUE))
    (tmp_path / "README.md").write_text("# not a problem\n")
    (tmp_path / "notes.txt").write_text("name: not a problem either\n")
    (tmp_path / "data.json").write_text("{}")
    doc = evaluate_json(str(tmp_path), "--sort", "name")
    assert sorted(r["name"] for r in results_of(doc)) == ["One", "Three", "Two"]


def test_a_folder_walk_skips_hidden_folders_and_files(tmp_path: Path) -> None:
    # `pmsize evaluate .` in a repository must not read workflows or tool configs
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
    (tmp_path / ".pre-commit-hooks.yaml").write_text("- id: x\n")
    (tmp_path / "real.yaml").write_text(problem("Real", PURSUE))
    files = loader.expand_paths([str(tmp_path)], [])
    assert [Path(f).name for f in files] == ["real.yaml"]


def test_files_below_a_folder_are_read_in_sorted_order(tmp_path: Path) -> None:
    for name in ("b.yaml", "a/z.yaml", "a.yml", "c/a.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(problem(name, PURSUE))
    files = loader.expand_paths([str(tmp_path)], [])
    assert [Path(f).relative_to(tmp_path).as_posix() for f in files] == [
        "a.yml",
        "a/z.yaml",
        "b.yaml",
        "c/a.yaml",
    ]


def test_the_first_of_two_same_names_in_walking_order_is_the_one_kept(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(problem("Same", PURSUE))
    (tmp_path / "a.yaml").write_text(problem("Same", AVOID))
    code, out, err = invoke("evaluate", str(tmp_path))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{tmp_path / 'b.yaml'}:1:1: name: problem name 'Same' is already used at "
        f"{tmp_path / 'a.yaml'}:1:1; names must be unique",
        "pmsize: 1 input error; nothing evaluated",
    ]


def test_an_empty_folder_and_a_missing_path_are_input_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("nothing here\n")
    code, out, err = invoke("evaluate", str(empty), str(tmp_path / "nope.yaml"))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{empty}:1:1: no *.yaml or *.yml files in this folder",
        f"{tmp_path / 'nope.yaml'}:1:1: no such file or folder",
        "pmsize: 2 input errors; nothing evaluated",
    ]


def test_stdin_is_read_for_a_dash_and_named_stdin_in_results() -> None:
    doc = evaluate_json("-", stdin=problem("From a pipe", PURSUE))
    [result] = results_of(doc)
    assert (result["file"], result["line"], result["name"]) == ("<stdin>", 1, "From a pipe")


def test_stdin_errors_are_located_in_stdin() -> None:
    code, out, err = invoke(
        "evaluate", "-", stdin="name: Typo\nmarket: {customers: 10, problem_cots: 1m}\n"
    )
    assert (code, out) == (2, "")
    assert err.splitlines()[1:] == [
        "<stdin>:2:25: market.problem_cots: unknown key 'problem_cots'; did you mean problem_cost?",
        "pmsize: 2 input errors; nothing evaluated",
    ]
    assert err.startswith("<stdin>:1:1: solution: is required")


def test_files_folders_and_stdin_mix_in_one_run(three: Path, tmp_path: Path) -> None:
    single = tmp_path / "single.yml"
    single.write_text(problem("Single", PURSUE))
    doc = evaluate_json(str(single), str(three), "-", stdin=problem("Piped", AVOID))
    files = {r["name"]: r["file"] for r in results_of(doc)}
    assert files == {
        "Single": str(single),
        "Receipt matching": str(three / "a-pursue.yaml"),
        "Dock slots": str(three / "b-reconsider.yaml"),
        "Claims": str(three / "c-avoid.yaml"),
        "Piped": "<stdin>",
    }


def test_names_must_be_unique_across_inputs(three: Path) -> None:
    code, out, err = invoke("evaluate", str(three), "-", stdin=problem("Claims", PURSUE))
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == (
        f"<stdin>:1:1: name: problem name 'Claims' is already used at "
        f"{three / 'c-avoid.yaml'}:1:1; names must be unique"
    )


# ------------------------------------------------------------------ ranking and summary


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # NPV: 10.37m, 9.48m, -1m (see the hand calculations above)
        ("npv", ["Dock slots", "Receipt matching", "Claims"]),
        # ROI: 10.37m / 1m = 10.4; 9.48m / 3.79m = 2.5; -1m / 1m = -1
        ("roi", ["Dock slots", "Receipt matching", "Claims"]),
        # ceiling: $35k, $30k, $0
        ("ceiling", ["Receipt matching", "Dock slots", "Claims"]),
        ("name", ["Claims", "Dock slots", "Receipt matching"]),
    ],
)
def test_results_are_ranked_best_first_by_the_sort_asked(
    three: Path, sort: str, expected: list[str]
) -> None:
    doc = evaluate_json(str(three), "--sort", sort)
    assert [r["name"] for r in results_of(doc)] == expected


def test_the_summary_counts_each_verdict_and_totals_npv_and_market(three: Path) -> None:
    doc = evaluate_json(str(three))
    npvs = {r["name"]: r["npv"] for r in results_of(doc)}
    assert npvs["Receipt matching"] == pytest.approx(PURSUE_NPV, abs=1)
    assert npvs["Dock slots"] == pytest.approx(RECONSIDER_NPV, abs=1)
    assert npvs["Claims"] == pytest.approx(AVOID_NPV, abs=1e-6)
    summary = doc["summary"]
    assert isinstance(summary, dict)
    assert {k: summary[k] for k in ("problems", "pursue", "reconsider", "avoid")} == {
        "problems": 3,
        "pursue": 1,
        "reconsider": 1,
        "avoid": 1,
    }
    assert summary["total_npv"] == pytest.approx(PURSUE_NPV + RECONSIDER_NPV + AVOID_NPV, abs=2)
    # markets: 5,000 x $50k + 1,000 x $100k + 100 x $1m = $250m + $100m + $100m
    assert summary["total_market_size"] == pytest.approx(450e6)


def test_totals_are_null_when_problems_use_different_currencies(tmp_path: Path) -> None:
    (tmp_path / "usd.yaml").write_text(problem("Dollars", PURSUE))
    (tmp_path / "eur.yaml").write_text(
        problem("Euros", "currency: EUR\n" + PURSUE.replace("$", ""))
    )
    summary = evaluate_json(str(tmp_path))["summary"]
    assert isinstance(summary, dict)
    assert (summary["total_npv"], summary["total_market_size"]) == (None, None)
    code, out, _ = invoke("evaluate", str(tmp_path), COLUMNS="200")
    assert code == 0
    # each currency totalled on its own (test_formats: grouping and ranking by currency)
    lines = out.splitlines()
    assert (
        "EUR: 1 problem · 1 pursue · 0 reconsider · 0 avoid · NPV if all are built €9.48m"
        in lines[3]
    )
    assert (
        "USD: 1 problem · 1 pursue · 0 reconsider · 0 avoid · NPV if all are built $9.48m"
        in lines[8]
    )
    assert (
        lines[-1]
        == "2 problems · 2 pursue · 0 reconsider · 0 avoid · 2 currencies, each totalled above"
    )


def test_the_ranked_table_shows_rank_verdict_figures_and_summary(three: Path) -> None:
    code, out, err = invoke("evaluate", str(three), COLUMNS="120")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert re.split(r"\s{2,}", lines[0].strip()) == [
        "#",
        "Problem",
        "Verdict",
        "Market/yr",
        "Ceiling",
        "Set by",
        "NPV",
        "ROI",
        "Naive NPV",
        "Payback",
    ]
    assert re.split(r"\s{2,}", lines[1].strip())[:3] == ["1", "Dock slots", "reconsider"]
    assert re.split(r"\s{2,}", lines[3].strip())[:3] == ["3", "Claims", "avoid"]
    assert "$10.4m" in lines[1]
    assert f"{fmt.MINUS}$1.00m" in lines[3]
    # labels and their figures are tied by no-break spaces, so a wrap never parts them
    assert [line.replace("\u00a0", " ") for line in lines[4:6]] == [
        "3 problems · 1 pursue · 1 reconsider · 1 avoid · NPV if all are built $18.8m · the "
        "problems cost",
        "their markets $450m a year",
    ]


# ------------------------------------------------------------------ the table never cuts figures


@pytest.mark.parametrize("columns", ["80", "100", "120", "200"])
def test_table_figures_are_never_cut_however_long_the_names(tmp_path: Path, columns: str) -> None:
    long = "Very long problem name that goes on and on " * 3
    (tmp_path / "a.yaml").write_text(
        problem(long + "A", RECONSIDER.replace("Cheap suite", "Suite " + "x" * 70))
    )
    (tmp_path / "b.yaml").write_text(
        problem("日本語の長い問題名" * 4, AVOID.replace("customers: 100", "customers: 999999"))
    )
    (tmp_path / "c.yaml").write_text(problem("Short", PURSUE))
    doc = evaluate_json(str(tmp_path))
    code, out, _ = invoke("evaluate", str(tmp_path), COLUMNS=columns)
    assert code == 0
    assert "…" not in out
    text = out.replace("\n", " ")
    for r in results_of(doc):
        for field in ("npv", "naive_npv", "ceiling_per_customer", "market_size"):
            figure = fmt.money(r[field], "USD")  # type: ignore[arg-type]
            assert re.search(rf"(^|[\s(]){re.escape(figure)}(/yr)?([\s)]|$)", text), figure


def test_a_single_problem_block_fits_80_columns_with_long_names(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        problem("Name " * 30, AVOID.replace("Free tool", "Tool " * 30))
    )
    code, out, _ = invoke("evaluate", str(tmp_path / "a.yaml"))
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "−$1.00m" in out


def test_text_from_files_is_never_markup_or_terminal_control(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(problem("[bold]Loud[/bold] \x1b[2J:x: name", PURSUE))
    (tmp_path / "b.yaml").write_text(problem("Other", AVOID))
    for target in (str(tmp_path / "a.yaml"), str(tmp_path)):
        code, out, _ = invoke("evaluate", target)
        assert code == 0
        assert "[bold]Loud[/bold] \\x1b[2J:x: name" in out
        assert "\x1b" not in out


def test_no_styling_reaches_a_pipe_or_a_file(three: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    proc = subprocess.run(
        [sys.executable, "-m", "pmsize", "evaluate", str(three)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0
    assert "\x1b" not in proc.stdout
    target = tmp_path / "out.txt"
    code, _, _ = invoke("evaluate", str(three), "--output", str(target))
    assert code == 0
    assert "\x1b" not in target.read_text()
    assert target.read_text().startswith("1 Dock slots")


# ------------------------------------------------------------------ --output


@pytest.mark.parametrize("format", ["table", "json", "csv", "markdown", "github"])
def test_output_writes_the_same_text_to_the_file_and_nothing_to_stdout(
    three: Path, tmp_path: Path, format: str
) -> None:
    target = tmp_path / "out" / f"report.{format}"
    target.parent.mkdir()
    _, expected, _ = invoke("evaluate", str(three), "--format", format)
    code, out, err = invoke("evaluate", str(three), "--format", format, "--output", str(target))
    assert (code, out) == (0, "")
    assert err.startswith(f"Wrote {target}: 3 problems, ")  # the one line said of a file
    assert err.count("\n") == 1
    assert target.read_text(encoding="utf-8") == expected
    assert files_in(target.parent) == [target.name]  # no temp file left


def test_output_is_written_even_when_the_gate_fails(three: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, _ = invoke(
        "evaluate", str(three), "-f", "json", "--fail-on", "avoid", "-o", str(target)
    )
    assert (code, out) == (1, "")
    assert json.loads(target.read_text())["summary"]["avoid"] == 1


def test_a_failing_run_leaves_no_file_and_an_old_report_untouched(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Bad\nmarket: {customers: -1}\n")
    fresh = tmp_path / "out" / "fresh.json"
    fresh.parent.mkdir()
    code, out, _ = invoke("evaluate", str(bad), "-f", "json", "-o", str(fresh))
    assert (code, out) == (2, "")
    assert files_in(fresh.parent) == []
    old = tmp_path / "out" / "old.json"
    old.write_text("yesterday's report\n")
    code, _, _ = invoke("evaluate", str(bad), "-f", "json", "-o", str(old))
    assert code == 2
    assert old.read_text() == "yesterday's report\n"
    assert files_in(old.parent) == ["old.json"]


def test_an_internal_error_while_rendering_leaves_no_file(
    three: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pmsize.render import csv

    def broken(results: object) -> str:
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(csv, "document", broken)
    target = tmp_path / "out" / "report.csv"
    target.parent.mkdir()
    code, out, err = invoke("evaluate", str(three), "-f", "csv", "-o", str(target))
    assert (code, out) == (3, "")
    assert "renderer broke" in err
    assert files_in(target.parent) == []


def test_output_where_it_cannot_be_written_is_a_usage_error(three: Path, tmp_path: Path) -> None:
    code, out, err = invoke("evaluate", str(three), "-o", str(tmp_path / "missing" / "x.json"))
    assert (code, out) == (2, "")
    assert err.startswith(f"pmsize: --output {tmp_path / 'missing' / 'x.json'}: cannot write there")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    code, out, err = invoke("evaluate", str(three), "-o", str(folder))
    assert (code, out) == (2, "")
    assert err.startswith(f"pmsize: --output {folder}: cannot write there")
    assert files_in(folder) == []


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_output_gets_the_permissions_of_a_new_file(three: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, _, _ = invoke("evaluate", str(three), "-f", "json", "-o", str(target))
    assert code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


# ------------------------------------------------------------------ pipes and progress


def write_portfolio(path: Path, count: int) -> None:
    """A portfolio of `count` problems (about 2.5 KB of JSON each)."""
    items = "".join(
        f"  - name: Problem {i}\n"
        + "".join(
            f"    {line}\n" for line in RECONSIDER.replace("1000", str(1000 + i)).splitlines()
        )
        for i in range(count)
    )
    path.write_text(f"problems:\n{items}")


@pytest.mark.parametrize("format", ["json", "csv", "table", "markdown", "github"])
def test_a_closed_pipe_ends_quietly_with_exit_zero(tmp_path: Path, format: str) -> None:
    big = tmp_path / "big.yaml"
    write_portfolio(big, 400)  # output far beyond a pipe's buffer
    proc = subprocess.Popen(
        [sys.executable, "-m", "pmsize", "evaluate", str(big), "--format", format],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **ENV},
    )
    assert proc.stdout is not None
    assert proc.stdout.readline()
    proc.stdout.close()  # the reader goes away, like `| head -1`
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (0, b"")


def test_json_of_the_examples_piped_into_head_ends_quietly() -> None:
    command = (
        f"set -o pipefail; {sys.executable} -m pmsize evaluate examples/ --format json | head -1"
    )
    proc = subprocess.run(
        ["bash", "-c", command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **ENV},
        check=False,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "{\n", "")


def test_no_progress_bar_is_drawn_into_a_pipe(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    write_portfolio(big, 50)
    proc = subprocess.run(
        [sys.executable, "-m", "pmsize", "evaluate", str(big), "-f", "json"],
        capture_output=True,
        env={**os.environ, **ENV},
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (0, b"")


class FakeTerminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_the_progress_bar_shows_on_a_terminal_once_the_delay_passes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", screen)
    monkeypatch.setenv("TERM", "xterm")
    with progress.progress_bar(delay=0) as report:
        assert report is not None
        report(0, None)
        report(50, 100)
        time.sleep(0.3)  # the bar starts from a timer thread
    drawn = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    assert "evaluating" in drawn
    assert " 50/100 " in drawn
    assert screen.getvalue().endswith("\x1b[2K")  # and erased at the end


def test_the_progress_bar_stays_away_when_work_is_quick(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", screen)
    monkeypatch.setenv("TERM", "xterm")
    with progress.progress_bar(delay=30) as report:
        assert report is not None
        report(100, 100)
    assert screen.getvalue() == ""


def test_no_progress_callback_off_a_terminal() -> None:
    with progress.progress_bar(delay=0) as report:  # pytest's stderr is not a terminal
        assert report is None


def test_evaluation_reports_progress_from_reading_to_the_last_problem(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    write_portfolio(big, 250)
    seen: list[tuple[int, int | None]] = []
    results = service.evaluate_paths(
        [str(big)], Policy(), progress=lambda d, t: seen.append((d, t))
    )
    assert len(results) == 250
    assert seen == [(0, None), (0, 250), (100, 250), (200, 250), (250, 250)]


def test_the_command_tells_its_progress_bar_from_reading_to_the_last_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.yaml"
    write_portfolio(big, 250)
    told: list[tuple[int, int | None]] = []

    @contextmanager
    def bar(**_: object) -> Iterator[Callable[[int, int | None], None]]:
        yield lambda done, total: told.append((done, total))

    monkeypatch.setattr(progress, "progress_bar", bar)
    result = CliRunner().invoke(app, ["evaluate", str(big), "-f", "json"], env=ENV)
    assert result.exit_code == 0, result.stderr
    assert told == [(0, None), (0, 250), (100, 250), (200, 250), (250, 250)]


@pytest.mark.parametrize("enabled", [True, False])
def test_evaluation_leaves_the_garbage_collector_as_it_found_it(
    tmp_path: Path, enabled: bool
) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(problem("Good", PURSUE))
    bad.write_text("name: [\n")
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        service.evaluate_paths([str(good)], Policy())
        assert gc.isenabled() is enabled
        with pytest.raises(InputErrors):
            service.evaluate_paths([str(bad)], Policy())
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


# ------------------------------------------------------------------ the CI guide works as written

CI_GUIDE = ROOT / "docs" / "ci.md"
PMSIZE = Path(sys.executable).parent / "pmsize"


def code_blocks(language: str) -> list[str]:
    text = CI_GUIDE.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A repository checkout with the examples as its `problems/`."""
    (tmp_path / "problems").mkdir()
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        (tmp_path / "problems" / example.name).write_bytes(example.read_bytes())
    return tmp_path


def shell(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    path = f"{PMSIZE.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **ENV, "PATH": path, **env},
        check=False,
    )


needs_tools = pytest.mark.skipif(
    not PMSIZE.exists() or not shutil.which("jq") or not shutil.which("bash"),
    reason="needs the pmsize script, bash and jq",
)


def test_every_yaml_and_json_block_of_the_ci_guide_parses() -> None:
    blocks = code_blocks("yaml")
    assert len(blocks) >= 4
    for block in blocks:
        assert yaml.safe_load(block) is not None
    for block in code_blocks("json"):
        assert json.loads(block)["problemMatcher"][0]["owner"] == "pmsize"


@needs_tools
def test_the_github_workflow_annotates_summarises_and_fails_on_avoid(
    checkout: Path, tmp_path: Path
) -> None:
    workflow = yaml.safe_load(code_blocks("yaml")[0])
    steps = workflow["jobs"]["review"]["steps"]
    [review] = [s["run"] for s in steps if "pmsize evaluate" in s.get("run", "")]
    summary = tmp_path / "step-summary.md"
    proc = shell(review, checkout, GITHUB_STEP_SUMMARY=str(summary))
    assert proc.returncode == 1  # the claims example is to be avoided
    assert proc.stdout.startswith("::error file=problems/claims-processing.yaml,line=")
    assert "| 1 | Dock appointment scheduling" in summary.read_text()


@needs_tools
def test_the_gitlab_job_writes_its_reports_and_fails_on_avoid(checkout: Path) -> None:
    [job] = [yaml.safe_load(b) for b in code_blocks("yaml") if "problem-review:" in b]
    script = job["problem-review"]["script"]
    for line in script[:-1]:
        proc = shell(line, checkout)
        assert proc.returncode == 0, (line, proc.stderr)
    assert shell(script[-1], checkout).returncode == 1
    report = json.loads((checkout / "gl-code-quality-report.json").read_text())
    assert {(r["severity"], r["location"]["path"]) for r in report} == {
        ("major", "problems/claims-processing.yaml"),
        ("minor", "problems/dock-scheduling.yaml"),
        ("minor", "problems/invoice-matching.yaml"),
        ("minor", "problems/returns-scenarios.yaml"),  # reconsider: scenario-risk
    }
    for artifact in job["problem-review"]["artifacts"]["paths"]:
        assert (checkout / artifact).stat().st_size > 0


@needs_tools
def test_every_jq_recipe_of_the_ci_guide_runs(checkout: Path) -> None:
    recipes = [b.strip() for b in code_blocks("sh")]
    assert len(recipes) >= 3
    for recipe in recipes:
        proc = shell(recipe, checkout)
        assert (proc.returncode, proc.stderr) == (0, ""), recipe
        assert proc.stdout.strip(), recipe
    top = shell(recipes[0], checkout).stdout.splitlines()
    assert [line.split("\t")[:2] for line in top] == [
        ["USD", "Dock appointment scheduling for distribution centres"],
        ["USD", "Supplier onboarding for mid-sized manufacturers"],
        ["USD", "Invoice matching for mid-market retailers"],
    ]


def test_the_pre_commit_hook_validates_problem_files(tmp_path: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    [hook] = hooks
    assert hook["id"] == "pmsize-validate"
    assert re.search(hook["files"], "problems/claims.yaml")
    program, *args = hook["entry"].split()
    assert program == "pmsize"
    good = ROOT / "examples" / "claims-processing.yaml"
    assert CliRunner().invoke(app, [*args, str(good)], env=ENV).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Bad\n")
    result = CliRunner().invoke(app, [*args, str(bad)], env=ENV)
    assert (result.exit_code, result.stdout) == (2, "")


def test_extreme_roi_and_irr_are_written_as_amounts_beyond_trillions_are(tmp_path: Path) -> None:
    # a build cost of a cent for nearly a quadrillion customers: ROI and IRR once printed
    # 25 digits each, most of them float noise
    (tmp_path / "a.yaml").write_text(
        problem(
            "Almost free",
            "market: {customers: 999t, problem_cost: $100k}\n"
            "solution: {build_cost: $0.01, adoption: 10%}\n",
        )
    )
    code, out, err = invoke("evaluate", str(tmp_path / "a.yaml"))
    assert (code, err) == (0, "")
    [returns] = [line.strip() for line in out.splitlines() if "ROI" in line]
    assert re.fullmatch(r"ROI 3\.79e\+23% · IRR \d\.\d\de\+\d\d% · payback 0\.0 years", returns)
