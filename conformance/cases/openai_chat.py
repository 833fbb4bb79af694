"""OpenAI Chat Completions, non-streaming (wire-checklist section A)."""

from __future__ import annotations

import json
import re
from typing import Any

from conformance._case import CaseFailed, Level, case
from conformance._context import Context
from conformance._schema import assert_valid
from conformance.cases._common import WEATHER_TOOL_OPENAI, chat_body, chat_once, check

__all__: list[str] = []

P = "openai-chat"
SPEC = "openapi.yaml#/components/schemas/ChatCompletionResponse"
FINISH = {"stop", "length", "tool_calls", "content_filter", "function_call"}


def _body(ctx: Context, variant: str = "basic") -> Any:
    return chat_once(ctx, variant).json()


@case(
    "openai.chat.schema",
    level=Level.MUST,
    profile=P,
    title="Response matches ChatCompletionResponse",
    sends="POST /v1/chat/completions with one user message",
    requirement="The 200 body validates against the spec's ChatCompletionResponse schema.",
    sources=(SPEC, "A1-A8"),
)
def _schema(ctx: Context) -> None:
    assert_valid("ChatCompletionResponse", _body(ctx))


@case(
    "openai.chat.id",
    level=Level.MUST,
    profile=P,
    title="id is a chatcmpl- string",
    sends="POST /v1/chat/completions",
    requirement="`id` is a string matching ^(stratus-)?chatcmpl-.",
    sources=("A1", "D-CHAT-5"),
)
def _id(ctx: Context) -> None:
    v = _body(ctx).get("id")
    check(isinstance(v, str) and re.match(r"^(stratus-)?chatcmpl-", v), f"id={v!r}")


@case(
    "openai.chat.object",
    level=Level.MUST,
    profile=P,
    title="object is chat.completion",
    sends="POST /v1/chat/completions",
    requirement='`object` is exactly "chat.completion".',
    sources=("A2",),
)
def _object(ctx: Context) -> None:
    v = _body(ctx).get("object")
    check(v == "chat.completion", f"object={v!r}")


@case(
    "openai.chat.created-seconds",
    level=Level.SHOULD,
    profile=P,
    title="created is integer Unix seconds",
    sends="POST /v1/chat/completions",
    requirement="`created` is an integer of Unix seconds (not milliseconds, not a float).",
    sources=("A3",),
)
def _created(ctx: Context) -> None:
    v = _body(ctx).get("created")
    check(isinstance(v, int) and not isinstance(v, bool) and 10**9 <= v < 10**11, f"created={v!r}")


@case(
    "openai.chat.model-echo",
    level=Level.MUST,
    profile=P,
    title="model echoes the requested id",
    sends="POST /v1/chat/completions",
    requirement="`model` is a string equal to the requested model id.",
    sources=("A4", "D-MOD-3"),
)
def _model(ctx: Context) -> None:
    v = _body(ctx).get("model")
    check(v == ctx.target.model, f"model={v!r}, requested {ctx.target.model!r}")


@case(
    "openai.chat.choices",
    level=Level.MUST,
    profile=P,
    title="choices list with assistant messages",
    sends="POST /v1/chat/completions",
    requirement="`choices` has length n with index 0..n-1; each message has role assistant and string content.",
    sources=("A5", "A15"),
)
def _choices(ctx: Context) -> None:
    choices = _body(ctx).get("choices")
    check(isinstance(choices, list) and len(choices) == 1, f"choices={choices!r}")
    for i, c in enumerate(choices):
        check(c.get("index") == i, f"choice {i} index={c.get('index')!r}")
        m = c.get("message") or {}
        check(m.get("role") == "assistant", f"choice {i} role={m.get('role')!r}")
        check(isinstance(m.get("content"), str), f"choice {i} content={m.get('content')!r}")


@case(
    "openai.chat.finish-reason",
    level=Level.MUST,
    profile=P,
    title="finish_reason in the enum, never null",
    sends="POST /v1/chat/completions",
    requirement="finish_reason is one of stop|length|tool_calls|content_filter|function_call.",
    sources=("A5",),
)
def _finish(ctx: Context) -> None:
    for c in _body(ctx).get("choices") or []:
        check(c.get("finish_reason") in FINISH, f"finish_reason={c.get('finish_reason')!r}")


@case(
    "openai.chat.logprobs-null",
    level=Level.SHOULD,
    profile=P,
    title="logprobs: null when not requested",
    sends="POST /v1/chat/completions without logprobs",
    requirement="Each choice carries `logprobs: null`.",
    sources=("A6",),
)
def _logprobs(ctx: Context) -> None:
    for c in _body(ctx).get("choices") or []:
        check("logprobs" in c and c["logprobs"] is None, f"logprobs={c.get('logprobs', '<absent>')!r}")


