"""schemathesis hooks for ``--fuzz`` (loaded by the schemathesis subprocess via ``SCHEMATHESIS_HOOKS``).

* No ``X-Stratus-Mock-*`` header ever reaches the target: they ask for errors on purpose (D-MOCK-1).
* Positive mode only: rules JSON Schema cannot state are made true, so "schema-valid" also means
  "meaningful". Today one rule: a named ``tool_choice`` must name one of the request's ``tools``
  (both dialects answer 400 otherwise, as OpenAI and Anthropic do).
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis

__all__ = ["MODE_ENV", "repair_positive_body"]

MODE_ENV = "STRATUS_FUZZ_MODE"
_MOCK_PREFIX = "x-stratus-mock-"


def repair_positive_body(body: Any) -> Any:
    """Point a named tool_choice at a tool that exists (or drop it when no tool has a name)."""
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
