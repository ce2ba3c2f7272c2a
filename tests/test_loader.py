"""The loader: YAML text to problems, every error located; YAML 1.1 never guesses a type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import pmsize
from pmsize import _loader as loader
from pmsize._errors import InputError, InputErrors, SkippedPath
from pmsize._loader import _portfolio, _yaml, load_bytes, load_text
from pmsize._values import Range

ITEM = "{name: A, market: {customers: 1, problem_cost: 1}, solution: {adoption: 1%}}"
BASE = "name: {name}\nmarket: {{customers: 400, problem_cost: $150k}}\nsolution:\n  adoption: 5%\n"


def errors_of(text: str) -> list[str]:
    try:
        load_text(text, "p.yaml")
    except InputErrors as exc:
        return [str(e) for e in exc.errors]
    except InputError as exc:
        return [str(exc)]
    return []


@pytest.fixture(params=["C", "Python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the C parser (when built) and with the pure-Python one."""
    if request.param == "Python":
        monkeypatch.setattr(_yaml, "_Loader", yaml.SafeLoader)
    return str(request.param)


@pytest.mark.parametrize("null", ["", "~", "null", "Null", "NULL"])
def test_a_plain_null_means_the_key_is_absent(parser: str, null: str) -> None:
    # regression: the C parser marks plain scalars with style "", not None
    [problem] = load_text(BASE.format(name="Priced") + f"  price: {null}\n")
    assert problem.solution.price is None


def test_a_quoted_null_is_text(parser: str) -> None:
    [problem] = load_text(BASE.format(name="'null'"))
    assert problem.name == "null"


@pytest.mark.parametrize("name", ["no", "yes", "2024-01-01", "0x10", "012", "1e3", "1:30"])
def test_yaml_11_never_guesses_the_type_of_text(parser: str, name: str) -> None:
    [problem] = load_text(BASE.format(name=name))
    assert problem.name == name


def test_the_same_errors_come_from_either_parser(parser: str) -> None:
    text = "name: a\n" + BASE.format(name="b")
    assert errors_of(text) == [
        "p.yaml:2:1: duplicate key 'name' (first at line 1); each key may appear once, so "
        "remove one of them"
    ]


def test_duplicate_keys_are_reported_with_every_other_error(parser: str) -> None:
    text = "name: a\nname: b\nmarket: {customers: 4, customers: 5}\n"
    assert errors_of(text) == [
        "p.yaml:1:1: solution: is required; add `solution:` with at least `adoption:`",
        "p.yaml:2:1: duplicate key 'name' (first at line 1); each key may appear once, so "
        "remove one of them",
        "p.yaml:3:9: market: give problem_cost (per customer a year), or revenue and problem_share",
        "p.yaml:3:24: duplicate key 'customers' (first at line 3); each key may appear once, "
        "so remove one of them",
    ]


def test_a_utf8_byte_order_mark_and_windows_line_ends_are_fine() -> None:
    data = b"\xef\xbb\xbf" + BASE.format(name="Windows").replace("\n", "\r\n").encode()
    [problem] = load_bytes(data, "w.yaml")
    assert problem.name == "Windows"


def test_a_default_applies_key_by_key_and_a_problem_key_replaces_it_whole() -> None:
    problems = load_text(
        "defaults:\n  horizon_years: 3\n  market: {customers: 400, problem_cost: $150k}\n"
        "problems:\n  - {name: One, solution: {adoption: 5%}}\n"
        "  - {name: Two, market: {customers: 10, problem_cost: 1m}, solution: {adoption: 5%}}\n"
    )
    one, two = problems
    assert (one.horizon_years, one.market.customers, one.market.problem_cost) == (3, 400, 150e3)
    assert (two.horizon_years, two.market.customers, two.market.problem_cost) == (3, 10, 1e6)


