"""Wire Structs of `POST /v1/chat/completions` (OpenAI dialect): request, response and stream chunk."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from reference_server._wire._common import UNSET, Request, Response, StratusMetadata, UnsetType

__all__ = [
    "CHAT_MODEL_PATTERN",
    "AssistantMessage",
    "ChatCompletionChunk",
    "ChatCompletionRequest",
    "ChatCompletionResponse",
    "ChatMessage",
    "Choice",
    "ChunkChoice",
    "ChunkDelta",
    "ChunkFunctionDelta",
    "ChunkToolCallDelta",
    "CompletionUsage",
    "DeveloperMessage",
    "FunctionCall",
    "FunctionDefinition",
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
    "Tool",
    "ToolCall",
    "ToolMessage",
    "UserMessage",
]

ToolName = Annotated[str, msgspec.Meta(pattern=r"^[a-zA-Z0-9_-]{1,64}$")]
StopString = Annotated[str, msgspec.Meta(min_length=1)]
Penalty = Annotated[float, msgspec.Meta(ge=-2.0, le=2.0)]
PositiveInt = Annotated[int, msgspec.Meta(ge=1)]
OutputTokens = Annotated[int, msgspec.Meta(ge=1, le=128_000)]
"""`max_tokens` / `max_completion_tokens`: the server bounds them per model family (`_limits`)."""


# -- request ---------------------------------------------------------------------------------

CHAT_MODEL_PATTERN = (
    r"^stratus-x1ac-(small|base|large|xl|huge)-(((gpt-|chatgpt-|o[1-9]|claude-|gemini-)[a-z0-9._:-]*)"
    r"|([a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._:-]*))$"
)
"""`ChatCompletionRequest.json#/$defs/ChatModelId` (D-MOD-1)."""

NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]


class TextPart(Request, tag_field="type", tag="text", kw_only=True):
    text: str


class PlainTextPart(Request, kw_only=True):
    """A text part where text is the only kind allowed. msgspec does not require the tag of a
    tagged Struct decoded outside a union, so here `type` is an ordinary required field."""

    type: Literal["text"]
    text: str


class RefusalPart(Request, tag_field="type", tag="refusal", kw_only=True):
    refusal: str


class ImageURL(Request, kw_only=True):
    url: Annotated[str, msgspec.Meta(pattern=r"^(https?://|data:)")]
    detail: Literal["auto", "low", "high"] | UnsetType = UNSET


class ImageURLPart(Request, tag_field="type", tag="image_url", kw_only=True):
    image_url: ImageURL


class FunctionCall(Request, kw_only=True):
    name: NonEmpty
    arguments: str


class ToolCall(Request, kw_only=True):
    id: NonEmpty
    type: Literal["function"]
    function: FunctionCall


TextContent = str | Annotated[list[PlainTextPart], msgspec.Meta(min_length=1)]


class SystemMessage(Request, tag_field="role", tag="system", kw_only=True):
    content: TextContent
    name: NonEmpty | UnsetType = UNSET


class DeveloperMessage(Request, tag_field="role", tag="developer", kw_only=True):
    content: TextContent
    name: NonEmpty | UnsetType = UNSET


class UserMessage(Request, tag_field="role", tag="user", kw_only=True):
    content: str | Annotated[list[TextPart | ImageURLPart], msgspec.Meta(min_length=1)]
    name: NonEmpty | UnsetType = UNSET


class AssistantMessage(Request, tag_field="role", tag="assistant", kw_only=True):
    """`content` may be null or absent only when `tool_calls` is present (checked by the handler)."""

    content: str | Annotated[list[TextPart | RefusalPart], msgspec.Meta(min_length=1)] | UnsetType | None = (
        UNSET
    )
    tool_calls: Annotated[list[ToolCall], msgspec.Meta(min_length=1)] | UnsetType = UNSET
    refusal: str | UnsetType | None = UNSET
    name: NonEmpty | UnsetType = UNSET


class ToolMessage(Request, tag_field="role", tag="tool", kw_only=True):
    content: TextContent
    tool_call_id: NonEmpty


ChatMessage = SystemMessage | DeveloperMessage | UserMessage | AssistantMessage | ToolMessage


class FunctionDefinition(Request, kw_only=True):
    name: ToolName
    description: str | UnsetType = UNSET
    parameters: dict[str, Any] | UnsetType = UNSET
    strict: bool | UnsetType | None = UNSET


class Tool(Request, kw_only=True):
    type: Literal["function"]
    function: FunctionDefinition


class NamedToolChoiceFunction(Request, kw_only=True):
    name: ToolName


class NamedToolChoice(Request, kw_only=True):
    type: Literal["function"]
    function: NamedToolChoiceFunction


class StreamOptions(Request, kw_only=True):
    include_usage: bool | UnsetType = UNSET


class ChatCompletionRequest(Request, kw_only=True):
    """Body of `POST /v1/chat/completions` (spec/schemas/ChatCompletionRequest.json, D-CHAT-1)."""

    model: Annotated[str, msgspec.Meta(pattern=CHAT_MODEL_PATTERN)]
    messages: Annotated[list[ChatMessage], msgspec.Meta(min_length=1)]
    temperature: Annotated[float, msgspec.Meta(ge=0.0, le=2.0)] | UnsetType | None = UNSET
    top_p: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] | UnsetType | None = UNSET
    n: Annotated[int, msgspec.Meta(ge=1, le=128)] | UnsetType | None = UNSET
    max_tokens: OutputTokens | UnsetType | None = UNSET
    max_completion_tokens: OutputTokens | UnsetType | None = UNSET
    stream: bool | UnsetType | None = UNSET
    stream_options: StreamOptions | UnsetType | None = UNSET
    stop: (
        StopString | Annotated[list[StopString], msgspec.Meta(min_length=1, max_length=4)] | UnsetType | None
    ) = UNSET
    presence_penalty: Penalty | UnsetType | None = UNSET
    frequency_penalty: Penalty | UnsetType | None = UNSET
    user: Annotated[str, msgspec.Meta(max_length=256)] | UnsetType = UNSET
    tools: Annotated[list[Tool], msgspec.Meta(min_length=1, max_length=100)] | UnsetType = UNSET
    tool_choice: Literal["none", "auto", "required"] | NamedToolChoice | UnsetType = UNSET
    parallel_tool_calls: bool | UnsetType = UNSET
    openai_key: NonEmpty | UnsetType = UNSET
    anthropic_key: NonEmpty | UnsetType = UNSET
    gemini_key: NonEmpty | UnsetType = UNSET
    openrouter_key: NonEmpty | UnsetType = UNSET


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


class Choice(Response, kw_only=True):
    index: int
    message: ResponseMessage
    logprobs: None = None
    finish_reason: FinishReason


class ChatCompletionResponse(Response, kw_only=True):
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[Choice]
    usage: CompletionUsage
    system_fingerprint: None = None
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
    logprobs: None = None


class ChatCompletionChunk(Response, kw_only=True):
    id: str
    object: Literal["chat.completion.chunk"]
    created: int
    model: str
    choices: list[ChunkChoice]
    system_fingerprint: None = None
    usage: CompletionUsage | UnsetType | None = UNSET
    stratus: StratusMetadata | UnsetType = UNSET
