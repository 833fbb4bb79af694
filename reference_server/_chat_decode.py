"""The OpenAI dialect at the edge: a decoded `ChatCompletionRequest` as a `Turn` (wire-checklist A).

Also the rules the Structs cannot express (the schema's `anyOf` / `dependentSchemas`), the
schema-valued parameters (D-SURF-3) and what a deployment does not offer (D-SURF-2), the planner's
view (state = system and developer text, goal = the last user message's text) and the prompt the
server counts: per message `"<role>\\n<text>"`, each history tool call's name and arguments, each
function tool's name, description and parameter schema.

Every field the SDK defines reaches the `Turn`: the sampling and tool fields the executors read, the
next round's slots (`response_format`, `logprobs`, `seed`, ...), custom tools as `wire_tools`, parts
only OpenAI has (`input_audio`, `file`, `refusal`) as `Opaque`, legacy function calling in history as
tool calls and results, and the remaining hints by name in `Turn.hints`.
"""

from __future__ import annotations

from typing import Any

import msgspec

from reference_server._errors import ApiError
from reference_server._limits import check_text_size
from reference_server._memo import BoundedCache
from reference_server._offered import check_chat_offered
from reference_server._schemas import check_chat_schemas
from reference_server._tokens import count_tokens
from reference_server._turn import (
    AllowedTools,
    ForcedTool,
    Image,
    Message,
    Opaque,
    Part,
    ResponseFormat,
    Text,
    Tool,
    ToolCall,
    ToolChoice,
    ToolOutcome,
    ToolResult,
    Turn,
)
from reference_server._wire._chat_request import (
    AllowedToolChoice,
    AssistantMessage,
    ChatCompletionRequest,
    ChatMessage,
    CustomTool,
    CustomToolCall,
    DeveloperMessage,
    FilePart,
    FunctionMessage,
    ImageURLPart,
    InputAudioPart,
    NamedCustomToolChoice,
    NamedToolChoice,
    PlainTextPart,
    RefusalPart,
    ResponseFormatJSONObject,
    ResponseFormatJSONSchema,
    SystemMessage,
    TextPart,
    ToolMessage,
    UserMessage,
)
from reference_server._wire._chat_request import (
    Tool as FunctionTool,
)
from reference_server.planner._cachekey import digest

__all__ = ["body_keys", "chat_turn", "check"]

_BODY_KEYS = {
    "openai": "openai_key",
    "anthropic": "anthropic_key",
    "google": "gemini_key",
    "openrouter": "openrouter_key",
}
_HINTS = ("prediction", "prompt_cache_options", "prompt_cache_retention", "functions", "function_call")
"""Accepted fields with no `Turn` slot (D-SURF-1), carried by name in `Turn.hints`."""
_ABSENT = (None, msgspec.UNSET)


def _given(value: Any) -> Any:
    """`value`, or None when the field was absent (UNSET) or null."""
    return None if value is msgspec.UNSET else value


def _text(content: str | list[Any] | msgspec.UnsetType | None) -> str:
    if content is None or content is msgspec.UNSET:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(p.text for p in content if isinstance(p, (TextPart, PlainTextPart)))


def _parts(content: str | list[Any] | msgspec.UnsetType | None) -> tuple[Part, ...]:
    if content is None or content is msgspec.UNSET:
        return ()
    if isinstance(content, str):
        return (Text(text=content),)
    out: list[Part] = []
    for part in content:
        if isinstance(part, (TextPart, PlainTextPart)):
            out.append(Text(text=part.text))
        elif isinstance(part, ImageURLPart):
            out.append(Image(url=part.image_url.url, detail=_given(part.image_url.detail)))
        elif isinstance(part, RefusalPart):
            out.append(Opaque(wire="openai", value={"type": "refusal", "refusal": part.refusal}))
        elif isinstance(part, InputAudioPart | FilePart):
            out.append(Opaque(wire="openai", value=msgspec.to_builtins(part)))
    return tuple(out)


def _result_text(result: ToolResult) -> str:
    if result.content is None or isinstance(result.content, str):
        return result.content or ""
    return "\n".join(p.text for p in result.content if isinstance(p, Text))


