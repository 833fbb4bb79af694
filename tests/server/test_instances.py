"""The instance generator keyword by keyword: each test states the schema and what the value must be."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from reference_server._instances import GoalContext, generate_instance

WEATHER = GoalContext(goal="What is the weather in Boston and Paris for 3 days in fahrenheit?")


def generate(schema: Any, goal: str = "", **context: Any) -> Any:
    """Generate, and check the value against the schema's own draft with formats asserted."""
    value = generate_instance(schema, GoalContext(goal=goal, **context))
    cls = validator_for(schema, default=Draft202012Validator)
    errors = list(cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(value))
    assert not errors, errors[0].message
    return value


# -- $ref ---------------------------------------------------------------------------------------


def test_nested_model_through_defs_is_an_object_not_a_string() -> None:
    schema = {
        "$defs": {
            "Address": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
        },
        "type": "object",
        "properties": {"home": {"$ref": "#/$defs/Address"}},
        "required": ["home"],
    }
    assert generate(schema, "I live in Lisbon") == {"home": {"city": "Lisbon"}}


def test_draft7_definitions_and_escaped_pointers() -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {
            "a/b": {"type": "integer", "minimum": 7},
            "c~d": {"type": "boolean"},
            "e%f": {"const": "x"},
        },
        "type": "object",
        "properties": {
            "slash": {"$ref": "#/definitions/a~1b"},
            "tilde": {"$ref": "#/definitions/c~0d"},
            "percent": {"$ref": "#/definitions/e%25f"},
        },
        "required": ["slash", "tilde", "percent"],
    }
    assert generate(schema) == {"slash": 7, "tilde": False, "percent": "x"}


def test_anchor_and_embedded_id() -> None:
    schema = {
        "$id": "https://example.com/root.json",
        "type": "object",
        "properties": {"a": {"$ref": "#token"}, "b": {"$ref": "item.json"}},
        "required": ["a", "b"],
        "$defs": {
            "t": {"$anchor": "token", "type": "string", "pattern": "^[a-f0-9]{8}$"},
            "i": {
                "$id": "item.json",
                "type": "array",
                "items": {"$ref": "#/$defs/n"},
                "$defs": {"n": {"type": "null"}},
            },
        },
    }
    value = generate(schema)
    assert re.fullmatch("[a-f0-9]{8}", value["a"])
    assert value["b"] == [None]


def test_ref_siblings_apply_in_2020_12() -> None:
    schema = {"$defs": {"n": {"type": "integer"}}, "$ref": "#/$defs/n", "minimum": 40, "maximum": 41}
    assert generate(schema) in (40, 41)


def test_recursive_schema_ends_at_the_depth_guard() -> None:
    node = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
        },
        "required": ["name", "children"],
    }
    value = generate({"$defs": {"node": node}, "$ref": "#/$defs/node"}, "org chart")
    assert value["children"]
    assert value["children"][0]["children"] == []


def test_recursive_union_takes_the_null_branch_when_deep() -> None:
    link = {
        "type": "object",
        "properties": {
            "value": {"type": "number"},
            "next": {"anyOf": [{"$ref": "#/$defs/link"}, {"type": "null"}]},
        },
        "required": ["value", "next"],
        "additionalProperties": False,
    }
    value = generate({"$defs": {"link": link}, "$ref": "#/$defs/link"})
    assert value["next"]["next"] is None


# -- combinators ----------------------------------------------------------------------------------


def test_all_of_merges_properties_required_and_bounds() -> None:
    schema = {
        "allOf": [
            {"type": "object", "properties": {"a": {"type": "integer", "minimum": 3}}, "required": ["a"]},
            {
                "properties": {"a": {"maximum": 3}, "b": {"type": "string", "format": "email"}},
                "required": ["b"],
            },
        ]
    }
    assert generate(schema) == {"a": 3, "b": "user@example.com"}


def test_any_of_prefers_the_branch_the_goal_names() -> None:
    cat = {"type": "object", "properties": {"kind": {"const": "cat"}}, "required": ["kind"]}
    dog = {"type": "object", "properties": {"kind": {"const": "dog"}}, "required": ["kind"]}
    assert generate({"anyOf": [cat, dog]}, "walk my dog") == {"kind": "dog"}
    assert generate({"anyOf": [cat, dog]}, "feed the fish") == {"kind": "cat"}


