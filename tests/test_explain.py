"""`pmsize explain`: a memo whose figures trace to the inputs, and whose advice works.

The figures are checked against hand calculations; the "to clear it" advice is
checked by taking it (changing the problem as the memo says) and evaluating again.
Text from files is shown as written in every format.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from pmsize import _messages as messages
from pmsize import _service as service
from pmsize._loader import load_text
from pmsize._models import Problem
from pmsize._results import FlagCode
from pmsize.cli import app
from pmsize.render import explain
from strategies import examples, problems, to_yaml

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = str(ROOT / "examples" / "claims-processing.yaml")
DOCK = str(ROOT / "examples" / "dock-scheduling.yaml")
ODD_NAME = "src/[id] :x: *bold* <b>|pipe|</b> $5 `code`"

TINY = """\
name: Tiny
horizon_years: 2
discount_rate: 0%
market: {customers: 100, problem_cost: 10k}
solution: {name: Fixer, build_cost: 50k, solves: 50%, adoption: 10%}
"""

# P = 10k, M = 100 x 10k = 1.00m, V = 50% x 10k = 5k; no alternatives, so C = V = p = 5k.
# w_t = 10% x 100 = 10; CF = [-50k, 10 x 5k, 10 x 5k] = [-50k, 50k, 50k]; at r = 0:
# NPV = 50k, PV revenue 100k, PV costs 50k, ROI 100%; IRR: -1 + x + x^2 = 0 -> x = 0.618,
# r = 1/x - 1 = 61.8%; payback: D_0 = -50k, D_1 = 0 -> 0 + 50k/50k = 1 year.
TINY_MEMO = """\
Tiny                                                                      PURSUE

 1. The problem. The problem costs a typical customer $10.0k a year. There are
    100 such customers, so it costs the market $1.00m a year (100 × $10.0k).

 2. What Fixer is worth. It removes 50% of the problem: $5.00k a year for each
    customer that adopts it (50% × $10.0k).

 3. What customers can do instead. No alternatives are listed, so nothing caps
    the price below what Fixer is worth. List what customers do today (a vendor,
    an in-house tool, manual work) to see what really caps it.

 4. What sets the ceiling. With no alternatives, the ceiling is the full value:
    $5.00k per customer a year.

 5. The sustainable price. No price is set, so the figures assume Fixer charges
    the ceiling: $5.00k per customer a year.

 6. Cash flows. Building Fixer costs $50.0k in year 0. 10% of the 100 customers
    pay every year, each paying $5.00k a year. It costs nothing to run. Each
    year's net cash flow is discounted at 0%: divided by (1 + rate) to the power
    of the year.

    Year  Paying  Revenue   Costs      Net  Discounted  Cumulative
       0                   $50.0k  −$50.0k     −$50.0k     −$50.0k
       1      10   $50.0k      $0   $50.0k      $50.0k          $0
       2      10   $50.0k      $0   $50.0k      $50.0k      $50.0k

 7. Returns. Added up, the discounted cash flows give an NPV of $50.0k (year 0
    is not discounted). Revenue is worth $100k today and the costs $50.0k (the
    build plus discounted running costs), so ROI, NPV ÷ costs, is 100%. The IRR,
    the discount rate at which NPV would be zero, is 61.8%. The discounted cash
    flow turns positive after 1.0 year. The alternatives take nothing away here:
    a naive pitch would show the same.

 8. Flags. None: it pays back, and the alternatives leave room to charge for the
    value.

 9. Verdict. PURSUE: there are no flags; it pays back and the alternatives leave
    room to charge.
"""


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "80"}).invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def memo_text(path: str) -> str:
    """The memo's sentences, unwrapped, one point a line."""
    problem = load_text(Path(path).read_text(encoding="utf-8"))[0]
    result = service.evaluate(problem)
    m = explain.memo(problem, result)
    return "\n".join(f"{p.title}. {p.text} {' '.join(b.text for b in p.bullets)}" for p in m.points)


def test_a_small_problem_reads_as_a_numbered_memo() -> None:
    assert run("explain", "-", stdin=TINY) == (0, TINY_MEMO, "")