def check(req: ChatCompletionRequest) -> None:
    """Rules the Structs cannot express (the schema's `anyOf` / `dependentSchemas`), then the
    schema-valued parameters (D-SURF-3) and the features a deployment does not offer (D-SURF-2)."""
    if req.stream_options not in _ABSENT and req.stream is not True:
        raise ApiError(
            400,
            "The 'stream_options' parameter is only allowed when 'stream' is true.",
            param="stream_options",
        )
    if req.top_logprobs not in _ABSENT and req.logprobs is not True:
        raise ApiError(
            400,
            "Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.",
            param="top_logprobs",
        )
    for i, msg in enumerate(req.messages):
        if (
            isinstance(msg, AssistantMessage)
            and not msg.tool_calls
            and msg.content in _ABSENT
            and msg.function_call in _ABSENT
            and msg.audio in _ABSENT
        ):
            raise ApiError(
                400,
                f"Invalid value for 'messages[{i}].content': an assistant message needs content or tool_calls.",
                param=f"messages[{i}].content",
                code="missing_required_parameter",
            )
    functions = {t.function.name for t in req.tools or [] if isinstance(t, FunctionTool)}
    customs = {t.custom.name for t in req.tools or [] if isinstance(t, CustomTool)}
    choice = req.tool_choice
    if not isinstance(choice, msgspec.UnsetType) and choice != "none" and not (functions or customs):
        raise ApiError(400, "'tool_choice' is only allowed when 'tools' are specified.", param="tool_choice")
    named = (
        (choice.function.name, functions)
        if isinstance(choice, NamedToolChoice)
        else (choice.custom.name, customs)
        if isinstance(choice, NamedCustomToolChoice)
        else None
    )
    if named is not None and named[0] not in named[1]:
        raise ApiError(
            400, f"Tool choice '{named[0]}' is not among the request's tools.", param="tool_choice"
        )
    check_chat_schemas(req)
    check_chat_offered(req)


