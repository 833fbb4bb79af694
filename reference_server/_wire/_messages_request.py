"""Top-level request Structs of `POST /v1/messages` and `/v1/messages/count_tokens` (spec/schemas/MessagesRequest.json,
CountTokensRequest.json), with their configuration objects (thinking, output_config, context management, ...)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from reference_server._wire._chat_request import CHAT_MODEL_PATTERN
from reference_server._wire._common import UNSET, Request, UnsetType
from reference_server._wire._messages_blocks import SystemTextBlock
from reference_server._wire._messages_history import InputMessage
from reference_server._wire._messages_server_tools import ToolUnion
from reference_server._wire._messages_tools import CacheControl, ToolChoice

__all__ = [
    "AllThinkingTurns",
    "BillingPolicy",
    "ClearThinking20251015Edit",
    "ClearToolUses20250919Edit",
    "Compact20260112Edit",
    "CompactionConfig",
    "Container",
    "ContextManagementConfig",
    "ContextManagementEdit",
    "CountTokensRequest",
    "Diagnostics",
    "Fallback",
    "FallbackCreditToken",
    "InputTokensThreshold",
    "JSONOutputFormat",
    "MessagesRequest",
    "Metadata",
    "OutputConfig",
    "PlainInputTokensThreshold",
    "PlainToolUsesThreshold",
    "RequestMCPServerToolConfiguration",
    "RequestMCPServerURLDefinition",
    "Skill",
    "ThinkingBlockBinding",
    "ThinkingConfig",
    "ThinkingConfigAdaptive",
    "ThinkingConfigBetweenTools",
    "ThinkingConfigDisabled",
    "ThinkingConfigEnabled",
    "ThinkingTurns",
    "ThreadContinue",
    "ThreadCreate",
    "TokenTaskBudget",
    "ToolUsesThreshold",
]


class Skill(Request, kw_only=True):
    """Specification for a skill to be loaded in a container."""

    type: Literal["anthropic", "custom"]
    skill_id: str
    version: str | UnsetType = UNSET


class Container(Request, kw_only=True):
    """Container parameters with skills to be loaded."""

    id: str | UnsetType | None = UNSET
    skills: list[Skill] | UnsetType | None = UNSET


class Diagnostics(Request, kw_only=True):
    """Request-level diagnostics."""

    previous_message_id: str | UnsetType | None = UNSET


class Metadata(Request, kw_only=True):
    user_id: Annotated[str, msgspec.Meta(max_length=256)] | UnsetType | None = UNSET


class JSONOutputFormat(Request, kw_only=True):
    type: Literal["json_schema"]
    schema: dict[str, Any]


class OutputConfig(Request, kw_only=True):
    effort: Literal["low", "medium", "high", "xhigh", "max"] | UnsetType | None = UNSET
    format: JSONOutputFormat | UnsetType | None = UNSET
    task_budget: TokenTaskBudget | UnsetType | None = UNSET


class ThinkingConfigEnabled(Request, tag_field="type", tag="enabled", kw_only=True):
    budget_tokens: int
    display: Literal["summarized", "omitted", "updates"] | UnsetType | None = UNSET
    block_binding: ThinkingBlockBinding | UnsetType | None = UNSET


class ThinkingConfigDisabled(Request, tag_field="type", tag="disabled", kw_only=True):
    pass


class ThinkingConfigBetweenTools(Request, tag_field="type", tag="between_tools", kw_only=True):
    pass


class ThinkingConfigAdaptive(Request, tag_field="type", tag="adaptive", kw_only=True):
    display: Literal["summarized", "omitted", "updates"] | UnsetType | None = UNSET
    block_binding: ThinkingBlockBinding | UnsetType | None = UNSET


class BillingPolicy(Request, kw_only=True):
    """Declares which organization is billed for the request."""

    type: Literal["billing_policy"]
    bill_to: Literal["self", "user_profile"] | UnsetType = UNSET


class CompactionConfig(Request, kw_only=True):
    """Compact the whole conversation and return a signed `compaction` block, alone, that a later request sends back first in `messages`, in place of the messages it summarizes."""

    type: Literal["summarize"]
    instructions: str | UnsetType | None = UNSET


class InputTokensThreshold(Request, tag_field="type", tag="input_tokens", kw_only=True):
    value: int


class PlainInputTokensThreshold(Request, kw_only=True):
    type: Literal["input_tokens"]
    value: int


class ToolUsesThreshold(Request, tag_field="type", tag="tool_uses", kw_only=True):
    value: int


class PlainToolUsesThreshold(Request, kw_only=True):
    type: Literal["tool_uses"]
    value: int


class ClearToolUses20250919Edit(Request, tag_field="type", tag="clear_tool_uses_20250919", kw_only=True):
    clear_at_least: PlainInputTokensThreshold | UnsetType | None = UNSET
    clear_tool_inputs: bool | list[str] | UnsetType | None = UNSET
    exclude_tools: list[str] | UnsetType | None = UNSET
    keep: PlainToolUsesThreshold | UnsetType = UNSET
    trigger: InputTokensThreshold | ToolUsesThreshold | UnsetType = UNSET


class ThinkingTurns(Request, tag_field="type", tag="thinking_turns", kw_only=True):
    value: int


class AllThinkingTurns(Request, tag_field="type", tag="all", kw_only=True):
    pass


class ClearThinking20251015Edit(Request, tag_field="type", tag="clear_thinking_20251015", kw_only=True):
    keep: ThinkingTurns | AllThinkingTurns | Literal["all"] | UnsetType = UNSET


class Compact20260112Edit(Request, tag_field="type", tag="compact_20260112", kw_only=True):
    """Automatically compact older context when reaching the configured trigger threshold."""

    instructions: str | UnsetType | None = UNSET
    pause_after_compaction: bool | UnsetType = UNSET
    trigger: PlainInputTokensThreshold | UnsetType | None = UNSET


class ContextManagementConfig(Request, kw_only=True):
    edits: list[ContextManagementEdit] | UnsetType = UNSET


class FallbackCreditToken(Request, kw_only=True):
    """Object form of ``fallback_credit_token``: the token plus a redemption mode."""

    token: str
    mode: Literal["strict", "best_effort"] | UnsetType = UNSET


class TokenTaskBudget(Request, kw_only=True):
    """User-configurable total token budget across contexts."""

    type: Literal["tokens"]
    total: int
    remaining: int | UnsetType | None = UNSET


class ThinkingBlockBinding(Request, kw_only=True):
    """Controls for block binding: what happens when a thinking block this request sends back fails the conversation check."""

    prefix_mismatch_behavior: Literal["error", "drop_block"] | UnsetType | None = UNSET


class Fallback(Request, kw_only=True):
    """One entry in the `fallbacks` chain on a `/v1/messages` request."""

    model: str
    max_tokens: int | UnsetType | None = UNSET
    output_config: OutputConfig | UnsetType | None = UNSET
    speed: Literal["standard", "fast"] | UnsetType | None = UNSET
    thinking: (
        ThinkingConfigEnabled
        | ThinkingConfigDisabled
        | ThinkingConfigBetweenTools
        | ThinkingConfigAdaptive
        | UnsetType
        | None
    ) = UNSET


class RequestMCPServerToolConfiguration(Request, kw_only=True):
    allowed_tools: list[str] | UnsetType | None = UNSET
    enabled: bool | UnsetType | None = UNSET


class RequestMCPServerURLDefinition(Request, kw_only=True):
    type: Literal["url"]
    name: str
    url: str
    authorization_token: str | UnsetType | None = UNSET
    tool_configuration: RequestMCPServerToolConfiguration | UnsetType | None = UNSET


class ThreadCreate(Request, tag_field="type", tag="create", kw_only=True):
    """Start holding conversation state under this response"s ``id``."""

    pass


