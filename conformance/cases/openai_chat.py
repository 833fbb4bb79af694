"""OpenAI Chat Completions, non-streaming (wire-checklist section A)."""

from __future__ import annotations

import json
import re
from typing import Any

from conformance._case import CaseFailed, Level, case
from conformance._context import Context
from conformance._expect import json_object
from conformance._schema import assert_valid
from conformance.cases._common import (
    PARALLEL_PROMPT,
    WEATHER_TOOL_OPENAI,
    chat_body,
    chat_once,
    check,
)

__all__: list[str] = []

P = "openai-chat"
SPEC = "openapi.yaml#/components/schemas/ChatCompletionResponse"
FINISH = {"stop", "length", "tool_calls", "content_filter", "function_call"}


NEEDS = "a 200 JSON chat completion"


def _body(ctx: Context, variant: str = "basic") -> Any:
    return chat_once(ctx, variant).json()


def choices_of(body: dict[str, Any], least: int = 1) -> list[dict[str, Any]]:
    """The choices of a completion; fewer than ``least`` choice objects is a missing subject."""
    choices = body.get("choices")
    if not isinstance(choices, list) or len(choices) < least or not all(isinstance(c, dict) for c in choices):
        got = f"{len(choices)} choice(s)" if isinstance(choices, list) else f"choices={choices!r}"
        raise CaseFailed(f"expected at least {least} choice object(s), got {got}", at=("choices",))
    return choices


@case(
    "openai.chat.schema",
    level=Level.MUST,
    profile=P,
    title="Response matches ChatCompletionResponse",
    sends="POST /v1/chat/completions with one user message",
    needs=NEEDS,
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
    needs=NEEDS,
    requirement="`id` is a string matching ^(stratus-)?chatcmpl-.",
    sources=("A1", "D-CHAT-5.1"),
)
def _id(ctx: Context) -> None:
    v = _body(ctx).get("id")
    check(isinstance(v, str) and re.match(r"^(stratus-)?chatcmpl-", v), f"id={v!r}", at=("id",))


@case(
    "openai.chat.object",
    level=Level.MUST,
    profile=P,
    title="object is chat.completion",
    sends="POST /v1/chat/completions",
    needs=NEEDS,
    requirement='`object` is exactly "chat.completion".',
    sources=("A2",),
)
def _object(ctx: Context) -> None:
    v = _body(ctx).get("object")
    check(v == "chat.completion", f"object={v!r}", at=("object",))


@case(
    "openai.chat.created-seconds",
    level=Level.SHOULD,
    profile=P,
    title="created is integer Unix seconds",
    sends="POST /v1/chat/completions",
    needs=NEEDS,
    requirement="`created` is an integer of Unix seconds (not milliseconds, not a float).",
    sources=("A3",),
)
def _created(ctx: Context) -> None:
    v = _body(ctx).get("created")
    check(
        isinstance(v, int) and not isinstance(v, bool) and 10**9 <= v < 10**11,
        f"created={v!r}",
        at=("created",),
    )


@case(
    "openai.chat.model-echo",
    level=Level.MUST,
    profile=P,
    title="model echoes the requested id",
    sends="POST /v1/chat/completions",
    needs=NEEDS,
    requirement="`model` is a string equal to the requested model id.",
    sources=("A4", "D-MOD-3.1"),
)
def _model(ctx: Context) -> None:
    v = _body(ctx).get("model")
    check(v == ctx.target.model, f"model={v!r}, requested {ctx.target.model!r}", at=("model",))


@case(
    "openai.chat.choices",
    level=Level.MUST,
    profile=P,
    title="choices list with assistant messages",
    sends="POST /v1/chat/completions",
    needs=NEEDS + " with one choice",
    requirement="`choices` has length n with index 0..n-1; each message has role assistant and string content.",
    sources=("A5", "A15"),
)
def _choices(ctx: Context) -> None:
    choices = choices_of(_body(ctx))
    check(len(choices) == 1, f"{len(choices)} choices for n=1", at=("choices",))
    for i, c in enumerate(choices):
        check(c.get("index") == i, f"choice {i} index={c.get('index')!r}", at=("choices", i, "index"))
        m = c.get("message") or {}
        check(
            m.get("role") == "assistant", f"choice {i} role={m.get('role')!r}", at=("choices", i, "message")
        )
        check(
            isinstance(m.get("content"), str),
            f"choice {i} content={m.get('content')!r}",
            at=("choices", i, "message", "content"),
        )


