"""All msgspec wire Structs, in one place. `WIRE_TYPES` maps spec component names to them."""

from __future__ import annotations

from typing import Any

from reference_server._wire._chat import ChatCompletionChunk, ChatCompletionRequest, ChatCompletionResponse
from reference_server._wire._common import StratusMetadata
from reference_server._wire._messages import (
    CountTokensRequest,
    CountTokensResponse,
    MessagesRequest,
    MessagesResponse,
    MessagesStreamEvent,
)
from reference_server._wire._other import (
    AnthropicErrorResponse,
    EmbeddingsRequest,
    EmbeddingsResponse,
    Health,
    Model,
    ModelList,
    OpenAIErrorResponse,
    RolloutRequest,
    RolloutResponse,
)

__all__ = ["WIRE_TYPES"]

WIRE_TYPES: dict[str, Any] = {
    "ChatCompletionRequest": ChatCompletionRequest,
    "ChatCompletionResponse": ChatCompletionResponse,
    "ChatCompletionChunk": ChatCompletionChunk,
    "StratusMetadata": StratusMetadata,
    "MessagesRequest": MessagesRequest,
    "MessagesResponse": MessagesResponse,
    "MessagesStreamEvent": MessagesStreamEvent,
    "OpenAIErrorResponse": OpenAIErrorResponse,
    "AnthropicErrorResponse": AnthropicErrorResponse,
    "ModelList": ModelList,
    "Model": Model,
    "Health": Health,
    "EmbeddingsRequest": EmbeddingsRequest,
    "EmbeddingsResponse": EmbeddingsResponse,
    "RolloutRequest": RolloutRequest,
    "RolloutResponse": RolloutResponse,
    "CountTokensRequest": CountTokensRequest,
    "CountTokensResponse": CountTokensResponse,
}
"""Spec component name -> msgspec type (a Struct, or a tagged union for `MessagesStreamEvent`)."""
