"""What the checks ask for, the same in every client: a prompt, a tool, and a typed answer.

Imports pydantic (every Python client brings it); check modules import this lazily, inside checks.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "PROMPT",
    "STRUCTURED_PROMPT",
    "TOOL_DESCRIPTION",
    "TOOL_PROMPT",
    "Plan",
    "Step",
    "Summary",
    "get_weather",
    "plan_schema",
    "validate_plan_json",
    "weather_schema",
]

PROMPT = "Open the browser, search for flights to Paris and book the cheapest one."
TOOL_PROMPT = "What is the weather in Paris right now? Use the get_weather tool."
STRUCTURED_PROMPT = "Plan how to search for flights to Paris and book the cheapest one. Answer in JSON."
TOOL_DESCRIPTION = "Current weather for a city"


class Step(BaseModel):
    action: str = Field(description="what to do, e.g. click or type")
    target: str = Field(description="the page element or text it applies to")


class Plan(BaseModel):
    """A typed answer with a nested model (so the schema carries `$defs`/`$ref`) and an array."""

    goal: str
    steps: list[Step] = Field(min_length=1, description="the steps, in order")


class Summary(BaseModel):
    """A flat typed answer, for checks about something else than schema support."""

    goal: str


def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"18 C and sunny in {city}"


def weather_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"city": {"type": "string", "description": "the city"}},
        "required": ["city"],
        "additionalProperties": False,
    }


def plan_schema() -> dict[str, Any]:
    return Plan.model_json_schema()


def validate_plan_json(text: str) -> Plan:
    """Parse text as a Plan; the ValidationError says what was wrong (its message carries the text)."""
    return Plan.model_validate_json(text)


def short(value: object, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + "…"
