"""Wire Structs of `POST /v1/chat/completions` (OpenAI dialect): response and stream chunk; the request Structs live in
`_chat_request` and are re-exported here."""

from __future__ import annotations

from typing import Literal

from reference_server._wire._chat_request import (
    CHAT_MODEL_PATTERN,
    AssistantMessage,
    ChatCompletionRequest,
    ChatMessage,
    DeveloperMessage,
    FunctionCall,
    FunctionDefinition,
    FunctionMessage,
    ImageURL,
    ImageURLPart,
    NamedToolChoice,
    NamedToolChoiceFunction,
    PlainTextPart,
    RefusalPart,
    StreamOptions,
    SystemMessage,
    TextPart,
    Tool,
    ToolCall,
    ToolMessage,
    UserMessage,
)
from reference_server._wire._common import UNSET, Response, StratusMetadata, UnsetType

__all__ = [
    "CHAT_MODEL_PATTERN",
    "AssistantMessage",
    "ChatCompletionChunk",
    "ChatCompletionRequest",
    "ChatCompletionResponse",
    "ChatMessage",
    "Choice",
    "ChoiceLogprobs",
    "ChunkChoice",
    "ChunkDelta",
    "ChunkFunctionDelta",
    "ChunkToolCallDelta",
    "CompletionUsage",
    "DeveloperMessage",
    "FunctionCall",
    "FunctionDefinition",
    "FunctionMessage",
    "ImageURL",
    "ImageURLPart",
    "NamedToolChoice",
    "NamedToolChoiceFunction",
    "PlainTextPart",
    "RefusalPart",
    "ResponseMessage",
    "StreamOptions",
    "SystemMessage",
    "TextPart",
    "TokenLogprob",
    "Tool",
    "ToolCall",
    "ToolMessage",
    "TopLogprob",
    "UserMessage",
]

# -- response --------------------------------------------------------------------------------


class CompletionUsage(Response, kw_only=True):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ResponseFunctionCall(Response, kw_only=True):
    name: str
    arguments: str


class ResponseToolCall(Response, kw_only=True):
    id: str
    type: Literal["function"]
    function: ResponseFunctionCall


class ResponseMessage(Response, kw_only=True):
    role: Literal["assistant"]
    content: str | None
    refusal: None = None
    tool_calls: list[ResponseToolCall] | UnsetType = UNSET


FinishReason = Literal["stop", "length", "tool_calls", "content_filter"]


class TopLogprob(Response, kw_only=True):
    token: str
    logprob: float
    bytes: list[int] | None


class TokenLogprob(Response, kw_only=True):
    token: str
    logprob: float
    bytes: list[int] | None
    top_logprobs: list[TopLogprob]


class ChoiceLogprobs(Response, kw_only=True):
    content: list[TokenLogprob] | None
    refusal: None = None


class Choice(Response, kw_only=True):
    index: int
    message: ResponseMessage
    logprobs: ChoiceLogprobs | None = None
    finish_reason: FinishReason


class ChatCompletionResponse(Response, kw_only=True):
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[Choice]
    usage: CompletionUsage
    system_fingerprint: str | None = None
    stratus: StratusMetadata


class ChunkFunctionDelta(Response, kw_only=True):
    name: str | UnsetType = UNSET
    arguments: str | UnsetType = UNSET


class ChunkToolCallDelta(Response, kw_only=True):
    index: int
    id: str | UnsetType = UNSET
    type: Literal["function"] | UnsetType = UNSET
    function: ChunkFunctionDelta | UnsetType = UNSET


class ChunkDelta(Response, kw_only=True):
    role: Literal["assistant"] | UnsetType = UNSET
    content: str | UnsetType = UNSET
    tool_calls: list[ChunkToolCallDelta] | UnsetType = UNSET


class ChunkChoice(Response, kw_only=True):
    index: int
    delta: ChunkDelta
    finish_reason: FinishReason | None
    logprobs: ChoiceLogprobs | None = None


class ChatCompletionChunk(Response, kw_only=True):
    id: str
    object: Literal["chat.completion.chunk"]
    created: int
    model: str
    choices: list[ChunkChoice]
    system_fingerprint: str | None = None
    usage: CompletionUsage | UnsetType | None = UNSET
    stratus: StratusMetadata | UnsetType = UNSET