def test_the_seed_case_traces_every_step_to_its_inputs() -> None:
    text = memo_text(CLAIMS)
    # P = 10% x $100m = $10.0m; M = 500 x $10.0m = $5.00b; V = 90% x $10.0m = $9.00m
    assert "has $100m in revenue and the problem costs it 10% of that: $10.0m a year" in text
    assert "costs the market $5.00b a year (500 × $10.0m)" in text
    assert "$9.00m a year for each customer that adopts it (90% × $10.0m)" in text
    # CRF(10%, 5) = 0.1 / (1 - 1.1^-5) = 0.2638; c_a = $100k + $250k x 0.2638 = $166k;
    # R_a = 95% x $10.0m = $9.50m; C_a = $166k + ($9.00m - $9.50m) = -$334k
    assert "$250k × 0.264 = $65.9k" in text
    assert "at most $166k − $500k = −$334k" in text
    # the vendor: $400k + $150k x 0.2638 = $440k; relief 85% -> C_a = $440k + $500k = $940k
    assert "at most $440k + $500k = $940k" in text
    assert "Open-source workflow stack binds: its limit, −$334k, is the lowest" in text
    # no price for ClaimFlow unless it removes more than (9.50m - 166k) / 10.0m = 93.3%
    assert "would have to remove more than 93.3% of the problem (it removes 90%)" in text
    # break-even: PV costs 15.16m / sum(w_t 1.1^-t) 111.96 paying customers = $135k
    assert "breaking even needs $135k per customer a year, above the $0 ceiling" in text
    assert text.endswith("AVOID: no-sustainable-price and negative-npv are errors. ")


def test_a_capped_problem_names_the_binding_alternative_and_the_share() -> None:
    text = memo_text(DOCK)
    # CRF(12%, 5) = 0.2774; c = $120k + $150k x 0.2774 = $162k; V = 80% x $600k = $480k;
    # R = 70% x $600k = $420k; C = $162k + $60k = $222k; cap = 222k / 480k = 46.2%
    assert "So the ceiling is $222k per customer a year: 46.2% of the value" in text
    # cap 50% needs s >= (420k - 162k) / (600k x 0.5) = 86.1%
    assert "DockSlot would have to remove at least 86.1% of the problem (it removes 80%)" in text
    assert "market.problem_cost $400k to $900k (lognormal), central $600k" in text


def _with(problem: Problem, **solution: object) -> Problem:
    return problem.model_copy(update={"solution": problem.solution.model_copy(update=solution)})


def _flags(problem: Problem) -> set[str]:
    return {f.code for f in service.evaluate(problem).flags}


def test_removing_the_share_the_memo_names_clears_the_cap() -> None:
    problem = load_text(Path(DOCK).read_text(encoding="utf-8"))[0]
    need = messages.solves_for_cap(service.evaluate(problem), 0.5)
    assert need is not None
    assert FlagCode.CAPPED_BY_ALTERNATIVE in _flags(_with(problem, solves=need - 0.01))
    assert FlagCode.CAPPED_BY_ALTERNATIVE not in _flags(_with(problem, solves=need + 1e-9))


def test_removing_more_than_the_memo_names_gives_a_sustainable_price() -> None:
    problem = load_text(Path(CLAIMS).read_text(encoding="utf-8"))[0]
    need = messages.solves_for_cap(service.evaluate(problem), 0.0)
    assert need is not None
    assert FlagCode.NO_SUSTAINABLE_PRICE in _flags(_with(problem, solves=need - 1e-6))
    assert FlagCode.NO_SUSTAINABLE_PRICE not in _flags(_with(problem, solves=need + 1e-6))


@pytest.mark.parametrize(
    ("roi", "code"), [(0.0, FlagCode.NEGATIVE_NPV), (0.2, FlagCode.THIN_MARGIN)]
)
def test_charging_the_price_the_memo_names_clears_the_flag(roi: float, code: str) -> None:
    problem = load_text(
        "name: Priced\nmarket: {customers: 1000, problem_cost: $200k}\n"
        "solution: {build_cost: $3m, annual_cost: $1m, adoption: [2%, 4%], price: $20k}\n"
    )[0]
    price = messages.price_for_roi(service.evaluate(problem), roi)
    assert price is not None
    assert code in _flags(_with(problem, price=price * 0.99))
    assert code not in _flags(_with(problem, price=price * (1 + 1e-9)))


def test_markdown_is_plain_text_with_numbered_points_and_a_table() -> None:
    code, out, err = run("explain", CLAIMS, "--format", "markdown")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:3] == ["## Claims order processing", "", lines[2]]
    assert "**Verdict: AVOID**" in lines
    assert "| Year | Paying | Revenue | Costs | Net | Discounted | Cumulative |" in lines
    assert any(line.startswith("**6. Cash flows.**") for line in lines)
    assert "\x1b" not in out
    assert "\\$10.0m" in out  # `$` would start a formula in GitHub's markdown


