"""Every bad input a hurried person can write (SPEC §6): one file each, with its exact message.

Each file under tests/bad_inputs is checked through the command line the way a
person meets it: exit 2, nothing on stdout, and on stderr every error as
`file:line:column: field.path: message` followed by the count, never a traceback.
`validate`, `evaluate` and `explain` report the same errors.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmsize._loader import MAX_BYTES
from pmsize.cli import app

BAD_INPUTS = Path(__file__).resolve().parent / "bad_inputs"

# file name -> the errors it must produce, without the leading `file:`
EXPECTED: dict[str, list[str]] = {
    # SPEC §7: from_year within the horizon, per-year lists neither empty nor too long,
    # growth above -100% (each located at the value, all reported together)
    "landscape-over-time.yaml": [
        (
            "3:54: market.growth: -100% is at or below -100%, where every customer is gone "
            "within a year; a market shrinks by less, such as -5%"
        ),
        (
            "7:16: alternatives[0].from_year: 4 is not a year from 1 to 3 (horizon_years); "
            "write the year the alternative becomes available, such as 3"
        ),
        (
            "8:18: alternatives[0].annual_cost: the list is empty; give a value for year 1 at "
            "least, such as [$150k, $120k]"
        ),
        (
            "10:16: alternatives[1].from_year: 0 is not a year from 1 to 3 (horizon_years); "
            "write the year the alternative becomes available, such as 3"
        ),
        (
            "11:13: alternatives[1].solves: lists 4 years but horizon_years is 3; shorten the "
            "list or raise the horizon"
        ),
        (
            "13:16: alternatives[2].from_year: 2.5 is not a year from 1 to 3 (horizon_years); "
            "write the year the alternative becomes available, such as 3"
        ),
        "14:25: alternatives[2].one_time_cost[1]: -5k is negative; amounts cannot be below zero",
    ],
    "growth-bare-number.yaml": ["5:11: market.growth: 8 is read as 800%; write 8%"],
    "growth-range-below-zero.yaml": [
        (
            "5:11: market.growth: a range starting below 0 must name its shape: write it as "
            "{low: ..., high: ..., dist: normal} (or dist: uniform)"
        ),
    ],
    "bare-one-share.yaml": [
        (
            "6:19: solution.adoption[1]: 1 is ambiguous: write 1% for one in a hundred, or "
            "100% for all"
        ),
    ],
    "null-document.yaml": [
        (
            "1:1: the file holds only an empty value (null); a problem file is a mapping of "
            "keys (name: ...)"
        ),
    ],
    "core-tag.yaml": [
        "2:9: YAML tag !!seq is not allowed; pmsize reads plain values only, so remove the tag",
    ],
    "misspelt-dist.yaml": [
        (
            "4:17: market.problem_cost: dist Normel is not one of: lognormal, normal or "
            "uniform; did you mean normal?"
        ),
    ],
    "misspelt-kind.yaml": [
        (
            "9:11: alternatives[0].kind: vender is not one of: open-source, vendor, in-house, "
            "manual or other; did you mean vendor?"
        ),
    ],
    "misspelt-problems.yaml": [
        "4:1: problem: unknown key; did you mean `problems:` (a portfolio's list of problems)?",
    ],
    "monthly-price.yaml": [
        (
            "7:10: solution.price: $3,500/month: amounts are yearly figures (a price or cost "
            "is per customer a year); write $42,000"
        ),
    ],
    "unknown-currency.yaml": [
        "2:11: currency: EUE is not an ISO 4217 currency code; did you mean EUR?",
    ],
    "duplicate-alternative.yaml": [
        (
            "9:11: alternatives[1].name: alternative name `Excel` is already used by "
            "alternatives[0]; give each alternative its own name"
        ),
    ],
    "adoption-longer-than-horizon.yaml": [
        (
            "7:13: solution.adoption: lists 3 years but horizon_years is 2; shorten the list "
            "or raise the horizon"
        ),
    ],
    "anchor-alias.yaml": [
        (
            "2:9: anchor &market is not allowed; to share values between problems, put them "
            "under `defaults:` in a portfolio file"
        ),
    ],
    "bare-share.yaml": [
        "5:18: market.problem_share: 10 is read as 1000%; write 10%",
    ],
    "binary.yaml": [
        "3:1: the file contains a NUL byte: it looks like a binary file, not YAML text",
    ],
    "boolean-for-number.yaml": [
        (
            "3:14: market.customers: yes is not a number (YAML reads it as a yes/no value); "
            "write a count such as 400, 1,200 or 40k"
        ),
    ],
    "comment-only.yaml": [
        (
            "1:1: the file has only comments; write a problem below them (`pmsize init` "
            "writes a starter)"
        ),
    ],
    "control-character.yaml": [
        "1:14: the character '\\x07' cannot appear in a YAML file; delete it",
    ],
    "cost-and-revenue.yaml": [
        (
            "4:17: market.problem_cost: give either problem_cost, or revenue and "
            "problem_share, not both"
        ),
    ],
    "currency-mismatch.yaml": [
        (
            "5:17: market.problem_cost: $150k is written in $ but the file's currency is EUR; "
            "drop the symbol or set `currency:` to match"
        ),
    ],
    "date-for-number.yaml": [
        (
            "4:17: market.problem_cost: 2024-01-01 looks like a date, not a number; write an "
            "amount such as 250k, $5m or 1,200,000"
        ),
    ],
    "deep-nesting.yaml": [
        (
            "2:28: nested deeper than 20 levels, and no problem file needs more than 5; look "
            "for brackets that are never closed"
        ),
    ],
    "discount-rate-100.yaml": [
        (
            "1:16: discount_rate: 100% is not below 100%; a discount rate must be below 100%, "
            "such as 10%"
        ),
    ],
    "duplicate-key.yaml": [
        (
            "7:1: duplicate key 'name' (first at line 1); each key may appear once, so remove "
            "one of them"
        ),
    ],
    "empty.yaml": [
        "1:1: the file is empty; `pmsize init` writes a starter",
    ],
    "horizon-too-long.yaml": [
        "1:16: horizon_years: 60 is outside 1 to 50; write a number of years from 1 to 50",
    ],
    "horizon-zero.yaml": [
        "1:16: horizon_years: 0 is outside 1 to 50; write a number of years from 1 to 50",
    ],
    "infinite-money.yaml": [
        (
            "4:17: market.problem_cost: .inf is not a finite number; write an amount such as "
            "250k, $5m or 1,200,000"
        ),
    ],
    "invalid-yaml.yaml": [
        (
            "3:9: invalid YAML: the bracket opened at line 2, column 9 is not closed where it "
            "should be"
        ),
    ],
    "missing-keys.yaml": [
        "1:1: name: is required; add `name:` with a short name for it",
        "1:1: market: is required; add `market:` with customers and problem_cost",
    ],
    "nan-money.yaml": [
        (
            "4:17: market.problem_cost: .nan is not a finite number; write an amount such as "
            "250k, $5m or 1,200,000"
        ),
    ],
    "negative-money.yaml": [
        "4:17: market.problem_cost: -$150k is negative; amounts cannot be below zero",
    ],
    "not-utf8.yaml": [
        "1:20: the file is not UTF-8 text; save it as UTF-8",
    ],
    "nul-byte.yaml": [
        "1:14: the file contains a NUL byte: it looks like a binary file, not YAML text",
    ],
    "object-tag.yaml": [
        (
            "1:7: YAML tag !!python/object/apply:os.system is not allowed; pmsize reads plain "
            "values only, so remove the tag"
        ),
    ],
    "octal-for-number.yaml": [
        (
            "3:14: market.customers: 0400 has a leading zero (YAML 1.1 reads it as an octal "
            "number); write 400"
        ),
    ],
    "percent-over-100.yaml": [
        "5:18: market.problem_share: 150% is over 100%; a share is at most 100%",
    ],
    "portfolio.yaml": [
        "1:9: pmsize: format version 2 is not supported; this pmsize reads `pmsize: 1`",
        (
            "7:5: name: problem name 'Invoice matching' is already used at line 5; names must "
            "be unique"
        ),
        "9:5: problems[2].name: is required; add `name:` with a short name for it",
        "9:26: problems[2].solution.adoption: 150% is over 100%; a share is at most 100%",
        "10:25: policy.cap_threshold: 2 is read as 200%; write 2%",
        "11:1: owner: unknown key 'owner'; known keys: pmsize, problems, defaults, policy",
    ],
    "range-from-zero.yaml": [
        (
            "4:17: market.problem_cost: a range starting at 0 must name its shape, or it "
            "would silently be lognormal: write {low: 0, high: ..., dist: uniform} (or dist: "
            "normal)"
        ),
    ],
    "range-reversed.yaml": [
        (
            "4:17: market.problem_cost: $300k to $100k: the low end must be below the high "
            "end; write $100k to $300k"
        ),
    ],
    "several-documents.yaml": [
        (
            "7:1: a second YAML document (after ---); a file holds one problem, or one "
            "portfolio with `problems:`; split it into files or use `problems:`"
        ),
    ],
    "several-errors.yaml": [
        "3:16: discount_rate: 120% is over 100%; a share is at most 100%",
        "5:14: market.customers: -400 is negative; counts cannot be below zero",
        (
            "6:17: market.problem_cost: give either problem_cost, or revenue and "
            "problem_share, not both"
        ),
        (
            "9:11: solution.solves: 0 removes none of the problem, so the solution is worth "
            "nothing; write the share it removes, such as 80%"
        ),
        (
            "10:13: solution.adoption: lists 3 years but horizon_years is 2; shorten the list "
            "or raise the horizon"
        ),
        (
            "11:3: solution.colour: unknown key 'colour'; known keys: name, build_cost, "
            "annual_cost, cost_per_customer, solves, adoption, price"
        ),
    ],
    "solves-zero.yaml": [
        (
            "7:11: solution.solves: 0% removes none of the problem, so the solution is worth "
            "nothing; write the share it removes, such as 80%"
        ),
    ],
    "tab-indent.yaml": [
        "3:1: invalid YAML: a tab character; YAML indents with spaces only",
    ],
    "top-level-list.yaml": [
        "1:1: the file holds a list; a problem file is a mapping of keys (name: ...)",
    ],
    "top-level-text.yaml": [
        "1:1: the file holds plain text; a problem file is a mapping of keys (name: ...)",
    ],
    "unclosed-bracket.yaml": [
        "3:1: invalid YAML: the file ends before a [ or { is closed; close it or remove it",
    ],
    "unknown-key.yaml": [
        "7:1: alternatves: unknown key 'alternatves'; did you mean alternatives?",
    ],
    "unknown-kind.yaml": [
        (
            "9:11: alternatives[0].kind: saas is not one of: open-source, vendor, in-house, "
            "manual or other"
        ),
    ],
    "unknown-nested-key.yaml": [
        "4:3: market.problme_cost: unknown key 'problme_cost'; did you mean problem_cost?",
    ],
    "utf16.yaml": [
        "1:1: the file is UTF-16 text; save it as UTF-8 and try again",
    ],
    "wrong-type.yaml": [
        "1:7: name: expected text, got a list",
        "2:9: market: expected a mapping of keys (key: value)",
    ],
}


def run(*args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    runner = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "80"})
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def summary(count: int, command: str = "evaluate") -> str:
    """The count that ends the errors; `validate` evaluates nothing anyway, so does not say so."""
    tail = "" if command == "validate" else "; nothing evaluated"
    return f"pmsize: {count} input error{'s' if count != 1 else ''}{tail}"


def test_every_file_under_bad_inputs_has_its_expected_message() -> None:
    assert sorted(p.name for p in BAD_INPUTS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("command", ["validate", "evaluate", "explain"])
def test_bad_input_gets_located_plain_errors_and_exit_two(
    name: str, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(BAD_INPUTS)
    code, out, err = run(command, name)
    assert (code, out) == (2, "")
    errors = EXPECTED[name]
    assert err.splitlines() == [f"{name}:{line}" for line in errors] + [
        summary(len(errors), command)
    ]


def test_a_file_over_ten_megabytes_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * MAX_BYTES + "\nname: Too big\n")
    code, out, err = run("validate", str(big))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{big}:1:1: the file is over 10 MB, far more than any problem file needs; check it "
        "is the right file, or split it into several",
        summary(1, "validate"),
    ]


def test_a_file_with_several_mistakes_reports_them_all_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(BAD_INPUTS)
    code, _, err = run("validate", "several-errors.yaml")
    assert code == 2
    assert len(err.splitlines()) == 7  # six errors and the count
    assert err.splitlines()[-1] == summary(6, "validate")


def test_validate_reports_every_error_in_every_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD_INPUTS)
    code, out, err = run("validate", "bare-share.yaml", "unknown-kind.yaml", "several-errors.yaml")
    assert (code, out) == (2, "")
    files = [line.split(":", 1)[0] for line in err.splitlines()[:-1]]
    assert files == ["bare-share.yaml", "unknown-kind.yaml"] + ["several-errors.yaml"] * 6
    assert err.splitlines()[-1] == summary(8, "validate")


def test_bad_input_on_stdin_is_located_in_stdin() -> None:
    piped = "name: Piped\nname: again\nmarket: {customers: 4, problem_cost: 1m}\n"
    code, out, err = run("validate", "-", stdin=piped + "solution: {adoption: 5%}\n")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "<stdin>:2:1: duplicate key 'name' (first at line 1); each key may appear once, so "
        "remove one of them",
        summary(1, "validate"),
    ]


def test_binary_on_stdin_is_refused_with_a_location() -> None:
    code, out, err = run("validate", "-", stdin=(BAD_INPUTS / "binary.yaml").read_bytes())
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == (
        "<stdin>:3:1: the file contains a NUL byte: it looks like a binary file, not YAML text"
    )


def test_validate_says_ok_once_per_sound_file() -> None:
    examples = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))
    code, out, err = run("validate", *map(str, examples))
    assert (code, err) == (0, "")
    assert out.splitlines() == [f"{path}: ok (1 problem)" for path in examples]


def test_validate_counts_the_problems_of_a_portfolio(tmp_path: Path) -> None:
    portfolio = tmp_path / "portfolio.yaml"
    portfolio.write_text(
        "defaults:\n  market: {customers: 400, problem_cost: $150k}\n"
        "problems:\n  - {name: One, solution: {adoption: 5%}}\n"
        "  - {name: Two, solution: {adoption: 2%}}\n"
    )
    code, out, err = run("validate", str(portfolio))
    assert (code, out, err) == (0, f"{portfolio}: ok (2 problems)\n", "")


# --- paths: every OS error on an input path is a located exit-2 message

SOUND = (
    "name: {name}\nmarket: {{customers: 400, problem_cost: $150k}}\nsolution: {{adoption: 5%}}\n"
)


def test_an_empty_path_is_a_usage_error_not_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # regression: Path("") is ".", so `pmsize evaluate ""` evaluated the current folder
    (tmp_path / "a.yaml").write_text(SOUND.format(name="A"))
    monkeypatch.chdir(tmp_path)
    for command in ("validate", "evaluate"):
        code, out, err = run(command, "")
        assert (code, out) == (2, "")
        assert err == "pmsize: an empty path names no file; give a file, a folder or - for stdin\n"


def test_an_unreadable_subfolder_is_reported_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # regression: a mode-000 folder inside a scanned folder was skipped silently. Root reads
    # mode 000, so the OS refusal is simulated here; the next test makes a real one.
    import os

    (tmp_path / "ok.yaml").write_text(SOUND.format(name="A"))
    (tmp_path / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        if Path(str(path)).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = run("validate", str(tmp_path))
    assert (code, out) == (2, f"{tmp_path / 'ok.yaml'}: ok (1 problem)\n")
    assert err.splitlines() == [
        f"{tmp_path / 'locked'}:1:1: cannot read (permission denied)",
        summary(1, "validate"),
    ]


@pytest.mark.skipif(
    not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
    reason="root reads a mode-000 folder",
)
def test_a_real_mode_000_subfolder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(SOUND.format(name="A"))
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "b.yaml").write_text(SOUND.format(name="B"))
    locked.chmod(0)
    try:
        code, _, err = run("validate", str(tmp_path))
    finally:
        locked.chmod(0o755)
    assert code == 2
    assert err.splitlines()[0] == f"{locked}:1:1: cannot read (permission denied)"


def test_a_path_too_long_for_the_os_is_a_located_error(tmp_path: Path) -> None:
    # regression: Path.is_dir() raised ENAMETOOLONG outside any handler: exit 3
    name = str(tmp_path / ("x" * 5000))
    code, out, err = run("evaluate", name)
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"{name}:1:1: cannot read (file name too long)", summary(1)]


def test_one_file_named_twice_or_through_a_symlink_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # regression: `./a.yaml a.yaml` failed as a duplicate problem name
    (tmp_path / "a.yaml").write_text(SOUND.format(name="A"))
    (tmp_path / "link.yaml").symlink_to(tmp_path / "a.yaml")
    monkeypatch.chdir(tmp_path)
    code, out, err = run("validate", "./a.yaml", "a.yaml", "link.yaml")
    assert (code, out, err) == (0, "./a.yaml: ok (1 problem)\n", "")


def test_a_folder_scan_finds_yaml_suffixes_in_any_case(tmp_path: Path) -> None:
    # regression: `*.YAML` and `*.Yml` were left out of folder scans
    (tmp_path / "a.YAML").write_text(SOUND.format(name="A"))
    (tmp_path / "b.Yml").write_text(SOUND.format(name="B"))
    (tmp_path / "c.txt").write_text("not a problem\n")
    code, out, err = run("validate", str(tmp_path))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{tmp_path / 'a.YAML'}: ok (1 problem)",
        f"{tmp_path / 'b.Yml'}: ok (1 problem)",
    ]


def test_validate_says_ok_for_sound_files_even_when_others_fail(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # regression: one bad file hid every ok line
    good = tmp_path / "good.yaml"
    good.write_text(SOUND.format(name="Good"))
    monkeypatch.chdir(BAD_INPUTS)
    code, out, err = run("validate", str(good), "bare-share.yaml")
    assert (code, out) == (2, f"{good}: ok (1 problem)\n")
    assert err.splitlines() == [
        "bare-share.yaml:5:18: market.problem_share: 10 is read as 1000%; write 10%",
        summary(1, "validate"),
    ]