def test_a_bad_default_is_reported_once_at_the_default() -> None:
    text = (
        "defaults:\n  discount_rate: 150%\n"
        f"problems:\n  - {ITEM.replace('A', 'One')}\n  - {ITEM.replace('A', 'Two')}\n"
    )
    assert errors_of(text) == [
        "p.yaml:2:18: defaults.discount_rate: 150% is over 100%; a share is at most 100%"
    ]


def test_two_problems_with_one_name_in_a_portfolio_are_an_error() -> None:
    text = (
        "defaults:\n  market: {customers: 1, problem_cost: 1}\n  solution: {adoption: 1%}\n"
        "problems:\n  - name: Same\n  - name: Same\n"
    )
    assert errors_of(text) == [
        "p.yaml:6:5: name: problem name 'Same' is already used at line 5; names must be unique"
    ]


@pytest.mark.parametrize(
    ("portfolio", "message"),
    [
        (
            "defaults: []\n",
            "p.yaml:1:11: defaults: expected a mapping of problem keys (key: value)",
        ),
        (
            "pmsize: 3\n",
            "p.yaml:1:9: pmsize: format version 3 is not supported; this pmsize reads `pmsize: 1`",
        ),
        (
            "problems: []\n",
            "p.yaml:1:11: problems: expected a list of problems, each `- name: ...`",
        ),
    ],
)
def test_portfolio_keys_are_checked_too(portfolio: str, message: str) -> None:
    text = portfolio + (f"problems:\n  - {ITEM}\n" if not portfolio.startswith("problems") else "")
    assert errors_of(text) == [message]


MISSPELT = "unknown key; did you mean `problems:` (a portfolio's list of problems)?"
DEFAULTS = "defaults:\n  market: {customers: 1, problem_cost: 1}\n  solution: {adoption: 1%}\n"


@pytest.mark.parametrize(
    ("text", "at"),
    [
        (DEFAULTS + "problem:\n  - name: A\n  - name: B\n", "4:1: problem"),  # three signs
        (f"problem:\n  - {ITEM}\n", "1:1: problem"),  # close to problems, holding a list
        (DEFAULTS + "problem:\n  name: A\n", "4:1: problem"),  # close, beside defaults
        (DEFAULTS + "Problemes:\n  - name: A\n", "4:1: Problemes"),
    ],
    ids=["beside-defaults", "alone", "a-mapping", "capitals"],
)
def test_a_misspelt_problems_key_is_told_once_at_the_key(text: str, at: str) -> None:
    # read as one problem, it gave five errors: name, market and solution required,
    # `defaults` and `problem` unknown
    assert errors_of(text) == [f"p.yaml:{at}: {MISSPELT}"]


def test_a_list_beside_defaults_is_taken_for_the_problems_whatever_its_name() -> None:
    assert errors_of(DEFAULTS + "items:\n  - name: A\n") == [f"p.yaml:4:1: items: {MISSPELT}"]


def test_a_misspelt_problems_key_comes_with_the_portfolio_s_other_errors() -> None:
    text = DEFAULTS + "problem:\n  - name: A\npolicy: {cap_threshold: 2}\nowner: finance\n"
    assert errors_of(text) == [
        f"p.yaml:4:1: problem: {MISSPELT}",
        "p.yaml:6:25: policy.cap_threshold: 2 is read as 200%; write 2%",
        "p.yaml:7:1: owner: unknown key 'owner'; known keys: pmsize, problems, defaults, policy",
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("problem: late invoices\n", "unknown key 'problem'; known keys: pmsize, name, "),
        ("tags: [a, b]\n", "unknown key 'tags'; known keys: pmsize, name, "),
    ],
)
def test_one_sign_of_a_portfolio_leaves_a_single_problem_s_stray_key_unknown(
    extra: str, message: str
) -> None:
    [error] = errors_of(BASE.format(name="A") + extra)
    assert error.startswith(f"p.yaml:5:1: {extra.split(':')[0]}: {message}")


def test_empty_policy_and_defaults_in_a_portfolio_mean_none() -> None:
    problems = load_text(f"defaults:\npolicy:\nproblems:\n  - {ITEM}\n")
    assert [p.name for p in problems] == ["A"]


