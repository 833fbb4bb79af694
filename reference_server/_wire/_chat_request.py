"""Request Structs of `POST /v1/chat/completions` (spec/schemas/ChatCompletionRequest.json): every field of the
openai SDK's `CompletionCreateParams`, held to the spec by tests/spec/test_wire_drift.py."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from reference_server._wire._common import UNSET, Request, UnsetType

__all__ = [
    "CHAT_MODEL_PATTERN",
    "AllowedToolChoice",
    "AllowedTools",
    "Annotation",
    "AssistantAudio",
    "AssistantContentPart",
    "AssistantMessage",
    "AudioOutput",
    "ChatCompletionRequest",
    "ChatMessage",
    "CustomTool",
    "CustomToolCall",
    "CustomToolCallInput",
    "CustomToolDefinition",
    "CustomToolGrammar",
    "CustomToolGrammarFormat",
    "CustomToolTextFormat",
    "DeveloperMessage",
    "FileInput",
    "FilePart",
    "FunctionCall",
    "FunctionCallOption",
    "FunctionDefinition",
    "FunctionMessage",
    "ImageURL",
    "ImageURLPart",
    "InputAudio",
    "InputAudioPart",
    "JSONSchemaDefinition",
    "LegacyFunction",
    "Moderation",
    "ModerationPolicy",
    "ModerationPolicyMode",
    "NamedCustomToolChoice",
    "NamedCustomToolChoiceCustom",
    "NamedToolChoice",
    "NamedToolChoiceFunction",
    "PlainTextPart",
    "PredictionContent",
    "PromptCacheBreakpoint",
    "PromptCacheOptions",
    "RefusalPart",
    "ResponseFormat",
    "ResponseFormatJSONObject",
    "ResponseFormatJSONSchema",
    "ResponseFormatText",
    "StreamOptions",
    "SystemMessage",
    "TextContent",
    "TextPart",
    "Tool",
    "ToolCall",
    "ToolCallUnion",
    "ToolChoice",
    "ToolMessage",
    "ToolUnion",
    "URLCitation",
    "UserContentPart",
    "UserMessage",
    "VoiceID",
    "WebSearchOptions",
    "WebSearchOptionsUserLocation",
    "WebSearchOptionsUserLocationApproximate",
]

CHAT_MODEL_PATTERN = (
    r"^stratus-x1ac-(small|base|large|xl|huge)-(((gpt-|chatgpt-|o[1-9]|claude-|gemini-)[a-z0-9._:-]*)"
    r"|([a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._:-]*))$"
)
"""`ChatCompletionRequest.json#/$defs/ChatModelId` (D-MOD-1)."""
OutputTokens = Annotated[int, msgspec.Meta(ge=1, le=128_000)]
"""`max_tokens` / `max_completion_tokens`: the server bounds them per model family (`_limits`, D-LIM-2)."""


class PromptCacheBreakpoint(Request, kw_only=True):
    """Marks the exact end of a reusable prompt prefix."""

    mode: Literal["explicit"]
    ttl: Literal["30m", "12h"] | UnsetType = UNSET


class TextPart(Request, tag_field="type", tag="text", kw_only=True):
    """Learn about [text inputs](https://developers.openai.com/api/docs/guides/text)."""

    text: str
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType = UNSET


class PlainTextPart(Request, kw_only=True):
    """Learn about [text inputs](https://developers.openai.com/api/docs/guides/text)."""

    type: Literal["text"]
    text: str
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType = UNSET


class DeveloperMessage(Request, tag_field="role", tag="developer", kw_only=True):
    """Treated exactly like `system` (D-CHAT-2)."""

    content: TextContent
    name: Annotated[str, msgspec.Meta(min_length=1)] | UnsetType = UNSET


class SystemMessage(Request, tag_field="role", tag="system", kw_only=True):
    """The current state (Stratus convention)."""

    content: TextContent
    name: Annotated[str, msgspec.Meta(min_length=1)] | UnsetType = UNSET


class ImageURL(Request, kw_only=True):
    url: Annotated[str, msgspec.Meta(pattern="^(https?://|data:)")]
    detail: Literal["auto", "low", "high", "original"] | UnsetType = UNSET


class ImageURLPart(Request, tag_field="type", tag="image_url", kw_only=True):
    """Learn about [image inputs](https://developers.openai.com/api/docs/guides/images-vision)."""

    image_url: ImageURL
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType = UNSET


class InputAudio(Request, kw_only=True):
    data: str
    format: Literal["wav", "mp3"]


class InputAudioPart(Request, tag_field="type", tag="input_audio", kw_only=True):
    """Learn about [audio inputs](https://developers.openai.com/api/docs/guides/audio)."""

    input_audio: InputAudio
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType = UNSET


class FileInput(Request, kw_only=True):
    file_data: str | UnsetType = UNSET
    file_id: str | UnsetType = UNSET
    filename: str | UnsetType = UNSET


class FilePart(Request, tag_field="type", tag="file", kw_only=True):
    """Learn about [file inputs](https://developers.openai.com/api/docs/guides/text) for text generation."""

    file: FileInput
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType = UNSET


class UserMessage(Request, tag_field="role", tag="user", kw_only=True):
    """The goal (Stratus convention): the last user message is what the planner plans toward."""

    content: str | Annotated[list[UserContentPart], msgspec.Meta(min_length=1)]
    name: Annotated[str, msgspec.Meta(min_length=1)] | UnsetType = UNSET


class AssistantAudio(Request, kw_only=True):
    """A previous audio answer: its `id`, and the rest of the response"s `audio` object when a client replays it."""

    id: str
    data: str | UnsetType = UNSET
    expires_at: int | UnsetType = UNSET
    transcript: str | UnsetType = UNSET


class RefusalPart(Request, tag_field="type", tag="refusal", kw_only=True):
    refusal: str


class FunctionCall(Request, kw_only=True):
    """Deprecated and replaced by `tool_calls`."""

    arguments: str
    name: Annotated[str, msgspec.Meta(min_length=1)]


class ToolCall(Request, tag_field="type", tag="function", kw_only=True):
    """A tool call as sent back in history (OpenAI `ChatCompletionMessageToolCallParam`)."""

    id: Annotated[str, msgspec.Meta(min_length=1)]
    function: FunctionCall


class CustomToolCallInput(Request, kw_only=True):
    """The custom tool that the model called."""

    input: str
    name: str


class CustomToolCall(Request, tag_field="type", tag="custom", kw_only=True):
    """A call to a custom tool created by the model."""

    id: Annotated[str, msgspec.Meta(min_length=1)]
    custom: CustomToolCallInput


class AssistantMessage(Request, tag_field="role", tag="assistant", kw_only=True):
    """A previous answer. `content` may be null or absent when `tool_calls`, `function_call` or `audio` carries the answer."""

    audio: AssistantAudio | UnsetType | None = UNSET
    content: str | Annotated[list[AssistantContentPart], msgspec.Meta(min_length=1)] | UnsetType | None = (
        UNSET
    )
    function_call: FunctionCall | UnsetType | None = UNSET
    name: Annotated[str, msgspec.Meta(min_length=1)] | UnsetType = UNSET
    refusal: str | UnsetType | None = UNSET
    tool_calls: Annotated[list[ToolCallUnion], msgspec.Meta(min_length=1)] | UnsetType = UNSET
    annotations: list[Annotation] | UnsetType | None = UNSET


class ToolMessage(Request, tag_field="role", tag="tool", kw_only=True):
    """The result of a tool call, linked by `tool_call_id` to an earlier assistant `tool_calls` entry."""

    content: TextContent
    tool_call_id: Annotated[str, msgspec.Meta(min_length=1)]
    name: str | UnsetType = UNSET
    """The called tool's name (LangChain.js sends it; D-SURF-6)."""


class FunctionMessage(Request, tag_field="role", tag="function", kw_only=True):
    content: str | None
    name: str


class VoiceID(Request, kw_only=True):
    """Custom voice reference."""

    id: str


class AudioOutput(Request, kw_only=True):
    """Parameters for audio output."""

    format: Literal["wav", "aac", "mp3", "flac", "opus", "pcm16"]
    voice: str | VoiceID


class FunctionCallOption(Request, kw_only=True):
    """Specifying a particular function via `{"name": "my_function"}` forces the model to call that function."""

    name: Annotated[str, msgspec.Meta(pattern="^[a-zA-Z0-9_-]{1,64}$")]


class LegacyFunction(Request, kw_only=True):
    name: Annotated[str, msgspec.Meta(pattern="^[a-zA-Z0-9_-]{1,64}$")]
    description: str | UnsetType = UNSET
    parameters: dict[str, Any] | UnsetType = UNSET


class ModerationPolicyMode(Request, kw_only=True):
    """The moderation policy for the response input."""

    mode: Literal["score", "block"]


class ModerationPolicy(Request, kw_only=True):
    """The policy to apply to moderated response input and output."""

    input: ModerationPolicyMode | UnsetType | None = UNSET
    output: ModerationPolicyMode | UnsetType | None = UNSET


class Moderation(Request, kw_only=True):
    """Configuration for running moderation on the request input and generated output."""

    model: str
    policy: ModerationPolicy | UnsetType | None = UNSET


class PredictionContent(Request, kw_only=True):
    """Static predicted output content, such as the content of a text file that is being regenerated."""

    type: Literal["content"]
    content: str | list[PlainTextPart]


class PromptCacheOptions(Request, kw_only=True):
    """Options for prompt caching."""

    mode: Literal["implicit", "explicit"] | UnsetType = UNSET
    ttl: Literal["30m"] | UnsetType = UNSET


class ResponseFormatText(Request, tag_field="type", tag="text", kw_only=True):
    """Default response format."""

    pass


class JSONSchemaDefinition(Request, kw_only=True):
    """Structured Outputs configuration options, including a JSON Schema."""

    name: Annotated[str, msgspec.Meta(pattern="^[a-zA-Z0-9_-]{1,64}$")]
    description: str | UnsetType = UNSET
    schema: dict[str, Any] | UnsetType = UNSET
    strict: bool | UnsetType | None = UNSET


class ResponseFormatJSONSchema(Request, tag_field="type", tag="json_schema", kw_only=True):
    """JSON Schema response format."""

    json_schema: JSONSchemaDefinition


class ResponseFormatJSONObject(Request, tag_field="type", tag="json_object", kw_only=True):
    """JSON object response format."""

    pass


class StreamOptions(Request, kw_only=True):
    """Options for streaming response."""

    include_obfuscation: bool | UnsetType = UNSET
    include_usage: bool | UnsetType = UNSET


class AllowedTools(Request, kw_only=True):
    """Constrains the tools available to the model to a pre-defined set."""

    mode: Literal["auto", "required"]
    tools: list[dict[str, Any]]


class AllowedToolChoice(Request, tag_field="type", tag="allowed_tools", kw_only=True):
    """Constrains the tools available to the model to a pre-defined set."""

    allowed_tools: AllowedTools


class NamedToolChoiceFunction(Request, kw_only=True):
    name: Annotated[str, msgspec.Meta(pattern="^[a-zA-Z0-9_-]{1,64}$")]


class NamedToolChoice(Request, tag_field="type", tag="function", kw_only=True):
    """Specifies a tool the model should use."""

    function: NamedToolChoiceFunction


class NamedCustomToolChoiceCustom(Request, kw_only=True):
    name: Annotated[str, msgspec.Meta(pattern="^[a-zA-Z0-9_-]{1,64}$")]


class NamedCustomToolChoice(Request, tag_field="type", tag="custom", kw_only=True):
    """Specifies a tool the model should use."""

    custom: NamedCustomToolChoiceCustom


class FunctionDefinition(Request, kw_only=True):
    name: Annotated[str, msgspec.Meta(pattern="^[a-zA-Z0-9_-]{1,64}$")]
    description: str | UnsetType = UNSET
    parameters: dict[str, Any] | UnsetType = UNSET
    strict: bool | UnsetType | None = UNSET


class Tool(Request, tag_field="type", tag="function", kw_only=True):
    """A function tool that can be used to generate a response."""

    function: FunctionDefinition


class CustomToolTextFormat(Request, tag_field="type", tag="text", kw_only=True):
    """Unconstrained free-form text."""

    pass


class CustomToolGrammar(Request, kw_only=True):
    """Your chosen grammar."""

    definition: str
    syntax: Literal["lark", "regex"]


class CustomToolGrammarFormat(Request, tag_field="type", tag="grammar", kw_only=True):
    """A grammar defined by the user."""

    grammar: CustomToolGrammar


class CustomToolDefinition(Request, kw_only=True):
    """Properties of the custom tool."""

    name: Annotated[str, msgspec.Meta(pattern="^[a-zA-Z0-9_-]{1,64}$")]
    description: str | UnsetType = UNSET
    format: CustomToolTextFormat | CustomToolGrammarFormat | UnsetType = UNSET


class CustomTool(Request, tag_field="type", tag="custom", kw_only=True):
    """A custom tool that processes input using a specified format."""

    custom: CustomToolDefinition


class WebSearchOptionsUserLocationApproximate(Request, kw_only=True):
    """Approximate location parameters for the search."""

    city: str | UnsetType = UNSET
    country: str | UnsetType = UNSET
    region: str | UnsetType = UNSET
    timezone: str | UnsetType = UNSET


class WebSearchOptionsUserLocation(Request, kw_only=True):
    """Approximate location parameters for the search."""

    type: Literal["approximate"]
    approximate: WebSearchOptionsUserLocationApproximate


class WebSearchOptions(Request, kw_only=True):
    """This tool searches the web for relevant results to use in a response."""

    search_context_size: Literal["low", "medium", "high"] | UnsetType = UNSET
    user_location: WebSearchOptionsUserLocation | UnsetType | None = UNSET


class Annotation(Request, kw_only=True):
    """A URL citation, as a chat completion message carries it."""

    type: Literal["url_citation"]
    url_citation: URLCitation


class URLCitation(Request, kw_only=True):
    end_index: int
    start_index: int
    title: str
    url: str


class ChatCompletionRequest(Request, kw_only=True):
    """Body of `POST /v1/chat/completions` (OpenAI dialect). Every field of the official SDK"s `CompletionCreateParams` (openai-python, the version pyproject pins) is here, checked by tests/spec/test_sdk_params.py; ranges and defaults from the chat-completions page and FACTS.md §5, others follow OpenAI (D-CHAT-1). Fields Stratus cannot offer are answered as OpenAI answers a model without them (D-SURF-2). Unknown fields are rejected with 400 `unknown_parameter` (D-ERR-5). Optional sampling and limit parameters accept `null`, meaning the default, as OpenAI"s do."""

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
        Annotated[str, msgspec.Meta(min_length=1)]
        | Annotated[
            list[Annotated[str, msgspec.Meta(min_length=1)]], msgspec.Meta(min_length=1, max_length=4)
        ]
        | UnsetType
        | None
    ) = UNSET
    presence_penalty: Annotated[float, msgspec.Meta(ge=-2.0, le=2.0)] | UnsetType | None = UNSET
    frequency_penalty: Annotated[float, msgspec.Meta(ge=-2.0, le=2.0)] | UnsetType | None = UNSET
    user: Annotated[str, msgspec.Meta(max_length=256)] | UnsetType = UNSET
    tools: Annotated[list[ToolUnion], msgspec.Meta(min_length=1, max_length=100)] | UnsetType = UNSET
    tool_choice: ToolChoice | UnsetType = UNSET
    parallel_tool_calls: bool | UnsetType = UNSET
    audio: AudioOutput | UnsetType | None = UNSET
    function_call: Literal["none", "auto"] | FunctionCallOption | UnsetType = UNSET
    functions: Annotated[list[LegacyFunction], msgspec.Meta(min_length=1, max_length=128)] | UnsetType = UNSET
    logit_bias: dict[str, Annotated[int, msgspec.Meta(ge=-100, le=100)]] | UnsetType | None = UNSET
    logprobs: bool | UnsetType | None = UNSET
    metadata: (
        Annotated[dict[str, Annotated[str, msgspec.Meta(max_length=512)]], msgspec.Meta(max_length=16)]
        | UnsetType
        | None
    ) = UNSET
    modalities: list[Literal["text", "audio"]] | UnsetType | None = UNSET
    moderation: Moderation | UnsetType | None = UNSET
    prediction: PredictionContent | UnsetType | None = UNSET
    prompt_cache_key: str | UnsetType | None = UNSET
    prompt_cache_options: PromptCacheOptions | UnsetType = UNSET
    prompt_cache_retention: Literal["in_memory", "24h"] | UnsetType | None = UNSET
    reasoning_effort: (
        Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"] | UnsetType | None
    ) = UNSET
    response_format: ResponseFormat | UnsetType = UNSET
    safety_identifier: Annotated[str, msgspec.Meta(max_length=128)] | UnsetType | None = UNSET
    seed: int | UnsetType | None = UNSET
    service_tier: Literal["auto", "default", "flex", "scale", "priority", "fast"] | UnsetType | None = UNSET
    store: bool | UnsetType | None = UNSET
    top_logprobs: Annotated[int, msgspec.Meta(ge=0, le=20)] | UnsetType | None = UNSET
    verbosity: Literal["low", "medium", "high"] | UnsetType | None = UNSET
    web_search_options: WebSearchOptions | UnsetType = UNSET
    openai_key: Annotated[str, msgspec.Meta(min_length=1)] | UnsetType = UNSET
    anthropic_key: Annotated[str, msgspec.Meta(min_length=1)] | UnsetType = UNSET
    gemini_key: Annotated[str, msgspec.Meta(min_length=1)] | UnsetType = UNSET
    openrouter_key: Annotated[str, msgspec.Meta(min_length=1)] | UnsetType = UNSET


ChatMessage = (
    SystemMessage | DeveloperMessage | UserMessage | AssistantMessage | ToolMessage | FunctionMessage
)


TextContent = str | Annotated[list[PlainTextPart], msgspec.Meta(min_length=1)]


UserContentPart = TextPart | ImageURLPart | InputAudioPart | FilePart


AssistantContentPart = TextPart | RefusalPart


ToolCallUnion = ToolCall | CustomToolCall


ToolUnion = Tool | CustomTool


ResponseFormat = ResponseFormatText | ResponseFormatJSONSchema | ResponseFormatJSONObject


ToolChoice = Literal["none", "auto", "required"] | AllowedToolChoice | NamedToolChoice | NamedCustomToolChoice
