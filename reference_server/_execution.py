"""What an executor gives back, in no dialect: a `Result`, or a stream of `Event`s, and the
`Executor` protocol both executors implement (`_embedded.py`, `_upstream.py`).

An executor writes the assistant's answer to a `Turn` given the plan; it knows nothing of accounts,
of the `stratus` object (the completion service, `_service.py`) or of the dialect the client speaks
(the encoders, `_chat_encode.py` / `_messages_encode.py`).

A stream is: `Opened` once (the answer has started: the first frames may go out), `ChoiceStarted`
before each choice's first delta, then per choice its thinking (`ThinkingDelta`s then
`ThinkingSigned`, or `RedactedThinking`), `TextDelta`s (with their tokens' log-probabilities when
asked) and tool calls (`ToolCallStarted` then its `ToolArgumentsDelta`s), `Finished`, and `UsageReported` once the executor knows the usage;
it ends after the last of these, or with `Failed`. Choice and call indexes count from 0.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Literal, Protocol

import msgspec

from reference_server._catalog import ModelId
from reference_server._logprobs import TokenLogprob
from reference_server._turn import Turn
from reference_server.planner import Plan

__all__ = [
    "BYOK",
    "Answer",
    "BlockKind",
    "ChoiceStarted",
    "Event",
    "Execution",
    "Executor",
    "Failed",
    "FinishReason",
    "Finished",
    "KeySource",
    "Opened",
    "ProviderKeys",
    "RedactedThinking",
    "Result",
    "TextDelta",
    "ThinkingDelta",
    "ThinkingOut",
    "ThinkingSigned",
    "ToolArgumentsDelta",
    "ToolCallOut",
    "ToolCallStarted",
    "Usage",
    "UsageReported",
]

FinishReason = Literal["stop", "length", "tool_calls", "content_filter"]
"""Why a choice ended; a matched stop sequence is `stop` with `Answer.stop_sequence` set."""
KeySource = Literal["user", "formation"]

BYOK: dict[str, tuple[str, str]] = {
    "openai": ("x-openai-key", "openai_key"),
    "anthropic": ("x-anthropic-key", "anthropic_key"),
    "google": ("x-google-key", "gemini_key"),
    "openrouter": ("x-openrouter-key", "openrouter_key"),
}
"""Provider -> (BYOK header, chat-completions body key) (D-AUTH-3)."""


class ProviderKeys:
    """The LLM provider keys a request brings (BYOK headers, chat body keys); never printed."""

    __slots__ = ("_body", "_headers")

    def __init__(self, headers: Mapping[str, str], body: Mapping[str, str] | None = None) -> None:
        self._headers = headers
        self._body = body or {}

    def __repr__(self) -> str:
        given = [p for p in BYOK if self.for_provider(p)]
        return f"ProviderKeys(providers={given})"

    @property
    def present(self) -> bool:
        """Whether any provider key came with the request (`key_source: "user"` when embedded)."""
        return any(self.for_provider(p) for p in BYOK)

    def for_provider(self, provider: str) -> str | None:
        """The provider's own key: its BYOK header, then its chat body key."""
        header = (self._headers.get(BYOK[provider][0]) or "").strip()
        return header or (self._body.get(provider) or "").strip() or None