class ThreadContinue(Request, tag_field="type", tag="continue", kw_only=True):
    """Resume from the response named by ``previous_message_id``."""

    previous_message_id: str


class MessagesRequest(Request, kw_only=True):
    """Body of `POST /v1/messages` (Anthropic dialect; messages page and FACTS.md §6). Every body field of the official SDK"s `MessageCreateParams` and of its beta variant (anthropic-python, the version pyproject pins) is here, checked by tests/spec/test_sdk_params.py; `betas`, `user_profile_id` and `workspace_id` travel as headers. Features a Stratus deployment cannot offer are answered as Anthropic answers a deployment without them (D-SURF-4). Unknown fields are rejected with 400 `invalid_request_error` (D-ERR-5). A body that is valid except for an unknown or malformed `model` is answered 404 `not_found_error` (messages page, D-MOD-2)."""

    model: Annotated[str, msgspec.Meta(pattern=CHAT_MODEL_PATTERN)]
    messages: Annotated[list[InputMessage], msgspec.Meta(min_length=1)]
    max_tokens: Annotated[int, msgspec.Meta(ge=1, le=128000)]
    system: str | list[SystemTextBlock] | UnsetType = UNSET
    temperature: Annotated[float, msgspec.Meta(ge=0.0, le=2.0)] | UnsetType = UNSET
    top_p: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] | UnsetType = UNSET
    top_k: Annotated[int, msgspec.Meta(ge=1)] | UnsetType = UNSET
    stream: bool | UnsetType = UNSET
    stop_sequences: list[Annotated[str, msgspec.Meta(min_length=1)]] | UnsetType = UNSET
    metadata: Metadata | UnsetType = UNSET
    tools: Annotated[list[ToolUnion], msgspec.Meta(max_length=100)] | UnsetType = UNSET
    tool_choice: ToolChoice | UnsetType = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    container: Container | str | UnsetType | None = UNSET
    diagnostics: Diagnostics | UnsetType | None = UNSET
    inference_geo: str | UnsetType | None = UNSET
    output_config: OutputConfig | UnsetType = UNSET
    service_tier: Literal["auto", "standard_only"] | UnsetType = UNSET
    speed: Literal["fast", "standard"] | UnsetType | None = UNSET
    thinking: ThinkingConfig | UnsetType = UNSET
    billing_policy: BillingPolicy | UnsetType | None = UNSET
    compaction: CompactionConfig | UnsetType | None = UNSET
    context_management: ContextManagementConfig | UnsetType | None = UNSET
    fallback_credit_token: str | FallbackCreditToken | UnsetType | None = UNSET
    fallbacks: list[Fallback] | Literal["default"] | UnsetType | None = UNSET
    mcp_servers: list[RequestMCPServerURLDefinition] | UnsetType = UNSET
    thread: ThreadCreate | ThreadContinue | UnsetType | None = UNSET


