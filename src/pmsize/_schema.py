"""The JSON Schema of the problem file, for editors (`pmsize schema`, pmsize.schema.json).

Each field's schema mirrors its parser in `values` (amount strings by pattern,
written in the ECMA-262 subset editors understand), and `SCHEMA_GAPS` lists the
few rules only the loader can check. The models in `models` name their fields'
schemas (`values.Schema("Amount")`); this module, imported only when a schema is
asked for, builds them, so that loading a problem file never spends time on it.
"""

from __future__ import annotations

from typing import Any

from pmsize import _values as values
from pmsize._models import ALTERNATIVE_KINDS, MAX_HORIZON, Problem

# ---------------------------------------------------------------------------------------------
# Fragments for the value grammar of `values` (no inline flags or named groups:
# yaml-language-server evaluates patterns as JavaScript regular expressions).
# ---------------------------------------------------------------------------------------------


def _ci(word: str) -> str:
    """`word` in any case; its other characters (the `-` of `open-source`) as they are."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def _choice(words: tuple[str, ...], description: str) -> dict[str, Any]:
    """One of `words` in any case, as `values.parse_choice` reads it (`Vendor`, ` normal`).
    The enum alone would have an editor flag `kind: Vendor`, which pmsize reads: the schema
    follows the loader here, as `Currency` does, with the pattern; the enum stays for what
    editors offer to complete, the canonical words that JSON output writes."""
    pattern = rf"^\s*(?:{'|'.join(_ci(w) for w in words)})\s*$"
    return {
        "anyOf": [{"enum": list(words)}, {"type": "string", "pattern": pattern}],
        "description": description,
    }


_SCALE = "(?:" + "|".join(_ci(w) for w in sorted(values.SCALES, key=len, reverse=True)) + ")"
# digits: grouped by commas, or with underscores; no leading zero on a whole number (octal in 1.1)
# (separators only between digits)
_WHOLE = r"(?:0(?:_[0-9]+)*|[1-9][0-9]*(?:_[0-9]+)*|(?:0|[1-9][0-9]{0,2})(?:,[0-9]{3})+)"
_DECIMAL = r"(?:[0-9]+(?:_[0-9]+)*\.[0-9]*|[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]*|\.[0-9]+)"
_NONZERO = r"(?=[-+\s$€£¥A-Za-z]*[0-9_,.]*[1-9])"  # a digit 1-9 before the number ends
_CODE = "[A-Za-z]{3}"  # the file's ISO code, before or after the number
_AMOUNT_NUMBER = rf"\+?(?:{_DECIMAL}|{_WHOLE})(?:[eE][-+]?[0-9]+)?(?:\s*{_SCALE})?"
# the ISO code stands before or after the number instead of a symbol: never twice, never both
_AMOUNT_TEXT = (
    rf"(?:{_CODE}\s*\+?\s*{_AMOUNT_NUMBER}"
    rf"|\+?\s*[$€£¥]\s*{_AMOUNT_NUMBER}"
    rf"|\+?\s*{_AMOUNT_NUMBER}(?:\s+{_CODE})?)"
)
_COUNT_TEXT = rf"\+?\s*(?:{_DECIMAL}|{_WHOLE})(?:[eE][-+]?[0-9]+)?(?:\s*{_SCALE})?"
_PERCENT_SIGN = r"\+?\s*(?:0*100(?:\.0*)?|0*[0-9]{1,2}(?:\.[0-9]*)?|0*\.[0-9]+)\s*%"
_PERCENT_SIGN_BELOW_100 = r"\+?\s*(?:0*[0-9]{1,2}(?:\.[0-9]*)?|0*\.[0-9]+)\s*%"
# a bare 1 is refused as ambiguous (1% or 100%?): fractions are below 1
_FRACTION = r"\+?(?:0|0*\.[0-9]+|0+\.[0-9]*)"
_FRACTION_BELOW_1 = r"\+?(?:0|0*\.[0-9]+|0+\.[0-9]*)"
_TO = r"\s+[tT][oO]\s+"
# a signed yearly growth: any percent above -100% (`-5%`, `8%`, `150%`), or a fraction
_GROWTH_TEXT = (
    r"(?:\+?\s*(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*%"
    r"|-\s*(?:0*[0-9]{1,2}(?:\.[0-9]*)?|0*\.[0-9]+)\s*%"
    r"|[-+]?(?:0|0*\.[0-9]+|0+\.[0-9]*))"
)


def _point_text(kind: values.Kind, *, positive: bool = False, below_one: bool = False) -> str:
    """The pattern of one value written as text, without anchors."""
    if kind == "percent":
        sign, fraction = (
            (_PERCENT_SIGN_BELOW_100, _FRACTION_BELOW_1)
            if below_one
            else (_PERCENT_SIGN, _FRACTION)
        )
        body = f"(?:{sign}|{fraction})"
    else:
        body = _AMOUNT_TEXT if kind == "amount" else _COUNT_TEXT
    return (_NONZERO if positive else "") + body


def _point(kind: values.Kind, *, positive: bool = False, below_one: bool = False) -> dict[str, Any]:
    """One value: a number, or text matching the grammar."""
    number: dict[str, Any] = {"type": "number"}
    number["exclusiveMinimum" if positive else "minimum"] = 0
    if kind != "percent":
        number["maximum"] = values.MAX_VALUE
    else:
        number["exclusiveMaximum"] = 1  # a bare 1 is ambiguous: 1% or 100%?
    text = _point_text(kind, positive=positive, below_one=below_one)
    return {"anyOf": [number, {"type": "string", "pattern": rf"^\s*{text}\s*$"}]}


def _quantity_schema(
    kind: values.Kind, description: str, *, positive: bool = False, below_one: bool = False
) -> dict[str, Any]:
    """A value or a range of values (`low to high`, or `{low, high, dist}`)."""
    point = _point(kind, positive=positive, below_one=below_one)
    low_positive = _point(kind, positive=True, below_one=below_one)
    high = _point_text(kind, below_one=below_one)
    low = _point_text(kind, positive=True, below_one=below_one)
    range_map: dict[str, Any] = {
        "type": "object",
        "properties": {"low": point, "high": point, "dist": {"$ref": "#/$defs/Dist"}},
        "required": ["low", "high"],
        "additionalProperties": False,
        # an unnamed shape is lognormal, which needs low above 0 (`dist:` in any case)
        "if": {"properties": {"dist": {"pattern": rf"^\s*{_ci('lognormal')}\s*$"}}},
        "then": {"properties": {"low": low_positive}},
    }
    range_text = {"type": "string", "pattern": rf"^\s*{low}{_TO}{high}\s*$"}
    schema: dict[str, Any] = {"anyOf": [*point["anyOf"], range_text, range_map]}
    if description:
        schema["description"] = description
    return schema


_TEXT_SCHEMA: dict[str, Any] = {"type": ["string", "number", "boolean"], "pattern": r"\S"}
# Named schemas: `json_schema()` moves each into $defs and refers to it where it is used.
SCHEMA_DEFS: dict[str, dict[str, Any]] = {
    "Amount": _quantity_schema("amount", "An amount of money: 250k, $5m, 1.2bn, or a range"),
    "Percent": _quantity_schema(
        "percent", "A share: 10% or 0.1 (a bare 1 is ambiguous: write 1% or 100%), or a range"
    ),
    "Rate": _quantity_schema("percent", "A yearly rate below 100%: 10% or 0.1", below_one=True),
    "Relief": _quantity_schema(
        "percent", "The share of the problem removed, above 0%", positive=True
    ),
    "Count": _quantity_schema("count", "A count: 400, 1,200, 40k, or a range"),
    "Share": _quantity_schema("percent", "A share: 10% or 0.1, or a range", below_one=False)
    | {
        "description": "A share of customers paying: 2% or 0.02 (a bare 1 is ambiguous: "
        "write 1% or 100%), or a range"
    },
    "Threshold": _point("percent")
    | {"description": "A share: 10% or 0.1 (a bare 1 is ambiguous: write 1% or 100%)"},
    # an ROI, not a share: over 100% with the percent sign (`150%`); a bare number stays below 1
    "RoiThreshold": {
        "anyOf": [
            {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
            {"type": "string", "pattern": rf"^\s*(?:{_COUNT_TEXT}\s*%|{_FRACTION})\s*$"},
        ],
        "description": "An ROI from 0 up: 20%, 150% or 0.2 (a bare number is below 1; "
        "write 150%, not 1.5)",
    },
    "Text": _TEXT_SCHEMA,
    "Dist": _choice(
        values.DISTS, "The shape of a range: lognormal (unless named), normal or uniform"
    ),
}
_GROWTH_POINT: dict[str, Any] = {
    "anyOf": [
        {"type": "number", "exclusiveMinimum": -1, "exclusiveMaximum": 1},
        {"type": "string", "pattern": rf"^\s*{_GROWTH_TEXT}\s*$"},
    ]
}


def _by_year(name: str, description: str) -> dict[str, Any]:
    """One value, or a per-year list of them whose last repeats (SPEC §7)."""
    one = SCHEMA_DEFS[name]
    return {
        "anyOf": [one, {"type": "array", "minItems": 1, "maxItems": MAX_HORIZON, "items": one}],
        "description": description + "; the last value repeats",
    }


# The schemas of single fields, written where they are used rather than under $defs.
FIELD_SCHEMAS: dict[str, dict[str, Any]] = {
    "Adoption": {
        "anyOf": [
            SCHEMA_DEFS["Share"],
            {"type": "array", "minItems": 1, "items": SCHEMA_DEFS["Share"]},
        ],
        "description": "Share of customers paying in year 1, 2, ...; the last repeats",
    },
    "Growth": {
        "anyOf": [
            *_GROWTH_POINT["anyOf"],
            {"type": "string", "pattern": rf"^\s*{_GROWTH_TEXT}{_TO}{_GROWTH_TEXT}\s*$"},
            {
                "type": "object",
                "properties": {
                    "low": _GROWTH_POINT,
                    "high": _GROWTH_POINT,
                    "dist": {"$ref": "#/$defs/Dist"},
                },
                "required": ["low", "high"],
                "additionalProperties": False,
            },
        ],
        "description": "Yearly growth of customers, signed and above -100%: 8%, -5% or 0.08, "
        "or a range",
    },
    "FromYear": {
        "anyOf": [
            {"type": "integer", "minimum": 1, "maximum": MAX_HORIZON},
            {"type": "string", "pattern": r"^\s*\+?[1-9][0-9]?(?:\.0*)?\s*$"},
        ],
        "description": "The year the alternative becomes available, 1 to horizon_years",
    },
    "AmountByYear": _by_year(
        "Amount",
        "An amount, or a list of one a year from the year the alternative arrives "
        "([$150k, $120k]: $150k in its from_year, then $120k)",
    ),
    "PercentByYear": _by_year(
        "Percent",
        "A share, or a list of one a year from the year the alternative arrives "
        "([60%, 75%, 90%]: 60% in its from_year, then 75%, then 90%)",
    ),
    "Correlations": {
        "anyOf": [
            {
                "type": "object",
                # `A ~ B`: two input paths (SPEC §13), as `_pairs.parse` reads them
                "patternProperties": {
                    r"^\s*[^~]*[^\s~]\s*~\s*[^\s~][^~]*$": {
                        "anyOf": [
                            {"type": "number", "exclusiveMinimum": -1, "exclusiveMaximum": 1},
                            {"type": "string", "pattern": r"^\s*[-+]?(?:0*\.[0-9]+|0+\.?)\s*$"},
                        ]
                    }
                },
                "additionalProperties": False,
            },
            {"type": "null"},
        ],
        "description": "Spearman rank correlations between ranged inputs, one pair a line: "
        "`market.problem_cost ~ solution.solves: 0.6`, each in (-1, 1); unlisted pairs are 0",
    },
    "Scenarios": {
        "anyOf": [
            {
                "type": "object",
                # `base` names the file as written (`_models/_scenarios.py`)
                "propertyNames": {"not": {"pattern": r"^\s*[bB][aA][sS][eE]\s*$"}},
                "additionalProperties": {
                    "type": "object",
                    "properties": {
                        "probability": {"$ref": "#/$defs/Threshold"},
                        "set": {
                            "type": "object",
                            "minProperties": 1,
                            "description": "Input paths and their values, as the file "
                            "writes them: `solution.adoption: [1%, 2%, 3%]`",
                        },
                    },
                    "required": ["set"],
                    "additionalProperties": False,
                },
            },
            {"type": "null"},
        ],
        "description": "Named cases beside the file as written (the case named base): each "
        "sets values at input paths (`set:`), with an optional probability; the "
        "probabilities add up to 100% at most, the base case has the rest",
    },
    "Version": {"anyOf": [{"const": 1}, {"const": "1"}]},
    "Currency": {"type": "string", "pattern": r"^\s*[A-Za-z]{3}\s*$"},
    "AlternativeKind": _choice(
        ALTERNATIVE_KINDS, "What the alternative is: open-source, vendor, in-house, manual or other"
    ),
    "Years": {
        "anyOf": [
            {"type": "integer", "minimum": 1, "maximum": MAX_HORIZON},
            {
                "type": "string",
                "pattern": r"^\s*\+?(?:[1-9]|[1-4][0-9]|50)(?:\.0*)?"
                r"(?:\s+[yY][eE][aA][rR][sS]?)?\s*$",
            },
        ]
    },
}


def field_schema(name: str) -> dict[str, Any]:
    """The schema a field marked `values.Schema(name)` has: a copy, to be changed freely."""
    found = SCHEMA_DEFS.get(name) or FIELD_SCHEMAS[name]
    return dict(found)


def _given(key: str) -> dict[str, Any]:
    return {"required": [key], "properties": {key: {"not": {"type": "null"}}}}


def _absent(key: str) -> dict[str, Any]:
    return {"properties": {key: {"type": "null"}}}


# `market:` gives problem_cost, or revenue and problem_share (`models.cross_checks`);
# pydantic adds it to the Market model's schema (`_market_rule` in `models/_parts.py`)
MARKET_RULE = {
    "oneOf": [
        {"allOf": [_given("problem_cost"), _absent("revenue"), _absent("problem_share")]},
        {"allOf": [_absent("problem_cost"), _given("revenue"), _given("problem_share")]},
    ]
}


# ---------------------------------------------------------------------------------------------
# The whole schema: a single problem, or a portfolio (`problems:` with `defaults:` and `policy:`)
# ---------------------------------------------------------------------------------------------

SCHEMA_ID = "https://raw.githubusercontent.com/pmsize/pmsize/main/pmsize.schema.json"

# What only the loader checks: rules between values or about how YAML text is written.
SCHEMA_GAPS = (
    "a range's low end below its high end",
    "currency symbols and codes that match `currency`",
    "a `currency` that ISO 4217 lists",
    "unique alternative names within a problem",
    "per-year lists no longer than the years they cover (adoption: horizon_years; an "
    "alternative's costs and solves: the years from its from_year on), and from_year within "
    "the horizon",
    "unique problem names in a portfolio",
    "correlations between ranged inputs of the problem, each pair once, that can hold together",
    "scenarios named once (ignoring case), each setting inputs of the problem to values "
    "the file could hold, with a probability for every scenario or for none, adding up to "
    "100% at most",
    "amounts over a quadrillion written as text",
    "YAML written in ways editors read differently: duplicate keys, anchors, tags, "
    "octal-looking numbers such as 012, .nan",
)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a problem file, single or portfolio, generated from the models."""
    problem = _refer_to_named(Problem.model_json_schema())
    defs: dict[str, Any] = problem.pop("$defs") | SCHEMA_DEFS
    defs["Problem"] = problem
    fields = problem["properties"]
    for key in ("alternatives", "policy"):  # written with nothing under it: none, defaults
        fields[key] = {"anyOf": [fields[key], {"type": "null"}]}
    required = problem["required"]
    defs["ProblemDefaults"] = {
        "type": "object",
        "description": "Any top-level problem field, applied key by key to every problem",
        "properties": fields,
        "additionalProperties": False,
    }
    item: dict[str, Any] = {
        "type": "object",
        "description": "A problem; keys it leaves out come from `defaults:`",
        "properties": fields,
        "additionalProperties": False,
        "allOf": [
            {
                "if": {
                    "properties": {"defaults": {"type": "object", "required": [key]}},
                    "required": ["defaults"],
                },
                "else": {"properties": {"problems": {"items": {"required": [key]}}}},
            }
            for key in required
        ],
    }
    conditions = item.pop("allOf")
    defs["PortfolioProblem"] = item
    defs["Portfolio"] = {
        "type": "object",
        "title": "Portfolio",
        "description": "Several problems, with shared defaults and policy",
        "properties": {
            "pmsize": fields["pmsize"],
            "problems": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/$defs/PortfolioProblem"},
            },
            "defaults": {"anyOf": [{"$ref": "#/$defs/ProblemDefaults"}, {"type": "null"}]},
            "policy": {"anyOf": [{"$ref": "#/$defs/Policy"}, {"type": "null"}]},
        },
        "required": ["problems"],
        "additionalProperties": False,
        "allOf": conditions,
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "pmsize problem file",
        "description": (
            "A pmsize problem file (format version 1): one product problem to size, "
            "or a portfolio. "
            "`pmsize validate` also checks: " + "; ".join(SCHEMA_GAPS) + "."
        ),
        "if": {"type": "object", "required": ["problems"]},
        "then": {"$ref": "#/$defs/Portfolio"},
        "else": {"$ref": "#/$defs/Problem"},
        "$defs": dict(sorted(defs.items())),
    }


