"""Every machine format of `evaluate`, parsed back with an independent reader.

CSV with the csv module, markdown with the small table parser below, GitHub
workflow commands with the annotation parser below, JSON with json. A name
holding `%`, `,`, `:`, a line break, `[markup]`, a pipe and a leading `=cmd`
must come back out of each exactly as it went in.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmsize import _fmt as fmt
from pmsize import _jsontext as jsontext
from pmsize import _service as service
from pmsize.cli import app
from pmsize.render import csv as render_csv
from pmsize.render import github, markdown
from pmsize.render import json as json_format

ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}
HOSTILE = "=cmd|' /C calc'!A0 at 100%, a: [bold]b[/bold] `x` *y* \\ $1 <br>\n::error::injected"

# pursue: C = $35k, NPV = 2.5m x 3.790787 = $9,476,967 (see test_cli_evaluate).
PURSUE = """\
market: {customers: 5k, problem_cost: $50k}
solution: {name: ReceiptMatch, annual_cost: $500k, cost_per_customer: $5k, adoption: 2%}
alternatives:
  - {name: Expense tool add-on, annual_cost: $35k}
"""
# reconsider: C = $30k, cap 30%, NPV = -1m + 3m x 3.790787 = $10,372,360.
RECONSIDER = """\
market: {customers: 1000, problem_cost: $100k}
solution: {name: Ours, build_cost: $1m, adoption: 10%}
alternatives:
  - {name: Cheap suite, annual_cost: $10k, solves: 80%}
"""
# avoid: a free tool removes all of it, C = 0, NPV = -$1,000,000, IRR and payback null;
# naive (p = V = $1m, 10 customers a year): -1m + 10m x 3.790787 = $36.9m.
AVOID = """\
market: {customers: 100, problem_cost: $1m}
solution: {name: Ours, build_cost: $1m, adoption: 10%}
alternatives:
  - {name: Free tool, annual_cost: 0}
"""


def problem(name: str, body: str) -> str:
    return f"name: {json.dumps(name)}\n{body}"


def invoke(*args: str, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={**ENV, **env})
    return result.exit_code, result.stdout, result.stderr


def run(*args: str, **env: str) -> str:
    code, out, err = invoke("evaluate", *args, **env)
    assert (code, err) == (0, ""), err
    return out


@pytest.fixture
def three(tmp_path: Path) -> Path:
    folder = tmp_path / "problems"
    folder.mkdir()
    (folder / "a.yaml").write_text(problem("Receipt matching", PURSUE))
    (folder / "b.yaml").write_text(problem(HOSTILE, RECONSIDER))
    (folder / "c.yaml").write_text(problem("Claims", AVOID))
    return folder


# ------------------------------------------------------------------ independent readers


def read_markdown_table(text: str) -> list[list[str]]:
    """Rows of the first markdown table in `text` (header first, the rule skipped), unescaped."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    rows = [split_row(line) for line in lines]
    assert all(set(cell) <= set("-: ") for cell in rows[1])
    return [rows[0], *rows[2:]]


def split_row(line: str) -> list[str]:
    """Cells of a table row: split on pipes not escaped, `<br>` read as a line break."""
    cells, cell, i = [], "", 1
    while i < len(line):
        char = line[i]
        if char == "\\" and i + 1 < len(line):
            cell += line[i : i + 2]
            i += 2
            continue
        if char == "|":
            cells.append(cell.strip())
            cell = ""
        else:
            cell += char
        i += 1
    return [unescape_markdown(c) for c in cells]


def unescape_markdown(cell: str) -> str:
    cell = cell.replace("\u200b", "")  # what keeps `:x:` and `@name` from GitHub's rendering
    out, i = "", 0
    while i < len(cell):
        if cell[i] == "\\" and i + 1 < len(cell):
            out += cell[i + 1]
            i += 2
        elif cell.startswith("<br>", i):
            out += "\n"
            i += 4
        else:
            out += cell[i]
            i += 1
    return out


ANNOTATION = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")
_DECODE = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}