def test_explain_writes_to_a_file_and_nothing_to_stdout(tmp_path: Path) -> None:
    target = tmp_path / "memo.md"
    code, out, err = run("explain", CLAIMS, "-f", "markdown", "--output", str(target))
    assert (code, out) == (0, "")
    assert err.startswith(f"Wrote {target}: 1 problem, ")
    assert target.read_text(encoding="utf-8").startswith("## Claims order processing\n")


def test_a_portfolio_gets_one_memo_per_problem() -> None:
    portfolio = (
        "defaults:\n  market: {customers: 400, problem_cost: $150k}\n"
        "problems:\n  - {name: One, solution: {adoption: 5%}}\n"
        "  - {name: Two, solution: {adoption: 2%}}\n"
    )
    code, out, _ = run("explain", "-", "-f", "markdown", stdin=portfolio)
    assert code == 0
    assert re.findall(r"^## .*$", out, re.M) == ["## One", "## Two"]


def _odd(text: str) -> str:
    return text.replace("name: Tiny", f"name: '{ODD_NAME}'")


def _unescape_markdown(text: str) -> str:
    # backslash escapes, and the zero-width space that keeps `:x:` from becoming an emoji
    return re.sub(r"\\(.)", r"\1", text).replace("\u200b", "")


@pytest.mark.parametrize("command", ["evaluate", "explain"])
def test_a_name_full_of_markup_prints_verbatim_in_tables(command: str) -> None:
    code, out, _ = run(command, "-", stdin=_odd(TINY))
    assert code == 0
    assert out.splitlines()[0].startswith(ODD_NAME + " ")


def test_a_name_full_of_markup_prints_verbatim_in_json() -> None:
    code, out, _ = run("evaluate", "-", "-f", "json", stdin=_odd(TINY))
    assert code == 0
    assert json.loads(out)["results"][0]["name"] == ODD_NAME


def test_a_name_full_of_markup_renders_verbatim_in_markdown() -> None:
    code, out, _ = run("explain", "-", "-f", "markdown", stdin=_odd(TINY))
    assert code == 0
    heading = out.splitlines()[0]
    assert heading == (
        "## src/\\[id\\] :\u200bx: \\*bold\\* \\<b\\>\\|pipe\\|\\</b\\> \\$5 \\`code\\`"
    )
    assert _unescape_markdown(heading) == f"## {ODD_NAME}"


def test_control_characters_in_a_name_are_shown_not_sent_to_the_terminal() -> None:
    code, out, _ = run("explain", "-", stdin=TINY.replace("name: Tiny", 'name: "Tiny\\e[31m"'))
    assert code == 0
    assert "\x1b" not in out
    assert out.startswith("Tiny\\x1b[31m")


@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_any_sound_problem_gets_a_memo_in_both_formats(data: dict[str, Any]) -> None:
    text = to_yaml(data)
    code, out, err = run("explain", "-", stdin=text)
    assert (code, err) == (0, "")
    assert re.search(r"^\s*\d+\. Verdict\. (PURSUE|RECONSIDER|AVOID): ", out, re.M)
    code, out, err = run("explain", "-", "-f", "markdown", stdin=text)
    assert (code, err) == (0, "")
    assert "**Verdict: " in out


@pytest.mark.parametrize(
    "market",
    ["{customers: 10, problem_cost: 0}", "{customers: 0, problem_cost: 1m}"],
)
def test_a_problem_worth_nothing_still_gets_a_memo(market: str) -> None:
    code, out, _ = run(
        "explain", "-", stdin=f"name: Nothing\nmarket: {market}\nsolution: {{adoption: 0%}}\n"
    )
    assert code == 0
    assert re.search(r"Verdict\. (PURSUE|AVOID): ", out)


# A vanishing number of paying customers: breaking even needs PV costs ($100t) over
# ~1e-302 discounted customers, which overflows a float to infinity.
VANISHING = """\
name: Vanishing
market: {customers: 1e-300, problem_cost: 1e14}
solution: {name: iPhone, build_cost: 1e14, adoption: 1%}
alternatives:
  - {name: alt, annual_cost: 1e14, solves: 10%}
"""


def test_an_overflowing_break_even_price_is_said_in_words_never_as_inf() -> None:
    code, out, err = run("explain", "-", stdin=VANISHING)
    assert (code, err) == (0, "")
    assert "inf" not in out
    assert "To clear it: no price would: there are too few paying customers." in " ".join(
        out.split()
    )
    text = run("explain", "-", "-f", "markdown", stdin=VANISHING)[1]
    assert "inf" not in text
    assert "no price would: there are too few paying customers" in text


