"""Tool arguments: built by the instance generator, valid against the tool's own schema, 400 when impossible."""

from __future__ import annotations

import inspect
import json
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from reference_server import create_app
from reference_server._arguments import arguments_for
from tests._corpus import CorpusRequest, ServerAnswer, asgi_client, load_corpus, reference_settings, send
from tests.server.conftest import MODEL

BOOKING: dict[str, Any] = {
    "$defs": {
        "Guest": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "email": {"type": "string", "format": "email"}},
            "required": ["name", "email"],
            "additionalProperties": False,
        },
        "Stay": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "check_in": {"type": "string", "format": "date"},
                "check_out": {"type": "string", "format": "date"},
            },
            "required": ["city", "check_in", "check_out"],
        },
    },
    "type": "object",
    "properties": {
        "guest": {"$ref": "#/$defs/Guest"},
        "stays": {"type": "array", "items": {"$ref": "#/$defs/Stay"}},
        "rooms": {"type": "integer", "minimum": 1, "maximum": 9},
    },
    "required": ["guest", "stays", "rooms"],
    "additionalProperties": False,
}
GOAL = "Book 2 rooms in Boston and Paris from June 3 to June 6 for Ana Lima, ana@example.org"


def test_signature_is_kept() -> None:
    params = inspect.signature(arguments_for).parameters
    assert list(params)[:3] == ["schema", "goal", "location"]
    assert params["location"].kind is inspect.Parameter.KEYWORD_ONLY
    assert arguments_for(None, "x") == {}
    assert arguments_for({}, "x") == {}


def test_nested_ref_model_is_an_object_and_arrays_are_filled() -> None:
    """The old arguments_for gave `guest` a string and `stays` an empty list: both break the schema."""
    args = arguments_for(BOOKING, GOAL)
    assert not list(Draft202012Validator(BOOKING).iter_errors(args))
    assert args["guest"] == {"name": "Ana Lima", "email": "ana@example.org"}
    assert [s["city"] for s in args["stays"]] == ["Boston", "Paris"]
    assert args["stays"][0]["check_in"] == "2026-06-03"
    assert args["stays"][0]["check_out"] == "2026-06-06"
    assert args["rooms"] == 2


def test_location_and_plan_actions() -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "action": {"enum": ["click", "type"]}},
        "required": ["city", "action"],
    }
    args = arguments_for(schema, "weather in Boston and Paris", location="Paris", plan_actions=["type"])
    assert args == {"city": "Paris", "action": "type"}


def _tools_chat(parameters: dict[str, Any]) -> list[dict[str, Any]]:
    ok = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    return [
        {"type": "function", "function": {"name": "get_time", "parameters": ok}},
        {
            "type": "function",
            "function": {"name": "book_hotels", "description": "Book hotels", "parameters": parameters},
        },
    ]


def test_chat_tool_arguments_validate_against_a_ref_schema(http: httpx.Client) -> None:
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": GOAL}],
        "tools": _tools_chat(BOOKING),
        "tool_choice": {"type": "function", "function": {"name": "book_hotels"}},
    }
    answer = http.post("/v1/chat/completions", json=body).json()
    call = answer["choices"][0]["message"]["tool_calls"][0]
    args = json.loads(call["function"]["arguments"])
    assert not list(Draft202012Validator(BOOKING).iter_errors(args))
    assert len(args["stays"]) == 2


UNSATISFIABLE = {
    "type": "object",
    "properties": {"nights": {"type": "integer", "minimum": 5, "maximum": 2}},
    "required": ["nights"],
}


@pytest.mark.parametrize("stream", [False, True])
def test_chat_unsatisfiable_tool_schema_is_a_400_naming_the_parameter(
    http: httpx.Client, stream: bool
) -> None:
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "book hotels"}],
        "tools": _tools_chat(UNSATISFIABLE),
        "tool_choice": "required",
        "stream": stream,
    }
    response = http.post("/v1/chat/completions", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "tools[1].function.parameters"
    assert error["code"] == "invalid_function_parameters"
    assert error["type"] == "invalid_request_error"
    assert error["message"] == (
        "Invalid schema for function 'book_hotels': In context=('properties', 'nights'), "
        "the minimum (5) is greater than the maximum (2)."
    )


def test_messages_unsatisfiable_tool_schema_is_a_400_in_anthropic_words(http: httpx.Client) -> None:
    body = {
        "model": MODEL,
        "max_tokens": 256,
        "messages": [{"role": "user", "content": "book hotels"}],
        "tools": [{"name": "book_hotels", "description": "Book hotels", "input_schema": UNSATISFIABLE}],
        "tool_choice": {"type": "any"},
    }
    response = http.post("/v1/messages", json=body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["type"] == "error"
    assert payload["error"] == {
        "type": "invalid_request_error",
        "message": "tools.0.custom.input_schema: the minimum (5) is greater than the maximum (2) at /properties/nights.",
    }


def test_tool_not_called_does_not_fail_the_request(http: httpx.Client) -> None:
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "what time is it in Paris?"}],
        "tools": _tools_chat(UNSATISFIABLE),
        "tool_choice": {"type": "function", "function": {"name": "get_time"}},
    }
    response = http.post("/v1/chat/completions", json=body)
    assert response.status_code == 200
    call = response.json()["choices"][0]["message"]["tool_calls"][0]
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}


def _tool_schemas(req: CorpusRequest) -> dict[str, Any]:
    body = req.body if isinstance(req.body, dict) else {}
    out: dict[str, Any] = {}
    for tool in body.get("tools") or []:
        if "function" in tool:
            out[tool["function"]["name"]] = tool["function"].get("parameters") or {}
        else:
            out[tool["name"]] = tool["input_schema"]
    return out


def _calls(answer: ServerAnswer) -> list[tuple[str, Any]]:
    """(tool name, arguments) of every tool call in a plain answer of either dialect."""
    body = answer.body if isinstance(answer.body, dict) else {}
    calls = [(b["name"], b["input"]) for b in body.get("content", []) if b.get("type") == "tool_use"]
    for choice in body.get("choices", []):
        for call in choice["message"].get("tool_calls") or []:
            calls.append((call["function"]["name"], json.loads(call["function"]["arguments"])))
    return calls


TOOL_REQUESTS = [r for r in load_corpus() if _tool_schemas(r) and r.expect_status == 200 and not r.stream]


@pytest.mark.asyncio
async def test_every_tool_call_of_the_request_corpus_validates_against_its_tool_schema() -> None:
    checked = 0
    async with asgi_client(create_app(reference_settings())) as client:
        for req in TOOL_REQUESTS:
            schemas = _tool_schemas(req)
            for name, arguments in _calls(await send(client, req)):
                errors = list(Draft202012Validator(schemas[name]).iter_errors(arguments))
                assert not errors, f"{req.id}: {name} {arguments}: {errors[0].message}"
                checked += 1
    assert checked >= 10
