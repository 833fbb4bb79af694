"""Provider routing and dialect translation for upstream execution (D-EXEC-1, wire-checklist G).

Pure functions over JSON values (`dict`/`list`), no I/O: which provider serves a model id, which key
it uses, the plan note, request bodies in the provider's wire format, and provider answers turned
into one neutral `Result`. `_upstream.py` does the HTTP and the re-framing of streams.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any, Literal

import msgspec

from reference_server._errors import ApiError
from reference_server._settings import Settings
from reference_server.planner import Plan

__all__ = [
    "BYOK",
    "NAMES",
    "ProviderCall",
    "Result",
    "Route",
    "anthropic_finish",
    "chat_to_anthropic",
    "chat_to_openai",
    "messages_to_anthropic",
    "messages_to_openai",
    "openai_stop_reason",
    "plan_note",
    "provider_for",
    "result_from_anthropic",
    "result_from_openai",
    "route_for",
    "scrub",
]

Provider = Literal["openai", "anthropic", "google", "openrouter"]
Json = dict[str, Any]

NAMES: dict[str, str] = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "google": "Google",
    "openrouter": "OpenRouter",
}
BYOK: dict[str, tuple[str, str]] = {
    "openai": ("x-openai-key", "openai_key"),
    "anthropic": ("x-anthropic-key", "anthropic_key"),
    "google": ("x-google-key", "gemini_key"),
    "openrouter": ("x-openrouter-key", "openrouter_key"),
}
"""Provider -> (BYOK header, chat-completions body key) (D-AUTH-3)."""

ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 4096
"""Anthropic needs `max_tokens`; a chat request without one gets this (wire-checklist G8)."""
_KEYISH = re.compile(r"(sk-[A-Za-z0-9_\-]{8,}|AIza[0-9A-Za-z_\-]{16,}|stratus_sk_[A-Za-z0-9_]{8,})")


def scrub(text: str, *secrets: str) -> str:
    """`text` without any of `secrets` and without anything shaped like a provider or Stratus key."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[REDACTED]")
    return _KEYISH.sub("[REDACTED]", text)


def provider_for(llm: str) -> Provider:
    """The provider that executes the LLM part of a Stratus model id (D-EXEC-1)."""
    if "/" in llm:
        return "openrouter"
    if llm.startswith("claude-"):
        return "anthropic"
    if llm.startswith("gemini-"):
        return "google"
    return "openai"  # gpt-*, chatgpt-*, o1..o9*: the rest of the D-MOD-1 grammar


class Route(msgspec.Struct, frozen=True, kw_only=True, repr_omit_defaults=True):
    """Where one request goes: provider, provider model id, endpoint and key (never printed)."""

    provider: Provider
    model: str
    url: str
    key_source: Literal["user", "formation"]
    key: str = msgspec.field(default="")

    def __repr__(self) -> str:
        return f"Route(provider={self.provider!r}, model={self.model!r}, url={self.url!r}, key_source={self.key_source!r})"

    @property
    def name(self) -> str:
        return NAMES[self.provider]

    @property
    def wire(self) -> Literal["openai", "anthropic"]:
        return "anthropic" if self.provider == "anthropic" else "openai"

    def headers(self) -> dict[str, str]:
        if self.provider == "anthropic":
            return {"x-api-key": self.key, "anthropic-version": ANTHROPIC_VERSION}
        headers = {"authorization": f"Bearer {self.key}"}
        if self.provider == "openrouter":
            headers["x-title"] = "Stratus X1 reference server"
        return headers


def route_for(
    llm: str, settings: Settings, headers: Mapping[str, str], body_keys: Mapping[str, Any]
) -> Route:
    """Resolve provider and key: the provider's BYOK header, then its chat body key (`user`), then
    the operator's `STRATUS_<PROVIDER>_API_KEY` (`formation`); none is 502 `llm_provider_not_configured`."""
    provider = provider_for(llm)
    header, field = BYOK[provider]
    key = (headers.get(header) or "").strip()
    source: Literal["user", "formation"] = "user"
    if not key:
        body_key = body_keys.get(field)
        key = body_key.strip() if isinstance(body_key, str) else ""
    if not key:
        key, source = settings.provider_key(provider) or "", "formation"
    if not key:
        name = NAMES[provider]
        raise ApiError(
            502,
            f"No {name} key is available for '{llm}': send the {header_title(header)} header or "
            f"configure STRATUS_{provider.upper()}_API_KEY on the server.",
            type_="llm_provider_not_configured",
            code="llm_provider_not_configured",
        )
    suffix = "/messages" if provider == "anthropic" else "/chat/completions"
    return Route(
        provider=provider,
        model=llm,
        url=settings.provider_base_url(provider) + suffix,
        key_source=source,
        key=key,
    )