def decode(text: str) -> str:
    return re.sub("%(25|0D|0A|3A|2C)", lambda m: _DECODE[m.group()], text)


def read_annotations(text: str) -> list[dict[str, str]]:
    """Each workflow command as {level, message, and its properties}, decoded."""
    found = []
    for line in text.splitlines():
        match = ANNOTATION.match(line)
        if match is None:
            assert not line.startswith("::"), line
            continue
        level, properties, message = match.groups()
        item = {"level": level, "message": decode(message)}
        for pair in properties.split(","):
            key, value = pair.split("=", 1)
            item[key] = decode(value)
        found.append(item)
    return found


# ------------------------------------------------------------------ JSON


def test_json_keeps_the_contract_order_and_only_finite_numbers(three: Path, tmp_path: Path) -> None:
    (three / "d.yaml").write_text(problem("Costs nothing", AVOID.replace("$1m}", "0}")))
    doc = json.loads(
        run(str(three), "-f", "json"),
        parse_constant=lambda c: pytest.fail(f"{c} in JSON"),
    )
    assert list(doc) == ["schema_version", "tool_version", "results", "summary"]
    contract = [
        "file",
        "line",
        "name",
        "currency",
        "problem_cost_per_customer",
        "customers",
        "market_size",
        "value_per_customer",
        "ceiling_per_customer",
        "ceiling_set_by",
        "cap_ratio",
        "price_per_customer",
        "npv",
        "roi",
        "irr",
        "payback_years",
        "pv_revenue",
        "pv_costs",
        "cash_flows",
        "naive_npv",
        "naive_roi",
        "flags",
        "verdict",
    ]
    for result in doc["results"]:
        assert list(result)[: len(contract)] == contract
    assert list(json_format.CONTRACT_FIELDS) == contract  # csv's columns come from it
    free = next(r for r in doc["results"] if r["name"] == "Costs nothing")
    assert free["value_per_customer"] == 0
    assert free["cap_ratio"] is None  # C / V with V = 0: absent, not NaN


# ------------------------------------------------------------------ JSON Lines


def test_json_lines_are_the_json_documents_records_one_a_line_in_rank_order(
    three: Path,
) -> None:
    document = json.loads(run(str(three), "-f", "json"))
    out = run(str(three), "-f", "jsonl")
    # exactly the records of --format json, in its order, each compact on one line, and
    # nothing else: no summary line (the document's `summary` is not repeated)
    assert out == "".join(
        json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"
        for record in document["results"]
    )
    lines = out.splitlines()
    assert lines[1].startswith(
        f'{{"file":{json.dumps(str(three / "a.yaml"))},"line":1,"name":"Receipt matching",'
        '"currency":"USD","problem_cost_per_customer":50000.0,"customers":5000.0,'
    )
    records = [json.loads(line) for line in lines]  # every line parses on its own
    assert [r["verdict"] for r in records] == ["reconsider", "pursue", "avoid"]
    npvs = [r["npv"] for r in records]
    assert npvs == sorted(npvs, reverse=True)  # ranked by NPV, as the document is
    assert records[0]["name"] == HOSTILE  # its line break escaped, so still one line


def test_json_lines_rank_as_sort_says(three: Path) -> None:
    out = run(str(three), "-f", "jsonl", "--sort", "name")
    names = [json.loads(line)["name"] for line in out.splitlines()]
    assert names == sorted(names, key=str.casefold)


def test_json_lines_escape_what_a_terminal_or_a_ci_runner_acts_on(tmp_path: Path) -> None:
    name = "a\x1b[31m b\u2028 c\x85 d\u202e e ##[error]f"
    path = tmp_path / "p.yaml"
    path.write_text(problem(name, AVOID), encoding="utf-8")
    out = run(str(path), "-f", "jsonl")
    assert '"name":"a\\u001b[31m b\\u2028 c\\u0085 d\\u202e e \\u0023#[error]f"' in out
    assert out.count("\n") == 1
    assert json.loads(out)["name"] == name


