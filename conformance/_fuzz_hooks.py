"""schemathesis hooks for ``--fuzz`` (loaded by the schemathesis subprocess via ``SCHEMATHESIS_HOOKS``).

* No ``X-Stratus-Mock-*`` header ever reaches the target: they ask for errors on purpose (D-MOCK-1).
* Positive mode only: rules JSON Schema cannot state are made true, so "schema-valid" also means
  "meaningful": a named ``tool_choice`` must name one of the request's ``tools`` (both dialects answer
  400 otherwise, as OpenAI and Anthropic do), and schema-valued parameters (tool parameters and
  input schemas, ``response_format``/``output_config`` schemas) must be valid JSON Schema (D-SURF-3),
  and the cross-field rules of both APIs hold: extended thinking's budget is below ``max_tokens``,
  thinking is not combined with a forced tool (D-THINK-1) nor with a ``temperature`` other than 1, a
  ``top_k`` or a ``top_p`` below 0.95 (D-THINK-3), ``json_object`` output comes with the word
  JSON in the messages (D-GEN-5), ``top_logprobs`` with ``logprobs`` (D-LOGP-1).
"""

from __future__ import annotations

import os
from typing import Any

import jsonschema
import schemathesis

__all__ = ["MODE_ENV", "repair_positive_body"]

MODE_ENV = "STRATUS_FUZZ_MODE"
_MOCK_PREFIX = "x-stratus-mock-"


def _valid_schema(schema: Any) -> bool:
    if not isinstance(schema, dict) or schema.get("type", "object") != "object":
        return False
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError:
        return False
    return True


def _repair_schemas(body: dict[str, Any]) -> None:
    """Schema-valued parameters must be valid JSON Schema (D-SURF-3): replace a generated one that is not."""
    holders: list[tuple[dict[str, Any], str]] = []
    for tool in body.get("tools") or []:
        if isinstance(tool, dict) and isinstance(tool.get("function"), dict):
            holders.append((tool["function"], "parameters"))
        elif isinstance(tool, dict) and "input_schema" in tool:
            holders.append((tool, "input_schema"))
    holders += [(f, "parameters") for f in body.get("functions") or [] if isinstance(f, dict)]
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and isinstance(fmt.get("json_schema"), dict):
        holders.append((fmt["json_schema"], "schema"))
    config = body.get("output_config")
    if isinstance(config, dict) and isinstance(config.get("format"), dict):
        holders.append((config["format"], "schema"))
    for holder, key in holders:
        if key in holder and not _valid_schema(holder[key]):
            holder[key] = {"type": "object"}


def _repair_cross_field_rules(body: dict[str, Any]) -> None:
    """The rules the APIs state across fields, which a schema-valid body may break."""
    thinking = body.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") not in (None, "disabled"):
        choice = body.get("tool_choice")
        if isinstance(choice, dict) and choice.get("type") in ("any", "tool"):
            body.pop("thinking")
        else:
            _repair_thinking_sampling(body)
            if thinking.get("type") == "enabled":
                budget, limit = thinking.get("budget_tokens"), body.get("max_tokens")
                if isinstance(budget, int) and isinstance(limit, int) and limit <= budget:
                    thinking["budget_tokens"] = 1024
                    body["max_tokens"] = max(limit, 2048)
    fmt = body.get("response_format")
    messages = body.get("messages")
    json_object = isinstance(fmt, dict) and fmt.get("type") == "json_object"
    if json_object and isinstance(messages, list) and "json" not in str(messages).lower():
        messages.append({"role": "user", "content": "Answer in JSON."})
    if "top_logprobs" in body and body.get("top_logprobs") is not None and body.get("logprobs") is not True:
        body["logprobs"] = True


def _repair_thinking_sampling(body: dict[str, Any]) -> None:
    """Thinking takes no `temperature` but 1, no `top_k`, `top_p` only from 0.95 (D-THINK-3)."""
    if body.get("temperature") not in (None, 1):
        body.pop("temperature")
    body.pop("top_k", None)
    top_p = body.get("top_p")
    if isinstance(top_p, int | float) and top_p < 0.95:
        body.pop("top_p")


def repair_positive_body(body: Any) -> Any:
    """Make schema-valued parameters valid JSON Schema and the cross-field rules true; point a named
    tool_choice at a tool that exists (or drop it when no tool has a name)."""
    if isinstance(body, dict):
        _repair_schemas(body)
        _repair_cross_field_rules(body)
    if not isinstance(body, dict) or not isinstance(body.get("tool_choice"), dict):
        return body
    choice = body["tool_choice"]
    tools: list[Any] = body["tools"] if isinstance(body.get("tools"), list) else []
    names = [_tool_name(t) for t in tools]
    names = [n for n in names if isinstance(n, str) and n]
    if choice.get("type") == "function" and isinstance(choice.get("function"), dict):
        if names:
            choice["function"]["name"] = names[0]
        else:
            body.pop("tool_choice")
    elif choice.get("type") == "tool":
        if names:
            choice["name"] = names[0]
        else:
            body.pop("tool_choice")
    return body


def _tool_name(tool: Any) -> Any:
    if not isinstance(tool, dict):
        return None
    fn = tool.get("function")
    return fn.get("name") if isinstance(fn, dict) else tool.get("name")


@schemathesis.hook
def map_headers(context: Any, headers: Any) -> Any:
    if isinstance(headers, dict):
        for name in [k for k in headers if str(k).lower().startswith(_MOCK_PREFIX)]:
            del headers[name]
    return headers


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    if os.environ.get(MODE_ENV) == "positive":
        return repair_positive_body(body)
    return body
