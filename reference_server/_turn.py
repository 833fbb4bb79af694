"""`Turn`: what the client asked for, in no dialect's spelling.

Each dialect decodes its (strictly decoded) request Struct into a `Turn` in its own module
(`_chat_decode.py`, `_messages_decode.py`); the completion service, both executors and the upstream
request builders read only this. A `Turn` carries meaning, not spelling: a chat `stop: "x"` and
`stop_sequences: ["x"]` are the same `stop`, `tool_choice: "required"` and `{"type": "any"}` the same
choice. What one dialect cannot say in the other's terms travels as an `Opaque` part, handed on
unchanged to a provider that speaks the same wire and dropped for the other.

The planner's view of the turn (`state`, `goal`), the tool results it answers from, and the prompt
token count are worked out by the decoder, because each dialect defines them slightly differently
(ARCHITECTURE.md, "Tokens"). Fields from `response_format` on are the surface the next round
honours; decoders fill the ones their wire Structs already have and leave the rest at the defaults.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

__all__ = [
    "CacheHint",
    "Dialect",
    "ForcedTool",
    "Image",
    "Message",
    "Opaque",
    "Part",
    "ResponseFormat",
    "Role",
    "Text",
    "Thinking",
    "Tool",
    "ToolCall",
    "ToolChoice",
    "ToolOutcome",
    "ToolResult",
    "Turn",
]

Dialect = Literal["openai", "anthropic"]
Role = Literal["system", "developer", "user", "assistant", "tool"]


class CacheHint(msgspec.Struct, frozen=True, kw_only=True):
    """Anthropic's `cache_control: {"type": "ephemeral", "ttl"?}` on a block or tool."""

    ttl: str | None = None


class Text(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    cache: CacheHint | None = None


class Image(msgspec.Struct, frozen=True, kw_only=True):
    """An image by `url` (http(s) or a `data:` URL) or as base64 `data` with its `media_type`."""

    url: str | None = None
    media_type: str | None = None
    data: str | None = None
    detail: str | None = None
    """OpenAI's `detail` (`auto|low|high`)."""
    cache: CacheHint | None = None


class ToolCall(msgspec.Struct, frozen=True, kw_only=True):
    """A tool call in the history (an assistant's `tool_calls[]` / `tool_use` block)."""

    id: str
    name: str
    arguments: str
    """The arguments as JSON text, as sent (OpenAI's may be invalid JSON)."""
    input: dict[str, Any] | None = None
    """The arguments as an object, when the client sent an object (Anthropic)."""
    cache: CacheHint | None = None


class ToolResult(msgspec.Struct, frozen=True, kw_only=True):
    """The result of a tool call (a `role: tool` message / `tool_result` block)."""

    call_id: str
    content: str | tuple[Text | Image, ...] | None
    """`None`: no content was sent."""
    is_error: bool | None = None
    cache: CacheHint | None = None


class Opaque(msgspec.Struct, frozen=True, kw_only=True):
    """A part only one wire understands (an OpenAI `refusal` part, ...), kept as its JSON."""

    wire: Dialect
    value: dict[str, Any]


Part = Text | Image | ToolCall | ToolResult | Opaque


class Message(msgspec.Struct, frozen=True, kw_only=True):
    """One message of the history. `content` is a string when the client sent a string (Anthropic)
    and parts otherwise; OpenAI text content is decoded to parts (one `Text`), as OpenAI reads it.
    An OpenAI `role: tool` message is a `tool` message with one `ToolResult` part."""

    role: Role
    content: str | tuple[Part, ...]
    name: str | None = None
    """OpenAI's participant `name`."""
    refusal: str | None = None
    """OpenAI's assistant `refusal` text."""


class Tool(msgspec.Struct, frozen=True, kw_only=True):
    """A function tool: name, description and the JSON Schema of its arguments."""

    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None
    cache: CacheHint | None = None


class ForcedTool(msgspec.Struct, frozen=True, kw_only=True):
    """`tool_choice` naming one tool."""

    name: str


ToolChoice = Literal["auto", "none", "required"] | ForcedTool
"""`required` is Anthropic's `any`."""


class ToolOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """A tool result the answer is written from: the tool's name and the result text."""

    name: str
    text: str


class ResponseFormat(msgspec.Struct, frozen=True, kw_only=True):
    """Structured output: OpenAI `response_format`, Anthropic structured outputs (next round)."""

    kind: Literal["text", "json_object", "json_schema"]
    schema: dict[str, Any] | None = None
    name: str | None = None
    strict: bool | None = None


class Thinking(msgspec.Struct, frozen=True, kw_only=True):
    """Anthropic `thinking` (next round)."""

    enabled: bool
    budget_tokens: int | None = None


class Turn(msgspec.Struct, frozen=True, kw_only=True):
    """One chat completion / messages request, dialect-free."""

    conventions: Dialect
    """Whose conventions an embedded answer follows (tool-call id prefix; Anthropic answers say a
    sentence before calling tools). Nothing else reads it: upstream requests are built from the
    fields below alone."""
    messages: tuple[Message, ...]
    """The history, system/developer messages in place (Anthropic's `system` is the first)."""
    state: str
    """System and developer text: the world model's current state."""
    goal: str
    """The user text the planner works towards (the last user message's text)."""
    tool_results: tuple[ToolOutcome, ...] = ()
    """Tool results after the goal: the answer is written from them."""
    prompt_tokens: int
    """The server's own count of the prompt (ARCHITECTURE.md, "Tokens")."""
    tools: tuple[Tool, ...] = ()
    tool_choice: ToolChoice | None = None
    """`None`: not given (auto with tools)."""
    parallel_tool_calls: bool | None = None
    """`False`: at most one call (`parallel_tool_calls: false` / `disable_parallel_tool_use: true`)."""
    max_tokens: int | None = None
    """The output limit (the smaller of chat's two, when both are given)."""
    stop: tuple[str, ...] = ()
    n: int | None = None
    stream: bool = False
    include_usage: bool | None = None
    """Chat `stream_options.include_usage`."""
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    user: str | None = None
    """OpenAI `user` / Anthropic `metadata.user_id`."""
    # -- accepted by the wire types of the next round, honoured then ------------------------
    response_format: ResponseFormat | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    seed: int | None = None
    thinking: Thinking | None = None
    metadata: dict[str, str] | None = None
    """OpenAI `metadata` (Anthropic's only field, `user_id`, is `user`)."""
    service_tier: str | None = None
    safety_identifier: str | None = None
    prompt_cache_key: str | None = None
    reasoning_effort: str | None = None
    verbosity: str | None = None
    store: bool | None = None
    logit_bias: dict[str, float] | None = None
    modalities: tuple[str, ...] | None = None

    @property
    def budget_tokens(self) -> int:
        """Output tokens reserved before the answer exists: `max_tokens` (default 1024) x `n`."""
        return (self.max_tokens if self.max_tokens is not None else 1024) * (self.n or 1)