def test_one_of_value_matches_exactly_one_branch() -> None:
    schema = {"oneOf": [{"type": "integer"}, {"type": "number"}]}
    value = generate(schema)
    assert isinstance(value, float)
    assert not value.is_integer()
    assert generate({"oneOf": [{"type": "string"}, {"type": "string", "minLength": 3}]}) == "v"


def test_pydantic_discriminated_union() -> None:
    schema = {
        "properties": {
            "pet": {
                "oneOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}],
                "discriminator": {
                    "propertyName": "pet_type",
                    "mapping": {"cat": "#/$defs/Cat", "dog": "#/$defs/Dog"},
                },
            }
        },
        "required": ["pet"],
        "type": "object",
        "$defs": {
            "Cat": {
                "properties": {"pet_type": {"const": "cat"}, "meows": {"type": "integer"}},
                "required": ["pet_type", "meows"],
            },
            "Dog": {
                "properties": {"pet_type": {"const": "dog"}, "barks": {"type": "number"}},
                "required": ["pet_type", "barks"],
            },
        },
    }
    assert generate(schema, "my dog barks 3 times")["pet"] == {"pet_type": "dog", "barks": 3}


def test_if_then_else() -> None:
    schema = {
        "type": "object",
        "properties": {"country": {"enum": ["US", "CA"]}, "postal": {"type": "string"}},
        "required": ["country", "postal"],
        "if": {"properties": {"country": {"const": "US"}}},
        "then": {"properties": {"postal": {"pattern": "^[0-9]{5}$"}}},
        "else": {"properties": {"postal": {"pattern": "^[A-Z][0-9][A-Z] [0-9][A-Z][0-9]$"}}},
    }
    assert generate(schema) == {"country": "US", "postal": "01234"}
    assert generate(schema, "ship to CA")["postal"] == "A0A 0A0"


def test_not() -> None:
    assert generate({"type": "string", "not": {"enum": ["weather"]}}, "weather") != "weather"
    assert generate({"type": "boolean", "not": {"const": False}}) is True
    assert generate({"type": "integer", "minimum": 1, "maximum": 2, "not": {"const": 1}}) == 2


# -- enum, const, types -------------------------------------------------------------------------