class Usage(msgspec.Struct, frozen=True, kw_only=True):
    """Token usage. `input_tokens` excludes the cache counters, as Anthropic reports them."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_creation_tokens: int = 0

    @property
    def prompt_tokens(self) -> int:
        """Input plus cache read plus cache creation (wire-checklist G10)."""
        return self.input_tokens + self.cache_read_tokens + self.cache_creation_tokens


class ToolCallOut(msgspec.Struct, frozen=True, kw_only=True):
    """A tool call the answer makes."""

    id: str
    name: str
    arguments: str
    """JSON text, as the executor produced it."""
    input: dict[str, Any] | None
    """The arguments as an object; `None` when `arguments` is not a JSON object."""


BlockKind = Literal["thinking", "text", "tool_use"]


class ThinkingOut(msgspec.Struct, frozen=True, kw_only=True):
    """A thinking block of an answer: `text` as shown (empty when omitted), `signature`, and the
    tokens it costs (the whole reasoning, shown or not). `redacted`: a provider's encrypted
    `redacted_thinking` block, whose `data` is in `signature`."""

    text: str
    signature: str
    tokens: int = 0
    redacted: bool = False


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    """One choice."""

    text: str | None
    """`None`: the executor produced no text field at all (a provider's `content: null`)."""
    tool_calls: tuple[ToolCallOut, ...] = ()
    finish: FinishReason
    stop_sequence: str | None = None
    thinking: tuple[ThinkingOut, ...] = ()
    """Thinking blocks, before the text and tool calls (Anthropic `thinking`) unless `order` says."""
    order: tuple[BlockKind, ...] = ()
    """The content blocks' kinds in the order a provider sent them (an Anthropic provider's
    interleaved thinking, D-THINK-5): the n-th `thinking` is `thinking[n]`, the n-th `tool_use`
    `tool_calls[n]`, the n-th `text` `text_blocks[n]`. Empty: thinking, text, tool calls."""
    text_blocks: tuple[str, ...] = ()
    """Each text block's text when `order` is given (`text` is their concatenation)."""
    logprobs: tuple[TokenLogprob, ...] | None = None
    """The text's tokens with their log-probabilities (OpenAI `logprobs: true`); None: not asked."""


class Result(msgspec.Struct, frozen=True, kw_only=True):
    """A whole answer."""

    choices: tuple[Answer, ...]
    usage: Usage
    executed_by: str | None = None
    """The provider's display name (`OpenAI`, ...); `None` for the embedded executor."""
    system_fingerprint: str | None = None


# -- stream events ------------------------------------------------------------------------------


class Opened(msgspec.Struct, frozen=True, kw_only=True):
    """The answer has started. `usage`: as known now (Anthropic reports the input at the start);
    `answer`: the whole answer, when the executor has it before streaming (the embedded one)."""

    usage: Usage | None = None
    answer: Result | None = None
    system_fingerprint: str | None = None


class ChoiceStarted(msgspec.Struct, frozen=True, kw_only=True):
    choice: int


class TextDelta(msgspec.Struct, frozen=True, kw_only=True):
    choice: int
    text: str
    logprobs: tuple[TokenLogprob, ...] | None = None
    """The log-probabilities of exactly this piece's tokens, when asked."""


class ThinkingDelta(msgspec.Struct, frozen=True, kw_only=True):
    choice: int
    text: str


class ThinkingSigned(msgspec.Struct, frozen=True, kw_only=True):
    """The end of a thinking block: its signature (a block shown as omitted has no deltas)."""

    choice: int
    signature: str


class RedactedThinking(msgspec.Struct, frozen=True, kw_only=True):
    choice: int
    data: str


class ToolCallStarted(msgspec.Struct, frozen=True, kw_only=True):
    choice: int
    call: int
    id: str | None
    """`None`: the provider sent none."""
    name: str


class ToolArgumentsDelta(msgspec.Struct, frozen=True, kw_only=True):
    choice: int
    call: int
    fragment: str


class Finished(msgspec.Struct, frozen=True, kw_only=True):
    choice: int
    reason: FinishReason
    stop_sequence: str | None = None


class UsageReported(msgspec.Struct, frozen=True, kw_only=True):
    usage: Usage


class Failed(msgspec.Struct, frozen=True, kw_only=True):
    """The answer failed after it started; the stream ends with the dialect's in-stream error."""

    kind: Literal["llm_provider_error", "timeout_error"]
    message: str
    provider_type: str | None = None
    """The provider's own error type (Anthropic's `overloaded_error`, ...), when it sent one."""


Event = (
    Opened
    | ChoiceStarted
    | ThinkingDelta
    | ThinkingSigned
    | RedactedThinking
    | TextDelta
    | ToolCallStarted
    | ToolArgumentsDelta
    | Finished
    | UsageReported
    | Failed
)


# -- the interface ------------------------------------------------------------------------------


class Execution(Protocol):
    """One request's execution, bound to who executes it and whose key pays."""

    @property
    def key_source(self) -> KeySource:
        """`user` (the client's key) or `formation` (the operator's pool, credits x1.25)."""
        ...

    @property
    def executed_by(self) -> str | None:
        """The provider's display name; `None` for the embedded executor."""
        ...

    @property
    def budget_tokens(self) -> int:
        """The most output tokens this execution writes over all its choices: what credits are
        reserved for (`Turn.budget_tokens`, or less where the executor generates less, D-MSG-5)."""
        ...

    async def complete(self, plan: Plan) -> Result:
        """The whole answer; raises `ApiError` when it cannot be had."""
        ...

    async def stream(self, plan: Plan) -> AsyncIterator[Event]:
        """Start the answer (errors before it starts raise `ApiError`) and return its events."""
        ...


class Executor(Protocol):
    @property
    def live(self) -> bool:
        """True when answers arrive as they are generated elsewhere (streams get keep-alives);
        False when an answer is ready at once (streams are paced by `STRATUS_STREAM_DELAY_MS`)."""
        ...

    def prepare(self, turn: Turn, model: ModelId, keys: ProviderKeys) -> Execution:
        """Bind the turn to an executor and a key; raises `ApiError` before anything is reserved
        (502 `llm_provider_not_configured` when no key can pay)."""
        ...
