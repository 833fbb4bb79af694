"""Request bodies of both dialects decoded into a `Turn`, as the server does, for the decode and
upstream-request tests."""

from __future__ import annotations

from typing import Any

from reference_server._chat_decode import chat_turn
from reference_server._messages_decode import messages_turn
from reference_server._turn import Turn
from reference_server._wire._chat import ChatCompletionRequest
from reference_server._wire._decode import convert_request
from reference_server._wire._messages import MessagesRequest

__all__ = ["ASSISTANT_CALLS_WEATHER", "MODEL", "SCHEMA", "WEATHER_TOOL", "chat", "messages"]

MODEL = "stratus-x1ac-small-gpt-4o"
SCHEMA = {"type": "object", "properties": {"location": {"type": "string"}}}
# a messages-API tool that takes a required location
WEATHER_TOOL: Any = {
    "name": "get_weather",
    "description": "Get weather for a location",
    "input_schema": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
    },
}
# a messages-API assistant turn: a text, then a call of get_weather for Paris (id toolu_1)
ASSISTANT_CALLS_WEATHER = {
    "role": "assistant",
    "content": [
        {"type": "text", "text": "Checking"},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"location": "Paris"}},
    ],
}


def chat(**body: Any) -> Turn:
    """The `Turn` of a chat completions request: `body` plus the model."""
    return chat_turn(convert_request(ChatCompletionRequest, {"model": MODEL, **body}))


def messages(**body: Any) -> Turn:
    """The `Turn` of a messages request: `body` plus the model and `max_tokens` 64 unless given."""
    return messages_turn(convert_request(MessagesRequest, {"model": MODEL, "max_tokens": 64, **body}))
