"""Wire Structs of `POST /v1/messages` and `/v1/messages/count_tokens` (Anthropic dialect)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from reference_server._wire._chat import CHAT_MODEL_PATTERN
from reference_server._wire._common import UNSET, Request, Response, StratusMetadata, UnsetType

__all__ = [
    "AnthropicTool",
    "AnyToolChoice",
    "AssistantTurn",
    "AutoToolChoice",
    "Base64ImageSource",
    "CacheControl",
    "ContentBlockDeltaEvent",
    "ContentBlockStartEvent",
    "ContentBlockStopEvent",
    "CountTokensRequest",
    "CountTokensResponse",
    "ErrorEvent",
    "ImageBlock",
    "InputJSONDelta",
    "InputMessage",
    "MessageDeltaEvent",
    "MessageDeltaUsage",
    "MessageStartEvent",
    "MessageStopEvent",
    "MessagesRequest",
    "MessagesResponse",
    "MessagesStreamEvent",
    "MessagesUsage",
    "Metadata",
    "NamedToolChoice",
    "NoneToolChoice",
    "OutTextBlock",
    "OutToolUseBlock",
    "PingEvent",
    "StreamErrorDetail",
    "SystemTextBlock",
    "TextBlock",
    "TextDelta",
    "ToolChoice",
    "ToolResultBlock",
    "ToolUseBlock",
    "URLImageSource",
    "UserTurn",
]

StopReason = Literal["end_turn", "max_tokens", "stop_sequence", "tool_use"]
ToolName = Annotated[str, msgspec.Meta(pattern=r"^[a-zA-Z0-9_-]{1,64}$")]


# -- request ---------------------------------------------------------------------------------

NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
ToolUseId = Annotated[str, msgspec.Meta(pattern=r"^[a-zA-Z0-9_-]+$")]


class CacheControl(Request, kw_only=True):
    type: Literal["ephemeral"]
    ttl: Literal["5m", "1h"] | UnsetType = UNSET


class TextBlock(Request, tag_field="type", tag="text", kw_only=True):
    text: str
    cache_control: CacheControl | UnsetType | None = UNSET


class SystemTextBlock(Request, kw_only=True):
    """A `system` block: text is the only kind allowed, so `type` is an ordinary required field
    (msgspec does not require the tag of a tagged Struct decoded outside a union)."""

    type: Literal["text"]
    text: str
    cache_control: CacheControl | UnsetType | None = UNSET


class Base64ImageSource(Request, tag_field="type", tag="base64", kw_only=True):
    media_type: Literal["image/jpeg", "image/png", "image/gif", "image/webp"]
    data: NonEmpty


class URLImageSource(Request, tag_field="type", tag="url", kw_only=True):
    url: Annotated[str, msgspec.Meta(pattern=r"^https?://")]


class ImageBlock(Request, tag_field="type", tag="image", kw_only=True):
    source: Base64ImageSource | URLImageSource
    cache_control: CacheControl | UnsetType | None = UNSET


class ToolUseBlock(Request, tag_field="type", tag="tool_use", kw_only=True):
    id: ToolUseId
    name: NonEmpty
    input: dict[str, Any]
    cache_control: CacheControl | UnsetType | None = UNSET


class ToolResultBlock(Request, tag_field="type", tag="tool_result", kw_only=True):
    tool_use_id: ToolUseId
    content: str | list[TextBlock | ImageBlock] | UnsetType = UNSET
    is_error: bool | UnsetType = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET


class UserTurn(Request, tag_field="role", tag="user", kw_only=True):
    content: str | Annotated[list[TextBlock | ImageBlock | ToolResultBlock], msgspec.Meta(min_length=1)]


class AssistantTurn(Request, tag_field="role", tag="assistant", kw_only=True):
    content: str | Annotated[list[TextBlock | ToolUseBlock], msgspec.Meta(min_length=1)]


InputMessage = UserTurn | AssistantTurn


class AnthropicTool(Request, kw_only=True):
    """`input_schema` must be `{"type": "object", ...}` (checked by the handler; other keys are free)."""

    name: ToolName
    description: str | UnsetType = UNSET
    input_schema: dict[str, Any]
    cache_control: CacheControl | UnsetType | None = UNSET


class AutoToolChoice(Request, tag_field="type", tag="auto", kw_only=True):
    disable_parallel_tool_use: bool | UnsetType = UNSET


class AnyToolChoice(Request, tag_field="type", tag="any", kw_only=True):
    disable_parallel_tool_use: bool | UnsetType = UNSET


class NamedToolChoice(Request, tag_field="type", tag="tool", kw_only=True):
    name: NonEmpty
    disable_parallel_tool_use: bool | UnsetType = UNSET


class NoneToolChoice(Request, tag_field="type", tag="none", kw_only=True):
    pass


ToolChoice = AutoToolChoice | AnyToolChoice | NamedToolChoice | NoneToolChoice


class Metadata(Request, kw_only=True):
    user_id: Annotated[str, msgspec.Meta(max_length=256)] | UnsetType | None = UNSET


class MessagesRequest(Request, kw_only=True):
    """Body of `POST /v1/messages` (spec/schemas/MessagesRequest.json, D-MSG-1)."""

    model: Annotated[str, msgspec.Meta(pattern=CHAT_MODEL_PATTERN)]
    messages: Annotated[list[InputMessage], msgspec.Meta(min_length=1)]
    max_tokens: Annotated[int, msgspec.Meta(ge=1, le=4096)]
    system: str | list[SystemTextBlock] | UnsetType = UNSET
    temperature: Annotated[float, msgspec.Meta(ge=0.0, le=2.0)] | UnsetType = UNSET
    top_p: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] | UnsetType = UNSET
    top_k: Annotated[int, msgspec.Meta(ge=1)] | UnsetType = UNSET
    stream: bool | UnsetType = UNSET
    stop_sequences: list[NonEmpty] | UnsetType = UNSET
    metadata: Metadata | UnsetType = UNSET
    tools: Annotated[list[AnthropicTool], msgspec.Meta(max_length=100)] | UnsetType = UNSET
    tool_choice: ToolChoice | UnsetType = UNSET


class CountTokensRequest(Request, kw_only=True):
    """Body of `POST /v1/messages/count_tokens` (D-MSG-4)."""

    model: Annotated[str, msgspec.Meta(pattern=CHAT_MODEL_PATTERN)]
    messages: Annotated[list[InputMessage], msgspec.Meta(min_length=1)]
    system: str | list[SystemTextBlock] | UnsetType = UNSET
    tools: Annotated[list[AnthropicTool], msgspec.Meta(max_length=100)] | UnsetType = UNSET
    tool_choice: ToolChoice | UnsetType = UNSET


# -- response --------------------------------------------------------------------------------


class CountTokensResponse(Response, kw_only=True):
    input_tokens: int


class OutTextBlock(Response, tag_field="type", tag="text", kw_only=True):
    text: str


class OutToolUseBlock(Response, tag_field="type", tag="tool_use", kw_only=True):
    id: str
    name: str
    input: dict[str, Any]


class MessagesUsage(Response, kw_only=True):
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0


class MessagesResponse(Response, kw_only=True):
    id: str
    type: Literal["message"]
    role: Literal["assistant"]
    content: list[OutTextBlock | OutToolUseBlock]
    model: str
    stop_reason: StopReason
    stop_sequence: str | None
    usage: MessagesUsage
    stratus: StratusMetadata


class MessageStartMessage(Response, kw_only=True):
    """`message_start.message`: a Message before any content, with null stop fields (E3)."""

    id: str
    type: Literal["message"]
    role: Literal["assistant"]
    content: tuple[()]
    model: str
    stop_reason: None
    stop_sequence: None
    usage: MessagesUsage
    stratus: StratusMetadata


class MessageStartEvent(Response, tag_field="type", tag="message_start", kw_only=True):
    message: MessageStartMessage


class ContentBlockStartEvent(Response, tag_field="type", tag="content_block_start", kw_only=True):
    index: int
    content_block: OutTextBlock | OutToolUseBlock


class TextDelta(Response, tag_field="type", tag="text_delta", kw_only=True):
    text: str


class InputJSONDelta(Response, tag_field="type", tag="input_json_delta", kw_only=True):
    partial_json: str


class ContentBlockDeltaEvent(Response, tag_field="type", tag="content_block_delta", kw_only=True):
    index: int
    delta: TextDelta | InputJSONDelta


class ContentBlockStopEvent(Response, tag_field="type", tag="content_block_stop", kw_only=True):
    index: int


class MessageDelta(Response, kw_only=True):
    stop_reason: StopReason
    stop_sequence: str | None


class MessageDeltaUsage(Response, kw_only=True):
    output_tokens: int
    input_tokens: int | UnsetType = UNSET


class MessageDeltaEvent(Response, tag_field="type", tag="message_delta", kw_only=True):
    delta: MessageDelta
    usage: MessageDeltaUsage
    stratus: StratusMetadata | UnsetType = UNSET


class MessageStopEvent(Response, tag_field="type", tag="message_stop", kw_only=True):
    pass


class PingEvent(Response, tag_field="type", tag="ping", kw_only=True):
    pass


class StreamErrorDetail(Response, kw_only=True):
    type: str
    message: str


class ErrorEvent(Response, tag_field="type", tag="error", kw_only=True):
    error: StreamErrorDetail


MessagesStreamEvent = (
    MessageStartEvent
    | ContentBlockStartEvent
    | ContentBlockDeltaEvent
    | ContentBlockStopEvent
    | MessageDeltaEvent
    | MessageStopEvent
    | PingEvent
    | ErrorEvent
)