_ANNOTATIONS = ("default", "title")


def _sorted(node: dict[str, Any]) -> dict[str, Any]:
    from pydantic.json_schema import GenerateJsonSchema

    sorted_node: dict[str, Any] = GenerateJsonSchema().sort(node)
    return sorted_node


def _refer_to_named(node: Any) -> Any:
    """`node` with each field's mark (`values.Schema`) and the market's replaced by their
    schemas, and every copy of a `SCHEMA_DEFS` schema replaced by a $ref to it."""
    if isinstance(node, list):
        return [_refer_to_named(item) for item in node]
    if not isinstance(node, dict):
        return node
    if values.SCHEMA_MARK in node:  # sorted as pydantic sorts what it generates
        rest = {k: v for k, v in node.items() if k != values.SCHEMA_MARK}
        node = _sorted(field_schema(node[values.SCHEMA_MARK]) | rest)
    if values.MARKET_RULE_MARK in node:
        rest = {k: v for k, v in node.items() if k != values.MARKET_RULE_MARK}
        node = _sorted(rest | MARKET_RULE)
    bare = {k: v for k, v in node.items() if k not in _ANNOTATIONS}
    for name, schema in SCHEMA_DEFS.items():
        if bare == schema:
            notes = {k: node[k] for k in _ANNOTATIONS if k in node}
            return {"$ref": f"#/$defs/{name}", **notes}
    return {key: _refer_to_named(value) for key, value in node.items()}
