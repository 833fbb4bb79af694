"""Limits that keep client input from costing a 5xx (issue 11; D-LIM-1..3, errors profile)."""

from __future__ import annotations

from conformance._case import Level, case
from conformance._context import Context
from conformance.cases._common import chat_body, check
from conformance.cases.errors import oai_error

__all__: list[str] = []

P = "errors"
DEPTH = 100


def _nested(depth: int) -> dict[str, object]:
    node: dict[str, object] = {"type": "string"}
    for _ in range(depth):
        node = {"type": "object", "properties": {"a": node}}
    return node


@case(
    "errors.limits.max-tokens-above-model",
    level=Level.MUST,
    profile=P,
    title="max_tokens above the model's output limit is 400",
    sends="POST /v1/chat/completions with max_tokens 1000000000, then max_completion_tokens 1000000000",
    needs="a 400 JSON error for each request",
    requirement="400 invalid_request_error naming the parameter (param max_tokens / max_completion_tokens), "
    "as the official API answers; never accepted.",
    sources=("D-LIM-2.1", "openapi.yaml#/components/schemas/ChatCompletionRequest"),
)
def _max_tokens(ctx: Context) -> None:
    for name in ("max_tokens", "max_completion_tokens"):
        ex = ctx.post("/v1/chat/completions", chat_body(ctx, **{name: 10**9}))
        err = oai_error(ex, 400, param=name)
        check(
            err.get("type") == "invalid_request_error",
            f"{name}: error.type={err.get('type')!r}, expected 'invalid_request_error'",
            at=("error", "type"),
        )


@case(
    "errors.limits.json-depth",
    level=Level.SHOULD,
    profile=P,
    title="Deeply nested free-form JSON is a 400, not a 5xx",
    sends=f"POST /v1/chat/completions with a tool whose parameters schema nests {DEPTH} objects deep",
    needs="a 400 JSON error",
    requirement="400 invalid_request_error in the OpenAI envelope naming the parameter "
    "(tools[0].function.parameters); never a 5xx.",
    sources=("D-LIM-1.1",),
)
def _depth(ctx: Context) -> None:
    tool = {"type": "function", "function": {"name": "deep", "parameters": _nested(DEPTH)}}
    ex = ctx.post("/v1/chat/completions", chat_body(ctx, tools=[tool]))
    oai_error(ex, 400, param="tools[0].function.parameters")


@case(
    "errors.limits.ascii-digits",
    level=Level.MUST,
    profile=P,
    title="A non-ASCII digit in a number parameter is a 400",
    sends="GET /v1/models?limit=%C2%B2 (the superscript two, a digit to Python's str.isdigit)",
    needs="a 400 JSON error",
    requirement="400 invalid_request_error naming `limit`; never a 5xx.",
    sources=("D-LIM-3.1", "openapi.yaml#/paths/~1v1~1models/get"),
)
def _digits(ctx: Context) -> None:
    ex = ctx.request("GET", "/v1/models?limit=%C2%B2")
    oai_error(ex, 400, param="limit")