class _History:
    """The messages as `Turn` messages, with the names of the calls their results answer."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.call_names: dict[str, str] = {}
        self.prompt: list[str] = []
        self.legacy_call: str | None = None
        """The id given to the last legacy `function_call`, which a `role: function` message answers."""

    def add(self, i: int, msg: ChatMessage, role: Any, body: str) -> None:
        self.prompt.append(f"{role}\n{body}")
        name = _given(getattr(msg, "name", msgspec.UNSET))
        if isinstance(msg, ToolMessage):
            content = (
                msg.content if isinstance(msg.content, str) else tuple(Text(text=p.text) for p in msg.content)
            )
            result = ToolResult(call_id=msg.tool_call_id, content=content)
            self.messages.append(Message(role="tool", content=(result,), name=name))
        elif isinstance(msg, FunctionMessage):
            call_id = self.legacy_call or f"function_call_{i}"
            self.call_names.setdefault(call_id, msg.name)
            result = ToolResult(call_id=call_id, content=msg.content)
            self.messages.append(Message(role="tool", content=(result,)))
        elif isinstance(msg, AssistantMessage):
            self.messages.append(self._assistant(i, msg, name))
        else:
            self.messages.append(Message(role=role, content=_parts(msg.content), name=name))

    def _assistant(self, i: int, msg: AssistantMessage, name: str | None) -> Message:
        calls: list[ToolCall] = []
        for sent in msg.tool_calls or []:
            if isinstance(sent, CustomToolCall):
                calls.append(
                    ToolCall(id=sent.id, name=sent.custom.name, arguments=sent.custom.input, custom=True)
                )
            else:
                calls.append(ToolCall(id=sent.id, name=sent.function.name, arguments=sent.function.arguments))
        legacy = msg.function_call
        if not isinstance(legacy, msgspec.UnsetType) and legacy is not None:
            self.legacy_call = f"function_call_{i}"
            calls.append(ToolCall(id=self.legacy_call, name=legacy.name, arguments=legacy.arguments))
        for call in calls:
            self.call_names[call.id] = call.name
            self.prompt.append(call.name + call.arguments)
        return Message(
            role="assistant",
            content=_parts(msg.content) + tuple(calls),
            name=name,
            refusal=_given(msg.refusal),
        )


def _tools(req: ChatCompletionRequest, prompt: list[str]) -> tuple[tuple[Tool, ...], tuple[Opaque, ...]]:
    tools: list[Tool] = []
    custom: list[Opaque] = []
    for i, t in enumerate(req.tools or []):
        if isinstance(t, CustomTool):
            custom.append(Opaque(wire="openai", value=msgspec.to_builtins(t), at=f"tools[{i}]"))
            continue
        fn = t.function
        tools.append(
            Tool(
                name=fn.name,
                description=_given(fn.description),
                parameters=_given(fn.parameters),
                strict=_given(fn.strict),
                index=i if i != len(tools) else None,
            )
        )
        prompt.append(fn.name + (fn.description or ""))
        if fn.parameters:
            prompt.append(msgspec.json.encode(fn.parameters).decode())
    return tuple(tools), tuple(custom)


def _tool_choice(req: ChatCompletionRequest) -> ToolChoice | None:
    choice = req.tool_choice
    if isinstance(choice, str):
        return choice
    if isinstance(choice, NamedToolChoice):
        return ForcedTool(name=choice.function.name)
    if isinstance(choice, NamedCustomToolChoice):
        return ForcedTool(name=choice.custom.name, custom=True)
    if isinstance(choice, AllowedToolChoice):
        allowed = choice.allowed_tools
        return AllowedTools(mode=allowed.mode, tools=tuple(allowed.tools))
    return None


def _response_format(req: ChatCompletionRequest) -> ResponseFormat | None:
    fmt = req.response_format
    if isinstance(fmt, msgspec.UnsetType):
        return None
    if isinstance(fmt, ResponseFormatJSONSchema):
        spec = fmt.json_schema
        return ResponseFormat(
            kind="json_schema",
            schema=_given(spec.schema),
            name=spec.name,
            description=_given(spec.description),
            strict=_given(spec.strict),
        )
    return ResponseFormat(kind="json_object" if isinstance(fmt, ResponseFormatJSONObject) else "text")


def _hints(req: ChatCompletionRequest) -> Opaque | None:
    given = {name: getattr(req, name) for name in _HINTS}
    value = {name: msgspec.to_builtins(v) for name, v in given.items() if v is not msgspec.UNSET}
    options = req.stream_options
    if not isinstance(options, msgspec.UnsetType | None) and options.include_obfuscation is not msgspec.UNSET:
        value["stream_options"] = {"include_obfuscation": options.include_obfuscation}
    return Opaque(wire="openai", value=value) if value else None


def chat_turn(
    req: ChatCompletionRequest, *, max_text_chars: int | None = None, body: bytes | None = None
) -> Turn:
    """The request as a `Turn` (after `check`); 413 when the prompt text is longer than
    `max_text_chars` (D-LIM-3), found before its tokens are counted.

    With `body`, the bytes `req` was decoded from, the turn is cached by (a digest of) them: it is a
    function of those bytes alone, and a client that repeats a request repeats them. Bodies over
    `_CACHED_BODY_BYTES` are not kept (their text costs more than the turn; keeping them would only
    fill the cache)."""
    if body is None or len(body) > _CACHED_BODY_BYTES:
        return _chat_turn(req, max_text_chars)
    source = digest(body)
    key = (source, max_text_chars)
    found, turn = _TURNS.get(key)
    if not found:
        turn = _chat_turn(req, max_text_chars, source=source)  # errors propagate, never kept
        _TURNS.put(key, turn, _TURN_COST + 32 * len(body))
    return turn  # type: ignore[no-any-return]


_CACHED_BODY_BYTES = 16 * 1024
_TURNS = BoundedCache(entries=1024, max_bytes=16 * 2**20)
"""Turns by (the body's digest, max_text_chars). A turn is weighed at 32 times its body's bytes
(decoded objects take a few times their JSON's bytes; 32 is a generous bound) plus the entry."""
_TURN_COST = 4096


def _chat_turn(req: ChatCompletionRequest, max_text_chars: int | None, source: bytes | None = None) -> Turn:
    check(req)
    state: list[str] = []
    goal = ""
    last_user = -1
    history = _History()
    for i, msg in enumerate(req.messages):
        role = type(msg).__struct_config__.tag
        body = _text(msg.content)
        history.add(i, msg, role, body)
        if isinstance(msg, SystemMessage | DeveloperMessage):
            state.append(body)
        elif isinstance(msg, UserMessage):
            goal, last_user = body, i
    results = tuple(
        ToolOutcome(name=history.call_names.get(part.call_id, "the tool"), text=_result_text(part))
        for message in history.messages[last_user + 1 :]
        if message.role == "tool"
        for part in message.content
        if isinstance(part, ToolResult)
    )
    prompt = history.prompt
    tools, custom = _tools(req, prompt)
    limits = [x for x in (req.max_tokens, req.max_completion_tokens) if isinstance(x, int)]
    stops = (req.stop,) if isinstance(req.stop, str) else tuple(req.stop or ())
    options = req.stream_options if not isinstance(req.stream_options, msgspec.UnsetType) else None
    text = "\n".join(prompt)
    if max_text_chars is not None:
        check_text_size(text, max_text_chars)
    bias = _given(req.logit_bias)
    modalities = _given(req.modalities)
    return Turn(
        conventions="openai",
        messages=tuple(history.messages),
        state="\n".join(state),
        goal=goal,
        tool_results=results,
        prompt_tokens=count_tokens(text),
        tools=tools,
        wire_tools=custom,
        tool_choice=_tool_choice(req),
        parallel_tool_calls=_given(req.parallel_tool_calls),
        max_tokens=min(limits) if limits else None,
        stop=stops,
        n=_given(req.n),
        stream=req.stream is True,
        include_usage=_given(options.include_usage) if options is not None else None,
        temperature=_given(req.temperature),
        top_p=_given(req.top_p),
        presence_penalty=_given(req.presence_penalty),
        frequency_penalty=_given(req.frequency_penalty),
        user=_given(req.user),
        response_format=_response_format(req),
        logprobs=_given(req.logprobs),
        top_logprobs=_given(req.top_logprobs),
        seed=_given(req.seed),
        metadata=_given(req.metadata),
        service_tier=_given(req.service_tier),
        safety_identifier=_given(req.safety_identifier),
        prompt_cache_key=_given(req.prompt_cache_key),
        reasoning_effort=_given(req.reasoning_effort),
        verbosity=_given(req.verbosity),
        store=_given(req.store),
        logit_bias={k: float(v) for k, v in bias.items()} if bias is not None else None,
        modalities=tuple(modalities) if modalities is not None else None,
        hints=_hints(req),
        source=source,
    )


def body_keys(req: ChatCompletionRequest) -> dict[str, str]:
    """Provider -> key from the chat body keys (`openai_key`, ...; D-AUTH-3)."""
    return {p: v for p, field in _BODY_KEYS.items() if isinstance(v := getattr(req, field), str)}
