"""Schemas no value satisfies raise `UnsatisfiableSchema` with a path and a reason; and determinism."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reference_server._instances import GoalContext, UnsatisfiableSchema, generate_instance
from reference_server._regex_gen import PatternUnsupported, string_for_pattern

ROOT = Path(__file__).resolve().parents[2]

UNSATISFIABLE: list[tuple[str, Any, str, str, str]] = [
    # (id, schema, kind, schema_path, words in the reason)
    (
        "min-above-max",
        {"type": "integer", "minimum": 5, "maximum": 3},
        "contradictory",
        "",
        "greater than the maximum",
    ),
    (
        "exclusive-bounds-touch",
        {"type": "integer", "exclusiveMinimum": 3, "exclusiveMaximum": 4},
        "contradictory",
        "",
        "greater than the maximum",
    ),
    (
        "all-of-types",
        {"allOf": [{"type": "string"}, {"type": "integer"}]},
        "contradictory",
        "/allOf/1/type",
        "no value in common",
    ),
    (
        "required-forbidden",
        {"type": "object", "properties": {"a": {}}, "required": ["b"], "additionalProperties": False},
        "contradictory",
        "/additionalProperties",
        "'b' is forbidden",
    ),
    (
        "required-bad-name",
        {"type": "object", "required": ["ab"], "propertyNames": {"maxLength": 1}},
        "contradictory",
        "/propertyNames",
        "propertyNames",
    ),
    ("length", {"type": "string", "minLength": 5, "maxLength": 2}, "contradictory", "", "minLength 5"),
    (
        "enum-vs-const",
        {"allOf": [{"enum": ["a", "b"]}, {"const": "c"}]},
        "contradictory",
        "/allOf/1",
        "nothing in common",
    ),
    ("enum-vs-type", {"type": "integer", "enum": ["a", "b"]}, "contradictory", "", "enum/const"),
    (
        "false",
        {"type": "object", "properties": {"a": False}, "required": ["a"]},
        "contradictory",
        "/properties/a",
        "false",
    ),
    (
        "items-too-few",
        {"type": "array", "prefixItems": [{}], "items": False, "minItems": 2},
        "contradictory",
        "",
        "minItems 2",
    ),
    (
        "max-props",
        {"type": "object", "required": ["a", "b"], "maxProperties": 1},
        "contradictory",
        "",
        "maxProperties",
    ),
    (
        "multiple",
        {"type": "integer", "minimum": 1, "maximum": 4, "multipleOf": 5},
        "contradictory",
        "",
        "multiple of 5",
    ),
    (
        "endless-recursion",
        {
            "$defs": {"a": {"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}, "required": ["a"]}},
            "$ref": "#/$defs/a",
        },
        "contradictory",
        "/$defs/a/properties/a",
        "recurses without end",
    ),
    ("remote-ref", {"$ref": "https://example.com/schema.json"}, "unsupported", "", "cannot be resolved"),
    (
        "lookahead",
        {"type": "string", "pattern": "^(?=.*[0-9])(?=.*[A-Z]).{8}$"},
        "unsupported",
        "",
        "cannot build a string",
    ),
    (
        "ecma-only-regex",
        {"type": "string", "pattern": "^\\p{L}+$"},
        "invalid",
        "/pattern",
        "is not a 'regex'",
    ),
    ("unknown-type", {"type": "strin"}, "invalid", "/type", "not valid JSON Schema"),
    ("bad-min-items", {"type": "array", "minItems": -1}, "invalid", "/minItems", "not valid JSON Schema"),
    ("huge", {"type": "array", "minItems": 10**6}, "unsupported", "", "more than the generator builds"),
    (
        "one-of-overlap",
        {"oneOf": [{"type": "string"}, {"type": "string"}]},
        "unsupported",
        "/oneOf",
        "also matches another oneOf branch",
    ),
]


@pytest.mark.parametrize(
    ("schema", "kind", "path", "words"), [u[1:] for u in UNSATISFIABLE], ids=[u[0] for u in UNSATISFIABLE]
)
def test_unsatisfiable_schemas_raise_a_typed_error(schema: Any, kind: str, path: str, words: str) -> None:
    with pytest.raises(UnsatisfiableSchema) as info:
        generate_instance(schema, GoalContext(goal="anything at all"))
    assert info.value.kind == kind
    assert info.value.schema_path == path
    assert words in info.value.reason


def test_error_carries_the_instance_path_and_the_context_segments() -> None:
    schema = {
        "$defs": {
            "Hotel": {
                "type": "object",
                "properties": {"price": {"type": "number", "minimum": 10, "maximum": 5}},
                "required": ["price"],
            }
        },
        "type": "object",
        "properties": {"hotels": {"type": "array", "items": {"$ref": "#/$defs/Hotel"}, "minItems": 1}},
        "required": ["hotels"],
    }
    with pytest.raises(UnsatisfiableSchema) as info:
        generate_instance(schema)
    err = info.value
    assert (err.instance_path, err.schema_path) == ("$.hotels[0].price", "/$defs/Hotel/properties/price")
    assert err.context == ("$defs", "Hotel", "properties", "price")
    assert (
        str(err) == "the minimum (10) is greater than the maximum (5) (schema /$defs/Hotel/properties/price)"
    )


def test_optional_property_that_cannot_be_built_is_left_out() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer", "minimum": 5, "maximum": 3}, "b": {"type": "string"}},
    }
    assert generate_instance(schema, GoalContext(goal="a is 4", include_optional=True)) == {"b": "4"}


def test_not_json_is_an_invalid_schema() -> None:
    with pytest.raises(UnsatisfiableSchema) as info:
        generate_instance({"type": "string", "default": object()})
    assert info.value.kind == "invalid"


def test_regex_generator_reports_what_it_cannot_do() -> None:
    with pytest.raises(PatternUnsupported, match="more than maxLength 2"):
        string_for_pattern("^[a-z]{5}$", max_length=2)
    assert string_for_pattern("abc", min_length=6) == "abcxxx"
    assert string_for_pattern("^(foo|bar)+$", min_length=7) == "foofoofoo"


# -- determinism --------------------------------------------------------------------------------

_SAMPLE = """
import hashlib, json, pathlib, sys
from reference_server._instances import GoalContext, generate_instance
digest = hashlib.sha256()
for path in sorted(pathlib.Path("fixtures/schemas").rglob("*.json"))[::7]:
    value = generate_instance(json.loads(path.read_text()), GoalContext(goal=sys.argv[1], plan_actions=("type", "click")))
    digest.update(json.dumps(value, ensure_ascii=False).encode())
print(digest.hexdigest())
"""


def _corpus_digest(goal: str) -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "fixtures/schemas").rglob("*.json"))[::7]:
        value = generate_instance(
            json.loads(path.read_text()), GoalContext(goal=goal, plan_actions=("type", "click"))
        )
        digest.update(json.dumps(value, ensure_ascii=False).encode())
    return digest.hexdigest()


@pytest.mark.slow
def test_same_inputs_give_the_same_bytes_in_another_process() -> None:
    """Another string-hash seed (PYTHONHASHSEED) changes set order; the values must not change."""
    goal = "Ship 3 boxes to Boston and Paris on May 2, notify ana@example.org"
    here = _corpus_digest(goal)
    assert _corpus_digest(goal) == here
    seed = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(
        [sys.executable, "-c", _SAMPLE, goal], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == here


def test_the_goal_changes_the_value() -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    assert generate_instance(schema, GoalContext(goal="in Rome")) != generate_instance(
        schema, GoalContext(goal="in Oslo")
    )