def test_enum_from_goal_then_default_then_first() -> None:
    unit = {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"}
    assert generate(unit, "in fahrenheit please") == "fahrenheit"
    assert generate(unit, "no unit") == "celsius"
    assert generate({"enum": ["in_progress", "done"]}, "tasks in progress") == "in_progress"
    assert generate({"enum": [3, "x", None]}) == 3
    assert generate({"const": {"a": [1]}}) == {"a": [1]}


def test_enum_that_also_needs_a_type() -> None:
    assert generate({"type": "string", "enum": [1, "one", None]}) == "one"


def test_plan_actions_pick_an_enum_and_fill_steps() -> None:
    schema = {
        "type": "object",
        "properties": {
            "action": {"enum": ["scroll", "click", "type"]},
            "steps": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["action", "steps"],
    }
    assert generate(schema, "find it", plan_actions=("click", "type")) == {
        "action": "click",
        "steps": ["click", "type"],
    }


def test_type_arrays_prefer_a_value_over_null() -> None:
    assert generate({"type": ["null", "integer"]}) == 1
    assert generate({"type": ["string", "null"], "format": "date"}, "on March 3") == "2026-03-03"
    assert generate({"type": "null"}) is None


def test_untyped_schemas_take_the_type_their_keywords_imply() -> None:
    assert generate({"minimum": 10}) == 10
    assert generate({"properties": {"a": {"type": "boolean"}}, "required": ["a"]}) == {"a": False}
    assert generate({"items": {"type": "integer"}}) == [1]
    assert generate(True) == "value"


# -- objects ------------------------------------------------------------------------------------


def test_required_always_optional_only_when_the_goal_names_it() -> None:
    schema = {
        "type": "object",
        "properties": {"query": {"type": "string"}, "city": {"type": "string"}, "limit": {"type": "integer"}},
        "required": ["query"],
    }
    assert generate(schema, "pizza in Naples") == {"query": "pizza Naples", "city": "Naples"}
    assert generate(schema, "top 5 pizza places, limit 5") == {
        "query": "top 5 pizza places limit 5",
        "limit": 5,
    }
    assert set(generate(schema, "pizza", include_optional=True)) == {"query", "city", "limit"}


def test_additional_and_pattern_properties() -> None:
    schema = {
        "type": "object",
        "patternProperties": {"^x-[a-z]+$": {"type": "integer"}},
        "additionalProperties": False,
        "minProperties": 2,
    }
    value = generate(schema)
    assert len(value) == 2
    assert all(re.fullmatch("x-[a-z]+", k) for k in value)


def test_property_names_and_min_properties() -> None:
    schema = {
        "type": "object",
        "propertyNames": {"pattern": "^[A-Z]{2}$"},
        "additionalProperties": {"type": "number"},
        "minProperties": 1,
    }
    value = generate(schema)
    assert len(value) == 1
    assert re.fullmatch("[A-Z]{2}", next(iter(value)))


def test_dependent_required() -> None:
    schema = {
        "type": "object",
        "properties": {"card": {"type": "string"}, "billing_address": {"type": "string"}},
        "required": ["card"],
        "dependentRequired": {"card": ["billing_address"]},
    }
    assert set(generate(schema)) == {"card", "billing_address"}


def test_required_property_missing_from_properties_is_still_sent() -> None:
    schema = {
        "type": "object",
        "properties": {"author": {"type": "string"}},
        "required": ["author", "counterpoint"],
    }
    assert set(generate(schema, "summarize the article")) == {"author", "counterpoint"}


# -- arrays -------------------------------------------------------------------------------------


def test_one_item_per_place_the_goal_names() -> None:
    hotel = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "nights": {"type": "integer"}},
        "required": ["city", "nights"],
    }
    schema = {
        "type": "object",
        "properties": {"hotels": {"type": "array", "items": hotel}},
        "required": ["hotels"],
    }
    value = generate(schema, "hotels in Boston and Paris for 3 nights")
    assert value == {"hotels": [{"city": "Boston", "nights": 3}, {"city": "Paris", "nights": 3}]}


def test_items_the_goal_lists_and_enum_items_it_mentions() -> None:
    tags = {"type": "array", "items": {"type": "string"}}
    assert generate(tags, "tag it python, rust and go") == ["python", "rust", "go"]
    fields = {"type": "array", "items": {"enum": ["name", "email", "phone"]}}
    assert generate(fields, "show the email and phone") == ["email", "phone"]


def test_min_max_items_and_unique_items() -> None:
    assert len(generate({"type": "array", "items": {"type": "string"}, "minItems": 3})) == 3
    assert generate({"type": "array", "items": {"type": "string"}, "maxItems": 0}) == []
    unique = generate(
        {"type": "array", "items": {"enum": ["a", "b", "c"]}, "minItems": 3, "uniqueItems": True}
    )
    assert sorted(unique) == ["a", "b", "c"]
    numbers = generate({"type": "array", "items": {"type": "integer"}, "minItems": 4, "uniqueItems": True})
    assert len(set(numbers)) == 4


def test_prefix_items_and_closed_tuples() -> None:
    pair = {
        "type": "array",
        "prefixItems": [{"type": "number"}, {"type": "string", "format": "date"}],
        "items": False,
    }
    assert generate(pair) == [1, "2026-01-02"]  # the second item: one day on (items vary by position)
    legacy = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "array",
        "items": [{"const": 1}],
        "additionalItems": False,
    }
    assert generate(legacy) == [1]


def test_contains_and_min_contains() -> None:
    value = generate(
        {"type": "array", "items": {"type": "integer"}, "contains": {"minimum": 10}, "minContains": 2}
    )
    assert sum(v >= 10 for v in value) >= 2


