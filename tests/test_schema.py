"""`pmsize schema`: the JSON Schema editors use accepts exactly what the loader accepts.

The round trip runs both ways over generated documents, sound and spoiled: whatever
the schema accepts loads (except the few rules between values that a schema cannot
state, each named in `schema.SCHEMA_GAPS`), and whatever loads the schema accepts.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from pmsize import _schema as schema
from pmsize import _values as values
from pmsize._errors import InputError, InputErrors
from pmsize._loader import load_text
from pmsize.cli import app
from strategies import documents, examples, problems, to_yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "pmsize.schema.json"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
MODELINE = "# yaml-language-server: $schema=../pmsize.schema.json"
VALIDATOR = jsonschema.Draft7Validator(schema.json_schema())

# Loader messages for the rules the schema leaves to `pmsize validate` (schema.SCHEMA_GAPS).
GAP_MESSAGES = re.compile(
    "low end must be below|must be below high|both ends are equal|is written in \\S+ but"
    "|horizon_years is|over a quadrillion|names must be unique|is not an ISO 4217"
    "|is already used by"
)


def editor_view(text: str) -> Any:
    """YAML as an editor's language server reads it: the YAML 1.2 core schema."""

    def value(node: Any) -> Any:
        if isinstance(node, yaml.MappingNode):
            return {value(k): value(v) for k, v in node.value}
        if isinstance(node, yaml.SequenceNode):
            return [value(item) for item in node.value]
        text = node.value
        if node.style is not None:
            return text
        if re.fullmatch(r"null|Null|NULL|~|", text):
            return None
        if re.fullmatch(r"true|True|TRUE|false|False|FALSE", text):
            return text.lower() == "true"
        if re.fullmatch(r"[-+]?[0-9]+", text):
            return int(text)
        if re.fullmatch(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", text):
            return float(text)
        return text

    return value(yaml.compose(text, Loader=yaml.SafeLoader))


def loads(data: Any) -> list[str]:
    """The loader's messages for `data` written as YAML; empty when it loads."""
    try:
        load_text(to_yaml(data))
    except InputErrors as exc:
        return [e.message for e in exc.errors]
    except InputError as exc:
        return [exc.message]
    return []


def test_schema_command_prints_the_shipped_file() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert result.stdout == SCHEMA_FILE.read_text(encoding="utf-8")


def test_schema_is_a_valid_draft_7_schema() -> None:
    jsonschema.Draft7Validator.check_schema(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_is_valid_and_names_the_schema(example: Path) -> None:
    text = example.read_text(encoding="utf-8")
    assert text.splitlines()[0] == MODELINE
    assert list(VALIDATOR.iter_errors(editor_view(text))) == []


def test_the_starter_file_is_valid() -> None:
    from pmsize import _starter as starter

    assert list(VALIDATOR.iter_errors(editor_view(starter.text()))) == []


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        (("market", "problem_share"), 10),
        (("market", "revenue"), "-$100m"),
        (("solution", "solves"), "0%"),
        (("discount_rate",), "100%"),
        (("horizon_years",), 51),
        (("alternatives", 0, "kind"), "saas"),
        (("market", "problem_cost"), "$10m"),  # together with revenue and problem_share
        (("solution", "colour"), "blue"),
        (("market", "customers"), "012"),
        (("market", "customers"), True),
    ],
)
def test_schema_rejects_a_spoiled_example(path: tuple[Any, ...], bad: Any) -> None:
    data = editor_view((ROOT / "examples" / "claims-processing.yaml").read_text(encoding="utf-8"))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = bad
    assert not VALIDATOR.is_valid(data)
    assert loads(data) != []


@pytest.mark.parametrize(
    ("path", "written", "valid"),
    [
        (("alternatives", 0, "kind"), "Vendor", True),
        (("alternatives", 0, "kind"), "OPEN-SOURCE", True),
        (("alternatives", 0, "kind"), "vender", False),
        (("solution", "build_cost"), {"low": "$5k", "high": "$9k", "dist": "Normal"}, True),
        (("solution", "build_cost"), {"low": 0, "high": "$9k", "dist": "Uniform"}, True),
        # a lognormal range needs low above 0, whatever case names it
        (("solution", "build_cost"), {"low": 0, "high": "$9k", "dist": "LogNormal"}, False),
        (("solution", "build_cost"), {"low": "$5k", "high": "$9k", "dist": "normel"}, False),
    ],
)
def test_a_choice_in_any_case_is_valid_in_an_editor_as_it_loads(
    path: tuple[Any, ...], written: Any, valid: bool
) -> None:
    # the schema's enums alone flagged `kind: Vendor`, which the loader reads as vendor
    data = editor_view((ROOT / "examples" / "claims-processing.yaml").read_text(encoding="utf-8"))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = written
    assert VALIDATOR.is_valid(data) is valid
    assert (loads(data) == []) is valid