def test_json_lines_to_a_file_are_written_as_cp_writes(three: Path, tmp_path: Path) -> None:
    target = tmp_path / "results.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    code, out, err = invoke("evaluate", str(three), "-o", str(link))  # .jsonl: the format
    assert (code, out) == (0, "")
    assert err.startswith(f"Wrote {link}: 3 problems, ")
    assert link.is_symlink()  # written through, as cp writes through a link
    assert target.read_text(encoding="utf-8") == run(str(three), "-f", "jsonl")
    assert target.stat().st_mode & 0o777 == 0o640  # the file replaced keeps its mode
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


# ------------------------------------------------------------------ CSV


def test_csv_has_one_row_a_problem_with_the_json_figures_as_numbers(three: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run(str(three), "-f", "csv"))))
    records = json.loads(run(str(three), "-f", "json"))["results"]
    assert [r["verdict"] for r in rows] == ["reconsider", "pursue", "avoid"]
    assert list(rows[0]) == list(render_csv.COLUMNS)
    for row, record in zip(rows, records, strict=True):
        for column in render_csv.COLUMNS:
            expected = record[column]
            if column == "flags":
                assert row[column] == ";".join(f["code"] for f in expected)
            elif expected is None:
                assert row[column] == ""
            elif isinstance(expected, float | int) and column != "line":
                # 15 significant digits: the JSON's figure without its float noise
                assert float(row[column]) == float(f"{expected:.15g}")
    avoid = rows[2]
    assert avoid["npv"] == "-1000000.0"  # a number a spreadsheet sums, not text
    assert avoid["flags"] == "no-sustainable-price;negative-npv"
    assert (avoid["irr"], avoid["payback_years"]) == ("", "")


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'quoted", "''quoted"),
        ("a=b", "a=b"),
        ("Plain name", "Plain name"),
    ],
)
def test_csv_text_that_a_spreadsheet_would_run_is_neutralised(text: str, cell: str) -> None:
    assert render_csv.neutralise(text) == cell


def test_csv_text_cells_never_start_a_formula_but_numbers_stay_numbers(three: Path) -> None:
    text = run(str(three), "-f", "csv")
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(("=", "+", "@", "\t", "\r")):
                pytest.fail(f"formula-like cell {cell!r}")
            if cell.startswith("-"):
                assert re.fullmatch(r"-\d+(\.\d+)?(e[-+]\d+)?", cell), cell


# ------------------------------------------------------------------ markdown


def test_markdown_is_a_ranked_table_with_a_summary_and_reasons(three: Path) -> None:
    text = run(str(three), "-f", "markdown")
    rows = read_markdown_table(text)
    assert rows[0] == list(markdown.HEADERS)
    assert [row[0] for row in rows[1:]] == ["1", "2", "3"]
    assert [row[2] for row in rows[1:]] == ["**reconsider**", "pursue", "**avoid**"]
    assert rows[3][3] == f"{fmt.MINUS}$1.00m"
    assert "**3 problems · 1 pursue · 1 reconsider · 1 avoid · NPV if all are built $18.8m" in text
    assert "  - `no-sustainable-price` Free tool removes 100% of the problem" in text


def test_markdown_cuts_rows_to_fit_a_comment_and_says_how_many(tmp_path: Path) -> None:
    items = "".join(
        f"  - name: Problem {i} {'x' * 200}\n"
        + "".join(f"    {line}\n" for line in PURSUE.splitlines())
        for i in range(400)
    )
    (tmp_path / "big.yaml").write_text(f"problems:\n{items}")
    text = run(str(tmp_path / "big.yaml"), "-f", "markdown")
    assert len(text.encode()) <= markdown.COMMENT_LIMIT
    shown = len(read_markdown_table(text)) - 1
    assert 100 < shown < 400
    assert f"Not shown, to fit the size limit: {400 - shown:,} of 400 problems" in text


# ------------------------------------------------------------------ GitHub annotations


