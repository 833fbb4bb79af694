"""Every instance generated for the real-world schema corpus (fixtures/schemas) validates.

Checked with `jsonschema`, formats asserted, under the draft each schema declares and under Draft
2020-12 (where the schema is also a valid 2020-12 schema), for fixed goals and for goals and plan
contexts that hypothesis draws (derandomized: the same examples on every run).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from reference_server._instances import GoalContext, generate_instance

CORPUS_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "schemas"
CORPUS = sorted(p.relative_to(CORPUS_DIR).as_posix() for p in CORPUS_DIR.rglob("*.json"))
GOALS = [
    "",
    "What is the weather in Boston and Paris for 3 days in fahrenheit?",
    "Book 2 rooms in New York from December 15 to December 18 2024, email bob@example.com",
    "List open issues labelled bug in modelcontextprotocol/servers and read src/index.ts",
]


@cache
def _schema(name: str) -> Any:
    return json.loads((CORPUS_DIR / name).read_text())


@cache
def _validators(name: str) -> tuple[Any, ...]:
    """The schema's own draft, and Draft 2020-12 when the schema is also valid there."""
    schema = _schema(name)
    own = validator_for(schema, default=Draft202012Validator)
    out = [own(schema, format_checker=own.FORMAT_CHECKER)]
    if own is not Draft202012Validator and isinstance(schema, dict):
        modern = {k: v for k, v in schema.items() if k != "$schema"}
        try:
            Draft202012Validator.check_schema(modern)
        except SchemaError:
            pass
        else:
            out.append(Draft202012Validator(modern, format_checker=Draft202012Validator.FORMAT_CHECKER))
    return tuple(out)


def _check(name: str, context: GoalContext) -> Any:
    value = generate_instance(_schema(name), context)
    for validator in _validators(name):
        errors = list(validator.iter_errors(value))
        assert not errors, f"{name}: {errors[0].message} at {errors[0].json_path}"
    return value


def test_the_corpus_has_at_least_200_schemas_each_with_a_provenance() -> None:
    assert len(CORPUS) >= 200
    provenance = (CORPUS_DIR / "PROVENANCE.md").read_text()
    for folder in sorted({name.split("/")[0] for name in CORPUS}):
        assert f"`{folder}/`" in provenance, f"PROVENANCE.md does not name the source of {folder}/"


@pytest.mark.parametrize("name", CORPUS)
def test_every_schema_gets_a_valid_instance_for_each_goal(name: str) -> None:
    for goal in GOALS:
        _check(name, GoalContext(goal=goal, plan_actions=("type", "click", "press_enter")))


_PLACES = st.sampled_from(["Boston", "Paris", "New York", "San Francisco", "Tokyo", "Lisbon"])
_WORDS = st.sampled_from(
    [
        "find",
        "book",
        "hotels",
        "flights",
        "weather",
        "the",
        "report",
        "issue",
        "bug",
        "urgent",
        "price",
        "days",
        "guests",
        "email",
        "files",
        "search",
        "python",
        "rust",
        "summary",
        "cat",
        "dog",
        "celsius",
        "high",
        "done",
    ]
)
_PIECES = st.one_of(
    _WORDS,
    _PLACES.map(lambda p: f"in {p}"),
    st.lists(_PLACES, min_size=2, max_size=3, unique=True).map(
        lambda ps: "in " + ", ".join(ps[:-1]) + " and " + ps[-1]
    ),
    st.integers(-5, 5000).map(str),
    st.tuples(st.integers(0, 99), _WORDS).map(lambda t: f"{t[0]} {t[1]}"),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["March 3", "December 15-18, 2024", "at 3pm", "15:30", "for 2 weeks"]),
    st.sampled_from(
        ["ana@example.org", "https://example.org/a?b=1", "owner/repo", "src/main.py", "#1234", "ORD-5512"]
    ),
    st.text(max_size=12).map(lambda t: f'"{t}"'),
    st.text(max_size=20),
)
_GOALS = st.lists(_PIECES, max_size=10).map(" ".join)
_ACTIONS = st.lists(
    st.sampled_from(["click", "type", "scroll", "navigate", "select", "press_enter"]), max_size=4
)


@settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(CORPUS),
    goal=_GOALS,
    actions=_ACTIONS,
    location=st.one_of(st.none(), _PLACES),
    include_optional=st.booleans(),
)
def test_generated_instances_validate_for_drawn_goals(
    name: str, goal: str, actions: list[str], location: str | None, include_optional: bool
) -> None:
    context = GoalContext(
        goal=goal, location=location, plan_actions=tuple(actions), include_optional=include_optional
    )
    first = _check(name, context)
    assert json.dumps(generate_instance(_schema(name), context)) == json.dumps(first)