def test_a_name_starting_a_sentence_keeps_its_case() -> None:
    # iPhone removes $90.0t more than alt ($10.0t): once, "IPhone removes $90.0t more"
    text = memo_text_of(VANISHING)
    assert "iPhone removes $90.0t more, so a customer would pay it at most" in text
    assert "IPhone" not in text


def memo_text_of(yaml: str) -> str:
    problem = load_text(yaml)[0]
    m = explain.memo(problem, service.evaluate(problem))
    return "\n".join(f"{p.title}. {p.text} {' '.join(b.text for b in p.bullets)}" for p in m.points)


# Nothing to build and year 1 in profit: D_0 = 0, D_1 > 0, so payback_years is 0.
NO_BUILD = """\
name: No build
market: {customers: 100, problem_cost: 10k}
solution: {name: Fixer, annual_cost: 10k, adoption: 10%}
"""


def test_a_payback_of_zero_reads_immediately_not_zero_years() -> None:
    doc = json.loads(run("evaluate", "-", "-f", "json", stdin=NO_BUILD)[1])
    [result] = doc["results"]
    assert result["payback_years"] == 0
    assert result["cash_flows"][0] == 0
    assert "-0.0" not in json.dumps(doc)  # -build_cost is -0.0; JSON writes 0.0
    text = memo_text_of(NO_BUILD)
    assert (
        "Nothing is spent up front and year 1 brings in at least what it costs, so it pays "
        "back immediately." in text
    )
    assert "0.0 years" not in text
    table = run("evaluate", "-", stdin=NO_BUILD)[1]
    assert "payback immediately" in table
    markdown = run("evaluate", "-", "-f", "markdown", stdin=NO_BUILD)[1]
    assert markdown.splitlines()[2].endswith("| immediately |")


def _many(costs: list[int], solution: str = "Fixer") -> str:
    """A problem whose alternative `Alt i` costs `costs[i]` thousand a year and removes 10%:
    its max_price is that cost + 90k - 10k (V = 90% of 100k, R_a = 10% of 100k)."""
    rows = "".join(
        f"  - {{name: Alt {i}, annual_cost: {cost}k, solves: 10%}}\n"
        for i, cost in enumerate(costs)
    )
    return (
        "name: Many\nhorizon_years: 2\ndiscount_rate: 0%\n"
        "market: {customers: 100, problem_cost: 100k}\n"
        f"solution: {{name: {solution}, build_cost: 50k, solves: 90%, adoption: 10%}}\n"
        "alternatives:\n" + rows
    )


def test_a_problem_with_many_alternatives_describes_the_ten_that_cap_the_price() -> None:
    costs = [(i * 37) % 200 + 1 for i in range(200)]  # 1k..200k, shuffled
    point = next(p for p in memo_text_points(_many(costs)) if p.title.startswith("What customers"))
    lowest = sorted(range(200), key=lambda i: costs[i])[:10]
    assert [b.text.split(" (other)")[0] for b in point.bullets[:10]] == [f"Alt {i}" for i in lowest]
    assert point.bullets[0].text.startswith("Alt 0 (other) costs a customer $1.00k a year")
    assert point.text.endswith(
        "Of the 200 alternatives listed, these 10 allow the lowest price, lowest first:"
    )
    assert point.bullets[10:] == (
        explain.Bullet(
            "190 other alternatives each leave room of at least $91.0k: rather than use any of "
            "them, a customer would pay Fixer that much or more."
        ),
    )
    code, out, _ = run("explain", "-", "-f", "markdown", stdin=_many(costs))
    assert code == 0
    assert len(out.splitlines()) < 60  # not one line an alternative
    assert sum(f"Alt {i} " in out for i in range(200)) == 10  # only the ten are named


def test_eleven_alternatives_name_ten_and_count_the_one_left() -> None:
    costs = [5, 4, 3, 2, 1, 6, 7, 8, 9, 10, 11]
    point = memo_text_points(_many(costs))[2]
    assert point.bullets[0].text.startswith("Alt 4 (other)")  # the lowest max_price, binding
    assert point.bullets[-1].text == (
        "1 other alternative leaves room of at least $91.0k: rather than use it, a customer "
        "would pay Fixer that much or more."
    )


def test_ten_alternatives_are_all_described_in_the_order_listed() -> None:
    costs = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    point = memo_text_points(_many(costs))[2]
    assert [b.text.split(" (other)")[0] for b in point.bullets] == [f"Alt {i}" for i in range(10)]
    assert point.text.endswith("(less, if we give less).")


def test_many_alternatives_tied_for_the_ceiling_are_named_up_to_ten() -> None:
    text = memo_text_of(_many([1] * 13))
    assert (
        "(Alt 1, Alt 2, Alt 3, Alt 4, Alt 5, Alt 6, Alt 7, Alt 8, Alt 9, Alt 10 and 2 more tie "
        "with it; the first listed counts.)"
    ) in text


