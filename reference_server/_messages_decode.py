"""The Anthropic dialect at the edge: a decoded `MessagesRequest` as a `Turn` (wire-checklist D).

Also what the Structs cannot check (a `tool_result` block belongs in a user turn, D-MSG-6; a custom
tool's `input_schema` must be an object schema, D-SURF-3; a named `tool_choice` must name a custom
tool; the family's `max_tokens` limit, D-MSG-5), what a deployment does not offer (D-SURF-4), the
planner's view (state = `system` and any system turns in `messages`, goal = the last user text) and
the prompt the server counts, which `count_tokens` shares (D-MSG-4): `system`, then per message
`"<role>\\n<text>"`, each tool use's name and input and each tool result's text, then each custom
tool's name, description and input schema.

Every field the SDK defines reaches the `Turn`: custom tools as `tools`, Anthropic-defined client
tools (bash, text editor, memory, computer, the toolsets) as `wire_tools`, blocks only Anthropic has
(documents, search results, thinking, tool additions, ...) as `Opaque`, `thinking`, `output_config`
(`response_format`, `reasoning_effort`) and `service_tier` in their slots, the remaining hints by name
in `Turn.hints`.
"""

from __future__ import annotations

from typing import Any

import msgspec

from reference_server._errors import ApiError
from reference_server._limits import check_text_size
from reference_server._offered import check_messages_offered
from reference_server._schemas import check_messages_schemas
from reference_server._thinking import INTERLEAVED_BETA
from reference_server._thinking import check_request as check_thinking
from reference_server._tokens import count_tokens
from reference_server._turn import (
    CacheHint,
    ForcedTool,
    Image,
    Message,
    Opaque,
    Part,
    ResponseFormat,
    Role,
    Text,
    Thinking,
    Tool,
    ToolCall,
    ToolChoice,
    ToolOutcome,
    ToolResult,
    Turn,
)
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
from reference_server._wire._messages_request import (
    CountTokensRequest,
    MessagesRequest,
    ThinkingConfigDisabled,
    ThinkingConfigEnabled,
)
from reference_server._wire._messages_server_tools import ToolUnion
from reference_server._wire._messages_tools import (
    AnthropicTool,
    AnyToolChoice,
    AutoToolChoice,
    CacheControl,
    NamedToolChoice,
    NoneToolChoice,
)

__all__ = ["beta_names", "check", "messages_turn", "prompt_tokens"]

_HINTS = (
    "cache_control",
    "diagnostics",
    "inference_geo",
    "speed",
    "billing_policy",
    "context_management",
    "fallback_credit_token",
    "fallbacks",
)
"""Accepted fields with no `Turn` slot (D-SURF-1), carried by name in `Turn.hints`."""


def _blocks_text(content: str | list[Any] | msgspec.UnsetType | None) -> str:
    if content is None or content is msgspec.UNSET:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(b.text for b in content if isinstance(b, (TextBlock, SystemTextBlock)))


def _cache(control: CacheControl | msgspec.UnsetType | None) -> CacheHint | None:
    if isinstance(control, CacheControl):
        return CacheHint(ttl=control.ttl if isinstance(control.ttl, str) else None)
    return None


def _custom_tools(tools: list[ToolUnion] | msgspec.UnsetType) -> list[tuple[int, AnthropicTool]]:
    """The custom tools (defined by a JSON Schema) and their places in `tools`."""
    return [(i, t) for i, t in enumerate(tools or []) if isinstance(t, AnthropicTool)]


def check(req: MessagesRequest | CountTokensRequest) -> None:
    """Rules the Structs cannot express, the schema-valued parameters (D-SURF-3) and what is not
    offered (D-SURF-4); `messages` and `count_tokens` alike."""
    for i, msg in enumerate(req.messages):
        if isinstance(msg, AssistantTurn) and isinstance(msg.content, list):
            for j, block in enumerate(msg.content):
                if isinstance(block, ToolResultBlock):
                    raise ApiError(
                        400,
                        f"messages.{i}.content.{j}: tool_result blocks can only be in user messages.",
                        param=f"messages.{i}.content.{j}",
                    )
    check_messages_schemas(req)
    check_messages_offered(req)
    for i, tool in _custom_tools(req.tools):
        schema = tool.input_schema
        if (
            schema.get("type") != "object"
            or not isinstance(schema.get("properties", {}), dict | None)
            or not isinstance(schema.get("required", []), list | None)
        ):
            raise ApiError(400, f'tools.{i}.input_schema: must be a JSON Schema with "type": "object".')