def test_defaults_in_a_single_problem_says_where_it_belongs() -> None:
    assert errors_of(BASE.format(name="A") + "defaults: {currency: EUR}\n") == [
        "p.yaml:5:1: defaults: unknown key 'defaults'; `defaults:` works only beside "
        "`problems:` in a portfolio"
    ]


def test_errors_come_in_file_order_whatever_finds_them() -> None:
    text = (
        "name: Order\nhorizon_years: 1\nmarket: {customers: 1, problem_cost: 1, revenu: 3}\n"
        "solution: {adoption: [1%, 2%], solves: 0%}\ncolour: red\n"
    )
    lines = [int(e.split(":")[1]) for e in errors_of(text)]
    assert lines == sorted(lines)
    assert len(lines) == 4  # unknown revenu, adoption too long, solves 0%, unknown colour


@pytest.mark.parametrize(
    ("written", "years"),
    [("5", 5), ("'7'", 7), ("5.0", 5), ("10.", 10), ("10.0 years", 10), ("50", 50), ("1", 1)],
)
def test_horizon_years_is_any_whole_number_from_one_to_fifty(written: str, years: int) -> None:
    [problem] = load_text(f"horizon_years: {written}\n" + BASE.format(name="H"))
    assert problem.horizon_years == years


def test_a_choice_is_read_in_any_case_and_held_lower_case() -> None:
    # `kind: Vendor` and `dist: Normal` were refused while `currency: eur` was read
    text = (
        BASE.format(name="C").replace("$150k", "{low: $100k, high: $200k, dist: Normal}")
        + "alternatives:\n  - {name: A, kind: Vendor}\n  - {name: B, kind: Open-Source}\n"
        "  - {name: C, kind: ' IN-HOUSE'}\n"
    )
    [problem] = load_text(text)
    assert [a.kind for a in problem.alternatives] == ["vendor", "open-source", "in-house"]
    cost = problem.market.problem_cost
    assert isinstance(cost, Range)
    assert cost.dist == "normal"
    result = pmsize.evaluate(problem).to_dict()  # the JSON contract
    assert [a["kind"] for a in result["alternatives"]] == ["vendor", "open-source", "in-house"]
    assert [i["dist"] for i in result["uncertain_inputs"]] == ["normal"]


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        (
            "vender",
            "vender is not one of: open-source, vendor, in-house, manual or other; "
            "did you mean vendor?",
        ),
        (
            "Opensource",
            "Opensource is not one of: open-source, vendor, in-house, manual or "
            "other; did you mean open-source?",
        ),
        ("saas", "saas is not one of: open-source, vendor, in-house, manual or other"),
        ("[vendor]", "a list is not one of: open-source, vendor, in-house, manual or other"),
    ],
)
def test_an_unknown_kind_names_the_one_meant_when_one_is_close(kind: str, message: str) -> None:
    text = BASE.format(name="K") + f"alternatives:\n  - name: A\n    kind: {kind}\n"
    assert errors_of(text) == [f"p.yaml:7:11: alternatives[0].kind: {message}"]


def test_minus_zero_is_zero() -> None:
    [problem] = load_text(BASE.format(name="Z") + "  build_cost: -0\n")
    assert problem.solution.build_cost == 0


def test_check_paths_counts_problems_per_file(tmp_path: Any) -> None:
    (tmp_path / "a.yaml").write_text(BASE.format(name="A"))
    (tmp_path / "b.yml").write_text(BASE.format(name="B"))
    assert loader.check_paths([str(tmp_path)]) == (
        [(str(tmp_path / "a.yaml"), 1), (str(tmp_path / "b.yml"), 1)],
        [],
    )


