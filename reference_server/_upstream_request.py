"""A `Turn` as a provider request (D-EXEC-1, wire-checklist G): the plan note, and the body in
Chat Completions (OpenAI, Google, OpenRouter) or Anthropic Messages terms.

Pure functions, no I/O. Both builders read the `Turn` only, whatever dialect the client spoke:
system text is hoisted or kept in place (G1), tool results become `role: tool` messages before the
user's text or `tool_result` blocks first in one user turn (G2, G3), tool-call ids are made valid
for Anthropic deterministically (G4), tool choice and parallelism map both ways (G5), tools (G6),
stop sequences (G7), output limits (G8), images (G11), `user` / `metadata.user_id` and Anthropic's
temperature range (G13). `Opaque` parts reach only a provider of their own wire. Tools, tool calls and
tool choices only one wire defines (OpenAI custom tools, custom tool calls, `allowed_tools`;
Anthropic-defined client tools) reach a provider of that wire as sent; for the other wire they are a
400 in the client's words naming the parameter (`check_carried`, before anything is reserved), never a
500 and never dropped. The fields beyond that core (`response_format`, `logprobs`, `seed`,
`thinking`, effort, service tier, the hints) are added by `_upstream_fields` (D-EXEC-2).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any, Literal

from reference_server import _upstream_fields
from reference_server._errors import ApiError
from reference_server._turn import (
    AllowedTools,
    CacheHint,
    ForcedTool,
    Image,
    Message,
    Opaque,
    Part,
    Text,
    ToolCall,
    ToolResult,
    Turn,
)
from reference_server._upstream_route import Route
from reference_server.planner import Plan

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "anthropic_body",
    "check_carried",
    "openai_body",
    "plan_note",
    "request_body",
    "safe_id",
]

Json = dict[str, Any]
DEFAULT_MAX_TOKENS = 4096
"""Anthropic needs `max_tokens`; a turn without one gets this (wire-checklist G8)."""
_ID_BAD = re.compile(r"[^a-zA-Z0-9_-]")


def plan_note(plan: Plan, size: str) -> str:
    """The system note that carries the plan to the provider: fixed wording, fixed number formats."""
    labels = plan.confidence_labels or ["Unknown"] * len(plan.action_sequence)
    lines = [
        f"[Stratus X1 world-model plan, x1ac-{size}] A planner simulated the user's goal and "
        "recommends these actions, in order:"
    ]
    for i, (action, change, label) in enumerate(
        zip(plan.action_sequence, plan.predicted_state_changes, labels, strict=False), start=1
    ):
        lines.append(f"{i}. {action} (confidence {label}; predicted state change {change:.4f})")
    sig = plan.brain_signal
    ahead = ", ".join(sig.plan_ahead) or "none"
    lines.append(
        f"Overall confidence {plan.overall_confidence:.4f}; steps to goal {plan.steps_to_goal}; "
        f"next action {sig.action_type}, then {ahead}."
    )
    lines.append(
        "Use the plan to decide what to do or say next. Do not mention the planner or this note "
        "unless the user asks about it."
    )
    return "\n".join(lines)


def request_body(turn: Turn, route: Route, note: str) -> Json:
    """The provider's request body for `turn`, in the wire its route speaks."""
    return anthropic_body(turn, route, note) if route.wire == "anthropic" else openai_body(turn, route, note)


def check_carried(turn: Turn, wire: Literal["openai", "anthropic"]) -> None:
    """400 for what a provider of `wire` cannot be sent: the other wire's own tools, custom tool calls
    and OpenAI-only tool choices, worded as the client's API words a tool it does not offer."""
    _upstream_fields.check(turn, wire)
    for tool in turn.wire_tools:
        if tool.wire == wire:
            continue
        if tool.wire == "openai":
            raise ApiError(
                400,
                "Custom tools cannot be sent to an Anthropic model; use function tools.",
                param=tool.at,
                code="unsupported_value",
            )
        kind = tool.value.get("type")
        raise ApiError(
            400,
            f"{tool.at}: Input tag '{kind}' found using 'type' does not match any of the expected tags: "
            "'custom' (this model's provider takes only custom tools).",
            param=tool.at,
        )
    if wire == "openai":
        return
    choice = turn.tool_choice
    if isinstance(choice, AllowedTools) or (isinstance(choice, ForcedTool) and choice.custom):
        raise ApiError(
            400,
            "This 'tool_choice' cannot be sent to an Anthropic model; use none, auto, required or a function.",
            param="tool_choice",
            code="unsupported_value",
        )
    for i, message in enumerate(turn.messages):
        calls = [p for p in _parts(message.content) if isinstance(p, ToolCall)]
        for j, call in enumerate(calls):
            if call.custom:
                raise ApiError(
                    400,
                    "Custom tool calls cannot be sent to an Anthropic model.",
                    param=f"messages[{i}].tool_calls[{j}]",
                    code="unsupported_value",
                )