def _read(
    system: str | list[SystemTextBlock] | msgspec.UnsetType,
    messages: list[InputMessage],
    tools: list[ToolUnion] | msgspec.UnsetType,
) -> tuple[str, str, str, list[ToolOutcome]]:
    """(prompt text for counting, state, goal, tool results after the last user text)."""
    state = _blocks_text(system)
    prompt = [state] if state else []
    states = [state] if state else []
    goal = ""
    results: list[ToolOutcome] = []
    names: dict[str, str] = {}
    for msg in messages:
        text = _blocks_text(msg.content)
        prompt.append(f"{type(msg).__struct_config__.tag}\n{text}")
        if isinstance(msg, SystemTurn) and text:
            states.append(text)
        if isinstance(msg.content, list):
            for block in msg.content:
                if isinstance(block, ToolUseBlock):
                    names[block.id] = block.name
                    prompt.append(block.name + msgspec.json.encode(block.input).decode())
                elif isinstance(block, ToolResultBlock):
                    body = _blocks_text(block.content)
                    prompt.append(body)
                    results.append(ToolOutcome(name=names.get(block.tool_use_id, "the tool"), text=body))
        if isinstance(msg, UserTurn) and text:
            goal, results = text, []
    for _, tool in _custom_tools(tools):
        prompt.append(tool.name + (tool.description or "") + msgspec.json.encode(tool.input_schema).decode())
    return "\n".join(prompt), "\n\n".join(states), goal, results


def prompt_tokens(req: MessagesRequest | CountTokensRequest, *, max_text_chars: int | None = None) -> int:
    """The input tokens of a messages request (`count_tokens` and `usage.input_tokens`), after `check`;
    413 when the prompt text is longer than `max_text_chars` (D-LIM-3)."""
    check(req)
    prompt = _read(req.system, req.messages, req.tools)[0]
    if max_text_chars is not None:
        check_text_size(prompt, max_text_chars)
    return count_tokens(prompt)


def _opaque(block: Any) -> Opaque:
    return Opaque(wire="anthropic", value=msgspec.to_builtins(block))


def _image(block: ImageBlock) -> Image:
    source = block.source
    if isinstance(source, URLSource):
        return Image(url=source.url, cache=_cache(block.cache_control))
    if isinstance(source, Base64ImageSource):
        return Image(media_type=source.media_type, data=source.data, cache=_cache(block.cache_control))
    raise AssertionError("a file source is refused before (D-SURF-4)")


def _result(result: ToolResultBlock) -> ToolResult:
    content: str | tuple[Text | Image | Opaque, ...] | None = None
    if isinstance(result.content, str):
        content = result.content
    elif isinstance(result.content, list):
        content = tuple(
            Text(text=b.text, cache=_cache(b.cache_control))
            if isinstance(b, TextBlock)
            else _image(b)
            if isinstance(b, ImageBlock)
            else _opaque(b)
            for b in result.content
        )
    return ToolResult(
        call_id=result.tool_use_id,
        content=content,
        is_error=result.is_error if isinstance(result.is_error, bool) else None,
        cache=_cache(result.cache_control),
    )


def _part(block: Any) -> Part:
    if isinstance(block, TextBlock):
        return Text(text=block.text, cache=_cache(block.cache_control))
    if isinstance(block, ImageBlock):
        return _image(block)
    if isinstance(block, ToolUseBlock):
        arguments = msgspec.json.encode(block.input).decode()
        return ToolCall(
            id=block.id,
            name=block.name,
            arguments=arguments,
            input=block.input,
            cache=_cache(block.cache_control),
        )
    if isinstance(block, ToolResultBlock):
        return _result(block)
    return _opaque(block)


def _messages(req: MessagesRequest) -> tuple[Message, ...]:
    out: list[Message] = []
    system = req.system
    if _blocks_text(system):
        if isinstance(system, str):
            out.append(Message(role="system", content=system))
        elif isinstance(system, list):
            blocks = tuple(Text(text=b.text, cache=_cache(b.cache_control)) for b in system)
            out.append(Message(role="system", content=blocks))
    for msg in req.messages:
        role: Role = (
            "user" if isinstance(msg, UserTurn) else "system" if isinstance(msg, SystemTurn) else "assistant"
        )
        if isinstance(msg.content, msgspec.UnsetType):
            content: str | tuple[Part, ...] = ()
        elif isinstance(msg.content, str):
            content = msg.content
        else:
            content = tuple(_part(b) for b in msg.content)
        out.append(Message(role=role, content=content))
    return tuple(out)


def _tools(req: MessagesRequest) -> tuple[tuple[Tool, ...], tuple[Opaque, ...]]:
    tools: list[Tool] = []
    client: list[Opaque] = []
    for i, t in enumerate(req.tools or []):
        if not isinstance(t, AnthropicTool):
            client.append(Opaque(wire="anthropic", value=msgspec.to_builtins(t), at=f"tools.{i}"))
            continue
        tools.append(
            Tool(
                name=t.name,
                description=t.description if isinstance(t.description, str) else None,
                parameters=t.input_schema,
                strict=t.strict if isinstance(t.strict, bool) else None,
                cache=_cache(t.cache_control),
                index=i if i != len(tools) else None,
            )
        )
    return tuple(tools), tuple(client)