def test_a_link_in_a_folder_is_read_only_when_it_leads_to_a_file_in_that_folder(
    tmp_path: Path,
) -> None:
    # regression: a committed link among the problems was followed to any file the
    # process could read, whose keys and values the errors then printed
    folder = tmp_path / "problems"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.yaml").write_text(BASE.format(name="A"))
    (folder / "sub" / "current.yaml").symlink_to(folder / "a.yaml")  # inside: read once
    (tmp_path / "secret.yaml").write_text("name: Leak\ntoken: ghp_SECRET0123\n")
    (folder / "leak.yaml").symlink_to(tmp_path / "secret.yaml")
    (folder / "relative.yaml").symlink_to(Path("..", "secret.yaml"))
    with pytest.warns(SkippedPath) as notes:
        problems = pmsize.load(folder)
    assert [p.name for p in problems] == ["A"]
    assert sorted(str(n.message) for n in notes) == [
        f"{folder / name} is a link to a file outside {folder}, so it is not read"
        for name in ("leak.yaml", "relative.yaml")
    ]
    # the folder named through a link of its own: what lies in it is inside
    (tmp_path / "alias").symlink_to(folder, target_is_directory=True)
    with pytest.warns(SkippedPath):
        assert [p.name for p in pmsize.load(tmp_path / "alias")] == ["A"]
    # a file named is read where its link leads: the person running pmsize named it
    with pytest.raises(InputErrors, match="token"):
        pmsize.load(folder / "leak.yaml")


def test_within_resolves_links_before_comparing(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "out").symlink_to(tmp_path, target_is_directory=True)
    assert loader.within(str(tmp_path / "in" / "a.yaml"), str(tmp_path / "in")) == "a.yaml"
    assert loader.within(str(tmp_path / "in"), str(tmp_path / "in")) == ""
    assert loader.within(str(tmp_path / "in" / "out" / "x"), str(tmp_path / "in")) is None
    assert loader.within(str(tmp_path / "inner"), str(tmp_path / "in")) is None


# --- hostile input: each of these once took seconds to minutes (benchmarks/fuzz.py times them)


def test_a_per_year_list_longer_than_the_horizon_is_judged_before_its_items() -> None:
    # regression: every item of a 4.9M-item list was parsed (105 s, 1.7 GB) before its
    # length was checked; now the length is the only error, whatever the items hold
    text = BASE.format(name="Long").replace("adoption: 5%", "adoption: [" + "x, " * 199 + "x]")
    assert errors_of("horizon_years: 5\n" + text) == [
        "p.yaml:5:13: solution.adoption: lists 200 years but horizon_years is 5; shorten the "
        "list or raise the horizon"
    ]


def test_a_list_of_absurd_length_is_refused_while_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_yaml, "MAX_ITEMS", 10)
    text = BASE.format(name="Long").replace("adoption: 5%", "adoption: [" + "0, " * 20 + "0]")
    assert errors_of(text) == [
        "p.yaml:4:13: a list of over 10 items, far more than any problem file needs; check it "
        "is the right file"
    ]


def test_many_unknown_keys_are_each_located_and_the_rest_counted_past_the_cap() -> None:
    # regression: each unknown key was located by a scan of its mapping (16,000 took 33 s),
    # and 300,000 of them printed 300,000 lines; the first 100 are told, then a count
    extra = "".join(f"zz_unknown_{i}: 1\n" for i in range(300))
    found = errors_of(BASE.format(name="Keys") + extra)
    assert len(found) == loader.MAX_ERRORS + 1 == 101
    assert found[0].startswith("p.yaml:5:1: zz_unknown_0: unknown key 'zz_unknown_0'")
    assert found[99].startswith("p.yaml:104:1: zz_unknown_99: unknown key 'zz_unknown_99'")
    assert found[100] == (
        "p.yaml:105:1: ... and 200 more errors in this file; fix the ones above and run again"
    )


def test_exactly_the_cap_of_errors_is_told_without_a_count() -> None:
    extra = "".join(f"zz_unknown_{i}: 1\n" for i in range(100))
    found = errors_of(BASE.format(name="Keys") + extra)
    assert len(found) == 100
    assert found[-1].startswith("p.yaml:104:1: zz_unknown_99: unknown key")


