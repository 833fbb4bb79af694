"""`Turn`: what the client asked for, in no dialect's spelling.

Each dialect decodes its (strictly decoded) request Struct into a `Turn` in its own module
(`_chat_decode.py`, `_messages_decode.py`); the completion service, both executors and the upstream
request builders read only this. A `Turn` carries meaning, not spelling: a chat `stop: "x"` and
`stop_sequences: ["x"]` are the same `stop`, `tool_choice: "required"` and `{"type": "any"}` the same
choice. What one dialect cannot say in the other's terms travels as an `Opaque` part, handed on
unchanged to a provider that speaks the same wire and dropped for the other; tools, tool calls and
tool choices only one wire defines (OpenAI custom tools and `allowed_tools`, Anthropic-defined client
tools) reach a provider of that wire and are a 400 for the other (`_upstream_request`).

The planner's view of the turn (`state`, `goal`), the tool results it answers from, and the prompt
token count are worked out by the decoder, because each dialect defines them slightly differently
(ARCHITECTURE.md, "Tokens"). Fields from `response_format` on are the surface round's: the
decoders fill them from every field the client sent (`logprobs`, `seed`, `thinking`: D-LOGP-1,
D-SEED-1, D-THINK-1; upstream all of them, D-EXEC-2).
Accepted fields with no dialect-free meaning (hints such as `prediction` or `inference_geo`) travel
in `hints`, as sent, so nothing the client sent is lost before the executors.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

__all__ = [
    "AllowedTools",
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
    custom: bool = False
    """A call of an OpenAI custom tool: `arguments` is its free-form `input` text."""


class ToolResult(msgspec.Struct, frozen=True, kw_only=True):
    """The result of a tool call (a `role: tool` message / `tool_result` block)."""

    call_id: str
    content: str | tuple[Text | Image | Opaque, ...] | None
    """`None`: no content was sent. Blocks other than text and images (Anthropic documents, search
    results, tool references) are `Opaque`."""
    is_error: bool | None = None
    cache: CacheHint | None = None


class Opaque(msgspec.Struct, frozen=True, kw_only=True):
    """A part (or tool) only one wire understands (an OpenAI `refusal` part, an Anthropic `document`
    block, a `bash_20250124` tool, ...), kept as its JSON."""

    wire: Dialect
    value: dict[str, Any]
    at: str | None = None
    """Where the client sent it, in its dialect's spelling (`tools[2]`, `tools.2`), for an error that
    names it."""


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
    index: int | None = None
    """Its place in the client's `tools` (errors name it); `None`: its place among `Turn.tools`."""


class ForcedTool(msgspec.Struct, frozen=True, kw_only=True):
    """`tool_choice` naming one tool."""

    name: str
    custom: bool = False
    """OpenAI's `{"type": "custom", "custom": {"name"}}`: one of `Turn.wire_tools`."""


class AllowedTools(msgspec.Struct, frozen=True, kw_only=True):
    """OpenAI's `{"type": "allowed_tools", "allowed_tools": {"mode", "tools"}}`: auto or required
    among a subset of the tools, given as OpenAI tool references."""

    mode: Literal["auto", "required"]
    tools: tuple[dict[str, Any], ...]


ToolChoice = Literal["auto", "none", "required"] | ForcedTool | AllowedTools
"""`required` is Anthropic's `any`."""


class ToolOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """A tool result the answer is written from: the tool's name and the result text."""

    name: str
    text: str


class ResponseFormat(msgspec.Struct, frozen=True, kw_only=True):
    """Structured output: OpenAI `response_format`, Anthropic `output_config.format` (next round)."""

    kind: Literal["text", "json_object", "json_schema"]
    schema: dict[str, Any] | None = None
    name: str | None = None
    description: str | None = None
    strict: bool | None = None


class Thinking(msgspec.Struct, frozen=True, kw_only=True):
    """Anthropic `thinking` (D-THINK-1): `enabled` for `enabled`, `adaptive` and `between_tools`."""

    enabled: bool
    budget_tokens: int | None = None
    mode: str | None = None
    """Anthropic's `type` when it is neither `enabled` nor `disabled` (`adaptive`, `between_tools`)."""
    display: str | None = None
    """Anthropic's `display` (`summarized`, `omitted`, `updates`)."""
    interleaved: bool = False
    """The `interleaved-thinking-2025-05-14` beta was asked for (`anthropic-beta`, D-THINK-4): the
    budget is the whole assistant turn's and may exceed `max_tokens`; the model thinks again after
    tool results."""


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
    """Function tools (OpenAI `function`, Anthropic custom tools): what the embedded executor calls."""
    wire_tools: tuple[Opaque, ...] = ()
    """Tools only the client's wire defines (OpenAI `custom` tools, Anthropic-defined client tools:
    bash, text editor, memory, computer, the toolsets), as sent; the client runs them."""
    tool_choice: ToolChoice | None = None
    """`None`: not given (auto with tools)."""
    parallel_tool_calls: bool | None = None
    """`False`: at most one call (`parallel_tool_calls: false` / `disable_parallel_tool_use: true`)."""
    max_tokens: int | None = None
    """The output limit (the smaller of chat's two, when both are given). On messages it may be up to
    the family limit; the embedded executor generates within `_limits.MESSAGES_BUDGET` (D-MSG-5)."""
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
    """As the client's wire spells it (OpenAI `auto|default|flex|...`, Anthropic `auto|standard_only`)."""
    safety_identifier: str | None = None
    prompt_cache_key: str | None = None
    reasoning_effort: str | None = None
    """OpenAI `reasoning_effort`, Anthropic `output_config.effort`."""
    verbosity: str | None = None
    store: bool | None = None
    logit_bias: dict[str, float] | None = None
    modalities: tuple[str, ...] | None = None
    betas: tuple[str, ...] = ()
    """Anthropic `anthropic-beta` header values, in the order sent (an Anthropic provider gets them,
    D-THINK-5)."""
    hints: Opaque | None = None
    """The other accepted fields, by their wire name, as sent (OpenAI `prediction`,
    `prompt_cache_options`, legacy `functions`/`function_call`; Anthropic `cache_control`,
    `inference_geo`, `speed`, `context_management`, `fallbacks`, ...): they do not change a
    deployment's answer (D-SURF-1)."""
    source: bytes | None = None
    """A digest of the request body this turn was decoded from, when the decoder keeps turns by
    body (`_chat_decode`): equal sources are equal turns, so an executor may reuse what it derived
    from one (the embedded executor's answer to a repeated request). Never sent anywhere."""

    @property
    def budget_tokens(self) -> int:
        """Output tokens reserved before the answer exists: `max_tokens` (default 1024) x `n`."""
        return (self.max_tokens if self.max_tokens is not None else 1024) * (self.n or 1)
