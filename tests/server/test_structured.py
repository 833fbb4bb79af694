"""Structured output on the embedded executor: `response_format`, `output_config.format`, a schema in
the prompt (D-GEN-5, D-GEN-6), in JSON and in streams; the 400s of bad or unsatisfiable schemas; tool
loops with `tool_choice: required` that end."""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema
import pytest
from httpx_sse import connect_sse

from tests.server.conftest import MODEL

ANTHROPIC_MODEL = "stratus-x1ac-small-claude-3-5-sonnet"
GOAL = "Plan how to search for flights to Paris and book the cheapest one. Answer in JSON."

PLAN_SCHEMA: dict[str, Any] = {
    "$defs": {
        "Step": {
            "type": "object",
            "properties": {"action": {"type": "string"}, "target": {"type": "string"}},
            "required": ["action", "target"],
            "additionalProperties": False,
        }
    },
    "type": "object",
    "properties": {
        "goal": {"type": "string"},
        "steps": {"type": "array", "items": {"$ref": "#/$defs/Step"}, "minItems": 1},
        "when": {"type": "string", "format": "date"},
        "budget": {"type": ["number", "null"], "minimum": 10, "maximum": 500},
        "cabin": {"enum": ["economy", "business"]},
    },
    "required": ["goal", "steps"],
    "additionalProperties": False,
}
UNSATISFIABLE = {
    "type": "object",
    "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 3}},
    "required": ["n"],
}


def _chat(http: httpx.Client, **extra: Any) -> httpx.Response:
    body = {"model": MODEL, "messages": [{"role": "user", "content": GOAL}], **extra}
    return http.post("/v1/chat/completions", json=body)


def _messages(http: httpx.Client, **extra: Any) -> httpx.Response:
    body = {
        "model": ANTHROPIC_MODEL,
        "max_tokens": 1024,
        "messages": [{"role": "user", "content": GOAL}],
        **extra,
    }
    return http.post("/v1/messages", json=body)


def _json_schema(schema: dict[str, Any], strict: bool | None = True) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": "plan", "schema": schema}
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}


@pytest.mark.parametrize("strict", [True, False, None])
def test_chat_json_schema_validates(http: httpx.Client, strict: bool | None) -> None:
    r = _chat(http, response_format=_json_schema(PLAN_SCHEMA, strict))
    assert r.status_code == 200, r.text
    value = json.loads(r.json()["choices"][0]["message"]["content"])
    jsonschema.validate(value, PLAN_SCHEMA)
    assert value["steps"]
    assert set(value) == set(PLAN_SCHEMA["properties"])


def test_chat_json_schema_is_deterministic(http: httpx.Client) -> None:
    fmt = _json_schema(PLAN_SCHEMA)
    first, second = (_chat(http, response_format=fmt).json() for _ in range(2))
    assert first["choices"][0]["message"]["content"] == second["choices"][0]["message"]["content"]


def test_chat_json_schema_streams_the_same_json(base_url: str, http: httpx.Client) -> None:
    fmt = _json_schema(PLAN_SCHEMA)
    whole = _chat(http, response_format=fmt).json()["choices"][0]["message"]["content"]
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": GOAL}],
        "response_format": fmt,
        "stream": True,
    }
    pieces = []
    with connect_sse(http, "POST", "/v1/chat/completions", json=body) as source:
        for event in source.iter_sse():
            if event.data != "[DONE]":
                for choice in json.loads(event.data).get("choices", []):
                    pieces.append(choice["delta"].get("content") or "")
    assert "".join(pieces) == whole


def test_chat_json_object_is_the_plan(http: httpx.Client) -> None:
    r = _chat(http, response_format={"type": "json_object"})
    value = json.loads(r.json()["choices"][0]["message"]["content"])
    assert value["goal"] == GOAL
    assert value["steps"]
    assert {"action", "target"} <= set(value["steps"][0])
    assert 0 <= value["confidence"] <= 1


def test_chat_json_object_needs_the_word_json(http: httpx.Client) -> None:
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Book a flight"}],
        "response_format": {"type": "json_object"},
    }
    r = http.post("/v1/chat/completions", json=body)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["param"] == "messages"
    assert "json" in error["message"]


def test_chat_json_object_follows_a_schema_in_the_prompt(http: httpx.Client) -> None:
    system = (
        f"Return an instance of this json_schema:\n\n{json.dumps(PLAN_SCHEMA, indent=2)}\n\nNot the schema."
    )
    messages = [{"role": "system", "content": system}, {"role": "user", "content": GOAL}]
    r = http.post(
        "/v1/chat/completions",
        json={"model": MODEL, "messages": messages, "response_format": {"type": "json_object"}},
    )
    jsonschema.validate(json.loads(r.json()["choices"][0]["message"]["content"]), PLAN_SCHEMA)