@pytest.mark.parametrize("key", ["k{i}", "zz"], ids=["unknown", "repeated"])
def test_a_mapping_of_absurdly_many_keys_is_refused_while_it_is_read(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    # regression: 300,000 unknown keys took 30 s and 667 MB, 300,000 repeats of one key
    # 8 s and 494 MB, each reported on its own line; now reading stops at the cap
    monkeypatch.setattr(_yaml, "MAX_KEYS", 10)
    validated: list[object] = []
    monkeypatch.setattr(_portfolio, "problems_of", lambda *args: validated.append(args))
    extra = "".join(key.format(i=i) + ": 1\n" for i in range(20))
    assert errors_of("market:\n  customers: 4\n" + BASE.format(name="Keys") + extra) == [
        "p.yaml:1:1: a mapping of over 10 keys, far more than any problem file needs "
        "(a problem has about a dozen); check it is the right file"
    ]
    assert validated == []  # refused before any validation


def test_a_mapping_at_the_key_cap_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_yaml, "MAX_KEYS", 4)
    [problem] = load_text(BASE.format(name="Four") + "horizon_years: 3\n")
    assert problem.name == "Four"


# --- where and how errors are told


def test_an_error_inside_a_duplicated_key_is_located_in_the_value_that_was_read() -> None:
    # regression: the error in the second `solution:` pointed into the first one
    text = BASE.format(name="Twice") + "solution:\n  adoption: 500%\n"
    assert errors_of(text) == [
        "p.yaml:5:1: duplicate key 'solution' (first at line 3); each key may appear once, so "
        "remove one of them",
        "p.yaml:6:13: solution.adoption: 500% is over 100%; a share is at most 100%",
    ]


def test_an_unknown_key_written_twice_is_located_where_it_was_written_last(parser: str) -> None:
    # the duplicate says where the key was first; the unknown key points at the one read
    text = BASE.format(name="Twice") + "zz: 1\nzz: 2\n"
    assert errors_of(text) == [
        "p.yaml:6:1: duplicate key 'zz' (first at line 5); each key may appear once, so "
        "remove one of them",
        "p.yaml:6:1: zz: unknown key 'zz'; known keys: pmsize, name, description, currency, "
        "horizon_years, discount_rate, market, solution, alternatives, policy, correlations, "
        "scenarios",
    ]


def test_a_problem_named_in_defaults_is_located_at_its_item() -> None:
    text = "defaults:\n  name: Shared\nproblems:\n  - market: {customers: 4, problem_cost: 1}\n"
    [problem] = load_text(text + "    solution: {adoption: 1%}\n", "p.yaml")
    assert str(problem.source) == "p.yaml:4:5"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("~", "an empty value is not a whole number of years; write a number from 1 to 50"),
        ("['5']", "a list is not a whole number of years; write a number from 1 to 50"),
        (
            "3 to 7",
            "a horizon cannot be a range; write one whole number of years, such as 5, and try "
            "others in separate runs",
        ),
        # regression: an exponent, a scale or a separator was read as a number of years
        ("1e1", "1e1 is not a whole number of years; write a number from 1 to 50"),
        ("'1E1 years'", "1E1 years is not a whole number of years; write a number from 1 to 50"),
        ("0.01k", "0.01k is not a whole number of years; write a number from 1 to 50"),
        ("1_0", "1_0 is not a whole number of years; write a number from 1 to 50"),
        ("10.5", "10.5 is not a whole number of years; write a number from 1 to 50"),
    ],
)
def test_a_bad_horizon_is_described_in_words(value: str, message: str) -> None:
    # regression: `None is not a whole number`, `['5'] is not ...`
    text = f"horizon_years: {value}\n" + BASE.format(name="H")
    assert errors_of(text) == [f"p.yaml:1:16: horizon_years: {message}"]


