"""A notebook shows what the command prints: `_repr_html_` and `_repr_markdown_` of an
evaluation, a plan and a diff hold the command's own output at 80 columns."""

from __future__ import annotations

import html
import re
from pathlib import Path

from typer.testing import CliRunner

import pmsize
from pmsize.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CLAIMS = EXAMPLES / "claims-processing.yaml"
ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}


def printed(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env=ENV)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def shown_text(page: str) -> str:
    """The characters a browser shows of `page`: tags dropped, entities read."""
    assert page.startswith("<pre")
    assert page.endswith("</pre>")
    return html.unescape(re.sub(r"<[^>]*>", "", page))


def test_an_evaluation_shows_the_block_evaluate_prints() -> None:
    [problem] = pmsize.load(str(CLAIMS))
    result = pmsize.evaluate(problem)
    assert shown_text(result._repr_html_()) == printed("evaluate", str(CLAIMS)).rstrip("\n")
    assert '<span style="color: #800000' in result._repr_html_()  # AVOID in red, as on a terminal
    assert result._repr_markdown_() == printed("evaluate", str(CLAIMS), "-f", "markdown")


def test_a_plan_shows_what_plan_prints() -> None:
    plan = pmsize.plan(pmsize.load(str(EXAMPLES)), "$10m")
    command = ("plan", str(EXAMPLES), "--budget", "$10m")
    assert shown_text(plan._repr_html_()) == printed(*command).rstrip("\n")
    assert plan._repr_markdown_() == printed(*command, "-f", "markdown")


def test_text_from_a_file_is_escaped_in_the_html(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script> & <img src=x onerror=alert(2)>"
    text = CLAIMS.read_text(encoding="utf-8").replace(
        "name: Claims order processing", f"name: '{hostile}'"
    )
    assert hostile in text
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    [problem] = pmsize.load(str(path))
    page = pmsize.evaluate(problem)._repr_html_()
    assert "<script" not in page
    assert "<img" not in page
    assert hostile in shown_text(page)  # shown as written, never run


def test_a_diff_shows_what_diff_prints() -> None:
    old, new = EXAMPLES / "claims-processing.yaml", EXAMPLES / "dock-scheduling.yaml"
    diff = pmsize.diff(str(old), str(new))
    assert shown_text(diff._repr_html_()) == printed("diff", str(old), str(new)).rstrip("\n")
    assert diff._repr_markdown_() == printed("diff", str(old), str(new), "-f", "markdown")


def test_a_simulation_shows_what_simulate_and_sensitivity_print() -> None:
    ranged = EXAMPLES / "utility-bill-audit.yaml"
    [problem] = pmsize.load(str(ranged))
    simulated = pmsize.simulate(problem, samples=2_000, seed=7)
    command = (str(ranged), "-n", "2000", "--seed", "7")
    assert shown_text(simulated._repr_html_()) == printed("simulate", *command).rstrip("\n")
    driven = pmsize.sensitivity(problem, samples=2_000, seed=7)
    assert shown_text(driven._repr_html_()) == printed("sensitivity", *command).rstrip("\n")
    assert repr(simulated) == (
        f"<Simulated 'Utility bill audit for multi-site businesses': P(NPV > 0) "
        f"{simulated.simulation.p_npv_positive:.1%}, mean NPV "
        f"{simulated.simulation.npv.mean:,.0f} USD, 2,000 samples, seed 7>"
    )
    assert all(type(b.value) is float for b in driven.sensitivity.break_even if b.value)