def header_title(header: str) -> str:
    return "-".join(
        "OpenAI" if p == "openai" else "OpenRouter" if p == "openrouter" else p.title()
        for p in header.split("-")
    )


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


# -- neutral result --------------------------------------------------------------------------


class ProviderCall(msgspec.Struct, kw_only=True):
    id: str
    name: str
    arguments: str


class ResultChoice(msgspec.Struct, kw_only=True):
    text: str | None
    calls: list[ProviderCall]
    finish: str
    """OpenAI vocabulary: stop, length, tool_calls, content_filter."""
    stop_sequence: str | None = None


class Result(msgspec.Struct, kw_only=True):
    choices: list[ResultChoice]
    prompt_tokens: int
    completion_tokens: int


def anthropic_finish(stop_reason: str | None) -> str:
    """Anthropic stop_reason -> OpenAI finish_reason (wire-checklist G9)."""
    return {
        "max_tokens": "length",
        "tool_use": "tool_calls",
        "refusal": "content_filter",
        "model_context_window_exceeded": "length",
    }.get(stop_reason or "", "stop")


def openai_stop_reason(finish: str | None) -> str:
    """OpenAI finish_reason -> Anthropic stop_reason (G9; `refusal` is not in the spec's enum: end_turn)."""
    return {"length": "max_tokens", "tool_calls": "tool_use", "function_call": "tool_use"}.get(
        finish or "", "end_turn"
    )


def openai_finish(finish: Any) -> str:
    """A finish_reason the chat schema allows (`function_call` is the legacy name of tool_calls)."""
    if finish in ("stop", "length", "tool_calls", "content_filter"):
        return str(finish)
    return "tool_calls" if finish == "function_call" else "stop"