def memo_text_points(yaml: str) -> tuple[explain.Point, ...]:
    problem = load_text(yaml)[0]
    return explain.memo(problem, service.evaluate(problem)).points


def test_a_count_grown_past_a_quadrillion_is_written_as_amounts_beyond_trillions_are(
    tmp_path: Path,
) -> None:
    # customers growing 1,000% a year: the paying customers once printed 30 digits a year
    path = tmp_path / "a.yaml"
    path.write_text(
        "name: Growth\nhorizon_years: 3\n"
        "market: {customers: 999t, growth: 1000%, problem_cost: $100k}\n"
        "solution: {build_cost: $1m, adoption: 10%}\n"
    )
    code, out, err = run("explain", str(path))
    assert (code, err) == (0, "")
    assert "The market grows by 1,000% a year: 1.21e+17 customers in year 3." in " ".join(
        out.split()
    )
    paying = re.findall(r"paying (\S+) ·", out)  # a line a year at 80 columns
    assert paying == ["99,900,000,000,000", "1.10e+15", "1.21e+16"]


def test_the_naive_figures_are_the_sustainable_ones_exactly_when_no_year_is_capped() -> None:
    # a price below every year's ceiling: nothing is taken away, whatever the rounding
    text = (
        "name: Priced\nmarket: {customers: 100, problem_cost: $100k}\n"
        "solution: {build_cost: $1m, adoption: 10%, price: $30k}\n"
        "alternatives:\n  - {name: Vendor, annual_cost: $50k, solves: 90%}\n"
    )
    [problem] = load_text(text)
    r = service.evaluate(problem)
    # C = 50k + (100k - 90k) = 60k > 30k: the price holds, and the naive NPV is the NPV
    assert r.naive_is_sustainable
    assert r.naive_npv == r.npv
    [problem] = load_text(text.replace("price: $30k", "price: $70k"))
    capped = service.evaluate(problem)
    assert not capped.naive_is_sustainable
    assert capped.naive_npv > capped.npv


GROWING = """
name: Growing
market: {customers: 2400, problem_cost: $100k, growth: 8%}
solution: {build_cost: $2m, annual_cost: $300k, adoption: [1%, 2%, 4%], price: $60k}
alternatives:
  - {name: Vendor, annual_cost: [$80k, $40k], solves: 60%, from_year: 2}
"""


def test_payers_are_a_share_of_each_years_customers_and_a_set_price_has_its_column() -> None:
    [problem] = load_text(GROWING)
    r = service.evaluate(problem)
    memo = explain.memo(problem, r)
    [point] = [p for p in memo.points if p.title == "Cash flows"]
    text = " ".join(point.text.split())
    assert "of that year's customers (2,400 in year 1, growing 8% a year) pay" in text
    assert "of the 2,400 customers" not in text
    assert point.table is not None
    headers, build, year1, year2, *_ = point.table
    assert headers[:4] == ("Year", "Paying", "Ceiling", "Price")
    # w_2 = 2,400 x 1.08 x 2% = 51.84: shown whole, a fraction of a customer is noise there
    assert year2[1] == "52"
    # p_1 = min($60k, C_1 = $100k) = $60k; the build is year 0's cost
    assert (year1[2], year1[3]) == ("$100k", "$60.0k")
    assert (build[0], build[-4], build[-3]) == ("0", "$2.00m", "−$2.00m")


def test_a_handful_of_payers_shows_its_fraction_and_says_why() -> None:
    [problem] = load_text(
        "name: Few\nmarket: {customers: 30, problem_cost: $100k}\n"
        "solution: {build_cost: $100k, adoption: 5%}\n"
    )
    r = service.evaluate(problem)
    [point] = [p for p in explain.memo(problem, r).points if p.title == "Cash flows"]
    assert point.table is not None
    assert point.table[2][1] == "1.5"  # 30 x 5%
    assert "Paying customers are averages" in point.text


def test_the_memo_format_is_called_text_and_table_still_works() -> None:
    path = str(Path(__file__).resolve().parent.parent / "examples" / "claims-processing.yaml")
    text = run("explain", path, "-f", "text")
    assert text[0] == 0
    assert run("explain", path, "-f", "table") == text  # the old name, kept as an alias
    assert run("explain", path, "-f", "TEXT") == text
    code, out, err = run("explain", path, "-f", "xml")
    assert (code, out) == (2, "")
    assert err == "pmsize: --format xml: explain writes text or markdown\n"
