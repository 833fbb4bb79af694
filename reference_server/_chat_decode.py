"""The OpenAI dialect at the edge: a decoded `ChatCompletionRequest` as a `Turn` (wire-checklist A).

Also the rules the Structs cannot express (the schema's `anyOf` / `dependentSchemas`), the planner's
view (state = system and developer text, goal = the last user message's text) and the prompt the
server counts: per message `"<role>\\n<text>"`, each history tool call's name and arguments, each
tool's name, description and parameter schema.
"""

from __future__ import annotations

from typing import Any

import msgspec

from reference_server._errors import ApiError
from reference_server._limits import check_text_size
from reference_server._tokens import count_tokens
from reference_server._turn import (
    ForcedTool,
    Image,
    Message,
    Opaque,
    Part,
    Text,
    Tool,
    ToolCall,
    ToolChoice,
    ToolOutcome,
    ToolResult,
    Turn,
)
from reference_server._wire._chat import (
    AssistantMessage,
    ChatCompletionRequest,
    ChatMessage,
    DeveloperMessage,
    ImageURLPart,
    PlainTextPart,
    RefusalPart,
    SystemMessage,
    TextPart,
    ToolMessage,
    UserMessage,
)

__all__ = ["body_keys", "chat_turn"]

_BODY_KEYS = {
    "openai": "openai_key",
    "anthropic": "anthropic_key",
    "google": "gemini_key",
    "openrouter": "openrouter_key",
}


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
    return tuple(out)


def check(req: ChatCompletionRequest) -> None:
    """Rules the Structs cannot express (the schema's `anyOf` / `dependentSchemas`)."""
    if req.stream_options not in (None, msgspec.UNSET) and req.stream is not True:
        raise ApiError(
            400,
            "The 'stream_options' parameter is only allowed when 'stream' is true.",
            param="stream_options",
        )
    for i, msg in enumerate(req.messages):
        if isinstance(msg, AssistantMessage) and not msg.tool_calls and msg.content in (None, msgspec.UNSET):
            raise ApiError(
                400,
                f"Invalid value for 'messages[{i}].content': an assistant message needs content or tool_calls.",
                param=f"messages[{i}].content",
                code="missing_required_parameter",
            )
    names = {t.function.name for t in req.tools or []}
    choice = req.tool_choice
    if not isinstance(choice, msgspec.UnsetType) and choice != "none" and not names:
        raise ApiError(400, "'tool_choice' is only allowed when 'tools' are specified.", param="tool_choice")
    if not isinstance(choice, str | msgspec.UnsetType) and choice.function.name not in names:
        raise ApiError(
            400,
            f"Tool choice '{choice.function.name}' is not among the request's tools.",
            param="tool_choice",
        )


def _message(msg: ChatMessage, role: Any) -> Message:
    name = _given(getattr(msg, "name", msgspec.UNSET))
    if isinstance(msg, ToolMessage):
        content = (
            msg.content if isinstance(msg.content, str) else tuple(Text(text=p.text) for p in msg.content)
        )
        return Message(role="tool", content=(ToolResult(call_id=msg.tool_call_id, content=content),))
    parts = _parts(msg.content)
    if isinstance(msg, AssistantMessage):
        calls = tuple(
            ToolCall(id=c.id, name=c.function.name, arguments=c.function.arguments)
            for c in msg.tool_calls or []
        )
        return Message(role="assistant", content=parts + calls, name=name, refusal=_given(msg.refusal))
    return Message(role=role, content=parts, name=name)


def chat_turn(req: ChatCompletionRequest, *, max_text_chars: int | None = None) -> Turn:
    """The request as a `Turn` (after `check`); 413 when the prompt text is longer than
    `max_text_chars` (D-LIM-3), found before its tokens are counted."""
    check(req)
    state: list[str] = []
    goal = ""
    last_user = -1
    call_names: dict[str, str] = {}
    prompt: list[str] = []
    messages: list[Message] = []
    for i, msg in enumerate(req.messages):
        role = type(msg).__struct_config__.tag
        body = _text(msg.content)
        prompt.append(f"{role}\n{body}")
        messages.append(_message(msg, role))
        if isinstance(msg, SystemMessage | DeveloperMessage):
            state.append(body)
        elif isinstance(msg, UserMessage):
            goal, last_user = body, i
        elif isinstance(msg, AssistantMessage) and msg.tool_calls:
            for call in msg.tool_calls:
                call_names[call.id] = call.function.name
                prompt.append(call.function.name + call.function.arguments)
    results = tuple(
        ToolOutcome(name=call_names.get(m.tool_call_id, "the tool"), text=_text(m.content))
        for m in req.messages[last_user + 1 :]
        if isinstance(m, ToolMessage)
    )
    tools = tuple(
        Tool(
            name=t.function.name,
            description=_given(t.function.description),
            parameters=_given(t.function.parameters),
            strict=_given(t.function.strict),
        )
        for t in req.tools or []
    )
    for t in req.tools or []:
        prompt.append(t.function.name + (t.function.description or ""))
        if t.function.parameters:
            prompt.append(msgspec.json.encode(t.function.parameters).decode())
    choice: ToolChoice | None = None
    if isinstance(req.tool_choice, str):
        choice = req.tool_choice
    elif not isinstance(req.tool_choice, msgspec.UnsetType):
        choice = ForcedTool(name=req.tool_choice.function.name)
    limits = [x for x in (req.max_tokens, req.max_completion_tokens) if isinstance(x, int)]
    stops = (req.stop,) if isinstance(req.stop, str) else tuple(req.stop or ())
    options = req.stream_options if not isinstance(req.stream_options, msgspec.UnsetType) else None
    text = "\n".join(prompt)
    if max_text_chars is not None:
        check_text_size(text, max_text_chars)
    return Turn(
        conventions="openai",
        messages=tuple(messages),
        state="\n".join(state),
        goal=goal,
        tool_results=results,
        prompt_tokens=count_tokens(text),
        tools=tools,
        tool_choice=choice,
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
    )


def body_keys(req: ChatCompletionRequest) -> dict[str, str]:
    """Provider -> key from the chat body keys (`openai_key`, ...; D-AUTH-3)."""
    return {p: v for p, field in _BODY_KEYS.items() if isinstance(v := getattr(req, field), str)}