class CountTokensRequest(Request, kw_only=True):
    """`POST /v1/messages/count_tokens` (wire-checklist D9, D-MSG-4): the prompt part of a MessagesRequest, every body field of the SDK"s `MessageCountTokensParams` (and its beta variant)."""

    messages: Annotated[list[InputMessage], msgspec.Meta(min_length=1)]
    model: Annotated[str, msgspec.Meta(pattern=CHAT_MODEL_PATTERN)]
    cache_control: CacheControl | UnsetType | None = UNSET
    output_config: OutputConfig | UnsetType = UNSET
    speed: Literal["fast", "standard"] | UnsetType | None = UNSET
    system: str | list[SystemTextBlock] | UnsetType = UNSET
    thinking: ThinkingConfig | UnsetType = UNSET
    tool_choice: ToolChoice | UnsetType = UNSET
    tools: Annotated[list[ToolUnion], msgspec.Meta(max_length=100)] | UnsetType = UNSET
    billing_policy: BillingPolicy | UnsetType | None = UNSET
    compaction: CompactionConfig | UnsetType | None = UNSET
    context_management: ContextManagementConfig | UnsetType | None = UNSET
    mcp_servers: list[RequestMCPServerURLDefinition] | UnsetType = UNSET


ThinkingConfig = (
    ThinkingConfigEnabled | ThinkingConfigDisabled | ThinkingConfigBetweenTools | ThinkingConfigAdaptive
)
ContextManagementEdit = ClearToolUses20250919Edit | ClearThinking20251015Edit | Compact20260112Edit