@pytest.mark.parametrize(("value", "years"), [("5 years", 5), ("1 year", 1), ("7 Years", 7)])
def test_a_horizon_may_say_years(value: str, years: int) -> None:
    [problem] = load_text(f"horizon_years: {value}\n" + BASE.format(name="H"))
    assert problem.horizon_years == years


@pytest.mark.parametrize("document", ["~\n", "null\n", "--- ~\n"])
def test_a_null_document_is_named_for_what_it_is(parser: str, document: str) -> None:
    # regression: it was called "only comments"
    assert errors_of(document) == [
        "p.yaml:1:1: the file holds only an empty value (null); a problem file is a mapping "
        "of keys (name: ...)"
    ]


@pytest.mark.parametrize("where", ["first", "last", "nested"])
def test_a_key_too_long_for_yaml_is_told_as_such(parser: str, where: str) -> None:
    # regression: YAML reads a key of over 1,024 characters as no key, and the hint blamed
    # the indentation or a missing `:`
    key = "k" * 1100
    base = BASE.format(name="Long key")
    text, at = {
        "first": (f"{key}: 1\n{base}", "1:1"),
        "last": (f"{base}{key}: 1\n", "5:1"),
        "nested": (f"{base}  {key}: 1\n", "5:3"),
    }[where]
    assert errors_of(text) == [
        f"p.yaml:{at}: invalid YAML: a key over 1,024 characters, longer than YAML allows; "
        "shorten it"
    ]


def test_a_bad_adoption_item_is_named_with_its_index() -> None:
    text = BASE.format(name="Items").replace("adoption: 5%", "adoption: [1%, 2%, lots]")
    assert errors_of(text) == [
        "p.yaml:4:22: solution.adoption[2]: lots is not a percent; write a percent such as 10% "
        "(or a fraction such as 0.1)"
    ]


def test_a_bare_one_in_an_adoption_list_is_ambiguous() -> None:
    # regression: `adoption: [0.5, 1]` silently read 50% and 100%
    text = BASE.format(name="Ones").replace("adoption: 5%", "adoption: [0.5, 1]")
    assert errors_of(text) == [
        "p.yaml:4:19: solution.adoption[1]: 1 is ambiguous: write 1% for one in a hundred, or "
        "100% for all"
    ]


def test_an_adoption_list_written_without_brackets_gets_the_brackets_as_a_hint() -> None:
    text = BASE.format(name="Commas").replace("adoption: 5%", "adoption: 2%, 5%, 9%")
    assert errors_of(text) == [
        "p.yaml:4:13: solution.adoption: 2%, 5%, 9% is one text, not a list; write a list in "
        "brackets: [2%, 5%, 9%]"
    ]


def test_a_monthly_price_gets_the_yearly_figure_as_a_hint() -> None:
    text = BASE.format(name="Monthly") + "  price: $3,500/month\n"
    assert errors_of(text) == [
        "p.yaml:5:10: solution.price: $3,500/month: amounts are yearly figures (a price or "
        "cost is per customer a year); write $42,000"
    ]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("!!map [2%]", "1:14: YAML tag !!map is not allowed"),
        ("!!seq", "1:14: YAML tag !!seq is not allowed"),
        ("!!str x", "1:14: YAML tag !!str is not allowed"),
    ],
)
def test_explicit_tags_are_refused_even_core_ones(parser: str, written: str, message: str) -> None:
    # regression: core tags were accepted even where they contradict the node
    assert errors_of(f"description: {written}\n" + BASE.format(name="Tagged")) == [
        f"p.yaml:{message}; pmsize reads plain values only, so remove the tag"
    ]


def test_amounts_may_carry_the_files_iso_code_on_either_side() -> None:
    text = "currency: eur\n" + BASE.format(name="Euro").replace("$150k", "EUR 150k")
    [problem] = load_text(text + "  price: 40k eur\n")
    assert (problem.currency, problem.market.problem_cost) == ("EUR", 150e3)
    assert problem.solution.price == 40e3