def _texts(content: str | tuple[Part, ...] | tuple[Text | Image, ...] | None) -> list[str]:
    if content is None:
        return []
    if isinstance(content, str):
        return [content]
    return [p.text for p in content if isinstance(p, Text)]


def _parts(content: str | tuple[Part, ...]) -> tuple[Part, ...]:
    return (Text(text=content),) if isinstance(content, str) else content


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# -- Chat Completions ------------------------------------------------------------------------


def _openai_image(image: Image) -> Json:
    url = image.url if image.url is not None else f"data:{image.media_type};base64,{image.data}"
    inner: Json = {"url": url}
    if image.detail is not None:
        inner["detail"] = image.detail
    return {"type": "image_url", "image_url": inner}


def _openai_content(parts: Sequence[Part]) -> str | list[Json]:
    """Text-only parts as one string (joined by newlines), anything else as a part list."""
    if all(isinstance(p, Text) for p in parts):
        return "\n".join(p.text for p in parts if isinstance(p, Text))
    return _openai_parts(parts)


def _openai_parts(parts: Sequence[Part]) -> list[Json]:
    out: list[Json] = []
    for part in parts:
        if isinstance(part, Text):
            out.append({"type": "text", "text": part.text})
        elif isinstance(part, Image):
            out.append(_openai_image(part))
        elif isinstance(part, Opaque):
            out.append(part.value)
    return out


def _openai_result(result: ToolResult) -> tuple[Json, list[Json]]:
    """A tool message, and the images the result carried (they go to the user's message, G2)."""
    text = "\n".join(_texts(result.content))
    if result.is_error:
        text = f"Error: {text}"
    parts = () if result.content is None or isinstance(result.content, str) else result.content
    images = [_openai_image(p) for p in parts if isinstance(p, Image)]
    return {"role": "tool", "tool_call_id": result.call_id, "content": text}, images


def _openai_kept(parts: tuple[Part, ...]) -> list[Part]:
    """The content parts a Chat Completions message carries: text, images, OpenAI's own parts."""
    return [p for p in parts if isinstance(p, Text | Image) or (isinstance(p, Opaque) and p.wire == "openai")]