@case(
    "openai.chat.finish-reason",
    level=Level.MUST,
    profile=P,
    title="finish_reason in the enum, never null",
    sends="POST /v1/chat/completions",
    needs=NEEDS + " with a choice",
    requirement="finish_reason is one of stop|length|tool_calls|content_filter|function_call.",
    sources=("A5",),
)
def _finish(ctx: Context) -> None:
    for i, c in enumerate(choices_of(_body(ctx))):
        check(
            c.get("finish_reason") in FINISH,
            f"finish_reason={c.get('finish_reason')!r}",
            at=("choices", i, "finish_reason"),
        )


@case(
    "openai.chat.logprobs-null",
    level=Level.SHOULD,
    profile=P,
    title="logprobs: null when not requested",
    sends="POST /v1/chat/completions without logprobs",
    needs=NEEDS + " with a choice",
    requirement="Each choice carries `logprobs: null`.",
    sources=("A6",),
)
def _logprobs(ctx: Context) -> None:
    for i, c in enumerate(choices_of(_body(ctx))):
        check(
            "logprobs" in c and c["logprobs"] is None,
            f"logprobs={c.get('logprobs', '<absent>')!r}",
            at=("choices", i),
        )


@case(
    "openai.chat.usage",
    level=Level.SHOULD,
    profile=P,
    title="usage integers add up",
    sends="POST /v1/chat/completions",
    needs=NEEDS + " with usage",
    requirement="usage has integer prompt/completion/total_tokens with total = prompt + completion.",
    sources=("A7",),
)
def _usage(ctx: Context) -> None:
    u = _body(ctx).get("usage")
    check(isinstance(u, dict), f"usage={u!r}", at=("usage",))
    p, c, t = (u.get(k) for k in ("prompt_tokens", "completion_tokens", "total_tokens"))
    check(all(isinstance(x, int) for x in (p, c, t)), f"usage={u!r}", at=("usage",))
    check(t == p + c, f"total_tokens {t} != {p} + {c}", at=("usage", "total_tokens"))


@case(
    "openai.chat.tool-calls",
    level=Level.MUST,
    profile=P,
    title="tool_calls shape and finish_reason",
    sends='POST /v1/chat/completions with one tool and tool_choice "required"',
    needs=NEEDS + " with a tool call",
    requirement="message.tool_calls entries have unique id call_*, type function, name, and JSON-string "
    "arguments; finish_reason is tool_calls; content is null or a string.",
    sources=("A8", "D-CHAT-5.2"),
)
def _tools(ctx: Context) -> None:
    check_tool_calls(_body(ctx, "tools"))


def check_tool_calls(body: dict[str, Any]) -> list[dict[str, Any]]:
    """A8 on choice 0: unique call_* ids, type function, get_weather, JSON-object arguments, finish."""
    c = choices_of(body)[0]
    calls = (c.get("message") or {}).get("tool_calls")
    at = ("choices", 0, "message", "tool_calls")
    if not (isinstance(calls, list) and calls and all(isinstance(tc, dict) for tc in calls)):
        raise CaseFailed(f"tool_calls={calls!r}", at=at)
    ids = [tc.get("id") for tc in calls]
    check(
        len(set(ids)) == len(ids) and all(isinstance(i, str) and i.startswith("call_") for i in ids),
        f"tool call ids {ids!r} (each a distinct call_* string)",
        at=at,
    )
    for n, tc in enumerate(calls):
        fn = tc.get("function") or {}
        check(tc.get("type") == "function", f"type={tc.get('type')!r}", at=(*at, n, "type"))
        check(fn.get("name") == "get_weather", f"name={fn.get('name')!r}", at=(*at, n, "function", "name"))
        args = fn.get("arguments")
        if not isinstance(args, str):
            raise CaseFailed(
                f"arguments is {type(args).__name__}, not a JSON string", at=(*at, n, "function")
            )
        try:
            decoded = json.loads(args)
        except ValueError:
            decoded = None
        check(
            isinstance(decoded, dict),
            f"arguments {args!r} do not decode to an object",
            at=(*at, n, "function"),
        )
    check(
        c.get("finish_reason") == "tool_calls",
        f"finish_reason={c.get('finish_reason')!r}",
        at=("choices", 0, "finish_reason"),
    )
    return list(calls)