def test_github_annotates_avoid_as_error_and_reconsider_as_warning_at_the_name(
    three: Path,
) -> None:
    text = run(str(three), "-f", "github")
    found = read_annotations(text)
    assert [(a["level"], a["file"], a["line"]) for a in found] == [
        ("warning", str(three / "b.yaml"), "1"),
        ("error", str(three / "c.yaml"), "1"),
    ]
    assert found[1]["title"] == "avoid: Claims"
    assert found[1]["message"].splitlines() == [
        # naive: p = V = $1m, 10 customers a year: -1m + 10m x 3.790787 = $36.9m
        "Claims: avoid. NPV −$1.00m (naive +$36.9m); ceiling $0 per customer a year "
        "(set by Free tool).",
        "no-sustainable-price: Free tool removes 100% of the problem for $0 a year, "
        "so no customer should pay for Ours.",
        "negative-npv: NPV is −$1.00m over 5 years, while a pitch that ignores "
        "alternatives would claim +$36.9m.",
    ]
    assert text.splitlines()[-1] == (
        "pmsize: 3 problems · 1 pursue · 1 reconsider · 1 avoid · NPV if all are built "
        "$18.8m · the problems cost their markets $450m a year"
    )


def test_github_annotation_lines_sit_in_a_portfolio_at_each_name(tmp_path: Path) -> None:
    body = "".join(f"    {line}\n" for line in AVOID.splitlines())
    (tmp_path / "p.yaml").write_text(
        f"defaults:\n  horizon_years: 3\nproblems:\n  - name: First\n{body}  - name: Second\n{body}"
    )
    found = read_annotations(run(str(tmp_path / "p.yaml"), "-f", "github"))
    assert [(a["title"], a["line"]) for a in found] == [
        ("avoid: First", "4"),
        ("avoid: Second", "9"),
    ]


def test_github_paths_are_relative_to_the_workspace(three: Path) -> None:
    found = read_annotations(
        run(str(three.resolve()), "-f", "github", GITHUB_WORKSPACE=str(three.parent.resolve()))
    )
    assert [a["file"] for a in found] == ["problems/b.yaml", "problems/c.yaml"]
    assert github.relative_to("/elsewhere/x.yaml", str(three)) == "/elsewhere/x.yaml"
    assert github.relative_to("rel/x.yaml", str(three)) == "rel/x.yaml"


def test_github_annotations_of_stdin_carry_no_file() -> None:
    result = CliRunner().invoke(
        app, ["evaluate", "-", "-f", "github"], env=ENV, input=problem("Piped", AVOID)
    )
    [found] = read_annotations(result.stdout)
    assert "file" not in found
    assert "line" not in found


def test_github_shows_ten_errors_and_ten_warnings_then_a_notice(tmp_path: Path) -> None:
    for i in range(25):
        (tmp_path / f"avoid-{i:02d}.yaml").write_text(problem(f"Avoid {i}", AVOID))
    for i in range(12):
        (tmp_path / f"reconsider-{i:02d}.yaml").write_text(problem(f"Reconsider {i}", RECONSIDER))
    found = read_annotations(run(str(tmp_path), "-f", "github"))
    levels = [a["level"] for a in found]
    assert (levels.count("error"), levels.count("warning"), levels.count("notice")) == (10, 10, 1)
    assert levels[-1] == "notice"
    assert found[-1]["message"].startswith(
        "17 more annotations not shown (15 avoid and 2 reconsider); GitHub shows 10 errors and "
        "10 warnings a step."
    )
    # in file order: the first ten files of each verdict
    assert [Path(a["file"]).name for a in found if a["level"] == "error"][:2] == [
        "avoid-00.yaml",
        "avoid-01.yaml",
    ]