def _openai_message(message: Message, out: list[Json]) -> None:
    parts = _parts(message.content)
    named: Json = {"name": message.name} if message.name is not None else {}
    if message.role in ("system", "developer"):
        out.append({"role": message.role, "content": _openai_content(_openai_kept(parts)), **named})
        return
    if message.role == "assistant":
        calls = [p for p in parts if isinstance(p, ToolCall)]
        content = _openai_content(_openai_kept(parts))
        item: Json = {"role": "assistant", "content": content if content or not calls else None}
        if message.refusal is not None:
            item["refusal"] = message.refusal
        if calls:
            item["tool_calls"] = [
                {"id": c.id, "type": "custom", "custom": {"name": c.name, "input": c.arguments}}
                if c.custom
                else {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in calls
            ]
        out.append({**item, **named})
        return
    images: list[Json] = []
    results = [p for p in parts if isinstance(p, ToolResult)]
    for result in results:  # tool results first, as tool messages (G2)
        tool_message, carried = _openai_result(result)
        out.append(tool_message)
        images += carried
    if message.role == "tool":
        return
    rest = _openai_kept(parts)
    if results and not rest and not images:
        return
    content = images + _openai_parts(rest) if images else _openai_content(rest)
    out.append({"role": "user", "content": content, **named})


def _with_note(messages: list[Json], note: str) -> list[Json]:
    """The plan note as a system message after the leading system/developer ones."""
    at = 0
    while at < len(messages) and messages[at].get("role") in ("system", "developer"):
        at += 1
    return [*messages[:at], {"role": "system", "content": note}, *messages[at:]]


def openai_body(turn: Turn, route: Route, note: str) -> Json:
    """A Chat Completions request (OpenAI, Google's and OpenRouter's compatible endpoints)."""
    check_carried(turn, "openai")
    messages: list[Json] = []
    for message in turn.messages:
        _openai_message(message, messages)
    body: Json = {"model": route.model, "messages": _with_note(messages, note)}
    for name in ("temperature", "top_p", "n"):
        if getattr(turn, name) is not None:
            body[name] = getattr(turn, name)
    if turn.max_tokens is not None:
        body["max_completion_tokens" if route.provider == "openai" else "max_tokens"] = turn.max_tokens
    if turn.stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}  # billing needs the usage (G10)
    if len(turn.stop) > 4:
        raise ApiError(400, "stop_sequences: at most 4 are supported by this model's provider.")
    if turn.stop:
        body["stop"] = list(turn.stop)
    for name in ("presence_penalty", "frequency_penalty"):
        if getattr(turn, name) is not None:
            body[name] = getattr(turn, name)
    if turn.top_k is not None and route.provider == "openrouter":
        body["top_k"] = turn.top_k
    if turn.user:
        body["user"] = turn.user
    if turn.tools or turn.wire_tools:
        tools = []
        for tool in turn.tools:
            function: Json = {"name": tool.name}
            if tool.description:
                function["description"] = tool.description
            if tool.parameters is not None:
                function["parameters"] = tool.parameters
            if tool.strict is not None:
                function["strict"] = tool.strict
            tools.append({"type": "function", "function": function})
        tools += [tool.value for tool in turn.wire_tools]
        body["tools"] = tools
        choice = turn.tool_choice
        if isinstance(choice, ForcedTool):
            kind = "custom" if choice.custom else "function"
            body["tool_choice"] = {"type": kind, kind: {"name": choice.name}}
        elif isinstance(choice, AllowedTools):
            body["tool_choice"] = {
                "type": "allowed_tools",
                "allowed_tools": {"mode": choice.mode, "tools": list(choice.tools)},
            }
        elif choice is not None:
            body["tool_choice"] = choice
        if turn.parallel_tool_calls is False and choice != "none":
            body["parallel_tool_calls"] = False
    body.update(_upstream_fields.openai_fields(turn, route.provider))
    return body


# -- Anthropic Messages ----------------------------------------------------------------------


def safe_id(call_id: str) -> str:
    """A tool-call id Anthropic accepts (`^[a-zA-Z0-9_-]+$`), deterministic, pairs kept (G4)."""
    if call_id and not _ID_BAD.search(call_id):
        return call_id
    digest = hashlib.sha256(call_id.encode()).hexdigest()[:8]
    return (_ID_BAD.sub("_", call_id) or "call") + "_" + digest


def _arguments(call: ToolCall, where: str) -> Json:
    if call.input is not None:
        return call.input
    if not call.arguments.strip():
        return {}
    try:
        value = json.loads(call.arguments)
    except ValueError:
        raise ApiError(
            400, f"Invalid value for '{where}': the arguments are not valid JSON.", param=where
        ) from None
    if not isinstance(value, dict):
        raise ApiError(400, f"Invalid value for '{where}': the arguments must be a JSON object.", param=where)
    return value


def _cached(block: Json, cache: CacheHint | None) -> Json:
    if cache is not None:
        block["cache_control"] = {"type": "ephemeral", **({"ttl": cache.ttl} if cache.ttl else {})}
    return block


def _anthropic_image(image: Image) -> Json:
    if image.url is not None and image.url.startswith("data:"):
        header, _, data = image.url.partition(",")
        media = header[5:].split(";", 1)[0] or "image/png"
        source: Json = {"type": "base64", "media_type": media, "data": data}
    elif image.url is not None:
        source = {"type": "url", "url": image.url}
    else:
        source = {"type": "base64", "media_type": image.media_type, "data": image.data}
    return _cached({"type": "image", "source": source}, image.cache)


def _anthropic_blocks(parts: tuple[Part, ...], where: str) -> list[Json]:
    blocks: list[Json] = []
    calls = 0
    for part in parts:
        if isinstance(part, Text):
            if part.text:
                blocks.append(_cached({"type": "text", "text": part.text}, part.cache))
        elif isinstance(part, Image):
            blocks.append(_anthropic_image(part))
        elif isinstance(part, ToolCall):
            args = _arguments(part, f"{where}.tool_calls[{calls}].function.arguments")
            calls += 1
            block = {"type": "tool_use", "id": safe_id(part.id), "name": part.name, "input": args}
            blocks.append(_cached(block, part.cache))
        elif isinstance(part, ToolResult):
            result: Json = {"type": "tool_result", "tool_use_id": safe_id(part.call_id)}
            if isinstance(part.content, str):
                result["content"] = part.content
            elif part.content is not None:
                result["content"] = _anthropic_blocks(part.content, where)
            if part.is_error is not None:
                result["is_error"] = part.is_error
            blocks.append(_cached(result, part.cache))
        elif part.wire == "anthropic":
            blocks.append(part.value)
    return blocks