@case(
    "openai.chat.named-tool-choice",
    level=Level.MUST,
    profile=P,
    title="named tool_choice calls that tool",
    sends="POST /v1/chat/completions with tool_choice {type:function, function:{name}}",
    needs=NEEDS + " with a tool call",
    requirement="The named function is called; finish_reason is tool_calls (stop accepted).",
    sources=("A8", "D-CHAT-4.1", "K"),
)
def _named(ctx: Context) -> None:
    choice = {"type": "function", "function": {"name": "get_weather"}}
    ex = ctx.post("/v1/chat/completions", chat_body(ctx, tools=[WEATHER_TOOL_OPENAI], tool_choice=choice))
    c = choices_of(json_object(ex, "a chat completion"))[0]
    calls = (c.get("message") or {}).get("tool_calls") or []
    check(
        calls and (calls[0].get("function") or {}).get("name") == "get_weather",
        f"tool_calls={calls!r}",
        at=("choices", 0, "message"),
    )
    check(
        c.get("finish_reason") in ("tool_calls", "stop"),
        f"finish_reason={c.get('finish_reason')!r}",
        at=("choices", 0, "finish_reason"),
    )


@case(
    "openai.chat.max-tokens-length",
    level=Level.MUST,
    profile=P,
    title="max_tokens limit gives length",
    sends="POST /v1/chat/completions with max_tokens 1",
    needs=NEEDS + " with a choice",
    requirement='Reaching the limit gives finish_reason "length" and completion_tokens <= limit.',
    sources=("A9",),
)
def _length(ctx: Context) -> None:
    body = _body(ctx, "length")
    c = choices_of(body)[0]
    check(
        c.get("finish_reason") == "length",
        f"finish_reason={c.get('finish_reason')!r}",
        at=("choices", 0, "finish_reason"),
    )
    used = (body.get("usage") or {}).get("completion_tokens")
    check(isinstance(used, int) and used <= 1, f"usage={body.get('usage')!r}", at=("usage",))


@case(
    "openai.chat.max-completion-tokens",
    level=Level.MUST,
    profile=P,
    title="max_completion_tokens accepted and smaller limit wins",
    sends="POST /v1/chat/completions with max_completion_tokens 1 and max_tokens 50",
    needs=NEEDS + " with a choice",
    requirement="Both parameters are accepted; the smaller one is the limit (finish_reason length, "
    "completion_tokens <= 1).",
    sources=("A9", "D-CHAT-1.2"),
)
def _mct(ctx: Context) -> None:
    ex = ctx.post("/v1/chat/completions", chat_body(ctx, max_completion_tokens=1, max_tokens=50))
    body = json_object(ex, "a chat completion")
    fr = choices_of(body)[0].get("finish_reason")
    check(fr == "length", f"finish_reason={fr!r}, expected length", at=("choices", 0, "finish_reason"))
    used = (body.get("usage") or {}).get("completion_tokens")
    check(
        isinstance(used, int) and used <= 1,
        f"completion_tokens={used!r} exceeds the smaller limit 1",
        at=("usage", "completion_tokens"),
    )


@case(
    "openai.chat.stop-sequence",
    level=Level.SHOULD,
    profile=P,
    title="stop text is cut and excluded",
    sends="the basic request twice, the second with stop set to a word of the first answer",
    needs="two 200 JSON chat completions, the first with at least two words",
    requirement='The answer stops before the stop text (not included) with finish_reason "stop".',
    sources=("A10", "G7", "D-CHAT-1"),
)
def _stop(ctx: Context) -> None:
    content = (choices_of(_body(ctx))[0].get("message") or {}).get("content") or ""
    words = list(re.findall(r"[A-Za-z]{4,}", content))
    check(
        len(words) >= 2, f"expected an answer of at least two words to pick a stop word from, got {content!r}"
    )
    stop = words[len(words) // 2]
    ex = ctx.post("/v1/chat/completions", chat_body(ctx, stop=[stop]))
    c = choices_of(json_object(ex, "a chat completion"))[0]
    text = (c.get("message") or {}).get("content") or ""
    check(stop not in text, f"stop text {stop!r} is in the content", at=("choices", 0, "message", "content"))
    check(
        c.get("finish_reason") == "stop",
        f"finish_reason={c.get('finish_reason')!r}",
        at=("choices", 0, "finish_reason"),
    )


@case(
    "openai.chat.developer-role",
    level=Level.SHOULD,
    profile=P,
    title="developer role accepted",
    sends="messages [developer, user]",
    needs=NEEDS,
    requirement="role developer is accepted like system (200).",
    sources=("A11", "D-CHAT-2.1"),
)
def _developer(ctx: Context) -> None:
    msgs = [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "Say hi."}]
    ex = ctx.post("/v1/chat/completions", {"model": ctx.target.model, "messages": msgs})
    choices_of(json_object(ex, "a chat completion"))