def test_an_unknown_currency_gets_the_closest_codes() -> None:
    assert errors_of("currency: EUE\n" + BASE.format(name="C")) == [
        "p.yaml:1:11: currency: EUE is not an ISO 4217 currency code; did you mean EUR?"
    ]


def test_two_alternatives_of_one_name_are_refused_at_the_second() -> None:
    text = BASE.format(name="Alts") + (
        "alternatives:\n  - {name: Excel, annual_cost: 1k}\n  - {name: Excel, annual_cost: 2k}\n"
    )
    assert errors_of(text) == [
        "p.yaml:7:12: alternatives[1].name: alternative name `Excel` is already used by "
        "alternatives[0]; give each alternative its own name"
    ]


def test_a_problems_own_key_replacing_a_default_says_what_to_repeat() -> None:
    text = (
        "defaults:\n  market: {customers: 400, problem_cost: $150k}\n"
        "  solution: {adoption: 5%}\n"
        "problems:\n  - name: A\n    market: {problem_cost: $1m}\n"
        "  - name: B\n    market: {customers: 5}\n"
    )
    assert errors_of(text) == [
        "p.yaml:6:13: problems[0].market.customers: is required; add `customers:`, how many "
        "organisations have the problem; this problem's own `market:` replaces the whole "
        "`market` of `defaults:`; repeat customers here",
        "p.yaml:8:13: problems[1].market: give problem_cost (per customer a year), or revenue "
        "and problem_share; this problem's own `market:` replaces the whole `market` of "
        "`defaults:`; repeat problem_cost here",
    ]


# ------------------------------------------------------------ other YAML files in a folder

COMPOSE = 'version: "3"\nservices:\n  web: &web {image: nginx}\n  db: *web\n'


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "problems"
    folder.mkdir()
    claims = Path(__file__).resolve().parent.parent / "examples" / "claims-processing.yaml"
    (folder / "claims.yaml").write_bytes(claims.read_bytes())
    (folder / "docker-compose.yml").write_text(COMPOSE, encoding="utf-8")
    (folder / "playbook.yaml").write_text("- hosts: all\n  tasks: []\n", encoding="utf-8")
    return folder


def test_other_yaml_in_a_folder_is_skipped_with_one_note(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    with pytest.warns(SkippedPath) as caught:
        [problem] = loader.load_paths([str(folder)])
    assert problem.name == "Claims order processing"
    [note] = [str(w.message) for w in caught]
    assert note == (
        f"{folder / 'docker-compose.yml'}, {folder / 'playbook.yaml'} are not problem files "
        "(none of market, name, pmsize, problems, solution at the top), so they are not read"
    )


def test_a_file_named_is_always_a_problem_file_and_a_broken_one_is_still_an_error(
    tmp_path: Path,
) -> None:
    folder = _folder(tmp_path)
    with pytest.raises(InputErrors, match="anchor &web is not allowed"):
        loader.load_paths([str(folder / "docker-compose.yml")])
    # in the folder, a file with a problem's keys that is broken stays an error
    (folder / "broken.yaml").write_text("name: Broken\nmarket: {customers: -1}\n")
    with pytest.warns(SkippedPath), pytest.raises(InputErrors) as caught:
        loader.load_paths([str(folder)])
    assert {e.location.file for e in caught.value.errors} == {str(folder / "broken.yaml")}


def test_the_top_keys_are_read_without_building_anything() -> None:
    assert _yaml.top_keys(COMPOSE) == {"version", "services"}
    assert _yaml.top_keys("a: [1, {b: 2}]\nc: {d: [3]}\ne: 4\n") == {"a", "c", "e"}
    assert _yaml.top_keys("- a\n- b\n") == set()
    assert _yaml.top_keys("") is None
    assert _yaml.top_keys("a: [unclosed\n") is None


def test_the_projects_own_example_folders_evaluate_as_folders() -> None:
    root = Path(__file__).resolve().parent.parent
    for folder in (root / "examples", root / "docs" / "examples"):
        assert loader.load_paths([str(folder)])