def _append(messages: list[Json], role: str, content: str | list[Json]) -> None:
    """Append a turn, merging into the previous one of the same role; tool results lead (G3)."""
    if not content and not isinstance(content, str):
        return
    if messages and messages[-1]["role"] == role:
        before = messages[-1]["content"]
        merged = ([{"type": "text", "text": before}] if isinstance(before, str) else before) + (
            [{"type": "text", "text": content}] if isinstance(content, str) else content
        )
        messages[-1]["content"] = [b for b in merged if b["type"] == "tool_result"] + [
            b for b in merged if b["type"] != "tool_result"
        ]
    else:
        messages.append({"role": role, "content": content})


def _system(turn: Turn, note: str) -> str | list[Json]:
    """System and developer text joined with the note; a block list when a block asks to be cached."""
    system = [m for m in turn.messages if m.role in ("system", "developer")]
    parts = [p for m in system for p in _parts(m.content) if isinstance(p, Text)]
    if any(p.cache is not None for p in parts):
        return [
            *(_cached({"type": "text", "text": p.text}, p.cache) for p in parts),
            {"type": "text", "text": note},
        ]
    texts = ["\n".join(_texts(m.content)) for m in system]
    return "\n\n".join([*(t for t in texts if t), note])


def anthropic_body(turn: Turn, route: Route, note: str) -> Json:
    """A Messages request."""
    check_carried(turn, "anthropic")
    if (turn.n or 1) > 1:
        raise ApiError(400, "'n' greater than 1 is not supported by Anthropic models.", param="n")
    messages: list[Json] = []
    for i, message in enumerate(turn.messages):
        if message.role in ("system", "developer"):
            continue
        role = "assistant" if message.role == "assistant" else "user"
        content = message.content
        _append(
            messages,
            role,
            content if isinstance(content, str) else _anthropic_blocks(content, f"messages[{i}]"),
        )
    body: Json = {
        "model": route.model,
        "max_tokens": turn.max_tokens if turn.max_tokens is not None else DEFAULT_MAX_TOKENS,
        "system": _system(turn, note),
        "messages": messages,
    }
    if turn.temperature is not None:
        body["temperature"] = min(float(turn.temperature), 1.0)  # Anthropic's range is 0-1 (G13)
    if turn.top_p is not None:
        body["top_p"] = turn.top_p
    if turn.top_k is not None:
        body["top_k"] = turn.top_k
    if turn.stop:
        body["stop_sequences"] = list(turn.stop)
    if turn.user:
        body["metadata"] = {"user_id": turn.user}
    if turn.tools or turn.wire_tools:
        tools = []
        for tool in turn.tools:
            spec: Json = {"name": tool.name}
            if tool.description:
                spec["description"] = tool.description
            spec["input_schema"] = tool.parameters or {"type": "object", "properties": {}}
            tools.append(_cached(spec, tool.cache))
        tools += [tool.value for tool in turn.wire_tools]
        body["tools"] = tools
        choice = _anthropic_tool_choice(turn)
        if choice is not None:
            body["tool_choice"] = choice
    if turn.stream:
        body["stream"] = True
    body.update(_upstream_fields.anthropic_fields(turn, body))
    return body


def _anthropic_tool_choice(turn: Turn) -> Json | None:
    """G5; `parallel_tool_calls: false` is `disable_parallel_tool_use`."""
    choice, parallel = turn.tool_choice, turn.parallel_tool_calls
    out: Json | None
    if choice is None:
        out = {"type": "auto"} if parallel is False else None
    elif isinstance(choice, ForcedTool):
        out = {"type": "tool", "name": choice.name}
    elif isinstance(choice, AllowedTools):  # refused by `check_carried`
        raise AssertionError("allowed_tools has no Anthropic form")
    else:
        out = {"type": {"required": "any"}.get(choice, choice)}
    if out is not None and parallel is False and out["type"] != "none":
        out["disable_parallel_tool_use"] = True
    return out
