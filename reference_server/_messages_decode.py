"""The Anthropic dialect at the edge: a decoded `MessagesRequest` as a `Turn` (wire-checklist D).

Also what the Structs cannot check (a tool's `input_schema` must be an object schema, a named
`tool_choice` must name a tool), the planner's view (state = `system`, goal = the last user text)
and the prompt the server counts, which `count_tokens` shares (D-MSG-4): `system`, then per message
`"<role>\\n<text>"`, each tool use's name and input and each tool result's text, then each tool's
name, description and input schema.
"""

from __future__ import annotations

from typing import Any

import msgspec

from reference_server._errors import ApiError
from reference_server._limits import check_text_size
from reference_server._tokens import count_tokens
from reference_server._turn import (
    CacheHint,
    ForcedTool,
    Image,
    Message,
    Part,
    Role,
    Text,
    Tool,
    ToolCall,
    ToolChoice,
    ToolOutcome,
    ToolResult,
    Turn,
)
from reference_server._wire._messages import (
    AnthropicTool,
    AnyToolChoice,
    AutoToolChoice,
    CacheControl,
    ImageBlock,
    InputMessage,
    MessagesRequest,
    NamedToolChoice,
    NoneToolChoice,
    SystemTextBlock,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
    URLImageSource,
    UserTurn,
)

__all__ = ["messages_turn", "prompt_tokens"]


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


def _check_tools(tools: list[AnthropicTool] | msgspec.UnsetType) -> None:
    for i, tool in enumerate(tools or []):
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
    tools: list[AnthropicTool] | msgspec.UnsetType,
) -> tuple[str, str, str, list[ToolOutcome]]:
    """(prompt text for counting, state, goal, tool results after the last user text)."""
    _check_tools(tools)
    state = _blocks_text(system)
    prompt = [state] if state else []
    goal = ""
    results: list[ToolOutcome] = []
    names: dict[str, str] = {}
    for msg in messages:
        text = _blocks_text(msg.content)
        is_user = isinstance(msg, UserTurn)
        prompt.append(f"{'user' if is_user else 'assistant'}\n{text}")
        if isinstance(msg.content, list):
            for block in msg.content:
                if isinstance(block, ToolUseBlock):
                    names[block.id] = block.name
                    prompt.append(block.name + msgspec.json.encode(block.input).decode())
                elif isinstance(block, ToolResultBlock):
                    body = _blocks_text(block.content)
                    prompt.append(body)
                    results.append(ToolOutcome(name=names.get(block.tool_use_id, "the tool"), text=body))
        if is_user and text:
            goal, results = text, []
    for tool in tools or []:
        prompt.append(tool.name + (tool.description or "") + msgspec.json.encode(tool.input_schema).decode())
    return "\n".join(prompt), state, goal, results


def prompt_tokens(
    system: str | list[SystemTextBlock] | msgspec.UnsetType,
    messages: list[InputMessage],
    tools: list[AnthropicTool] | msgspec.UnsetType,
    *,
    max_text_chars: int | None = None,
) -> int:
    """The input tokens of a messages request (`count_tokens` and `usage.input_tokens`); 413 when the
    prompt text is longer than `max_text_chars` (D-LIM-3)."""
    prompt = _read(system, messages, tools)[0]
    if max_text_chars is not None:
        check_text_size(prompt, max_text_chars)
    return count_tokens(prompt)


def _image(block: ImageBlock) -> Image:
    source = block.source
    if isinstance(source, URLImageSource):
        return Image(url=source.url, cache=_cache(block.cache_control))
    return Image(media_type=source.media_type, data=source.data, cache=_cache(block.cache_control))


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
    result: ToolResultBlock = block
    content: str | tuple[Text | Image, ...] | None = None
    if isinstance(result.content, str):
        content = result.content
    elif isinstance(result.content, list):
        content = tuple(
            Text(text=b.text, cache=_cache(b.cache_control)) if isinstance(b, TextBlock) else _image(b)
            for b in result.content
        )
    return ToolResult(
        call_id=result.tool_use_id,
        content=content,
        is_error=result.is_error if isinstance(result.is_error, bool) else None,
        cache=_cache(result.cache_control),
    )


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
        role: Role = "user" if isinstance(msg, UserTurn) else "assistant"
        content = msg.content if isinstance(msg.content, str) else tuple(_part(b) for b in msg.content)
        out.append(Message(role=role, content=content))
    return tuple(out)


def messages_turn(req: MessagesRequest, *, max_text_chars: int | None = None) -> Turn:
    """The request as a `Turn`; 400 for a bad tool schema or a `tool_choice` naming no tool; 413 when
    the prompt text is longer than `max_text_chars` (D-LIM-3), found before its tokens are counted."""
    prompt, state, goal, results = _read(req.system, req.messages, req.tools)
    if max_text_chars is not None:
        check_text_size(prompt, max_text_chars)
    tools = tuple(
        Tool(
            name=t.name,
            description=t.description if isinstance(t.description, str) else None,
            parameters=t.input_schema,
            cache=_cache(t.cache_control),
        )
        for t in req.tools or []
    )
    choice: ToolChoice | None = None
    given = req.tool_choice
    if isinstance(given, NoneToolChoice):
        choice = "none"
    elif isinstance(given, AnyToolChoice):
        choice = "required"
    elif isinstance(given, AutoToolChoice):
        choice = "auto"
    elif isinstance(given, NamedToolChoice):
        if given.name not in {t.name for t in tools}:
            raise ApiError(400, f"tool_choice.name: tool '{given.name}' is not among the request's tools.")
        choice = ForcedTool(name=given.name)
    disable = getattr(given, "disable_parallel_tool_use", msgspec.UNSET)
    metadata = req.metadata if not isinstance(req.metadata, msgspec.UnsetType) else None
    user = metadata.user_id if metadata is not None and isinstance(metadata.user_id, str) else None
    return Turn(
        conventions="anthropic",
        messages=_messages(req),
        state=state,
        goal=goal,
        tool_results=tuple(results),
        prompt_tokens=count_tokens(prompt),
        tools=tools,
        tool_choice=choice,
        parallel_tool_calls=None if not isinstance(disable, bool) else not disable,
        max_tokens=req.max_tokens,
        stop=tuple(req.stop_sequences or ()),
        stream=req.stream is True,
        temperature=req.temperature if isinstance(req.temperature, float | int) else None,
        top_p=req.top_p if isinstance(req.top_p, float | int) else None,
        top_k=req.top_k if isinstance(req.top_k, int) else None,
        user=user,
    )