@case(
    "openai.chat.tool-round-trip",
    level=Level.SHOULD,
    profile=P,
    title="tool message history accepted",
    sends="user, assistant(tool_calls, content null), tool(tool_call_id) messages",
    needs=NEEDS,
    requirement="An assistant message with null content and tool_calls, then a tool message, is accepted.",
    sources=("A11", "D-CHAT-2.2"),
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
    assert_valid("ChatCompletionResponse", json_object(ex, "a chat completion"))


@case(
    "openai.chat.n-choices",
    level=Level.MUST,
    profile=P,
    title="n>1 gives n choices in order",
    sends="POST /v1/chat/completions with n 3",
    needs=NEEDS,
    requirement="choices has 3 entries with index 0,1,2.",
    sources=("A5", "D-CHAT-1.3"),
)
def _n(ctx: Context) -> None:
    ex = ctx.post("/v1/chat/completions", chat_body(ctx, n=3))
    choices = choices_of(json_object(ex, "a chat completion"), least=3)
    indexes = [c.get("index") for c in choices]
    check(indexes == [0, 1, 2], f"choice indexes {indexes}, expected [0, 1, 2]", at=("choices",))


@case(
    "openai.chat.headers",
    level=Level.SHOULD,
    profile=P,
    title="JSON content type and request ids",
    sends="POST /v1/chat/completions",
    needs=NEEDS,
    requirement="Content-Type application/json; x-request-id and request-id equal, form req_<24 hex>.",
    sources=("A13", "D-HDR-1.1"),
)
def _headers(ctx: Context) -> None:
    ex = chat_once(ctx)
    rid = ex.headers.get("x-request-id")
    check(rid and re.fullmatch(r"req_[0-9a-f]{24}", rid), f"x-request-id={rid!r}")
    check(ex.headers.get("request-id") == rid, f"request-id={ex.headers.get('request-id')!r} != {rid!r}")


@case(
    "openai.chat.vendor-top-level",
    level=Level.SHOULD,
    profile=P,
    title="stratus is a new top-level key",
    sends="POST /v1/chat/completions",
    needs=NEEDS + " with a choice",
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
    check(not extra, f"unexpected top-level keys {sorted(extra)}", at=(sorted(extra)[0],) if extra else None)
    msg = choices_of(body)[0].get("message")
    if not isinstance(msg, dict):
        raise CaseFailed(f"message={msg!r}", at=("choices", 0))
    check(
        set(msg) <= {"role", "content", "refusal", "tool_calls", "annotations", "audio", "function_call"},
        f"unexpected message keys {sorted(msg)}",
        at=("choices", 0, "message"),
    )


@case(
    "openai.chat.parallel-tool-calls",
    level=Level.SHOULD,
    profile=P,
    title="Parallel tool calls: one answer, several calls",
    sends=f"POST /v1/chat/completions asking {PARALLEL_PROMPT!r} with get_weather and tool_choice required",
    needs=NEEDS + " with two or more tool calls",
    requirement="Every call has the A8 shape (type function, name get_weather, JSON-object arguments) and "
    "finish_reason is tool_calls; the calls differ in id (distinct call_* ids) and in arguments "
    "(one city each).",
    sources=("A8", "T1", "D-CHAT-5.2"),
)
def _parallel(ctx: Context) -> None:
    calls = check_tool_calls(_body(ctx, "parallel"))
    args = [tc["function"]["arguments"] for tc in calls]
    check(
        len(set(args)) == len(args),
        f"the parallel calls repeat the same arguments {args}",
        at=("choices", 0, "message", "tool_calls"),
    )


@case(
    "openai.chat.parallel-tool-calls-off",
    level=Level.MUST,
    profile=P,
    title="parallel_tool_calls false: at most one call",
    sends=f"the parallel request ({PARALLEL_PROMPT!r}, tool_choice required) with parallel_tool_calls false",
    needs=NEEDS + " with a tool call",
    requirement="With parallel_tool_calls false the answer has exactly one tool call.",
    sources=("T2", "G5"),
)
def _parallel_off(ctx: Context) -> None:
    body = chat_body(
        ctx,
        messages=[{"role": "user", "content": PARALLEL_PROMPT}],
        tools=[WEATHER_TOOL_OPENAI],
        tool_choice="required",
        parallel_tool_calls=False,
    )
    calls = check_tool_calls(json_object(ctx.post("/v1/chat/completions", body), "a chat completion"))
    check(
        len(calls) == 1,
        f"{len(calls)} tool calls despite parallel_tool_calls false",
        at=("choices", 0, "message", "tool_calls"),
    )
