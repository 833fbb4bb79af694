"""Tool-call arguments that validate against the tool's JSON Schema, filled from the goal.

`arguments_for(schema, goal)` is the instance generator (`_instances.generate_instance`) applied to
a tool's `parameters` / `input_schema`: `$ref`/`$defs`, unions, nested objects and arrays (one item
per place, address or option the goal names), formats, bounds and `additionalProperties: false`
are honoured, and the result is checked with `jsonschema` before it is returned. Values come from
the goal (a place after "in"/"at", a number next to the property's name, dates, e-mail addresses,
URLs, enum values the goal mentions) and from the plan's actions. Deterministic.

A schema no value satisfies raises `UnsatisfiableSchema`; `tool_schema_error` turns it into the
400 each dialect answers for a bad tool schema (OpenAI `invalid_function_parameters` naming
`tools[i].function.parameters`; Anthropic `tools.i.custom.input_schema: ...`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from reference_server._errors import ApiError
from reference_server._instances import GoalContext, UnsatisfiableSchema, generate_instance
from reference_server._values import FUNCTION_WORDS, goal_terms, locations

__all__ = [
    "FUNCTION_WORDS",
    "UnsatisfiableSchema",
    "arguments_for",
    "goal_terms",
    "locations",
    "tool_schema_error",
]


def arguments_for(
    schema: dict[str, Any] | None,
    goal: str,
    *,
    location: str | None = None,
    plan_actions: Sequence[str] = (),
) -> dict[str, Any]:
    """Arguments for a tool whose `parameters`/`input_schema` is `schema` (an empty one takes `{}`)."""
    if not schema:
        return {}
    context = GoalContext(goal=goal, location=location, plan_actions=tuple(plan_actions))
    value = generate_instance(schema, context)
    if not isinstance(value, dict):
        raise UnsatisfiableSchema(
            f'tool parameters must describe a JSON object ("type": "object"), not {type(value).__name__} values',
            kind="invalid",
        )
    return value


def tool_schema_error(
    exc: UnsatisfiableSchema, *, index: int, name: str, dialect: Literal["openai", "anthropic"]
) -> ApiError:
    """The 400 for tool `index` whose schema the generator cannot satisfy, in `dialect`'s words."""
    if dialect == "anthropic":
        where = f" at {exc.schema_path}" if exc.schema_path else ""
        return ApiError(400, f"tools.{index}.custom.input_schema: {exc.reason}{where}.")
    return ApiError(
        400,
        f"Invalid schema for function '{name}': In context={exc.context!r}, {exc.reason}.",
        param=f"tools[{index}].function.parameters",
        code="invalid_function_parameters",
    )
