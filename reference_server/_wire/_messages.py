"""Wire Structs of `POST /v1/messages` and `/v1/messages/count_tokens` (Anthropic dialect): responses and stream
events; the request Structs live in `_messages_request`, `_messages_blocks` and `_messages_tools` and the names the
handlers use are re-exported here."""

from __future__ import annotations

from typing import Any, Literal

from reference_server._wire._common import UNSET, Response, StratusMetadata, UnsetType
from reference_server._wire._messages_blocks import (
    Base64ImageSource,
    ImageBlock,
    SystemTextBlock,
    TextBlock,
    ToolUseBlock,
    URLSource,
)
from reference_server._wire._messages_history import (
    AssistantTurn,
    InputMessage,
    SystemTurn,
    ToolResultBlock,
    UserTurn,
)
from reference_server._wire._messages_request import CountTokensRequest, MessagesRequest, Metadata
from reference_server._wire._messages_tools import (
    AnthropicTool,
    AnyToolChoice,
    AutoToolChoice,
    CacheControl,
    NamedToolChoice,
    NoneToolChoice,
    ToolChoice,
)

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
    "OutBlock",
    "OutRedactedThinkingBlock",
    "OutTextBlock",
    "OutThinkingBlock",
    "OutToolUseBlock",
    "PingEvent",
    "SignatureDelta",
    "StreamErrorDetail",
    "SystemTextBlock",
    "SystemTurn",
    "TextBlock",
    "TextDelta",
    "ThinkingDelta",
    "ToolChoice",
    "ToolResultBlock",
    "ToolUseBlock",
    "URLSource",
    "UserTurn",
]

StopReason = Literal["end_turn", "max_tokens", "stop_sequence", "tool_use"]


# -- response --------------------------------------------------------------------------------


class CountTokensResponse(Response, kw_only=True):
    input_tokens: int


class OutTextBlock(Response, tag_field="type", tag="text", kw_only=True):
    text: str


class OutToolUseBlock(Response, tag_field="type", tag="tool_use", kw_only=True):
    id: str
    name: str
    input: dict[str, Any]


class OutThinkingBlock(Response, tag_field="type", tag="thinking", kw_only=True):
    thinking: str
    signature: str


class OutRedactedThinkingBlock(Response, tag_field="type", tag="redacted_thinking", kw_only=True):
    data: str


OutBlock = OutThinkingBlock | OutRedactedThinkingBlock | OutTextBlock | OutToolUseBlock


class MessagesUsage(Response, kw_only=True):
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0


class MessagesResponse(Response, kw_only=True):
    id: str
    type: Literal["message"]
    role: Literal["assistant"]
    content: list[OutBlock]
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
    content_block: OutBlock


class TextDelta(Response, tag_field="type", tag="text_delta", kw_only=True):
    text: str


class InputJSONDelta(Response, tag_field="type", tag="input_json_delta", kw_only=True):
    partial_json: str


class ThinkingDelta(Response, tag_field="type", tag="thinking_delta", kw_only=True):
    thinking: str


class SignatureDelta(Response, tag_field="type", tag="signature_delta", kw_only=True):
    signature: str


class ContentBlockDeltaEvent(Response, tag_field="type", tag="content_block_delta", kw_only=True):
    index: int
    delta: TextDelta | InputJSONDelta | ThinkingDelta | SignatureDelta


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