def test_prompt_only_json_md_json(http: httpx.Client) -> None:
    """instructor MD_JSON: the schema in the system prompt, a code block asked for (D-GEN-6)."""
    system = f"Provide the parsed objects in json that match the following json_schema:\n\n{json.dumps(PLAN_SCHEMA)}"
    messages = [
        {"role": "system", "content": system},
        {"role": "user", "content": GOAL},
        {
            "role": "user",
            "content": "Return the correct JSON response within a ```json codeblock. not the JSON_SCHEMA",
        },
    ]
    text = http.post("/v1/chat/completions", json={"model": MODEL, "messages": messages}).json()["choices"][
        0
    ]["message"]["content"]
    assert text.startswith("```json\n")
    assert text.endswith("\n```")
    jsonschema.validate(json.loads(text[len("```json\n") : -len("\n```")]), PLAN_SCHEMA)


def test_prompt_asking_for_json_without_a_schema_stays_prose(http: httpx.Client) -> None:
    text = _chat(http).json()["choices"][0]["message"]["content"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


def test_chat_unsatisfiable_schema_is_a_400(http: httpx.Client) -> None:
    r = _chat(http, response_format=_json_schema(UNSATISFIABLE))
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["param"] == "response_format.json_schema.schema"
    assert error["type"] == "invalid_request_error"
    assert "maximum" in error["message"]


def test_chat_malformed_schema_is_a_400(http: httpx.Client) -> None:
    r = _chat(http, response_format=_json_schema({"type": "object", "properties": {"n": {"type": "integr"}}}))
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "response_format.json_schema.schema"


def test_messages_output_config_validates(http: httpx.Client) -> None:
    r = _messages(http, output_config={"format": {"type": "json_schema", "schema": PLAN_SCHEMA}})
    assert r.status_code == 200, r.text
    blocks = r.json()["content"]
    assert [b["type"] for b in blocks] == ["text"]
    jsonschema.validate(json.loads(blocks[0]["text"]), PLAN_SCHEMA)


def test_messages_output_config_streams(http: httpx.Client) -> None:
    fmt = {"format": {"type": "json_schema", "schema": PLAN_SCHEMA}}
    body = {"model": ANTHROPIC_MODEL, "max_tokens": 1024, "messages": [{"role": "user", "content": GOAL}]}
    text = []
    with connect_sse(
        http, "POST", "/v1/messages", json={**body, "output_config": fmt, "stream": True}
    ) as source:
        for event in source.iter_sse():
            data = json.loads(event.data)
            if data["type"] == "content_block_delta":
                text.append(data["delta"]["text"])
    jsonschema.validate(json.loads("".join(text)), PLAN_SCHEMA)


@pytest.mark.parametrize(
    "schema", [UNSATISFIABLE, {"type": "object", "properties": {"n": {"type": "integr"}}}]
)
def test_messages_bad_output_schema_is_a_400(http: httpx.Client, schema: dict[str, Any]) -> None:
    r = _messages(http, output_config={"format": {"type": "json_schema", "schema": schema}})
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith("output_config.format.schema: ")


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
FINAL = {
    "type": "function",
    "function": {"name": "final_result", "description": "The final response", "parameters": PLAN_SCHEMA},
}


def test_required_tool_loop_ends_with_the_output_tool(http: httpx.Client) -> None:
    """pydantic-ai's agent: `tool_choice: required`, a tool and an output tool; after the tool's result
    the next call is the tool not called yet."""
    user = {"role": "user", "content": "What is the weather in Paris?"}
    first = http.post(
        "/v1/chat/completions",
        json={"model": MODEL, "messages": [user], "tools": [WEATHER, FINAL], "tool_choice": "required"},
    ).json()["choices"][0]["message"]
    assert [c["function"]["name"] for c in first["tool_calls"]] == ["get_weather"]
    call = first["tool_calls"][0]
    history = [user, first, {"role": "tool", "tool_call_id": call["id"], "content": "18 C and sunny"}]
    second = http.post(
        "/v1/chat/completions",
        json={"model": MODEL, "messages": history, "tools": [WEATHER, FINAL], "tool_choice": "required"},
    ).json()["choices"][0]["message"]
    assert [c["function"]["name"] for c in second["tool_calls"]] == ["final_result"]
    jsonschema.validate(json.loads(second["tool_calls"][0]["function"]["arguments"]), PLAN_SCHEMA)


def test_deeply_nested_json_in_the_prompt_is_prose_not_a_500(http: httpx.Client) -> None:
    """A prompt that says JSON and nests braces deeper than the JSON decoder goes (RecursionError)."""
    text = "Answer in JSON: " + '{"a": [' * 3000
    body = {"model": MODEL, "messages": [{"role": "user", "content": text}]}
    r = http.post("/v1/chat/completions", json=body)
    assert r.status_code == 200, r.text