def test_editors_complete_a_choice_from_its_canonical_words() -> None:
    shipped = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    kind = shipped["$defs"]["Alternative"]["properties"]["kind"]
    assert kind["anyOf"][0] == {"enum": ["open-source", "vendor", "in-house", "manual", "other"]}
    assert shipped["$defs"]["Dist"]["anyOf"][0] == {"enum": ["lognormal", "normal", "uniform"]}


def test_a_portfolio_is_accepted_and_a_problem_without_a_default_must_name_it() -> None:
    portfolio = {
        "defaults": {"market": {"customers": 400, "problem_cost": "$150k"}},
        "problems": [{"name": "One", "solution": {"adoption": "5%"}}],
        "policy": {"cap_threshold": "40%"},
    }
    assert VALIDATOR.is_valid(portfolio)
    assert loads(portfolio) == []
    del portfolio["defaults"]
    assert not VALIDATOR.is_valid(portfolio)
    assert loads(portfolio) != []


@settings(max_examples=examples(50), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_schema_and_loader_agree_on_every_document(data: dict[str, Any]) -> None:
    errors = loads(data)
    if VALIDATOR.is_valid(data):
        # a document the schema accepts loads, unless a rule between values stops it
        assert all(GAP_MESSAGES.search(e) for e in errors), errors
    else:
        assert errors != [], [e.message for e in VALIDATOR.iter_errors(data)]


@settings(max_examples=examples(20), deadline=None)
@given(problems())
def test_every_sound_problem_is_valid_under_the_schema(data: dict[str, Any]) -> None:
    assert loads(data) == []
    assert list(VALIDATOR.iter_errors(editor_view(to_yaml(data)))) == []


def test_amount_numbers_are_capped_like_the_loader() -> None:
    assert not VALIDATOR.is_valid(
        {
            "name": "Big",
            "market": {"customers": 1, "problem_cost": 1e16},
            "solution": {"adoption": 0.1},
        }
    )
    assert not math.isnan(values.MAX_VALUE)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_every_pattern_is_a_javascript_regular_expression() -> None:
    # yaml-language-server runs patterns as JavaScript; Python-only syntax would break it
    script = (
        "const s = require(process.argv[1]); const bad = [];"
        "(function walk(x) { if (x && typeof x === 'object')"
        " for (const [k, v] of Object.entries(x)) {"
        " if (k === 'pattern') { try { new RegExp(v, 'u'); } catch (e) { bad.push(v); } }"
        " else walk(v); } })(s); console.log(JSON.stringify(bad));"
    )
    out = subprocess.run(
        ["node", "-e", script, str(SCHEMA_FILE)], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == []


@pytest.mark.parametrize(
    ("key", "value", "valid"),
    [
        ("problem_cost", "USD 150k", True),
        ("problem_cost", "150k usd", True),
        ("problem_cost", "1.5mn", True),
        ("problem_cost", "1_000_000", True),
        ("problem_cost", "1__0", False),
        ("problem_cost", "1000_", False),
        ("problem_share", "1", False),
        ("problem_share", 1, False),
        ("problem_share", "0.5", True),
        ("horizon_years", "5 years", True),
        ("horizon_years", "1 year", True),
        ("horizon_years", "3 to 7", False),
    ],
)
def test_schema_and_loader_agree_on_the_grammar_of_section_2(
    key: str, value: Any, valid: bool
) -> None:
    data: dict[str, Any] = {
        "name": "Grammar",
        "market": {"customers": 400, "revenue": "$10m", "problem_share": "1%"},
        "solution": {"adoption": "5%"},
    }
    if key == "horizon_years":
        data[key] = value
    elif key == "problem_share":
        data["market"][key] = value
    else:
        data["market"] = {"customers": 400, "problem_cost": value}
    assert (loads(data) == []) is valid
    assert VALIDATOR.is_valid(editor_view(to_yaml(data))) is valid


def test_loading_a_problem_does_not_build_the_schema() -> None:
    # the schema is built in `pmsize._schema`, which only `pmsize schema` needs
    code = (
        "import sys\n"
        "from pmsize._loader import load_text\n"
        f"load_text({(ROOT / 'examples' / 'claims-processing.yaml').read_text()!r})\n"
        "print('pmsize._schema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["False"]