def _tool_choice(req: MessagesRequest, tools: tuple[Tool, ...]) -> ToolChoice | None:
    given = req.tool_choice
    if isinstance(given, NoneToolChoice):
        return "none"
    if isinstance(given, AnyToolChoice):
        return "required"
    if isinstance(given, AutoToolChoice):
        return "auto"
    if isinstance(given, NamedToolChoice):
        if given.name not in {t.name for t in tools}:
            raise ApiError(400, f"tool_choice.name: tool '{given.name}' is not among the request's tools.")
        return ForcedTool(name=given.name)
    return None


def _thinking(req: MessagesRequest, betas: tuple[str, ...]) -> Thinking | None:
    given = req.thinking
    if isinstance(given, msgspec.UnsetType):
        return None
    if isinstance(given, ThinkingConfigDisabled):
        return Thinking(enabled=False)
    display = getattr(given, "display", msgspec.UNSET)
    shown = display if isinstance(display, str) else None
    if isinstance(given, ThinkingConfigEnabled):
        interleaved = INTERLEAVED_BETA in betas
        return Thinking(
            enabled=True, budget_tokens=given.budget_tokens, display=shown, interleaved=interleaved
        )
    return Thinking(enabled=True, mode=str(type(given).__struct_config__.tag), display=shown)


def _hints(req: MessagesRequest) -> Opaque | None:
    given = {name: getattr(req, name) for name in _HINTS}
    value = {name: msgspec.to_builtins(v) for name, v in given.items() if v is not msgspec.UNSET}
    config = req.output_config
    if not isinstance(config, msgspec.UnsetType) and config.task_budget is not msgspec.UNSET:
        value["output_config"] = {"task_budget": msgspec.to_builtins(config.task_budget)}
    return Opaque(wire="anthropic", value=value) if value else None


def beta_names(values: list[str]) -> tuple[str, ...]:
    """The names in `anthropic-beta` header values (comma-separated, any number of header lines)."""
    return tuple(name for value in values for name in (n.strip() for n in value.split(",")) if name)


def messages_turn(
    req: MessagesRequest, *, max_text_chars: int | None = None, betas: tuple[str, ...] = ()
) -> Turn:
    """The request as a `Turn` (after `check`; the handler checks `max_tokens` against the family's
    limit first, `_limits.check_max_tokens`); 400 for a `tool_choice` naming no custom tool; 413 when
    the prompt text is longer than `max_text_chars` (D-LIM-3), found before its tokens are counted.
    `betas`: the `anthropic-beta` names (`beta_names`); the interleaved-thinking one changes what
    `thinking` allows and does (D-THINK-4)."""
    check(req)
    prompt, state, goal, results = _read(req.system, req.messages, req.tools)
    if max_text_chars is not None:
        check_text_size(prompt, max_text_chars)
    tools, client_tools = _tools(req)
    choice = _tool_choice(req, tools)
    disable = getattr(req.tool_choice, "disable_parallel_tool_use", msgspec.UNSET)
    metadata = req.metadata if not isinstance(req.metadata, msgspec.UnsetType) else None
    user = metadata.user_id if metadata is not None and isinstance(metadata.user_id, str) else None
    config = req.output_config if not isinstance(req.output_config, msgspec.UnsetType) else None
    fmt = config.format if config is not None and not isinstance(config.format, msgspec.UnsetType) else None
    effort = config.effort if config is not None and isinstance(config.effort, str) else None
    turn = Turn(
        conventions="anthropic",
        messages=_messages(req),
        state=state,
        goal=goal,
        tool_results=tuple(results),
        prompt_tokens=count_tokens(prompt),
        tools=tools,
        wire_tools=client_tools,
        tool_choice=choice,
        parallel_tool_calls=None if not isinstance(disable, bool) else not disable,
        max_tokens=req.max_tokens,
        stop=tuple(req.stop_sequences or ()),
        stream=req.stream is True,
        temperature=req.temperature if isinstance(req.temperature, float | int) else None,
        top_p=req.top_p if isinstance(req.top_p, float | int) else None,
        top_k=req.top_k if isinstance(req.top_k, int) else None,
        user=user,
        response_format=ResponseFormat(kind="json_schema", schema=fmt.schema) if fmt is not None else None,
        thinking=_thinking(req, betas),
        service_tier=req.service_tier if isinstance(req.service_tier, str) else None,
        reasoning_effort=effort,
        hints=_hints(req),
        betas=betas,
    )
    check_thinking(turn)
    return turn