@case(
    "openai.chat.usage",
    level=Level.SHOULD,
    profile=P,
    title="usage integers add up",
    sends="POST /v1/chat/completions",
    requirement="usage has integer prompt/completion/total_tokens with total = prompt + completion.",
    sources=("A7",),
)
def _usage(ctx: Context) -> None:
    u = _body(ctx).get("usage")
    check(isinstance(u, dict), f"usage={u!r}")
    p, c, t = (u.get(k) for k in ("prompt_tokens", "completion_tokens", "total_tokens"))
    check(all(isinstance(x, int) for x in (p, c, t)), f"usage={u!r}")
    check(t == p + c, f"total_tokens {t} != {p} + {c}")


@case(
    "openai.chat.tool-calls",
    level=Level.MUST,
    profile=P,
    title="tool_calls shape and finish_reason",
    sends='POST /v1/chat/completions with one tool and tool_choice "required"',
    requirement="message.tool_calls entries have unique id call_*, type function, name, and JSON-string "
    "arguments; finish_reason is tool_calls; content is null or a string.",
    sources=("A8", "D-CHAT-5"),
)
def _tools(ctx: Context) -> None:
    body = _body(ctx, "tools")
    c = (body.get("choices") or [{}])[0]
    calls = (c.get("message") or {}).get("tool_calls")
    if not isinstance(calls, list) or not calls:
        raise CaseFailed(f"no tool_calls: {c!r}")
    ids = [tc.get("id") for tc in calls]
    check(
        len(set(ids)) == len(ids) and all(isinstance(i, str) and i.startswith("call_") for i in ids),
        f"tool call ids {ids!r}",
    )
    for tc in calls:
        fn = tc.get("function") or {}
        check(tc.get("type") == "function", f"type={tc.get('type')!r}")
        check(fn.get("name") == "get_weather", f"name={fn.get('name')!r}")
        args = fn.get("arguments")
        if not isinstance(args, str):
            raise CaseFailed(f"arguments is {type(args).__name__}, not a JSON string")
        check(isinstance(json.loads(args), dict), "arguments does not decode to an object")
    check(c.get("finish_reason") == "tool_calls", f"finish_reason={c.get('finish_reason')!r}")


@case(
    "openai.chat.named-tool-choice",
    level=Level.MUST,
    profile=P,
    title="named tool_choice calls that tool",
    sends="POST /v1/chat/completions with tool_choice {type:function, function:{name}}",
    requirement="The named function is called; finish_reason is tool_calls (stop accepted).",
    sources=("A8", "D-CHAT-4", "K"),
)
def _named(ctx: Context) -> None:
    choice = {"type": "function", "function": {"name": "get_weather"}}
    ex = ctx.post("/v1/chat/completions", chat_body(ctx, tools=[WEATHER_TOOL_OPENAI], tool_choice=choice))
    check(ex.status == 200, f"status {ex.status}")
    c = ex.json()["choices"][0]
    calls = (c.get("message") or {}).get("tool_calls") or []
    check(calls and calls[0]["function"]["name"] == "get_weather", f"tool_calls={calls!r}")
    check(c.get("finish_reason") in ("tool_calls", "stop"), f"finish_reason={c.get('finish_reason')!r}")


@case(
    "openai.chat.max-tokens-length",
    level=Level.MUST,
    profile=P,
    title="max_tokens limit gives length",
    sends="POST /v1/chat/completions with max_tokens 1",
    requirement='Reaching the limit gives finish_reason "length" and completion_tokens <= limit.',
    sources=("A9",),
)
def _length(ctx: Context) -> None:
    body = _body(ctx, "length")
    c = body["choices"][0]
    check(c.get("finish_reason") == "length", f"finish_reason={c.get('finish_reason')!r}")
    check((body.get("usage") or {}).get("completion_tokens", 0) <= 1, f"usage={body.get('usage')!r}")


@case(
    "openai.chat.max-completion-tokens",
    level=Level.MUST,
    profile=P,
    title="max_completion_tokens accepted and smaller limit wins",
    sends="POST /v1/chat/completions with max_completion_tokens 1 and max_tokens 50",
    requirement="Both parameters are accepted; the smaller one is the limit (finish_reason length, "
    "completion_tokens <= 1).",
    sources=("A9", "D-CHAT-1"),
)
def _mct(ctx: Context) -> None:
    ex = ctx.post("/v1/chat/completions", chat_body(ctx, max_completion_tokens=1, max_tokens=50))
    check(ex.status == 200, f"status {ex.status}: {ex.body[:200]!r}")
    body = ex.json()
    check(body["choices"][0].get("finish_reason") == "length", "finish_reason is not length")
    used = (body.get("usage") or {}).get("completion_tokens")
    check(isinstance(used, int) and used <= 1, f"completion_tokens={used!r} exceeds the smaller limit 1")