def test_github_appends_the_markdown_to_the_step_summary(three: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("Earlier step output\n")
    out = run(str(three), "-f", "github", GITHUB_STEP_SUMMARY=str(summary))
    assert read_annotations(out)  # the annotations still go to stdout
    text = summary.read_text()
    assert text.startswith("Earlier step output\n\n### pmsize evaluate\n\n| # | Problem |")
    assert [row[1] for row in read_markdown_table(text)[1:]] == [
        HOSTILE,
        "Receipt matching",
        "Claims",
    ]
    assert text.endswith("\n\n")


def test_a_step_summary_that_cannot_be_written_warns_but_keeps_the_result(
    three: Path, tmp_path: Path
) -> None:
    code, out, err = invoke(
        "evaluate",
        str(three),
        "-f",
        "github",
        GITHUB_STEP_SUMMARY=str(tmp_path / "missing" / "summary.md"),
    )
    assert code == 0
    assert read_annotations(out)
    assert err.startswith("pmsize: cannot append to GITHUB_STEP_SUMMARY")


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("a: b, c", "a: b, c", "a%3A b%2C c"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_workflow_command_escaping(text: str, data: str, prop: str) -> None:
    assert github.escape_data(text) == data
    assert github.escape_property(text) == prop


# ------------------------------------------------------------------ a hostile name


def test_a_hostile_name_survives_every_format(three: Path) -> None:
    [from_json] = [
        r["name"]
        for r in json.loads(run(str(three), "-f", "json"))["results"]
        if r["verdict"] == "reconsider"
    ]
    assert from_json == HOSTILE

    [row] = [
        r
        for r in csv.DictReader(io.StringIO(run(str(three), "-f", "csv")))
        if r["verdict"] == "reconsider"
    ]
    assert row["name"].startswith("'=")  # neutralised for spreadsheets ...
    # ... and for a log: on one line, and `::` can never start a workflow command
    assert row["name"][1:] == fmt.safe_text(HOSTILE)
    assert row["name"][1:] == HOSTILE.replace("\n", " ").replace("::", ":\u200b:")

    rows = read_markdown_table(run(str(three), "-f", "markdown"))
    assert len(rows[1]) == len(markdown.HEADERS)  # the pipe did not split the row
    assert rows[1][1] == HOSTILE

    out = run(str(three), "-f", "github")
    [warning] = [a for a in read_annotations(out) if a["level"] == "warning"]
    assert warning["title"] == f"reconsider: {HOSTILE}"
    assert warning["message"].startswith(f"{HOSTILE}: reconsider.")
    assert sum(line.startswith("::") for line in out.splitlines()) == 2  # ours only

    for columns in ("80", "200"):
        table = run(str(three), COLUMNS=columns)
        # a CI runner reads `::command` at the start of any log line, leading spaces skipped
        assert not [line for line in table.splitlines() if line.lstrip().startswith("::")]
    shown = HOSTILE.replace("\n", " ").replace("::", ":\u200b:")
    assert shown in table  # literally, markup and all, at 200 columns


def test_numbers_are_plain_in_csv_even_when_huge(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        problem("Huge", AVOID.replace("customers: 100", "customers: 1t"))
    )
    [row] = csv.DictReader(io.StringIO(run(str(tmp_path / "a.yaml"), "-f", "csv")))
    assert float(row["market_size"]) == 1e18
    assert math.isfinite(float(row["naive_npv"]))


def test_a_number_from_a_quadrillion_up_is_written_as_amounts_beyond_trillions_are() -> None:
    # written whole, it would be 20 to 80 characters of which the last are float noise
    assert fmt.count(999_999_999_999_999) == "999,999,999,999,999"
    assert fmt.count(1e15) == "1.00e+15"
    assert fmt.count(1.58e45) == "1.58e+45"
    assert fmt.percent(9_999_999_999_999.99) == "999,999,999,999,999%"
    assert fmt.percent(3.787e71) == "3.79e+73%"
    assert fmt.percent(-2e13, sign=True) == f"{fmt.MINUS}2.00e+15%"
    assert fmt.money(1e15) == "$1.00e+15"  # the amounts' rule, for comparison


# ------------------------------------------------------------------ CSV precision, Excel


def test_csv_money_has_no_float_noise_but_json_keeps_full_precision(tmp_path: Path) -> None:
    assert render_csv.number(244999.99999999997) == 245000.0
    assert render_csv.number(-0.0) == 0.0
    assert str(render_csv.number(-0.0)) == "0.0"
    # 3 x 0.1 is 0.30000000000000004 in floats: P = 3 x $0.10 x 1 customer
    (tmp_path / "a.yaml").write_text(
        "name: Noise\nhorizon_years: 1\ndiscount_rate: 0%\n"
        "market: {customers: 3, problem_cost: 0.1}\nsolution: {adoption: 100%}\n"
    )
    [row] = csv.DictReader(io.StringIO(run(str(tmp_path / "a.yaml"), "-f", "csv")))
    [record] = json.loads(run(str(tmp_path / "a.yaml"), "-f", "json"))["results"]
    assert record["market_size"] == 0.30000000000000004
    assert row["market_size"] == "0.3"


def test_csv_for_excel_has_a_byte_order_mark_and_crlf_line_ends(
    three: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"
    code, _, err = invoke("evaluate", str(three), "-f", "csv", "--excel", "-o", str(target))
    assert (code, err) == (0, f"Wrote {target}: 3 problems, 1.2 KB\n")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbffile,line,name,")
    assert data.count(b"\r\n") == 4  # the header and three rows
    assert data.count(b"\n") == 4
    plain = run(str(three), "-f", "csv")
    assert data.decode("utf-8-sig").replace("\r\n", "\n") == plain


def test_excel_is_refused_with_any_format_but_csv(three: Path) -> None:
    code, out, err = invoke("evaluate", str(three), "-f", "json", "--excel")
    assert (code, out, err) == (2, "", "pmsize: --excel applies to --format csv only\n")


# ------------------------------------------------------------------ JSON escapes


def test_json_escapes_c1_bidi_and_separators_and_reads_back() -> None:
    name = "a\x1b b\x7f c\x85 d\x9b e\u202e f\u2066 g\u2028 h\u2029 i"
    text = json_format.dumps({"name": name, "zero": -0.0, "flows": [-0.0, -1.5]})
    assert text == (
        "{\n"
        '  "name": "a\\u001b b\\u007f c\\u0085 d\\u009b e\\u202e f\\u2066 g\\u2028 h\\u2029 i",\n'
        '  "zero": 0.0,\n'
        '  "flows": [\n    0.0,\n    -1.5\n  ]\n'
        "}\n"
    )
    assert json.loads(text)["name"] == name


# `##[name]` is a workflow command wherever it stands in a log line (GitHub's runner looks
# for the prefix anywhere); each is shown with a break inside, and `###[` and `##[##[` too.
INLINE = "a ##[error]b ###[add-mask]c ##[##[stop-commands]d #[e] ## [f"


def test_json_escapes_the_hash_that_starts_an_inline_command_and_reads_back() -> None:
    for ascii_only in (False, True):
        text = jsontext.dumps({"name": INLINE}, ascii_only=ascii_only)
        assert text == (
            '{\n  "name": "a \\u0023#[error]b #\\u0023#[add-mask]c '
            '\\u0023#[\\u0023#[stop-commands]d #[e] ## [f"\n}\n'
        )
        assert json.loads(text)["name"] == INLINE


def test_text_and_annotations_break_every_inline_command() -> None:
    broken = "a #\u200b#[error]b ##\u200b#[add-mask]c #\u200b#[#\u200b#[stop-commands]d #[e] ## [f"
    assert fmt.safe_text(INLINE) == broken
    assert github.escape_data(INLINE) == broken
    assert github.escape_property(INLINE) == broken
    assert fmt.safe_text("::##[x]") == ":\u200b:#\u200b#[x]"


# ------------------------------------------------------------------ GitHub paths and notice


def test_github_paths_run_from_a_subfolder_are_relative_to_the_workspace(
    three: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(three)
    found = read_annotations(run(".", "-f", "github", GITHUB_WORKSPACE=str(three.parent)))
    assert [a["file"] for a in found] == ["problems/b.yaml", "problems/c.yaml"]
    found = read_annotations(run("./c.yaml", "-f", "github"))
    assert [a["file"] for a in found] == ["c.yaml"]  # `./` dropped, also without a workspace
    assert github.relative_to("./sub/../x.yaml", None) == "x.yaml"


def _many(tmp_path: Path) -> Path:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(12):
        (folder / f"avoid-{i:02d}.yaml").write_text(problem(f"Avoid {i} {'x' * 900}", AVOID))
    return folder


def test_the_notice_points_at_the_step_summary_only_when_it_lists_every_problem(
    tmp_path: Path,
) -> None:
    folder = _many(tmp_path)
    summary = tmp_path / "summary.md"
    notice = read_annotations(run(str(folder), "-f", "github", GITHUB_STEP_SUMMARY=str(summary)))
    assert notice[-1]["message"].endswith("The step summary and --format json list every problem.")
    # a summary with little room left is cut: the notice must not claim it lists everything
    summary.write_text("x" * (1024 * 1024 - 4000))
    notice = read_annotations(run(str(folder), "-f", "github", GITHUB_STEP_SUMMARY=str(summary)))
    assert "_Not shown, to fit the size limit" in summary.read_text()
    assert notice[-1]["message"].endswith(
        "The step summary was cut to fit GitHub's size limit; --format json or csv lists every "
        "problem."
    )
    # and without a step summary, it names only what exists
    notice = read_annotations(run(str(folder), "-f", "github"))
    assert notice[-1]["message"].endswith(
        "warnings a step. --format json or csv lists every problem."
    )


# ------------------------------------------------------------------ counts read as counts


def test_counts_and_ranks_have_thousands_separators() -> None:
    from dataclasses import replace

    from pmsize._loader import load_text
    from pmsize.render import table

    result = service.evaluate(load_text(problem("Claims", AVOID))[0])
    results = [replace(result, file=f"p{i:04d}.yaml") for i in range(1200)]
    assert markdown.summary_text(results).startswith(
        "1,200 problems · 0 pursue · 0 reconsider · 1,200 avoid · NPV if all are built"
    )
    assert markdown.row_cells(1200, result)[0] == "1,200"
    assert table.ranked_rows(results)[1200][0] == "1,200"
    text = github.document(results)
    assert "::notice title=pmsize::1,190 more annotations not shown (1,190 avoid and 0 " in text


# ------------------------------------------------------------------ the library's JSON


def test_a_result_writes_the_record_the_json_format_writes(tmp_path: Path) -> None:
    from pmsize import _service as service
    from pmsize._models import NO_POLICY

    path = tmp_path / "p.yaml"
    path.write_text(problem("Line\u2028break\x85", AVOID), encoding="utf-8")
    code, out, _ = invoke("evaluate", str(path), "-f", "json")
    assert code == 0
    [r] = service.evaluate_paths([str(path)], NO_POLICY)
    assert json.loads(r.to_json()) == json.loads(out)["results"][0] == r.to_dict()
    assert r.to_dict() == json_format.result_record(r)
    assert '"name": "Line\\u2028break\\u0085"' in r.to_json()
    assert r.to_json(ascii_only=True).isascii()
    assert r.to_json().endswith("}\n")
    assert r.verdict == "avoid"
    # the record is plain data: the enum's word, a str and nothing more
    assert type(r.to_dict()["verdict"]) is str
    assert type(r.to_dict()["flags"][0]["code"]) is str


def test_fail_on_offers_never_then_each_verdict_beyond_pursue() -> None:
    from pmsize._results import Verdict
    from pmsize.cli.point import FailOn, exit_for

    assert [f.value for f in FailOn] == ["never", "reconsider", "avoid"]
    assert [f.value for f in FailOn][1:] == [v.value for v in Verdict if v > Verdict.PURSUE]
    exit_for(Verdict.RECONSIDER, "avoid")  # below: returns
    exit_for(Verdict.AVOID, "never")
    exit_for(None, "reconsider")
    import typer

    with pytest.raises(typer.Exit) as raised:
        exit_for(Verdict.RECONSIDER, "reconsider")
    assert raised.value.exit_code == 1