def _text_of(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")


def result_from_openai(data: Any) -> Result:
    """A chat.completion body (OpenAI, Google's and OpenRouter's compatible endpoints)."""
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        raise ValueError("the answer is not a chat completion")
    choices = []
    for choice in sorted(data["choices"], key=lambda c: int(c.get("index", 0))):
        msg = choice.get("message") or {}
        calls = [
            ProviderCall(
                id=str(c.get("id") or ""),
                name=str((c.get("function") or {}).get("name", "")),
                arguments=str((c.get("function") or {}).get("arguments") or ""),
            )
            for c in msg.get("tool_calls") or []
        ]
        text = msg.get("content")
        choices.append(
            ResultChoice(
                text=_text_of(text) if text is not None else None,
                calls=calls,
                finish=openai_finish(choice.get("finish_reason")),
            )
        )
    usage = data.get("usage") or {}
    return Result(
        choices=choices,
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
    )


def anthropic_prompt_tokens(usage: Mapping[str, Any]) -> int:
    """input + cache read + cache creation tokens (wire-checklist G10)."""
    return sum(
        int(usage.get(k) or 0)
        for k in ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
    )


def result_from_anthropic(data: Any) -> Result:
    """A Messages API `message` body."""
    if not isinstance(data, dict) or not isinstance(data.get("content"), list):
        raise ValueError("the answer is not a message")
    texts, calls = [], []
    for block in data["content"]:
        if block.get("type") == "text":
            texts.append(str(block.get("text", "")))
        elif block.get("type") == "tool_use":
            args = json.dumps(block.get("input") or {}, separators=(",", ":"), ensure_ascii=False)
            calls.append(
                ProviderCall(id=str(block.get("id", "")), name=str(block.get("name", "")), arguments=args)
            )
    usage = data.get("usage") or {}
    stop = data.get("stop_reason")
    return Result(
        choices=[
            ResultChoice(
                text="".join(texts) if texts else None,
                calls=calls,
                finish=anthropic_finish(stop),
                stop_sequence=data.get("stop_sequence") if stop == "stop_sequence" else None,
            )
        ],
        prompt_tokens=anthropic_prompt_tokens(usage),
        completion_tokens=int(usage.get("output_tokens") or 0),
    )


# -- requests: chat completions (OpenAI dialect) ---------------------------------------------

_BODY_KEYS = ("openai_key", "anthropic_key", "gemini_key", "openrouter_key")


def _with_note(messages: list[Json], note: str) -> list[Json]:
    """`messages` with the plan note as a system message after the leading system/developer ones."""
    at = 0
    while at < len(messages) and messages[at].get("role") in ("system", "developer"):
        at += 1
    return [*messages[:at], {"role": "system", "content": note}, *messages[at:]]


def chat_to_openai(req: Json, route: Route, note: str) -> Json:
    """A chat request for an OpenAI-compatible provider: the client's body, the BYOK body keys
    removed, the provider model id, the plan note, and `include_usage` when streaming."""
    body = {k: v for k, v in req.items() if k not in _BODY_KEYS}
    body["model"] = route.model
    body["messages"] = _with_note(list(req["messages"]), note)
    if body.get("stream"):
        body["stream_options"] = {**(body.get("stream_options") or {}), "include_usage": True}
    return body


_ID_BAD = re.compile(r"[^a-zA-Z0-9_-]")


def safe_id(call_id: str) -> str:
    """A tool-call id Anthropic accepts (`^[a-zA-Z0-9_-]+$`), deterministic, pairs kept (G4)."""
    if call_id and not _ID_BAD.search(call_id):
        return call_id
    digest = hashlib.sha256(call_id.encode()).hexdigest()[:8]
    return (_ID_BAD.sub("_", call_id) or "call") + "_" + digest


def _arguments(text: str, where: str) -> Json:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise ApiError(
            400, f"Invalid value for '{where}': the arguments are not valid JSON.", param=where
        ) from None
    if not isinstance(value, dict):
        raise ApiError(400, f"Invalid value for '{where}': the arguments must be a JSON object.", param=where)
    return value


def _image_block(part: Json) -> Json:
    url = str(part["image_url"]["url"])
    if url.startswith("data:"):
        header, _, data = url.partition(",")
        media = header[5:].split(";", 1)[0] or "image/png"
        return {"type": "image", "source": {"type": "base64", "media_type": media, "data": data}}
    return {"type": "image", "source": {"type": "url", "url": url}}


def _user_blocks(content: Any) -> list[Json]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    out: list[Json] = []
    for part in content:
        if part.get("type") == "text":
            out.append({"type": "text", "text": part["text"]})
        elif part.get("type") == "image_url":
            out.append(_image_block(part))
    return out


def _append(messages: list[Json], role: str, blocks: list[Json]) -> None:
    """Append a turn, merging into the previous one of the same role; tool results lead (G3)."""
    if not blocks:
        return
    if messages and messages[-1]["role"] == role:
        merged = messages[-1]["content"] + blocks
        messages[-1]["content"] = [b for b in merged if b["type"] == "tool_result"] + [
            b for b in merged if b["type"] != "tool_result"
        ]
    else:
        messages.append({"role": role, "content": list(blocks)})


def _anthropic_tool_choice(choice: Any, parallel: Any, has_tools: bool) -> Json | None:
    """tool_choice mapping of G5; `parallel_tool_calls: false` -> `disable_parallel_tool_use`."""
    out: Json | None
    if choice is None:
        out = {"type": "auto"} if has_tools and parallel is False else None
    elif choice == "none":
        out = {"type": "none"}
    elif choice == "required":
        out = {"type": "any"}
    elif choice == "auto":
        out = {"type": "auto"}
    else:
        out = {"type": "tool", "name": choice["function"]["name"]}
    if out is not None and parallel is False and out["type"] != "none":
        out["disable_parallel_tool_use"] = True
    return out


def chat_to_anthropic(req: Json, route: Route, note: str) -> Json:
    """A chat request as a Messages request (wire-checklist G1-G8, G11, G13)."""
    if (req.get("n") or 1) > 1:
        raise ApiError(400, "'n' greater than 1 is not supported by Anthropic models.", param="n")
    system: list[str] = []
    messages: list[Json] = []
    for i, msg in enumerate(req["messages"]):
        role = msg["role"]
        if role in ("system", "developer"):
            system.append(_text_of(msg["content"]))
        elif role == "user":
            _append(messages, "user", _user_blocks(msg["content"]))
        elif role == "assistant":
            blocks: list[Json] = []
            text = _text_of(msg.get("content"))
            if text:
                blocks.append({"type": "text", "text": text})
            for j, call in enumerate(msg.get("tool_calls") or []):
                where = f"messages[{i}].tool_calls[{j}].function.arguments"
                blocks.append(
                    {
                        "type": "tool_use",
                        "id": safe_id(call["id"]),
                        "name": call["function"]["name"],
                        "input": _arguments(call["function"]["arguments"], where),
                    }
                )
            _append(messages, "assistant", blocks)
        elif role == "tool":
            result = {
                "type": "tool_result",
                "tool_use_id": safe_id(msg["tool_call_id"]),
                "content": _text_of(msg["content"]),
            }
            _append(messages, "user", [result])
    limits = [x for x in (req.get("max_tokens"), req.get("max_completion_tokens")) if isinstance(x, int)]
    body: Json = {
        "model": route.model,
        "max_tokens": min(limits) if limits else DEFAULT_MAX_TOKENS,
        "system": "\n\n".join([*(s for s in system if s), note]),
        "messages": messages,
    }
    if req.get("temperature") is not None:
        body["temperature"] = min(float(req["temperature"]), 1.0)  # Anthropic's range is 0-1 (G13)
    if req.get("top_p") is not None:
        body["top_p"] = req["top_p"]
    stop = req.get("stop")
    if stop:
        body["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    if req.get("user"):
        body["metadata"] = {"user_id": req["user"]}
    tools = req.get("tools") or []
    if tools:
        body["tools"] = [
            {
                "name": t["function"]["name"],
                **({"description": t["function"]["description"]} if t["function"].get("description") else {}),
                "input_schema": t["function"].get("parameters") or {"type": "object", "properties": {}},
            }
            for t in tools
        ]
    choice = _anthropic_tool_choice(req.get("tool_choice"), req.get("parallel_tool_calls"), bool(tools))
    if choice is not None and tools:
        body["tool_choice"] = choice
    if req.get("stream"):
        body["stream"] = True
    return body


# -- requests: messages (Anthropic dialect) --------------------------------------------------


def messages_to_anthropic(req: Json, route: Route, note: str) -> Json:
    """A messages request for Anthropic: the client's body, the provider model id, the note
    appended to `system` (a string stays a string, a block list gets one more text block)."""
    body = dict(req)
    body["model"] = route.model
    system = req.get("system")
    if isinstance(system, list):
        body["system"] = [*system, {"type": "text", "text": note}]
    else:
        body["system"] = f"{system}\n\n{note}" if system else note
    return body


def _openai_image(block: Json) -> Json:
    source = block["source"]
    if source["type"] == "base64":
        url = f"data:{source['media_type']};base64,{source['data']}"
    else:
        url = source["url"]
    return {"type": "image_url", "image_url": {"url": url}}


def _blocks_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(b["text"] for b in content or [] if b.get("type") == "text")


def messages_to_openai(req: Json, route: Route, note: str) -> Json:
    """A messages request as a chat request (wire-checklist G1, G2, G4-G8, G11, G13)."""
    messages: list[Json] = []
    system = _blocks_text(req.get("system") or "")
    if system:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "system", "content": note})
    for turn in req["messages"]:
        content = turn["content"]
        if turn["role"] == "assistant":
            blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
            text = "\n".join(b["text"] for b in blocks if b["type"] == "text")
            calls = [
                {
                    "id": b["id"],
                    "type": "function",
                    "function": {
                        "name": b["name"],
                        "arguments": json.dumps(b["input"], separators=(",", ":"), ensure_ascii=False),
                    },
                }
                for b in blocks
                if b["type"] == "tool_use"
            ]
            out: Json = {"role": "assistant", "content": text or None}
            if calls:
                out["tool_calls"] = calls
            messages.append(out)
            continue
        if isinstance(content, str):
            messages.append({"role": "user", "content": content})
            continue
        images_from_results: list[Json] = []
        for block in content:  # tool results first, as tool messages (G2)
            if block["type"] != "tool_result":
                continue
            inner = block.get("content") or ""
            text = _blocks_text(inner)
            if not isinstance(inner, str):
                images_from_results.extend(_openai_image(b) for b in inner if b["type"] == "image")
            if block.get("is_error"):
                text = f"Error: {text}"
            messages.append({"role": "tool", "tool_call_id": block["tool_use_id"], "content": text})
        parts: list[Json] = []
        for block in content:
            if block["type"] == "text":
                parts.append({"type": "text", "text": block["text"]})
            elif block["type"] == "image":
                parts.append(_openai_image(block))
        parts = images_from_results + parts
        if parts:
            only_text = all(p["type"] == "text" for p in parts)
            value: Any = "\n".join(p["text"] for p in parts) if only_text else parts
            messages.append({"role": "user", "content": value})
    body: Json = {"model": route.model, "messages": messages}
    body["max_completion_tokens" if route.provider == "openai" else "max_tokens"] = req["max_tokens"]
    for field in ("temperature", "top_p"):
        if field in req:
            body[field] = req[field]
    if "top_k" in req and route.provider == "openrouter":
        body["top_k"] = req["top_k"]
    stops = req.get("stop_sequences") or []
    if len(stops) > 4:
        raise ApiError(400, "stop_sequences: at most 4 are supported by this model's provider.")
    if stops:
        body["stop"] = stops
    user = (req.get("metadata") or {}).get("user_id")
    if user:
        body["user"] = user
    tools = req.get("tools") or []
    if tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t["name"],
                    **({"description": t["description"]} if t.get("description") else {}),
                    "parameters": t["input_schema"],
                },
            }
            for t in tools
        ]
        choice = req.get("tool_choice")
        if choice is not None:
            kind = choice["type"]
            if kind == "tool":
                body["tool_choice"] = {"type": "function", "function": {"name": choice["name"]}}
            else:
                body["tool_choice"] = {"auto": "auto", "any": "required", "none": "none"}[kind]
            if choice.get("disable_parallel_tool_use") and kind != "none":
                body["parallel_tool_calls"] = False
    if req.get("stream"):
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body
