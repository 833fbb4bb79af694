"""Request bodies the official SDKs (and LangChain) send for ordinary structured-output and tool calls,
captured through an httpx2 `MockTransport` that answers like the real API would.

Each function drives the client's own helper (`chat.completions.parse`, `with_structured_output`,
`messages.parse`, a strict custom tool) and returns the JSON body it sent, so a test can send exactly
that body to the reference server.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import pydantic

__all__ = [
    "Trip",
    "anthropic_messages_parse",
    "anthropic_strict_custom_tool",
    "langchain_function_calling",
    "langchain_structured_output",
    "openai_parse",
    "openai_pydantic_function_tool",
]

MODEL = "stratus-x1ac-small-gpt-4o"
CLAUDE = "stratus-x1ac-small-claude-sonnet-4-5-20250929"
GOAL = "Plan a three-night trip to Lisbon."


class Trip(pydantic.BaseModel):
    """A planned trip."""

    city: str
    nights: int
    sights: list[str]


class GetWeather(pydantic.BaseModel):
    """Current weather for a city."""

    city: str


_TRIP = {"city": "Lisbon", "nights": 3, "sights": ["Belem Tower"]}


def _capture(
    answer: Callable[[dict[str, Any]], dict[str, Any]],
) -> tuple[httpx2.Client, list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        sent.append(body)
        return httpx2.Response(200, json=answer(body), headers={"content-type": "application/json"})

    return httpx2.Client(transport=httpx2.MockTransport(handler)), sent


def _chat_answer(content: str | None = None, tool: tuple[str, str] | None = None) -> Callable[..., Any]:
    def answer(body: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
        if tool is not None:
            message["tool_calls"] = [
                {"id": "call_1", "type": "function", "function": {"name": tool[0], "arguments": tool[1]}}
            ]
        return {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if tool else "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    return answer


def _message_answer(content: list[dict[str, Any]]) -> Callable[..., Any]:
    def answer(body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "content": content,
            "model": body["model"],
            "stop_reason": "tool_use" if any(b["type"] == "tool_use" for b in content) else "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }

    return answer


def openai_parse() -> dict[str, Any]:
    """`client.chat.completions.parse(response_format=Trip)`: a strict `json_schema` response format."""
    import openai

    http, sent = _capture(_chat_answer(content=json.dumps(_TRIP)))
    with openai.OpenAI(
        api_key="sk-capture", base_url="https://capture.invalid/v1", http_client=http
    ) as client:
        parsed = client.chat.completions.parse(
            model=MODEL,
            messages=[
                {"role": "system", "content": "Current page: a travel site."},
                {"role": "user", "content": GOAL},
            ],
            response_format=Trip,
            seed=1,
        )
    assert parsed.choices[0].message.parsed == Trip(**_TRIP)
    return sent[0]


def openai_pydantic_function_tool() -> dict[str, Any]:
    """`tools=[openai.pydantic_function_tool(GetWeather)]` through `parse`: a strict function tool."""
    import openai

    http, sent = _capture(_chat_answer(tool=("GetWeather", '{"city": "Lisbon"}')))
    with openai.OpenAI(
        api_key="sk-capture", base_url="https://capture.invalid/v1", http_client=http
    ) as client:
        client.chat.completions.parse(
            model=MODEL,
            messages=[{"role": "user", "content": "Weather in Lisbon?"}],
            tools=[openai.pydantic_function_tool(GetWeather)],
            parallel_tool_calls=False,
        )
    return sent[0]


def langchain_structured_output() -> dict[str, Any]:
    """langchain-openai `ChatOpenAI(...).with_structured_output(Trip)` (its default method)."""
    from langchain_openai import ChatOpenAI

    http, sent = _capture(_chat_answer(content=json.dumps(_TRIP)))
    llm = ChatOpenAI(
        model=MODEL, api_key="sk-capture", base_url="https://capture.invalid/v1", http_client=http
    )  # type: ignore[arg-type]
    llm.with_structured_output(Trip).invoke(GOAL)
    return sent[0]


def langchain_function_calling() -> dict[str, Any]:
    """langchain-openai `with_structured_output(Trip, method="function_calling")`."""
    from langchain_openai import ChatOpenAI

    http, sent = _capture(_chat_answer(tool=("Trip", json.dumps(_TRIP))))
    llm = ChatOpenAI(
        model=MODEL, api_key="sk-capture", base_url="https://capture.invalid/v1", http_client=http
    )  # type: ignore[arg-type]
    llm.with_structured_output(Trip, method="function_calling").invoke(GOAL)
    return sent[0]


def anthropic_strict_custom_tool() -> dict[str, Any]:
    """`messages.create(tools=[{"type": "custom", ..., "strict": True}], output_config=...)`."""
    import anthropic

    http, sent = _capture(_message_answer([{"type": "text", "text": "ok"}]))
    with anthropic.Anthropic(
        api_key="sk-capture", base_url="https://capture.invalid", http_client=http
    ) as client:
        client.messages.create(
            model=CLAUDE,
            max_tokens=16384,
            system="Current page: a travel site.",
            messages=[{"role": "user", "content": GOAL}],
            tools=[
                {
                    "type": "custom",
                    "name": "search_hotels",
                    "description": "Search hotels in a city",
                    "input_schema": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}, "nights": {"type": "integer"}},
                        "required": ["city"],
                        "additionalProperties": False,
                    },
                    "strict": True,
                    "eager_input_streaming": True,
                    "cache_control": {"type": "ephemeral"},
                }
            ],
            output_config={
                "effort": "medium",
                "format": {"type": "json_schema", "schema": Trip.model_json_schema()},
            },
            thinking={"type": "disabled"},
            service_tier="auto",
        )
    return sent[0]


def anthropic_messages_parse() -> dict[str, Any]:
    """`client.messages.parse(output_format=Trip)`: `output_config.format` built by the SDK."""
    import anthropic

    http, sent = _capture(_message_answer([{"type": "text", "text": json.dumps(_TRIP)}]))
    with anthropic.Anthropic(
        api_key="sk-capture", base_url="https://capture.invalid", http_client=http
    ) as client:
        parsed = client.messages.parse(
            model=CLAUDE, max_tokens=2048, messages=[{"role": "user", "content": GOAL}], output_format=Trip
        )
    assert parsed.parsed_output == Trip(**_TRIP)
    return sent[0]