@case(
    "openai.chat.stop-sequence",
    level=Level.SHOULD,
    profile=P,
    title="stop text is cut and excluded",
    sends="the basic request twice, the second with stop set to a word of the first answer",
    requirement='The answer stops before the stop text (not included) with finish_reason "stop".',
    sources=("A10", "G7", "D-CHAT-1"),
)
def _stop(ctx: Context) -> None:
    content = _body(ctx)["choices"][0]["message"]["content"] or ""
    words = list(re.findall(r"[A-Za-z]{4,}", content))
    check(len(words) >= 2, f"answer too short to pick a stop word: {content!r}")
    stop = words[len(words) // 2]
    ex = ctx.post("/v1/chat/completions", chat_body(ctx, stop=[stop]))
    check(ex.status == 200, f"status {ex.status}")
    c = ex.json()["choices"][0]
    check(stop not in (c["message"].get("content") or ""), f"stop text {stop!r} is in the content")
    check(c.get("finish_reason") == "stop", f"finish_reason={c.get('finish_reason')!r}")


@case(
    "openai.chat.developer-role",
    level=Level.SHOULD,
    profile=P,
    title="developer role accepted",
    sends="messages [developer, user]",
    requirement="role developer is accepted like system (200).",
    sources=("A11", "D-CHAT-2"),
)
def _developer(ctx: Context) -> None:
    msgs = [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "Say hi."}]
    ex = ctx.post("/v1/chat/completions", {"model": ctx.target.model, "messages": msgs})
    check(ex.status == 200, f"status {ex.status}: {ex.body[:200]!r}")


@case(
    "openai.chat.tool-round-trip",
    level=Level.SHOULD,
    profile=P,
    title="tool message history accepted",
    sends="user, assistant(tool_calls, content null), tool(tool_call_id) messages",
    requirement="An assistant message with null content and tool_calls, then a tool message, is accepted.",
    sources=("A11", "D-CHAT-2"),
)
def _round_trip(ctx: Context) -> None:
    msgs = [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "18C and sunny"},
    ]
    ex = ctx.post(
        "/v1/chat/completions", {"model": ctx.target.model, "messages": msgs, "tools": [WEATHER_TOOL_OPENAI]}
    )
    check(ex.status == 200, f"status {ex.status}: {ex.body[:200]!r}")
    assert_valid("ChatCompletionResponse", ex.json())


@case(
    "openai.chat.n-choices",
    level=Level.MUST,
    profile=P,
    title="n>1 gives n choices in order",
    sends="POST /v1/chat/completions with n 3",
    requirement="choices has 3 entries with index 0,1,2.",
    sources=("A5", "D-CHAT-1"),
)
def _n(ctx: Context) -> None:
    ex = ctx.post("/v1/chat/completions", chat_body(ctx, n=3))
    check(ex.status == 200, f"status {ex.status}")
    check(
        [c.get("index") for c in ex.json().get("choices") or []] == [0, 1, 2], "choice indexes are not 0,1,2"
    )


@case(
    "openai.chat.headers",
    level=Level.SHOULD,
    profile=P,
    title="JSON content type and request ids",
    sends="POST /v1/chat/completions",
    requirement="Content-Type application/json; x-request-id and request-id equal, form req_<24 hex>.",
    sources=("A13", "D-HDR-1"),
)
def _headers(ctx: Context) -> None:
    ex = chat_once(ctx)
    check(ex.content_type.startswith("application/json"), f"content-type {ex.content_type!r}")
    rid = ex.headers.get("x-request-id")
    check(rid and re.fullmatch(r"req_[0-9a-f]{24}", rid), f"x-request-id={rid!r}")
    check(ex.headers.get("request-id") == rid, f"request-id={ex.headers.get('request-id')!r} != {rid!r}")


@case(
    "openai.chat.vendor-top-level",
    level=Level.SHOULD,
    profile=P,
    title="stratus is a new top-level key",
    sends="POST /v1/chat/completions",
    requirement="Vendor data rides in a new top-level key; typed OpenAI fields keep their shape.",
    sources=("A14",),
)
def _vendor(ctx: Context) -> None:
    body = _body(ctx)
    std = {
        "id",
        "object",
        "created",
        "model",
        "choices",
        "usage",
        "system_fingerprint",
        "service_tier",
        "stratus",
    }
    extra = set(body) - std
    check(not extra, f"unexpected top-level keys {sorted(extra)}")
    msg = body["choices"][0]["message"]
    check(
        set(msg) <= {"role", "content", "refusal", "tool_calls", "annotations", "audio", "function_call"},
        f"unexpected message keys {sorted(msg)}",
    )