# -- strings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt",
    [
        "date",
        "date-time",
        "time",
        "email",
        "idn-email",
        "uri",
        "uri-reference",
        "iri",
        "uuid",
        "ipv4",
        "ipv6",
        "hostname",
        "idn-hostname",
        "duration",
        "json-pointer",
        "relative-json-pointer",
        "regex",
        "uri-template",
    ],
)
def test_every_checked_format(fmt: str) -> None:
    assert Draft202012Validator.FORMAT_CHECKER.conforms(generate({"type": "string", "format": fmt}), fmt)


def test_formats_from_the_goal() -> None:
    goal = "Email ana@example.org the report at https://example.org/r.pdf on 2025-04-02 at 3pm for 2 weeks"
    assert generate({"type": "string", "format": "email"}, goal) == "ana@example.org"
    assert generate({"type": "string", "format": "uri"}, goal) == "https://example.org/r.pdf"
    assert generate({"type": "string", "format": "date-time"}, goal) == "2025-04-02T15:00:00Z"
    assert generate({"type": "string", "format": "duration"}, goal) == "P2W"


def test_lengths_cut_at_a_word_and_pad() -> None:
    assert generate({"type": "string", "maxLength": 12}, "weather in New York City") == "weather New"
    assert len(generate({"type": "string", "minLength": 40}, "short")) >= 40


@pytest.mark.parametrize(
    ("pattern", "goal", "expected"),
    [
        ("^[A-Z]{3}$", "convert 100 USD to EUR", "USD"),
        ("^[a-z0-9-]+$", "Red Shoes", "red-shoes"),
        (r"^\d{5}(-\d{4})?$", "", "01234"),
        (r"^@[a-zA-Z0-9_]+$", "", "@a"),
        (r"^#[0-9a-fA-F]{6}$", "", "#012345"),
        (r"^v\d+\.\d+\.\d+$", "", "v0.0.0"),
        (r"^(\w+)-\1$", "", "a-a"),
    ],
)
def test_patterns(pattern: str, goal: str, expected: str) -> None:
    assert generate({"type": "string", "pattern": pattern}, goal) == expected


# -- numbers ------------------------------------------------------------------------------------


def test_numbers_from_the_goal_clamped_to_bounds() -> None:
    days = {
        "type": "object",
        "properties": {"days": {"type": "integer", "minimum": 1, "maximum": 7}},
        "required": ["days"],
    }
    assert generate(days, "forecast for 3 days") == {"days": 3}
    assert generate(days, "forecast for 30 days") == {"days": 7}
    budget = {"type": "object", "properties": {"budget": {"type": "number"}}, "required": ["budget"]}
    assert generate(budget, "March 3 trip, budget 250") == {"budget": 250}


def test_exclusive_bounds_and_multiple_of() -> None:
    assert generate({"type": "integer", "exclusiveMinimum": 5}) == 6
    value = generate({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1})
    assert 0 < value < 1
    assert generate({"type": "integer", "minimum": 7, "multipleOf": 5}) == 10
    assert (
        generate({"type": "number", "minimum": 0.07, "maximum": 0.5, "multipleOf": 0.01}) == 0.5
    )  # 1, clamped
    assert generate({"type": "integer", "minimum": 3, "maximum": 3}) == 3


def test_draft4_boolean_exclusive_bounds() -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "integer",
        "minimum": 5,
        "exclusiveMinimum": True,
    }
    assert generate(schema) == 6


def test_default_and_examples_are_hints() -> None:
    assert generate({"type": "integer", "default": 42}) == 42
    assert generate({"type": "string", "examples": ["Widget"]}) == "Widget"
    assert (
        generate({"type": "string", "description": "The city and state, e.g. San Francisco, CA"})
        == "San Francisco, CA"
    )


def test_unevaluated_properties_sees_what_all_of_declares() -> None:
    schema = {
        "allOf": [{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}],
        "properties": {"b": {"type": "string"}},
        "required": ["b"],
        "unevaluatedProperties": False,
    }
    assert generate(schema) == {"b": "b", "a": 1}


def test_the_option_the_goal_names_first_wins() -> None:
    assert generate({"enum": ["on", "off"]}, "turn off battery saver on the drone") == "off"
