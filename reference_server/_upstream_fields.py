"""The `Turn` fields beyond the core request, in each provider's dialect (D-EXEC-2).

`_upstream_request` builds the core of a provider request (messages, tools, sampling, limits); this
module adds what the surface round accepted: structured output, log-probabilities, `seed`, extended
thinking, effort, service tier, the OpenAI account fields and the hints each wire carries by name.
What maps is sent in the provider's spelling; what one wire has no form for is dropped (listed in
D-EXEC-2), except `logprobs`, which an Anthropic provider cannot give and is a 400 before anything is
reserved (`check`), as `n` > 1 is: the client would otherwise silently get no log-probabilities.
"""

from __future__ import annotations

from typing import Any, Literal

from reference_server._errors import ApiError
from reference_server._turn import ResponseFormat, Thinking, Turn

__all__ = ["anthropic_fields", "check", "openai_fields"]

Json = dict[str, Any]

_OPENAI_ONLY = ("metadata", "store", "safety_identifier", "prompt_cache_key", "verbosity", "modalities")
"""OpenAI account and product fields: sent to OpenAI itself, not to the compatible endpoints."""
_OPENAI_EFFORTS = {"minimal", "low", "medium", "high", "none", "xhigh"}
_ANTHROPIC_EFFORTS = {"low", "medium", "high", "xhigh", "max"}
_OPENAI_TIERS = {"auto", "default", "flex", "scale", "priority"}


def check(turn: Turn, wire: Literal["openai", "anthropic"]) -> None:
    """400 for a field the provider's wire cannot honour and the client would miss."""
    if wire == "anthropic" and turn.logprobs:
        raise ApiError(
            400,
            "'logprobs' is not supported by this model's provider (Anthropic).",
            param="logprobs",
            code="unsupported_parameter",
        )


def _openai_format(fmt: ResponseFormat) -> Json:
    if fmt.kind != "json_schema":
        return {"type": fmt.kind}
    spec: Json = {"name": fmt.name or "response", "schema": fmt.schema or {"type": "object"}}
    if fmt.description is not None:
        spec["description"] = fmt.description
    if fmt.strict is not None:
        spec["strict"] = fmt.strict
    return {"type": "json_schema", "json_schema": spec}


def openai_fields(turn: Turn, provider: str) -> Json:
    """Fields for a Chat Completions provider (`provider`: openai, google or openrouter)."""
    out: Json = {}
    if turn.response_format is not None:
        out["response_format"] = _openai_format(turn.response_format)
    if turn.logprobs is not None:
        out["logprobs"] = turn.logprobs
    if turn.top_logprobs is not None:
        out["top_logprobs"] = turn.top_logprobs
    if turn.seed is not None:
        out["seed"] = turn.seed
    if turn.logit_bias is not None:
        out["logit_bias"] = turn.logit_bias
    if turn.reasoning_effort in _OPENAI_EFFORTS:
        out["reasoning_effort"] = turn.reasoning_effort
    elif turn.reasoning_effort == "max":
        out["reasoning_effort"] = "high"
    if provider != "openai":
        return out
    for name in _OPENAI_ONLY:
        value = getattr(turn, name)
        if value is not None:
            out[name] = list(value) if isinstance(value, tuple) else value
    tier = {"standard_only": "default"}.get(turn.service_tier or "", turn.service_tier)
    if tier in _OPENAI_TIERS:
        out["service_tier"] = tier
    if turn.hints is not None and turn.hints.wire == "openai":
        out.update(turn.hints.value)
    return out


def _anthropic_thinking(thinking: Thinking) -> Json:
    if not thinking.enabled:
        return {"type": "disabled"}
    out: Json
    if thinking.budget_tokens is not None:
        out = {"type": "enabled", "budget_tokens": thinking.budget_tokens}
    else:
        out = {"type": thinking.mode or "adaptive"}
    if thinking.display is not None:
        out["display"] = thinking.display
    return out


def _functions_as_tools(hints: Json) -> tuple[list[Json], Json | None]:
    """Legacy OpenAI `functions` / `function_call` as Anthropic tools and tool choice."""
    tools = [
        {
            "name": f.get("name", ""),
            **({"description": f["description"]} if f.get("description") else {}),
            "input_schema": f.get("parameters") or {"type": "object", "properties": {}},
        }
        for f in hints.get("functions") or []
        if isinstance(f, dict)
    ]
    call = hints.get("function_call")
    choice: Json | None = None
    if call in ("auto", "none"):
        choice = {"type": call}
    elif isinstance(call, dict) and call.get("name"):
        choice = {"type": "tool", "name": call["name"]}
    return tools, choice


def anthropic_fields(turn: Turn, body: Json) -> Json:
    """Fields for an Anthropic provider; `body` is the core request (its tools and `max_tokens`)."""
    out: Json = {}
    config: Json = {}
    fmt = turn.response_format
    if fmt is not None and fmt.kind == "json_schema" and fmt.schema is not None:
        config["format"] = {"type": "json_schema", "schema": fmt.schema}
    if turn.reasoning_effort in _ANTHROPIC_EFFORTS:
        config["effort"] = turn.reasoning_effort
    if turn.thinking is not None:
        out["thinking"] = _anthropic_thinking(turn.thinking)
    if turn.service_tier in ("auto", "standard_only"):
        out["service_tier"] = turn.service_tier
    elif turn.service_tier == "default":
        out["service_tier"] = "standard_only"
    hints = turn.hints.value if turn.hints is not None else {}
    if turn.hints is not None and turn.hints.wire == "anthropic":
        extra = dict(hints)
        config.update(extra.pop("output_config", {}))
        out.update(extra)
    elif not body.get("tools") and hints.get("functions"):
        tools, choice = _functions_as_tools(hints)
        out["tools"] = tools
        if choice is not None:
            out["tool_choice"] = choice
    if config:
        out["output_config"] = config
    return out
