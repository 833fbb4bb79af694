"""openai-python against the target: sync, async, streams, the .stream() helper, errors, retries."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from conformance._case import Level, case
from conformance._context import Context
from conformance.cases._common import PROMPT, WEATHER_TOOL_OPENAI, check
from conformance.cases._sdk import Counter, expect_raises, openai_client, require

__all__: list[str] = []

P = "sdk"
MSGS: list[dict[str, Any]] = [{"role": "user", "content": PROMPT}]


@case(
    "sdk.openai.create",
    level=Level.MUST,
    profile=P,
    title="chat.completions.create (sync)",
    sends="openai.OpenAI().chat.completions.create(...)",
    needs="openai-python installed ([sdk] extra) and answers the SDK parses",
    requirement="Returns a completion with string content, resp.stratus as a dict, model_extra and _request_id.",
    sources=("0.1", "A14", "J"),
)
def _create(ctx: Context) -> None:
    r = openai_client(ctx).chat.completions.create(model=ctx.target.model, messages=MSGS)
    check(isinstance(r.choices[0].message.content, str), f"content={r.choices[0].message.content!r}")
    check(isinstance((r.model_extra or {}).get("stratus"), dict), "resp.model_extra['stratus'] is not a dict")
    check(isinstance(r.stratus["action_sequence"], list), "resp.stratus['action_sequence'] missing")
    check(r._request_id and r._request_id.startswith("req_"), f"_request_id={r._request_id!r}")


@case(
    "sdk.openai.async-create",
    level=Level.MUST,
    profile=P,
    title="chat.completions.create (async)",
    sends="openai.AsyncOpenAI().chat.completions.create(...)",
    needs="openai-python installed ([sdk] extra) and answers the SDK parses",
    requirement="Returns the same content as sync.",
    sources=("0.1",),
)
def _acreate(ctx: Context) -> None:
    async def go() -> Any:
        async with openai_client(ctx, async_=True) as c:
            return await c.chat.completions.create(model=ctx.target.model, messages=MSGS)

    r = asyncio.run(go())
    check(
        isinstance(r.choices[0].message.content, str) and r.choices[0].finish_reason == "stop", f"{r!r}"[:200]
    )


@case(
    "sdk.openai.stream-raw",
    level=Level.MUST,
    profile=P,
    title="create(stream=True) iterates to the end",
    sends="chat.completions.create(stream=True, stream_options={'include_usage': True})",
    needs="openai-python installed ([sdk] extra) and an event stream of chunks",
    requirement="Chunks iterate without error; text is non-empty; the last chunk carries usage; the first "
    "chunk's model_extra has stratus.",
    sources=("0.1", "B2", "B8", "D-STR-1"),
)
def _stream_raw(ctx: Context) -> None:
    chunks = list(
        openai_client(ctx).chat.completions.create(
            model=ctx.target.model, messages=MSGS, stream=True, stream_options={"include_usage": True}
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    check(text, "no text streamed")
    check(chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0, "no usage on the last chunk")
    check("stratus" in (chunks[0].model_extra or {}), "first chunk has no stratus")


@case(
    "sdk.openai.stream-helper",
    level=Level.MUST,
    profile=P,
    title=".stream() helper final completion",
    sends="client.chat.completions.stream(...).get_final_completion()",
    needs="openai-python installed ([sdk] extra), an event stream of chunks and a completion",
    requirement='Final message role is exactly "assistant", content equals the non-streaming content, '
    "finish_reason stop, stratus kept (first chunk).",
    sources=("B4", "0.1", "D-STR-1", "J"),
)
def _helper(ctx: Context) -> None:
    c = openai_client(ctx)
    with c.chat.completions.stream(model=ctx.target.model, messages=MSGS) as s:
        final = s.get_final_completion()
    plain = c.chat.completions.create(model=ctx.target.model, messages=MSGS)
    m = final.choices[0].message
    check(m.role == "assistant", f"accumulated role={m.role!r}")
    check(
        m.content == plain.choices[0].message.content,
        f"{m.content!r:.80} != {plain.choices[0].message.content!r:.80}",
    )
    check(final.choices[0].finish_reason == "stop", f"finish_reason={final.choices[0].finish_reason!r}")
    check("stratus" in (final.model_extra or {}), "get_final_completion() lost stratus")


@case(
    "sdk.openai.stream-helper-tools",
    level=Level.MUST,
    profile=P,
    title=".stream() helper with tool calls",
    sends="client.chat.completions.stream(tools=[get_weather], tool_choice='required')",
    needs="openai-python installed ([sdk] extra) and an event stream with a tool call",
    requirement="The accumulated tool call has id call_*, name get_weather (not doubled) and JSON arguments.",
    sources=("B6", "I-2", "J"),
)
def _helper_tools(ctx: Context) -> None:
    with openai_client(ctx).chat.completions.stream(
        model=ctx.target.model, messages=MSGS, tools=[WEATHER_TOOL_OPENAI], tool_choice="required"
    ) as s:
        final = s.get_final_completion()
    calls = final.choices[0].message.tool_calls or []
    check(calls, "no tool calls accumulated")
    tc = calls[0]
    check(tc.function.name == "get_weather", f"name={tc.function.name!r}")
    check(tc.id.startswith("call_") and tc.id.count("call_") == 1, f"id={tc.id!r}")
    check(isinstance(json.loads(tc.function.arguments), dict), f"arguments={tc.function.arguments!r}")
    check(final.choices[0].finish_reason == "tool_calls", f"finish_reason={final.choices[0].finish_reason!r}")


@case(
    "sdk.openai.async-stream",
    level=Level.MUST,
    profile=P,
    title="Async streaming",
    sends="AsyncOpenAI().chat.completions.create(stream=True)",
    needs="openai-python installed ([sdk] extra) and an event stream of chunks",
    requirement="Async iteration yields the text.",
    sources=("0.1",),
)
def _astream(ctx: Context) -> None:
    async def go() -> str:
        async with openai_client(ctx, async_=True) as c:
            out = []
            async for ch in await c.chat.completions.create(
                model=ctx.target.model, messages=MSGS, stream=True
            ):
                out += [x.delta.content or "" for x in ch.choices]
            return "".join(out)

    check(asyncio.run(go()), "no text streamed")


@case(
    "sdk.openai.tool-round-trip",
    level=Level.MUST,
    profile=P,
    title="Tool call round trip",
    sends="create with a tool (required), then the assistant tool_calls message and a tool result",
    needs="openai-python installed ([sdk] extra) and a completion with a tool call",
    requirement="The second call succeeds with a text answer.",
    sources=("A8", "A11"),
)
def _round_trip(ctx: Context) -> None:
    c = openai_client(ctx)
    r = c.chat.completions.create(
        model=ctx.target.model, messages=MSGS, tools=[WEATHER_TOOL_OPENAI], tool_choice="required"
    )
    tc = r.choices[0].message.tool_calls[0]
    msgs = [
        *MSGS,
        r.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": tc.id, "content": "18C and sunny"},
    ]
    r2 = c.chat.completions.create(model=ctx.target.model, messages=msgs, tools=[WEATHER_TOOL_OPENAI])
    check(r2.choices[0].message.content, "no answer after the tool result")


@case(
    "sdk.openai.error-classes",
    level=Level.MUST,
    profile=P,
    title="Exception classes and attributes",
    sends="a bad temperature, a bad key, an unknown model id, and mock 403/429/500/503",
    needs="openai-python installed ([sdk] extra) and error answers (mock statuses need X-Stratus-Mock-*)",
    requirement="BadRequestError, AuthenticationError, NotFoundError, PermissionDeniedError, RateLimitError, "
    "InternalServerError with .code/.type/.request_id from the body and headers.",
    sources=("C2", "J"),
)
def _errors(ctx: Context) -> None:
    openai = require("openai")
    c = openai_client(ctx)
    e = expect_raises(
        openai.BadRequestError,
        lambda: c.chat.completions.create(model=ctx.target.model, messages=MSGS, temperature=5),
        "temperature 5",
    )
    check(getattr(e, "type", None) == "invalid_request_error" and e.request_id, f"type/request_id on {e!r}")  # type: ignore[attr-defined]
    expect_raises(
        openai.AuthenticationError,
        lambda: openai_client(ctx, api_key="stratus_sk_bad").models.list(),
        "bad key",
    )
    expect_raises(openai.NotFoundError, lambda: c.models.retrieve("stratus-x1ac-mega-none"), "unknown model")
    ctx.require_mock()
    for status, exc in (
        (403, openai.PermissionDeniedError),
        (429, openai.RateLimitError),
        (500, openai.InternalServerError),
        (503, openai.InternalServerError),
    ):

        def call(s: int = status) -> Any:
            return c.chat.completions.create(
                model=ctx.target.model, messages=MSGS, extra_headers={"X-Stratus-Mock-Status": str(s)}
            )

        expect_raises(exc, call, f"mock {status}")


@case(
    "sdk.openai.retries",
    level=Level.MUST,
    profile=P,
    title="429/503 retried after retry-after",
    sends="mock 429 then mock 503 with X-Stratus-Mock-Retry-After: 1, max_retries=1",
    needs="openai-python installed ([sdk] extra) and a target that honours X-Stratus-Mock-*",
    requirement="Each is attempted twice (the SDK honours retry-after) and then raises.",
    sources=("0.3", "C6", "D-HDR-2"),
)
def _retries(ctx: Context) -> None:
    openai = require("openai")
    ctx.require_mock()
    for status, exc in ((429, openai.RateLimitError), (503, openai.InternalServerError)):
        counter = Counter()
        c = openai_client(ctx, max_retries=1, counter=counter)
        start = time.monotonic()

        def call(s: int = status, c: Any = c) -> Any:
            return c.chat.completions.create(
                model=ctx.target.model,
                messages=MSGS,
                extra_headers={"X-Stratus-Mock-Status": str(s), "X-Stratus-Mock-Retry-After": "1"},
            )

        expect_raises(exc, call, f"mock {status}")
        check(counter.count == 2, f"{status}: {counter.count} attempts, expected 2")
        if not ctx.target.replaying:
            check(time.monotonic() - start >= 0.9, f"{status}: retried without waiting retry-after")


@case(
    "sdk.openai.stream-error",
    level=Level.MUST,
    profile=P,
    title="In-stream error raises APIError",
    sends="create(stream=True) with X-Stratus-Mock-Stream-Error: 2",
    needs="openai-python installed ([sdk] extra) and a target that honours X-Stratus-Mock-*",
    requirement="Iteration raises openai.APIError carrying the error message.",
    sources=("B10",),
)
def _stream_error(ctx: Context) -> None:
    openai = require("openai")
    ctx.require_mock()
    c = openai_client(ctx)
    expect_raises(
        openai.APIError,
        lambda: list(
            c.chat.completions.create(
                model=ctx.target.model,
                messages=MSGS,
                stream=True,
                extra_headers={"X-Stratus-Mock-Stream-Error": "2"},
            )
        ),
        "stream error",
    )


@case(
    "sdk.openai.models",
    level=Level.MUST,
    profile=P,
    title="models.list() and retrieve()",
    sends="client.models.list(), client.models.retrieve(first id)",
    needs="openai-python installed ([sdk] extra) and a model list with at least one model",
    requirement="The page iterates to the end; retrieve returns the id.",
    sources=("H1",),
)
def _models(ctx: Context) -> None:
    c = openai_client(ctx)
    ids = [m.id for m in c.models.list()]
    check(ids, "no models")
    check(c.models.retrieve(ids[0]).id == ids[0], "retrieve returned another id")
